"""The kinds of audit event the voting services record, with their payloads and summaries.

A cast writes no event of its own: the participation row is the record of a vote (unique per
voter, never changed), and ``poll.closed`` seals every participation into the organization's chain
with their number, total weight and a SHA-256 digest of their rows, so a participation added,
removed or altered after the close is caught by comparing the digest (``selectors.participation_digest``).
A per-cast event would put every voter of a congress behind one lock, the chain head of a stream.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from councils.audit.kinds import register_kind


@register_kind("poll.created", summary=gettext_noop("Poll “%(title)s” created (%(kind)s, %(secrecy)s)"))
@dataclass(frozen=True)
class PollCreated:
    title: str
    kind: str
    method: str
    secrecy: str
    candidates: list[str]
    electorate: str = ""
    # council, constituency or organization: who ``electorate`` names (absent in older events).
    electorate_kind: str = ""


@register_kind(
    "poll.opened", summary=gettext_noop("Poll “%(title)s” opened: %(electors)s electors, weight %(weight)s")
)
@dataclass(frozen=True)
class PollOpened:
    title: str
    electors: int
    weight: int
    digest: str
    reason: str = ""
    # A secret poll's board anchored in the audit chain: its head and length after the setup.
    board_head: str = ""
    board_length: int = 0


@register_kind(
    "poll.closed",
    summary=gettext_noop("Poll “%(title)s” closed: %(participations)s voted, weight %(weight)s"),
)
@dataclass(frozen=True)
class PollClosed:
    title: str
    participations: int
    weight: int
    digest: str
    reason: str = ""
    # A secret poll's board after its close event (the encrypted sum), anchored here.
    board_head: str = ""
    board_length: int = 0


@register_kind("poll.counted", summary=gettext_noop("Poll “%(title)s” counted: %(outcome)s"))
@dataclass(frozen=True)
class PollCounted:
    title: str
    outcome: str
    elected: list[str]
    digest: str


@register_kind("poll.published", summary=gettext_noop("Result of “%(title)s” published: %(outcome)s"))
@dataclass(frozen=True)
class PollPublished:
    title: str
    outcome: str


@register_kind("poll.cancelled", summary=gettext_noop("Poll “%(title)s” cancelled"))
@dataclass(frozen=True)
class PollCancelled:
    title: str
    reason: str = ""


@register_kind(
    "poll.roll_call_entered",
    summary=gettext_noop("Roll call entered in “%(title)s”: %(named)s named votes, totals %(totals)s"),
)
@dataclass(frozen=True)
class PollRollCallEntered:
    title: str
    named: int
    totals: dict[str, int]


@register_kind(
    "poll.proxy_given", summary=gettext_noop("%(giver)s handed their vote in “%(title)s” to %(holder)s")
)
@dataclass(frozen=True)
class PollProxyGiven:
    title: str
    giver: str
    holder: str
    proxy: int


@register_kind("poll.proxy_withdrawn", summary=gettext_noop("%(giver)s took back their vote in “%(title)s”"))
@dataclass(frozen=True)
class PollProxyWithdrawn:
    title: str
    giver: str
    proxy: int


# --- Secret polls: trustees and boards (the audit log records that a board exists and its head at
# each stage, never a ballot of it) --------------------------------------------------------------


@register_kind(
    "committee.created",
    summary=gettext_noop("Trustee committee “%(name)s” created: %(threshold)s of %(size)s decrypt"),
)
@dataclass(frozen=True)
class CommitteeCreated:
    name: str
    threshold: int
    size: int
    fingerprint: str
    trustees: list[str]


@register_kind(
    "committee.step",
    summary=gettext_noop("Trustee %(index)s of “%(name)s” sent their %(step)s"),
)
@dataclass(frozen=True)
class CommitteeStep:
    name: str
    index: int
    step: str


@register_kind(
    "committee.ready",
    summary=gettext_noop("Trustee committee “%(name)s” is ready: election key %(election_key)s"),
)
@dataclass(frozen=True)
class CommitteeReady:
    name: str
    index: int
    fingerprint: str
    election_key: str


@register_kind(
    "poll.decryption_posted",
    summary=gettext_noop("Trustee %(trustee)s decrypted the sum of “%(title)s”; board head %(board_head)s"),
)
@dataclass(frozen=True)
class PollDecryptionPosted:
    title: str
    trustee: int
    board_head: str
    board_length: int
    result: list[int] | None = None
