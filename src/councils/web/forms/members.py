"""Forms about members: a recall petition, a move to another constituency, an import of members."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from councils.federation.models import Constituency


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


class MemberMoveForm(forms.Form):
    """Move a member to another constituency of the organization."""

    constituency = forms.ModelChoiceField(label=_("New constituency"), queryset=Constituency.objects.none())

    def __init__(self, *args: object, constituencies: QuerySet[Constituency], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["constituency"].queryset = constituencies  # type: ignore[attr-defined]


class MembersImportForm(forms.Form):
    """A CSV file of members to import: ``name,email,constituency`` per row."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, one member per row: name, e-mail address, constituency (its slug or exact name). "
            "A first row “name,email,constituency” is skipped."
        ),
    )
    delimiter = forms.ChoiceField(
        label=_("Columns separated by"),
        choices=[(",", _("commas")), (";", _("semicolons")), ("\t", _("tabs"))],
        initial=",",
    )
    invite = forms.BooleanField(
        label=_("Send each member an invitation to set their password"), required=False, initial=True
    )
