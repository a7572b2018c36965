"""A part of a council: one of its constituencies (a base council) or one of its child councils (a
higher council).

Seats, seat allocations and elections each belong to exactly one part (a database constraint,
:func:`one_part_constraint`). This module is the one place that knows a part is "a constituency or
a child council": services, selectors, schemas, forms and pages ask it rather than testing the two
columns themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from councils.federation.models import Constituency, Council

CONSTITUENCY = "constituency"
CHILD_COUNCIL = "child_council"


def one_part_constraint() -> models.CheckConstraint:
    """The check that a row names exactly one part: a constituency or a child council."""
    return models.CheckConstraint(
        condition=Q(constituency__isnull=False, child_council__isnull=True)
        | Q(constituency__isnull=True, child_council__isnull=False),
        name="%(app_label)s_%(class)s_one_part",
    )


@dataclass(frozen=True)
class Part:
    """A part of a council, by id: exactly one of ``constituency_id`` and ``child_council_id``."""

    constituency_id: int | None = None
    child_council_id: int | None = None

    def __post_init__(self) -> None:
        if (self.constituency_id is None) == (self.child_council_id is None):
            raise ValueError("A part is either a constituency or a child council.")

    @classmethod
    def of(cls, row: Any) -> Part:
        """The part of a seat, allocation or election (anything with the two columns)."""
        return cls(constituency_id=row.constituency_id, child_council_id=row.child_council_id)

    @classmethod
    def from_objects(cls, constituency: Constituency | None, child_council: Council | None) -> Part:
        """The part named by a constituency or a child council (exactly one of them)."""
        return cls(
            constituency_id=constituency.pk if constituency is not None else None,
            child_council_id=child_council.pk if child_council is not None else None,
        )

    @property
    def kind(self) -> str:
        """``"constituency"`` or ``"child_council"``: the name of the column that holds it."""
        return CONSTITUENCY if self.constituency_id is not None else CHILD_COUNCIL

    @property
    def is_constituency(self) -> bool:
        return self.constituency_id is not None

    @property
    def id(self) -> int:
        """The id of the constituency or child council."""
        value = self.constituency_id if self.constituency_id is not None else self.child_council_id
        assert value is not None
        return value

    @property
    def key(self) -> str:
        """A short stable key, unique among the parts of one council: ``c12`` or ``k3``."""
        return f"{'c' if self.is_constituency else 'k'}{self.id}"

    def ids(self) -> dict[str, int]:
        """Keyword arguments selecting this part: ``{"constituency_id": 12}``."""
        return {f"{self.kind}_id": self.id}

    def q(self, prefix: str = "") -> Q:
        """A filter on rows of this part (``prefix`` such as ``"seat__"`` for a related row)."""
        return Q(**{f"{prefix}{key}": value for key, value in self.ids().items()})


def part_object(row: Any) -> Constituency | Council:
    """The constituency or child council a seat, allocation or election belongs to."""
    return row.constituency if row.constituency_id is not None else row.child_council


def part_label(row: Any) -> str:
    """The name of the part a seat, allocation or election belongs to."""
    return str(part_object(row))


def part_slugs(row: Any) -> tuple[str | None, str | None]:
    """The part as (constituency slug, child council slug), one of them None (for the API)."""
    if row.constituency_id is not None:
        return row.constituency.slug, None
    return None, row.child_council.slug


class HasPart:
    """For models with ``constituency`` and ``child_council`` columns: the part they belong to."""

    constituency_id: int | None
    child_council_id: int | None

    @property
    def part(self) -> Part:
        return Part.of(self)

    @property
    def part_object(self) -> Constituency | Council:
        return part_object(self)

    @property
    def part_label(self) -> str:
        return part_label(self)
