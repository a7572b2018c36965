"""Topics: what an open page follows, and what a change names.

A topic is one thing a page shows (an organization, a council, a constituency) or one user (whose
access may end), written ``<kind>.<id>`` and always inside one organization: messages travel on
the organization's channel (``councils.live.publish``) and the receiving process routes them to the
streams that follow one of the topics they name. A stream can only ever hear its own organization.

Adding a kind of topic is one line: ``poll_topic = _kind("poll")`` for any model with
``organization_id`` and ``pk``, then ``KINDS`` takes its name from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Topic:
    """One topic of one organization: ``name`` is ``<kind>.<id>``."""

    organization_id: int
    name: str

    @property
    def kind(self) -> str:
        """The part before the dot: ``council``, ``constituency``..."""
        return self.name.partition(".")[0]

    @property
    def object_id(self) -> int:
        """The id after the dot."""
        return int(self.name.partition(".")[2])


KINDS: set[str] = set()


def _kind(kind: str) -> Callable[[Any], Topic]:
    """The topic function of a kind of object that has ``organization_id`` and ``pk``."""
    KINDS.add(kind)

    def topic(obj: Any) -> Topic:
        return Topic(int(obj.organization_id), f"{kind}.{int(obj.pk)}")

    topic.__name__ = f"{kind}_topic"
    topic.__doc__ = f"The topic of one {kind}: ``{kind}.<id>`` in its organization."
    return topic


council_topic = _kind("council")
constituency_topic = _kind("constituency")
poll_topic = _kind("poll")
sitting_topic = _kind("sitting")
KINDS.update({"organization", "user"})


def organization_topic(organization: Any) -> Topic:
    """The topic of the organization as a whole (its page: the tree and the majority map)."""
    return Topic(int(organization.pk), f"organization.{int(organization.pk)}")


def user_topic(organization_id: int, user_id: int) -> Topic:
    """One user in one organization: told when their membership or office there ends, so that
    their open streams check their access again (and end if it is gone)."""
    return Topic(int(organization_id), f"user.{int(user_id)}")


def parse(organization_id: int, name: str) -> Topic | None:
    """The topic a page asks for (``council.3``), or None when the name is not a known topic."""
    kind, dot, rest = name.partition(".")
    if not dot or kind not in KINDS or kind == "user" or not rest.isdigit():
        return None  # a page never follows a user topic: those are the server's own
    return Topic(int(organization_id), f"{kind}.{int(rest)}")


def seat_topics(seats: Iterable[Any]) -> list[Topic]:
    """The councils and constituencies of ``seats`` (e.g. every seat a recall ended, up the tree;
    anything with ``organization_id``, ``council_id`` and ``constituency_id``, as an election), and
    their organization's topic: a change of seats changes the majority map."""
    found: set[Topic] = set()
    for seat in seats:
        found.add(Topic(int(seat.organization_id), f"organization.{int(seat.organization_id)}"))
        found.add(Topic(int(seat.organization_id), f"council.{int(seat.council_id)}"))
        if seat.constituency_id is not None:
            found.add(Topic(int(seat.organization_id), f"constituency.{int(seat.constituency_id)}"))
    return sorted(found)


def lineage_topics(council: Any) -> list[Topic]:
    """The topics of ``council`` and every council above it: a change of seats in a council can
    carry delegate seats above along (one query per level; trees are a few levels deep)."""
    from councils.federation.models import Council

    topics = [council_topic(council)]
    parent_id = council.parent_id
    while parent_id is not None:
        topics.append(Topic(int(council.organization_id), f"council.{int(parent_id)}"))
        parent_id = Council.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return topics
