"""Forms of the pages: they parse what a person typed; the services decide what it means."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.accounts import mail
from councils.accounts.notifications import NotificationKind
from councils.federation.models import MAX_ELECTION_SEATS, Constituency, Council, Election, Faction, Member
from councils.federation.selectors import Eligible
from councils.validators import day_range_problem

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Django's own comparison of addresses (NFKC, case-folded), as its reset form uses.
_unicode_ci_compare = auth_forms._unicode_ci_compare  # type: ignore[attr-defined]


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


class AuditFilterForm(forms.Form):
    """The audit log's filter by kind of event."""

    kind = forms.ChoiceField(label=_("Kind of event"), required=False)

    def __init__(self, *args: object, kinds: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [("", _("All kinds")), *((k, k) for k in kinds)]  # type: ignore[attr-defined]


# --- elections -----------------------------------------------------------------------------------

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


# --- a person's account ---------------------------------------------------------------------------


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Ask for a password link by e-mail address.

    Unlike Django's form it also answers people who never set a password: in Councils that is a
    member whose invitation was lost or expired, not an account managed elsewhere. Sending goes
    through :func:`councils.accounts.mail.deliver`, so a mail server that is down is logged rather
    than shown as an error page (the page says the same whatever happens, as it must).
    """

    def get_users(self, email: str) -> Iterable[Any]:
        User = get_user_model()
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if _unicode_ci_compare(email, user.email)
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        mail.deliver([mail.message(to=to_email, subject=subject, body=body)])


class EmailChangeForm(forms.Form):
    """A new address for the account, confirmed by the current password."""

    email = forms.EmailField(label=_("New e-mail address"), max_length=254)
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class NotificationSettingsForm(forms.Form):
    """One switch per registered kind of notification."""

    def __init__(self, *args: Any, kinds: Sequence[NotificationKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.code] = forms.BooleanField(label=str(kind.label), required=False)


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


# --- blocs ---------------------------------------------------------------------------------------


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
