"""Forms of blocs of factions."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from councils.federation.models import Faction


class BlocFactionsForm(forms.Form):
    """The factions of a bloc (two or more), as checkboxes."""

    factions = forms.ModelMultipleChoiceField(
        label=_("Factions"),
        queryset=Faction.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Two or more factions. A faction sits in one bloc at a time."),
    )

    def __init__(self, *args: object, factions: QuerySet[Faction], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["factions"].queryset = factions  # type: ignore[attr-defined]


class BlocForm(BlocFactionsForm):
    """Form a bloc: its name and its factions."""

    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("For example “Menshevik–SR bloc”."))
    field_order = ["name", "factions"]
