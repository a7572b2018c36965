"""Date controls of the pages: the day a composition is shown at, and a stretch of history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.validators import day_range_problem


class DateInput(forms.DateInput):
    """A native date picker; its value is always ISO (``YYYY-MM-DD``) whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AtForm(forms.Form):
    """The date control of the composition and the majority map (``?at=YYYY-MM-DD``).

    ``default`` is the day shown when none is chosen: None for today, or the last day of a
    historical organization's history (``councils.web.views._common.default_day``).
    """

    at = forms.DateField(label=_("Date"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"])

    def __init__(self, *args: Any, default: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default = default

    def clean_at(self) -> date | None:
        day: date | None = self.cleaned_data.get("at")
        if day is not None and (problem := day_range_problem(day)) is not None:
            raise forms.ValidationError(problem)
        return day

    def typed(self) -> str:
        """What was typed in the control, so that a refused date stays in it beside its error."""
        return str(self.data.get("at", ""))[:40] if self.is_bound else ""

    def chosen(self) -> date | None:
        """The day the reader chose, if they chose a valid one."""
        if self.is_bound and self.is_valid():
            day: date | None = self.cleaned_data.get("at")
            return day
        return None

    def moment(self) -> datetime | None:
        """The moment to show: the end of the day shown, or ``None`` (now) for today, a later day
        or no valid choice without a default. The end of the day, so that a change made that day
        is shown."""
        day = self.chosen() or self.default
        if day is None or day >= timezone.localdate():
            return None
        next_midnight = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return next_midnight - timedelta(microseconds=1)

    def day(self) -> date:
        """The day shown (today when none was chosen and there is no default)."""
        return min(self.chosen() or self.default or timezone.localdate(), timezone.localdate())

    def is_default(self) -> bool:
        """Whether the day shown is the default one (the reader chose none)."""
        return self.chosen() is None


class HistoryRangeForm(forms.Form):
    """The stretch of time the "seats by faction over time" chart shows (``?since=&until=``); by
    default, the whole history, with long stretches without change drawn narrow."""

    since = forms.DateField(label=_("From"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"])
    until = forms.DateField(label=_("To"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("since", "until"):
            day = data.get(name)
            if day is not None and day.year < 1000:
                self.add_error(name, _("Enter a date after the year 1000."))
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and until < since:
            self.add_error("until", _("The end of the range comes before its start."))
        return data

    def chosen(self) -> bool:
        """Whether the reader chose a valid range (a start, an end or both)."""
        return self.is_bound and self.is_valid() and any(self.cleaned_data.get(n) for n in ("since", "until"))

    def moments(self) -> tuple[datetime | None, datetime | None]:
        """The start of the first day and the end of the last day chosen (None where open)."""
        if not self.chosen():
            return None, None
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        start = timezone.make_aware(datetime.combine(since, time.min)) if since else None
        end = (
            timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
            - timedelta(microseconds=1)
            if until
            else None
        )
        return start, end
