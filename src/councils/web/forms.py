"""Forms of the pages: they parse what a person typed; the services decide what it means."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """A native date picker; its value is always ISO (``YYYY-MM-DD``) whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AtForm(forms.Form):
    """The date control of the composition and the majority map (``?at=YYYY-MM-DD``)."""

    at = forms.DateField(label=_("Date"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"])

    def clean_at(self) -> date | None:
        day: date | None = self.cleaned_data.get("at")
        if day is not None and day.year < 1000:
            raise forms.ValidationError(_("Enter a date after the year 1000."))
        return day

    def moment(self) -> datetime | None:
        """The moment to show: the end of the chosen day, or ``None`` (now) for today, a later day
        or no valid choice. The end of the day, so that a change made that day is shown."""
        if not self.is_valid() or self.cleaned_data.get("at") is None:
            return None
        day: date = self.cleaned_data["at"]
        if day >= timezone.localdate():
            return None
        next_midnight = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return next_midnight - timedelta(microseconds=1)

    def day(self) -> date:
        """The day shown (today when none was chosen)."""
        if self.is_valid() and self.cleaned_data.get("at") is not None:
            return min(self.cleaned_data["at"], timezone.localdate())
        return timezone.localdate()


class PetitionOpenForm(forms.Form):
    """Open a recall petition against one of the constituency's deputies."""

    seat = forms.TypedChoiceField(label=_("Deputy to recall"), coerce=int)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: why the constituents should recall this deputy."),
    )

    def __init__(self, *args: object, deputies: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["seat"].choices = deputies  # type: ignore[attr-defined]


class AuditFilterForm(forms.Form):
    """The audit log's filter by kind of event."""

    kind = forms.ChoiceField(label=_("Kind of event"), required=False)

    def __init__(self, *args: object, kinds: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [("", _("All kinds")), *((k, k) for k in kinds)]  # type: ignore[attr-defined]
