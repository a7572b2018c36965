"""The forms of deliberation's pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from councils.deliberation.models import AgendaItem, Instruction, Motion, Speech


class SittingForm(forms.Form):
    council = forms.ChoiceField(label=_("Council"))
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    video_url = forms.URLField(label=_("Video link"), required=False)
    congress = forms.BooleanField(
        label=_("Convene as a congress (apportion its seats among the child councils first)"), required=False
    )

    def __init__(self, *args: Any, councils: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["council"]).choices = councils


class AgendaItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    motion = forms.TypedChoiceField(label=_("Motion"), coerce=int, required=False, empty_value=None)
    planned_minutes = forms.IntegerField(
        label=_("Planned time (minutes)"), min_value=0, initial=0, required=False
    )

    def __init__(self, *args: Any, motions: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["motion"]).choices = [("", "—"), *motions]


class SpeechRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request"), choices=Speech.Kind.choices, initial=Speech.Kind.SPEECH)
    stance = forms.ChoiceField(label=_("Stance"), choices=Speech.Stance.choices, required=False)


class SeatIdsField(forms.Field):
    """Seat ids from repeated inputs (``seats=3&seats=8``): numbers, or an error naming the bad one.
    Whether each seat is held in the council is the service's to say."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = [str(v).strip() for v in (value or []) if str(v).strip()]
        bad = next((v for v in values if not v.isdigit()), None)
        if bad is not None:
            raise forms.ValidationError(_("%(value)s is not a seat number.") % {"value": bad[:20]})
        return sorted({int(v) for v in values})


class AttendanceFilterForm(forms.Form):
    """The part of the attendance list the chair looks at (and records all of at once): a part of
    a name, the council that sent the delegates, those present or absent."""

    q = forms.CharField(label=_("Name contains"), max_length=100, required=False)
    council = forms.TypedChoiceField(label=_("Sent by"), coerce=int, required=False, empty_value=None)
    state = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("everyone")), ("present", _("those present")), ("absent", _("those absent"))],
        required=False,
    )

    def __init__(self, *args: Any, councils: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if councils:
            cast(forms.ChoiceField, self.fields["council"]).choices = [("", _("every council")), *councils]
        else:
            del self.fields["council"]  # a council of constituencies: nobody was sent

    def filters(self) -> dict[str, Any]:
        """The keyword arguments of ``selectors.attendance`` for what the form says (none if invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        state = data.get("state") or ""
        return {
            "search": data.get("q") or "",
            "sent_by": data.get("council"),
            "present": {"present": True, "absent": False}.get(state),
        }

    def query(self) -> str:
        """The filter as a query string (``?q=...``), to come back to the same part after recording."""
        from urllib.parse import urlencode

        if not self.is_valid():
            return ""
        pairs = [(k, v) for k, v in self.cleaned_data.items() if v not in (None, "")]
        return "?" + urlencode(pairs) if pairs else ""


class AttendanceForm(forms.Form):
    """The chair records attendance: the checked deputies, or everyone the filter shows, as present
    or as absent."""

    seats = SeatIdsField(label=_("Deputies"), required=False)
    present = forms.TypedChoiceField(
        label=_("Record them as"),
        coerce=lambda v: v == "1",
        choices=[("1", _("present")), ("0", _("absent (checked out)"))],
        widget=forms.RadioSelect,
        initial="1",
    )
    scope = forms.ChoiceField(
        choices=[("checked", _("the checked deputies")), ("shown", _("everyone shown"))],
        initial="checked",
        required=False,  # the checked deputies
    )


class DecisionForm(forms.Form):
    subject = forms.ChoiceField(label=_("Question"))
    yes = forms.IntegerField(label=_("For"), min_value=0)
    no = forms.IntegerField(label=_("Against"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstaining"), min_value=0, initial=0)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, subjects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["subject"]).choices = subjects


class MotionForm(forms.Form):
    council = forms.ChoiceField(label=_("Council"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Motion.Kind.choices, initial=Motion.Kind.RESOLUTION)
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown; one paragraph per line."),
    )
    for_faction = forms.BooleanField(label=_("Submit for my faction"), required=False)

    def __init__(self, *args: Any, councils: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["council"]).choices = councils


class AmendmentForm(forms.Form):
    first_line = forms.IntegerField(label=_("From line"), min_value=1)
    last_line = forms.IntegerField(label=_("To line"), min_value=1)
    text = forms.CharField(
        label=_("New text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Leave empty to delete the lines."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class InstructionForm(forms.Form):
    position = forms.ChoiceField(label=_("Instruct the delegates to"), choices=Instruction.Position.choices)
    yes = forms.IntegerField(label=_("For"), min_value=0)
    no = forms.IntegerField(label=_("Against"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstaining"), min_value=0, initial=0)
