"""The kinds of audit event the deliberation's services record, with their payloads and summaries.

As in :mod:`councils.federation.events`: each payload holds the ids of what changed and the names a
reader needs as they were then; summaries are marked with ``gettext_noop`` and translated when
shown. Imported when the app is ready (``DeliberationConfig.ready``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from councils.audit.kinds import register_kind


@register_kind("procedure.set", summary=gettext_noop("Rules of debate of %(scope)s set"))
@dataclass(frozen=True)
class ProcedureSet:
    council: int | None
    quorum: str
    speaking_seconds: int
    first_speakers_first: bool
    motion_supporters: int
    majority: str
    instructions_binding: bool
    scope: str = ""


@register_kind("sitting.created", summary=gettext_noop("Sitting %(title)s of %(council_name)s planned"))
@dataclass(frozen=True)
class SittingCreated:
    council: int
    kind: str
    starts_at: str
    title: str = ""
    council_name: str = ""


@register_kind(
    "congress.convened",
    summary=gettext_noop("%(title)s convened: %(seats)s delegate seats apportioned among %(parts)s councils"),
)
@dataclass(frozen=True)
class CongressConvened:
    council: int
    seats: int
    parts: int
    allocation: dict[str, int]
    title: str = ""


@register_kind(
    "credentials.checked",
    summary=gettext_noop("Credentials of %(title)s checked: %(accredited)s accredited, %(refused)s refused"),
)
@dataclass(frozen=True)
class CredentialsChecked:
    accredited: int
    refused: int
    refused_seats: list[int]
    title: str = ""


@register_kind(
    "sitting.opened", summary=gettext_noop("%(title)s opened with %(present)s of %(held)s present")
)
@dataclass(frozen=True)
class SittingOpened:
    present: int
    held: int
    needed: int
    title: str = ""


@register_kind("sitting.closed", summary=gettext_noop("%(title)s closed"))
@dataclass(frozen=True)
class SittingClosed:
    title: str = ""


@register_kind(
    "attendance.recorded",
    summary=gettext_noop("Attendance at %(title)s: %(arrived)s in, %(left)s out (%(present)s present)"),
)
@dataclass(frozen=True)
class AttendanceRecorded:
    checked_in: list[int]
    checked_out: list[int]
    present: int
    by_chair: bool
    title: str = ""

    @property
    def arrived(self) -> int:
        return len(self.checked_in)

    @property
    def left(self) -> int:
        return len(self.checked_out)


@register_kind(
    "sitting.poll_opened",
    summary=gettext_noop("Poll opened in %(sitting_title)s: %(title)s (%(electors)s present may vote)"),
)
@dataclass(frozen=True)
class SittingPollOpened:
    poll: int
    subject: str
    motion: int | None
    amendment: int | None
    item: int | None
    electors: int
    title: str = ""
    sitting_title: str = ""
    # Absent deputies voting through their sitting proxy's holder (counted in ``electors``).
    proxies: int = 0


@register_kind(
    "sitting.proxy_given",
    summary=gettext_noop("%(giver_name)s hands their vote in %(title)s to %(holder_name)s"),
)
@dataclass(frozen=True)
class SittingProxyGiven:
    proxy: int
    giver: int
    holder: int
    by_chair: bool
    giver_name: str = ""
    holder_name: str = ""
    title: str = ""


@register_kind(
    "sitting.proxy_withdrawn",
    summary=gettext_noop("%(giver_name)s takes back their vote in %(title)s from %(holder_name)s"),
)
@dataclass(frozen=True)
class SittingProxyWithdrawn:
    proxy: int
    giver: int
    holder: int
    polls: list[int]
    giver_name: str = ""
    holder_name: str = ""
    title: str = ""


@register_kind(
    "agenda.item_added", summary=gettext_noop("Item %(number)s added to the agenda: %(item_title)s")
)
@dataclass(frozen=True)
class AgendaItemAdded:
    sitting: int
    number: int
    kind: str
    motion: int | None
    item_title: str = ""


@register_kind(
    "agenda.item_started", summary=gettext_noop("Item %(number)s under discussion: %(item_title)s")
)
@dataclass(frozen=True)
class AgendaItemStarted:
    sitting: int
    number: int
    previous: int | None
    item_title: str = ""


@register_kind("agenda.item_done", summary=gettext_noop("Item %(number)s done after %(used_seconds)s s"))
@dataclass(frozen=True)
class AgendaItemDone:
    sitting: int
    number: int
    used_seconds: int


# What happened to a list of speakers, one sentence per change (``change`` holds the code). The
# speaker's name stands alone, so that a language whose verbs agree with the speaker's gender
# (Russian) can phrase it without knowing it.
SPEAKERS_CHANGES = {
    "requested": gettext_noop("%(name)s asks to speak"),
    "withdrawn": gettext_noop("%(name)s withdrew the request to speak"),
    "started": gettext_noop("%(name)s has the floor"),
    "ended": gettext_noop("%(name)s finished speaking"),
    "moved": gettext_noop("%(name)s moved on the list"),
    "closed": gettext_noop("the list is closed"),
    "reopened": gettext_noop("the list is open again"),
}


@register_kind("speakers.changed", summary=gettext_noop("List of speakers of item %(number)s: %(what)s"))
@dataclass(frozen=True)
class SpeakersChanged:
    item: int
    number: int
    change: str
    speech: int | None
    member: int | None
    name: str = ""

    @property
    def what(self) -> str:
        """The change as a sentence in the active language (an unknown code as it was stored)."""
        sentence = SPEAKERS_CHANGES.get(self.change)
        if sentence is None:
            return f"{self.change} {self.name}".strip()
        return gettext(sentence) % {"name": self.name}


@register_kind(
    "speaking_time.set",
    summary=gettext_noop("Speaking time of %(faction_name)s on item %(number)s: %(seconds)s s"),
)
@dataclass(frozen=True)
class SpeakingTimeSet:
    item: int
    number: int
    faction: int
    seconds: int
    faction_name: str = ""


@register_kind(
    "motion.submitted", summary=gettext_noop("Motion %(number)s submitted to %(council_name)s: %(title)s")
)
@dataclass(frozen=True)
class MotionSubmitted:
    council: int
    number: int
    submitter: int | None
    faction: int | None
    origin: int | None
    title: str = ""
    council_name: str = ""


@register_kind(
    "motion.supported", summary=gettext_noop("%(name)s supports motion %(number)s (%(supporters)s)")
)
@dataclass(frozen=True)
class MotionSupported:
    number: int
    member: int
    supporters: int
    name: str = ""


@register_kind("motion.state_changed", summary=gettext_noop("Motion %(number)s: %(state_label)s"))
@dataclass(frozen=True)
class MotionStateChanged:
    number: int
    state: str
    previous: str
    note: str = ""

    @property
    def state_label(self) -> str:
        """The new state in the active language (the stored code when it is unknown)."""
        from councils.deliberation.models import Motion

        return str(Motion.State(self.state).label) if self.state in Motion.State.values else self.state

    item: int | None = None


@register_kind(
    "motion.forwarded",
    summary=gettext_noop("Motion %(number)s forwarded to %(council_name)s as motion %(new_number)s"),
)
@dataclass(frozen=True)
class MotionForwarded:
    number: int
    new_motion: int
    new_number: int
    council: int
    council_name: str = ""


@register_kind(
    "amendment.submitted", summary=gettext_noop("Amendment %(number)s to motion %(motion_number)s submitted")
)
@dataclass(frozen=True)
class AmendmentSubmitted:
    motion: int
    motion_number: int
    number: int
    first_line: int
    last_line: int


@register_kind(
    "amendment.withdrawn", summary=gettext_noop("Amendment %(number)s to motion %(motion_number)s withdrawn")
)
@dataclass(frozen=True)
class AmendmentWithdrawn:
    motion: int
    motion_number: int
    number: int


@register_kind(
    "decision.recorded",
    summary=gettext_noop(
        "%(subject)s %(outcome)s: %(yes)s for, %(no)s against, %(abstain)s abstaining (%(method)s)"
    ),
)
@dataclass(frozen=True)
class DecisionRecorded:
    decision: int
    motion: int | None
    amendment: int | None
    instruction: int | None
    method: str
    yes: int
    no: int
    abstain: int
    adopted: bool
    named_votes: int
    departures: int
    subject: str = ""

    @property
    def outcome(self) -> str:
        return gettext("adopted") if self.adopted else gettext("rejected")


@register_kind(
    "instruction.adopted",
    summary=gettext_noop(
        "%(council_name)s instructs its delegates on motion %(motion_number)s: %(position)s"
    ),
)
@dataclass(frozen=True)
class InstructionAdopted:
    instruction: int
    motion: int
    motion_number: int
    position: str
    binding: bool
    decision: int
    superseded: int | None
    council_name: str = ""
