"""Forms of the poll pages: they parse what a person typed; the services decide what it means."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from councils.federation.models import Constituency, Council, Organization
from councils.voting.models import Poll, TrusteeCommittee


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class PollCreateForm(forms.Form):
    """A new poll: its question or candidates, electorate, rules and times."""

    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Text of the motion or notes"), required=False, widget=forms.Textarea
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Poll.Kind.choices)
    method = forms.ChoiceField(
        label=_("Counting method (elections)"), choices=[("", "—"), *Poll.Method.choices], required=False
    )
    seats = forms.IntegerField(label=_("Seats to fill"), min_value=1, initial=1)
    candidates = forms.CharField(
        label=_("Candidates, one per line (elections)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    electorate = forms.ChoiceField(label=_("Who votes"))
    secrecy = forms.ChoiceField(label=_("Secrecy"), choices=Poll.Secrecy.choices)
    committee = forms.ModelChoiceField(
        label=_("Trustee committee (secret polls)"),
        queryset=TrusteeCommittee.objects.none(),
        required=False,
        empty_label="—",
        help_text=_(
            "Its trustees decrypt the sum of a secret poll's ballots; only ready committees are listed."
        ),
    )
    majority = forms.ChoiceField(label=_("Majority required (motions)"), choices=Poll.Majority.choices)
    majority_base = forms.ChoiceField(label=_("Majority of"), choices=Poll.Base.choices, required=False)
    abstentions = forms.ChoiceField(label=_("Abstentions"), choices=Poll.Abstentions.choices)
    quorum = forms.ChoiceField(label=_("Quorum"), choices=Poll.Quorum.choices)
    quorum_value = forms.DecimalField(
        label=_("Quorum figure"), required=False, max_digits=9, decimal_places=3
    )
    weighting = forms.ChoiceField(label=_("Weights"), choices=Poll.Weighting.choices)
    running_result = forms.BooleanField(label=_("Show the running result while open"), required=False)
    opens_at = forms.DateTimeField(label=_("Opens at (optional)"), required=False, widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes at (optional)"), required=False, widget=DateTimeInput())

    def __init__(self, data: Any = None, *, organization: Organization, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        councils = Council.objects.filter(organization=organization).order_by("name")
        constituencies = Constituency.objects.filter(organization=organization).order_by("name")
        self.fields["electorate"].choices = [  # type: ignore[attr-defined]
            (_("Deputies of a council"), [(f"council:{c.pk}", c.name) for c in councils]),
            (_("Members of a constituency"), [(f"constituency:{c.pk}", c.name) for c in constituencies]),
            (
                _("Members of the whole organization (organizers)"),
                [("organization:", _("every member of %(o)s") % {"o": organization.name})],
            ),
        ]
        self.fields["committee"].queryset = TrusteeCommittee.objects.filter(  # type: ignore[attr-defined]
            organization=organization, state=TrusteeCommittee.State.READY
        )
        self._councils = {c.pk: c for c in councils}
        self._constituencies = {c.pk: c for c in constituencies}

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind, _sep, pk = data["electorate"].partition(":")
        # A secret poll's trustees (poll_create refuses a secret poll without a ready committee).
        secret = {"committee": data["committee"]} if data["secrecy"] == Poll.Secrecy.SECRET else {}
        return secret | {
            "title": data["title"],
            "description": data["description"],
            "kind": data["kind"],
            "method": data["method"] if data["kind"] == Poll.Kind.ELECTION else "",
            "seats": data["seats"] or 1,
            "candidates": [line.strip() for line in data["candidates"].splitlines() if line.strip()],
            "electorate_council": self._councils.get(int(pk)) if kind == "council" else None,
            "electorate_constituency": self._constituencies.get(int(pk)) if kind == "constituency" else None,
            "electorate_organization": kind == "organization",
            "secrecy": data["secrecy"],
            "majority": data["majority"],
            "majority_base": data["majority_base"] or "",
            "abstentions": data["abstentions"],
            "quorum": data["quorum"],
            "quorum_value": data["quorum_value"],
            "weighting": data["weighting"],
            "running_result": data["running_result"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
        }


def ballot_from_post(poll: Poll, post: QueryDict) -> dict[str, Any]:
    """The ballot a booth form sent: ``answer`` (or ``split-yes``... for a split weight) for a motion;
    ``mark`` (checkboxes or a radio) or ``rank-1``, ``rank-2``... (select boxes) for an election, or
    ``split-<candidate id>`` shares of a weighted voter's split between candidates."""
    if poll.kind == Poll.Kind.MOTION:
        split = {a: post.get(f"split-{a}", "").strip() for a in ("yes", "no", "abstain")}
        if post.get("use-split") and any(split.values()):
            try:
                return {"answers": {a: int(v or 0) for a, v in split.items()}}
            except ValueError:
                return {"answers": {"invalid": 0}}
        return {"answer": post.get("answer", "")}
    if poll.is_ranked:
        ranking: list[int] = []
        gap = 0
        for i in range(1, 501):
            value = post.get(f"rank-{i}")
            if value is None:
                break
            if not value.strip():
                gap = gap or i
                continue
            if gap:
                raise ValidationError(
                    {
                        "ballot": _("Preference %(n)s is given but preference %(g)s is left empty.")
                        % {"n": i, "g": gap}
                    }
                )
            if value.strip().isdigit():
                ranking.append(int(value))
        return {"ranking": ranking}
    if post.get("use-split"):
        # A weighted voter's split between candidates: a share of the weight for each (one mark each).
        parts: list[dict[str, Any]] = []
        for name in post:
            value = post.get(name, "").strip()
            if name.startswith("split-") and name[6:].isdigit() and value:
                if not value.isdigit():
                    raise ValidationError(
                        {"ballot": _("Each part of a split vote is a whole number, 0 or more.")}
                    )
                parts.append({"ranking": [int(name[6:])], "weight": int(value)})
        return {"parts": parts}
    return {"ranking": [int(v) for v in post.getlist("mark") if v.strip().isdigit()]}
