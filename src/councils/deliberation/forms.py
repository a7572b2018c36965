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


class AttendanceForm(forms.Form):
    seats = forms.TypedMultipleChoiceField(label=_("Deputies"), coerce=int)
    present = forms.TypedChoiceField(
        label=_("Record them as"),
        coerce=lambda v: v == "1",
        choices=[("1", _("present")), ("0", _("absent (checked out)"))],
    )

    def __init__(self, *args: Any, seats: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["seats"]).choices = seats


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
