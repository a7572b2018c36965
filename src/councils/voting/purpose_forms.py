"""Forms of the pages that create the polls deciding a federation election: an election of
deputies or delegates by a poll, and a list election. They parse what an officer chose; the
handlers (:mod:`councils.voting.handlers`) decide what it means."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from councils.federation.models import Council, Faction, Member
from councils.federation.selectors import Eligible
from councils.voting.forms import DateTimeInput
from councils.voting.models import Poll


class _PollRules(forms.Form):
    """What every poll deciding an election states: its title, secrecy, quorum and closing time."""

    title = forms.CharField(label=_("Title (optional)"), max_length=300, required=False)
    description = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    secrecy = forms.ChoiceField(label=_("Secrecy"), choices=Poll.Secrecy.choices)
    quorum = forms.ChoiceField(label=_("Quorum"), choices=Poll.Quorum.choices)
    quorum_value = forms.DecimalField(
        label=_("Quorum figure"), required=False, max_digits=9, decimal_places=3
    )
    closes_at = forms.DateTimeField(label=_("Closes at (optional)"), required=False, widget=DateTimeInput())

    def rule_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "secrecy": data["secrecy"],
            "quorum": data["quorum"],
            "quorum_value": data["quorum_value"],
            "closes_at": data["closes_at"],
        }


class ElectionPollForm(_PollRules):
    """A constituency's members electing its deputies, or a child council's deputies electing its
    delegates: the counting method and the candidates among those who may take a seat."""

    method = forms.ChoiceField(label=_("Counting method"), choices=Poll.Method.choices)
    candidates = forms.MultipleChoiceField(
        label=_("Candidates"), widget=forms.CheckboxSelectMultiple, help_text=_("Tick every candidate.")
    )
    weighting = forms.ChoiceField(label=_("Weights"), choices=Poll.Weighting.choices)

    def __init__(self, data: Any = None, *, eligible: list[Eligible], delegates: bool, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self._eligible = {e.member.pk: e for e in eligible}
        self.fields["candidates"].choices = [(e.member.pk, e.member.name) for e in eligible]  # type: ignore[attr-defined]
        if not delegates:
            # Members vote one each; only deputies carry the members they represent.
            del self.fields["weighting"]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = [self._eligible[int(pk)] for pk in data["candidates"]]
        return {
            **self.rule_arguments(),
            "method": data["method"],
            # A delegate stands with the faction they sit with below; a deputy for none.
            "candidates": [(e.member, e.faction) for e in chosen],
            "weighting": data.get("weighting") or Poll.Weighting.EQUAL,
        }


class ListPollForm(_PollRules):
    """A list election: each faction's list of candidates in order, the apportionment method, the
    threshold, and who votes (the constituency's members or the whole organization's)."""

    method = forms.ChoiceField(label=_("Apportionment method"), choices=Council.Apportionment.choices)
    threshold = forms.DecimalField(
        label=_("Threshold"),
        min_value=0,
        max_value=0.999,
        decimal_places=3,
        initial=0,
        help_text=_("The share of the votes a list needs to win seats (0.05 for 5%)."),
    )
    whole_organization = forms.BooleanField(
        label=_("The whole organization votes"),
        required=False,
        help_text=_(
            "Every member of the organization votes, not only the constituency's (organizers only). "
            "The candidates are still the constituency's members: the seats are its own."
        ),
    )

    def __init__(
        self, data: Any = None, *, factions: list[Faction], members: list[Member], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.factions = factions
        self._members = members
        for faction in factions:
            self.fields[f"list-{faction.pk}"] = forms.CharField(
                label=_("List of %(faction)s: candidates in order, one name per line")
                % {"faction": faction.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def list_fields(self) -> list[forms.BoundField]:
        return [self[f"list-{f.pk}"] for f in self.factions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        by_name: dict[str, list[Member]] = {}
        for member in self._members:
            by_name.setdefault(member.name.casefold(), []).append(member)
        lists: list[tuple[Faction, list[Member]]] = []
        for faction in self.factions:
            names = [
                line.strip() for line in (data.get(f"list-{faction.pk}") or "").splitlines() if line.strip()
            ]
            found: list[Member] = []
            for name in names:
                matches = by_name.get(name.casefold(), [])
                if len(matches) != 1:
                    message = (
                        _("%(name)s is not a member of the constituency.")
                        if not matches
                        else _("Two members are called %(name)s: the list cannot tell them apart.")
                    )
                    self.add_error(f"list-{faction.pk}", message % {"name": name})
                    break
                found.append(matches[0])
            if names:
                lists.append((faction, found))
        data["lists"] = lists
        if not self.errors and len(lists) < 2:
            raise ValidationError(_("A list election needs at least two lists."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.rule_arguments(),
            "lists": data["lists"],
            "method": data["method"],
            "threshold": data["threshold"],
            "electorate_organization": data["whole_organization"],
        }
