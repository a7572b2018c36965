"""The JSON shapes of deliberation's API (django-ninja schemas)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class SittingOut(Schema):
    id: int
    title: str
    council: str = Field(..., alias="council.name")
    kind: str
    state: str
    starts_at: datetime
    place: str
    video_url: str
    opened_at: datetime | None
    closed_at: datetime | None


class QuorumOut(Schema):
    held: int
    present: int
    needed: int
    quorate: bool
    accredited_only: bool


class SpeakerOut(Schema):
    speech: int
    name: str
    faction: str | None
    kind: str
    stance: str
    first_time: bool
    started_at: datetime | None
    ends_at: datetime | None = None


class ItemOut(Schema):
    id: int
    number: int
    kind: str
    title: str
    state: str
    motion: int | None
    planned_seconds: int
    used_seconds: int


class SittingStateOut(Schema):
    sitting: SittingOut
    quorum: QuorumOut
    agenda: list[ItemOut]
    current_item: int | None
    current_speaker: SpeakerOut | None
    waiting: list[SpeakerOut]


class AttendanceIn(Schema):
    present: bool = Field(True, description="Check in (true) or out (false).")


class SpeechIn(Schema):
    kind: str = Field("speech", description="`speech` or `point_of_order`.")
    stance: str = Field("", description="`pro`, `contra` or empty.")


# --- the chair's actions -------------------------------------------------------------------------


class AttendanceRecordIn(Schema):
    seats: list[int] = Field(
        ..., min_length=1, max_length=10000, description="Ids of seats held in the council."
    )
    present: bool = Field(True, description="Record them as present (true) or as absent (false).")


class AgendaItemIn(Schema):
    kind: str = Field(..., description="`report`, `motion`, `election`, `recall` or `instruction`.")
    title: str = Field("", max_length=300, description="The item's title (the motion's when empty).")
    motion: int | None = Field(None, description="A motion of the sitting's council, put on the agenda.")
    planned_seconds: int = Field(0, ge=0, le=86400)


class ItemFinishIn(Schema):
    outcome: str = Field("", max_length=2000, description="A note of the item's outcome.")


class NextSpeakerIn(Schema):
    speech: int | None = Field(None, description="A waiting request to speak; the next in order when empty.")


class SpeechMoveIn(Schema):
    place: int = Field(..., ge=0, description="The new place among those waiting, from 0.")


class SpeakersCloseIn(Schema):
    closed: bool = Field(True, description="Close the list (true) or open it again (false).")


class DecisionIn(Schema):
    motion: int | None = Field(None, description="A motion of the sitting's council.")
    amendment: int | None = Field(None, description="An amendment to a motion of the sitting's council.")
    yes: int = Field(..., ge=0)
    no: int = Field(..., ge=0)
    abstain: int = Field(0, ge=0)
    note: str = Field("", max_length=300)


class SittingPollIn(Schema):
    motion: int | None = Field(
        None,
        description="A motion of the sitting's council, or (with `position`) of the council above.",
    )
    amendment: int | None = Field(None, description="An amendment to a motion of the sitting's council.")
    position: str = Field(
        "", description="An instruction to the delegates: `yes`, `no`, `abstain` or `free`."
    )
    title: str = Field("", description="The poll's title (derived from the question when empty).")
    method: str = Field("", description="For an election: the counting method (`scottish-stv`, ...).")
    seats: int = Field(1, ge=1, le=5000, description="For an election: the seats to fill.")
    candidates: list[str] = Field(default_factory=list, max_length=500)
    secrecy: str = Field("open", description="`open` (named) or `secret`.")


class SittingPollOut(Schema):
    poll: int
    sitting: int
    subject: str
    title: str
    state: str
    electors: int
    outcome: str
    decision: int | None


class DecisionOut(Schema):
    id: int
    method: str
    yes: int
    no: int
    abstain: int
    adopted: bool
    at: datetime
    amendment: int | None = Field(None, alias="amendment_id")


class AmendmentOut(Schema):
    id: int
    number: int
    first_line: int
    last_line: int
    text: str
    reason: str
    state: str


class MotionOut(Schema):
    id: int
    council: str
    number: int
    kind: str
    title: str
    text: str
    state: str
    submitted_at: datetime
    adopted_text: str
    origin: int | None
    forwarded_as: int | None
    supporters: list[str]
    amendments: list[AmendmentOut]
    decisions: list[DecisionOut]


class DelegateVoteOut(Schema):
    motion: int
    motion_number: int
    motion_title: str
    council: str
    sent_by: str | None
    instruction: str | None
    binding: bool | None
    vote: str
    complied: bool | None


class ComplianceRowOut(Schema):
    delegate: str
    council: str | None
    instruction: str | None
    binding: bool | None
    vote: str
    complied: bool | None


class SittingProxyIn(Schema):
    """``holder`` carries the vote; ``giver`` is named only by the chair recording a paper proxy."""

    holder: int
    giver: int | None = None


class SittingProxyOut(Schema):
    id: int
    giver: int = Field(..., alias="giver_id")
    giver_name: str = Field(..., alias="giver.name")
    holder: int = Field(..., alias="holder_id")
    holder_name: str = Field(..., alias="holder.name")
    given_at: datetime
    withdrawn_at: datetime | None


# --- a deputy's actions on a motion ---------------------------------------------------------------


class AmendmentIn(Schema):
    first_line: int = Field(
        ..., ge=1, description="The first line replaced, from 1 (the motion as submitted)."
    )
    last_line: int = Field(..., ge=1, description="The last line replaced.")
    text: str = Field("", max_length=100_000, description="The new text of those lines; empty deletes them.")
    reason: str = Field("", max_length=10_000, description="Why, for the deputies.")


class InstructionIn(Schema):
    council: int = Field(..., description="A council directly below the motion's, instructing its delegates.")
    position: str = Field(
        ..., description="Instruct the delegates to vote `yes`, `no`, `abstain`, or `free`."
    )
    yes: int = Field(..., ge=0, description="Votes for the instruction in the child council.")
    no: int = Field(..., ge=0)
    abstain: int = Field(0, ge=0)


class InstructionOut(Schema):
    id: int
    council: int = Field(..., alias="council_id")
    motion: int = Field(..., alias="motion_id")
    position: str
    binding: bool
    decision: int | None = Field(None, alias="decision_id")
    adopted_at: datetime


class InstructionResultOut(Schema):
    adopted: bool = Field(..., description="Whether the child council adopted the instruction.")
    instruction: InstructionOut | None = Field(None, description="The instruction now in force, if adopted.")
    detail: str
