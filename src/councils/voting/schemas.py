"""The JSON shapes of the voting API. Enumerations are the models' choices, so the OpenAPI
document lists exactly the values the services take."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from councils.voting.models import Participation, Poll


class CandidateOut(Schema):
    id: int
    name: str
    position: int


class PollOut(Schema):
    """A poll. ``state`` is derived when read: an open poll past ``closes_at`` is closed even before
    ``councils tick`` writes it down."""

    id: int
    title: str
    description: str
    kind: Poll.Kind
    method: Poll.Method | None = Field(
        None, description="The counting method of an election; null for a motion."
    )
    seats: int
    secrecy: Poll.Secrecy
    majority: Poll.Majority
    majority_base: Poll.Base | None = Field(None, description="cast, members, or null for the rule's own.")
    abstentions: Poll.Abstentions
    quorum: Poll.Quorum
    quorum_value: Decimal | None
    weighting: Poll.Weighting
    running_result: bool
    purpose: Poll.Purpose
    electorate: str = Field(
        description="The slug of the council whose deputies, or of the constituency or organization "
        "whose members, vote."
    )
    electorate_kind: str = Field(description="council, constituency or organization")
    state: Poll.State
    opens_at: datetime | None
    closes_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_method(obj: Poll) -> str | None:
        return obj.method or None

    @staticmethod
    def resolve_majority_base(obj: Poll) -> str | None:
        return obj.majority_base or None

    @staticmethod
    def resolve_electorate(obj: Poll) -> str:
        named = {
            "council": obj.electorate_council,
            "constituency": obj.electorate_constituency,
            "organization": obj.organization,
        }[obj.electorate_kind]
        assert named is not None
        return named.slug

    @staticmethod
    def resolve_electorate_kind(obj: Poll) -> str:
        return obj.electorate_kind

    @staticmethod
    def resolve_state(obj: Poll) -> str:
        return obj.current_state


class TurnoutOut(Schema):
    electors: int
    electorate_weight: int
    voters: int
    voted_weight: int


class PollDetailOut(PollOut):
    candidates: list[CandidateOut]
    turnout: TurnoutOut | None = Field(None, description="Once the poll has opened.")

    @staticmethod
    def resolve_candidates(obj: Any) -> Any:
        return obj.candidate_list

    @staticmethod
    def resolve_turnout(obj: Any) -> Any:
        return obj.turnout_now


class PollIn(Schema):
    title: str = Field(max_length=300)
    description: str = ""
    kind: Poll.Kind
    method: Poll.Method | None = None
    seats: int = Field(1, ge=1)
    candidates: list[str] = Field(default_factory=list, description="Names, in ballot order (elections).")
    secrecy: Poll.Secrecy = Poll.Secrecy.OPEN
    majority: Poll.Majority = Poll.Majority.SIMPLE
    majority_base: Poll.Base | None = None
    abstentions: Poll.Abstentions = Poll.Abstentions.EXCLUDE
    quorum: Poll.Quorum = Poll.Quorum.NONE
    quorum_value: Decimal | None = None
    weighting: Poll.Weighting = Poll.Weighting.EQUAL
    running_result: bool = False
    council: str | None = Field(None, description="The slug of the council whose deputies vote.")
    constituency: str | None = Field(None, description="The slug of the constituency whose members vote.")
    whole_organization: bool = Field(
        False,
        description="The members of every constituency of the organization vote (organizers only; "
        "a motion or a general election, with no council or constituency named).",
    )
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class BallotPart(Schema):
    ranking: list[int] = Field(description="The part's marks (candidate ids).")
    weight: int = Field(ge=0, description="Its share of the voter's weight.")


class BallotIn(Schema):
    """A ballot: `answer` (or `answers`, a weighted voter's split) for a motion, `ranking` (candidate
    ids: the marks, or the order of preference) for an election. `principal` casts the vote of a
    deputy who handed it to you (a proxy)."""

    answer: str | None = Field(None, description="yes, no or abstain")
    ballot: dict[str, Any] | None = Field(
        None,
        description="A secret poll's ballot, encrypted and proved in the booth (docs/secret-polls.md): "
        '{"answers", "overall", "poll", "version"}. Nothing else is taken in a secret poll.',
    )
    answers: dict[str, int] | None = Field(None, description='A split weight: {"yes": 2, "no": 1}.')
    ranking: list[int] | None = None
    parts: list[BallotPart] | None = Field(
        None,
        description="A weighted voter's split in a plurality, block or approval poll: each part's "
        "marks and its share of the weight (the shares add up to the weight).",
    )
    principal: int | None = Field(None, description="The member id of the deputy you hold a proxy of.")

    def plain(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            k: v
            for k, v in (("answer", self.answer), ("answers", self.answers), ("ranking", self.ranking))
            if v is not None
        }
        if self.parts is not None:
            found["parts"] = [{"ranking": p.ranking, "weight": p.weight} for p in self.parts]
        return found


class CastOut(Schema):
    """The vote taken (or, for a retry with the same Idempotency-Key, the first answer again)."""

    poll: int
    participation: int
    principal: int
    weight: int
    cast_at: datetime
    replayed: bool = Field(description="True when this answers a retry: nothing new was stored.")
    ballot: dict[str, Any] | None


class SecretCastOut(Schema):
    """A secret ballot taken (or, for a retry with the same Idempotency-Key, the first receipt)."""

    tracker: str = Field(description="SHA-256 of the ballot's canonical JSON: check it on the board.")
    board_head: str = Field(description="The board's head hash after this ballot.")
    board_length: int
    replayed: bool = Field(description="True when this answers a retry: nothing new was stored.")


class CommitteeIn(Schema):
    name: str = Field(max_length=200)
    threshold: int = Field(2, ge=1)
    size: int = Field(3, ge=1)
    members: list[int | None] = Field(
        description="Member ids of trustees 1, 2, ... in order; null for the server's own trustee "
        "(one at most)."
    )


class TrusteeOut(Schema):
    index: int
    member: int | None
    name: str
    verification_key: str

    @staticmethod
    def resolve_member(obj: Any) -> int | None:
        return obj.member_id

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.member.name if obj.member_id else "(server)"


class CommitteeOut(Schema):
    id: int
    name: str
    threshold: int
    size: int
    state: str
    fingerprint: str
    election_key: str
    trustees: list[TrusteeOut]

    @staticmethod
    def resolve_trustees(obj: Any) -> Any:
        return list(obj.trustees.select_related("member").order_by("index"))


class CeremonyMessageIn(Schema):
    index: int = Field(description="Your number in the committee.")
    message: dict[str, Any] = Field(
        description="What `councils trustee keygen|deal|confirm CEREMONY_URL` printed "
        "(registration, deal, confirmation)."
    )


class FactorsIn(Schema):
    """What `councils trustee decrypt BOARD_URL` printed: one factor per answer with its proof."""

    index: int
    factors: list[dict[str, Any]]


class BoardOut(Schema):
    """A secret poll's board (`councils-board/1`): the hash-chained events, checked by
    `councils verify-poll`. Each event is `{"body", "hash", "prev", "seq", "type"}`."""

    format: str
    events: list[dict[str, Any]]


class ElectorOut(Schema):
    member: int
    name: str
    weight: int
    voted: bool
    proxy_holder: str

    @staticmethod
    def resolve_member(obj: Any) -> int:
        return obj.member_id


class NamedVoteOut(Schema):
    member: int
    name: str
    weight: int
    choice: str = Field(description="The ballot in words.")
    answers: dict[str, int]
    ranking: list[str]
    cast_by: str = Field(description="The proxy holder who cast it, if not the voter.")
    source: Participation.Source

    @staticmethod
    def resolve_member(obj: Any) -> int:
        return obj.member_id


class RollCallIn(Schema):
    votes: dict[int, dict[str, Any]] = Field(
        default_factory=dict, description='Member id -> ballot, e.g. {"12": {"answer": "yes"}}.'
    )
    totals: dict[str, int] | None = Field(
        None, description="Answer (or candidate id) -> votes counted by hand."
    )


class ProxyIn(Schema):
    holder: int = Field(description="The member id of the deputy who will cast your vote.")


class ProxyOut(Schema):
    id: int
    poll: int
    giver: int
    holder: int
    given_at: datetime

    @staticmethod
    def resolve_poll(obj: Any) -> int:
        return obj.poll_id

    @staticmethod
    def resolve_giver(obj: Any) -> int:
        return obj.giver_id

    @staticmethod
    def resolve_holder(obj: Any) -> int:
        return obj.holder_id


class CancelIn(Schema):
    reason: str = Field("", max_length=500)


class ResultOut(Schema):
    """The count: ``stages`` (every stage, with votes, transfers, elected and excluded), ``elected``
    or the motion's ``decision``, ``turnout``, ``quorum_met``, ``seed`` of any lot."""

    poll: int
    state: Poll.State
    result: dict[str, Any]


class RunningOut(Schema):
    poll: int
    turnout: TurnoutOut
    votes: dict[str, Decimal] | None = Field(None, description="The votes so far, if the poll shows them.")
