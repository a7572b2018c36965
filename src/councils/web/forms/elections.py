"""Forms of elections: opening one, and declaring who was elected."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from councils.federation.models import MAX_ELECTION_SEATS, Constituency, Council, Election, Faction, Member
from councils.federation.selectors import Eligible

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: The most rows a declaration form reads back from a request: rows beyond the election's seats are
#: passed on, so that the service says why it refuses them.
MAX_DECLARATION_ROWS = 200

CONSTITUENCY, CHILD_COUNCIL = "constituency", "child"


class ElectionOpenForm(forms.Form):
    """Open an election: a council, then the part that elects (one of its constituencies, or a child
    council sending delegates), the kind, and optionally the seats to fill."""

    council = forms.TypedChoiceField(label=_("Council"), coerce=int)
    part = forms.ChoiceField(
        label=_("Elected by"),
        help_text=_("A constituency of the council, or a child council choosing delegates."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Election.Kind.choices, initial=Election.Kind.REGULAR)
    seats = forms.IntegerField(
        label=_("Seats to fill"),
        required=False,
        min_value=1,
        max_value=MAX_ELECTION_SEATS,
        help_text=_(
            "Leave empty for the part's allocated seats (regular) or its vacant seats (by-election)."
        ),
    )

    def __init__(
        self,
        *args: Any,
        councils: Iterable[Council],
        constituencies: Iterable[Constituency],
        only_council: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        councils = list(councils)
        self._councils = {c.pk: c for c in councils}
        self._constituencies = {c.pk: c for c in constituencies}
        self.fields["council"].choices = [("", _("Choose a council")), *((c.pk, c.name) for c in councils)]  # type: ignore[attr-defined]
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        for council in councils:
            if only_council is not None and council.pk != only_council:
                continue
            parts = [
                (f"{CONSTITUENCY}:{c.pk}", str(c.name))
                for c in sorted(self._constituencies.values(), key=lambda c: c.name)
                if c.council_id == council.pk
            ]
            parts += [
                (f"{CHILD_COUNCIL}:{k.pk}", _("%(council)s (delegates)") % {"council": k.name})
                for k in councils
                if k.parent_id == council.pk
            ]
            if parts:
                groups.append((council.name, parts))
        self.fields["part"].choices = [("", _("Choose who elects")), *groups]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["constituency"] = cleaned["child_council"] = None
        kind, _sep, pk = str(cleaned.get("part") or "").partition(":")
        if kind == CONSTITUENCY:
            cleaned["constituency"] = self._constituencies.get(int(pk))
        elif kind == CHILD_COUNCIL:
            cleaned["child_council"] = self._councils.get(int(pk))
        if "council" in cleaned:
            cleaned["council"] = self._councils[cleaned["council"]]
        return cleaned


class ElectionDeclareForm(forms.Form):
    """Record who was elected: one row per seat, each a member and the faction they sit with.

    Members are offered from those eligible; any current member of the organization is accepted,
    so that the service, not the form, says why one may not be elected.
    """

    def __init__(
        self,
        data: Any = None,
        *,
        election: Election,
        eligible: Sequence[Eligible],
        factions: Iterable[Faction],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.election = election
        self.delegates = election.child_council_id is not None
        faction_list = list(factions)
        self._factions = {f.pk: f for f in faction_list}
        no_faction = _("Their faction below") if self.delegates else _("No faction")
        faction_choices = [("", no_faction), *((f.pk, f.name) for f in faction_list)]
        member_choices: list[tuple[Any, StrOrPromise]] = [("", _("Choose a member"))]
        for e in eligible:
            label = e.member.name
            if self.delegates:
                label = _("%(member)s (below: %(faction)s)") % {
                    "member": e.member.name,
                    "faction": e.faction.name if e.faction is not None else _("no faction"),
                }
            member_choices.append((e.member.pk, label))
        rows = election.seats
        if data is not None:
            # Rows the request holds beyond the seats still reach the service, which refuses them.
            posted = [int(k[7:]) for k in data if k.startswith("member_") and k[7:].isdigit()]
            rows = max([rows, *(n for n in posted if n <= MAX_DECLARATION_ROWS)])
        self.row_numbers = list(range(1, rows + 1))
        for n in self.row_numbers:
            self.fields[f"member_{n}"] = forms.IntegerField(
                label=_("Deputy %(n)d") % {"n": n},
                required=False,
                widget=forms.Select(choices=member_choices),
            )
            self.fields[f"faction_{n}"] = forms.TypedChoiceField(
                label=_("Faction %(n)d") % {"n": n},
                required=False,
                coerce=int,
                empty_value=None,
                choices=faction_choices,
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The bound fields by row: (member, faction)."""
        return [(self[f"member_{n}"], self[f"faction_{n}"]) for n in self.row_numbers]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ids = [cleaned.get(f"member_{n}") for n in self.row_numbers]
        members = {
            m.pk: m
            for m in Member.objects.filter(
                organization_id=self.election.organization_id,
                left_at__isnull=True,
                pk__in=[i for i in ids if i is not None],
            )
        }
        elected: list[tuple[Member, Faction | None]] = []
        for n, member_id in zip(self.row_numbers, ids, strict=True):
            faction_id = cleaned.get(f"faction_{n}")
            if member_id is None:
                if faction_id is not None:
                    self.add_error(f"member_{n}", _("Choose who was elected to this seat."))
                continue
            if member_id not in members:
                self.add_error(f"member_{n}", _("No member %(id)s in this organization.") % {"id": member_id})
                continue
            elected.append((members[member_id], self._factions.get(faction_id) if faction_id else None))
        cleaned["elected"] = elected
        return cleaned
