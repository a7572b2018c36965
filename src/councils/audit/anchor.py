"""Heads of an organization's streams, to keep outside the database and verify against later.

The chain's own head lives in the same database as the events: someone who can rewrite the events
can rewrite the head too (truncate the tail and roll the head back, append a forged event, or alter
an event and rehash everything after it). A copy of the heads kept elsewhere (written down from the
audit page, or exported by ``councils audit head ORG --json`` on a schedule) catches all three.

The head file is JSON::

    {"format": "councils-audit-heads/1", "organization": "soviets", "written_at": "...",
     "streams": [{"stream": "organization", "length": 1234, "head": "<sha-256 hex>",
                  "checkpoint_every": 1000, "checkpoints": ["<hash of #1000>", ...],
                  "digests": "<base64: the first 2 bytes of every event's hash, in order>"}]}

``length`` and ``head`` are enough to tell that something differs. ``checkpoints`` (the full hash of
every 1000th event) name the block of 1000 in which the first difference lies, and ``digests``
(2 bytes an event) name the event itself: the first event whose digest differs. A changed event's
digest stays the same by chance once in 65,536; then a later event of the same block is named, never
an earlier one, and never one past the checkpoint that differs. For 100,000 events the file holds
200,000 bytes of digests (266,668 in base64) and 100 checkpoints (about 6.7 kB): about 275 kB.
``checkpoints`` and ``digests`` are optional, so ``{"stream": ..., "length": ..., "head": ...}``
copied from the audit page is a head file too; it detects the same tampering and names the block.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from councils.audit.models import Event, Stream

HEAD_FORMAT = "councils-audit-heads/1"
CHECKPOINT_EVERY = 1000
DIGEST_BYTES = 2

# Problems found against a head file (ChainProblem.problem), in the words of the other problems;
# `councils audit verify` prints them in the operator's language.
NOT_IN_FILE = gettext_lazy(
    "not in the head file, which ends at event #%(length)s (appended after it was written?)"
)
DIFFERS = gettext_lazy("differs from the head file (altered or rehashed here)")
DIFFERS_WITHIN = gettext_lazy(
    "differs from the head file; the first difference is between event #%(first)s and this one"
)
MISSING_FROM_FILE = gettext_lazy("event #%(sequence)s is missing: the head file has %(length)s events")
STREAM_MISSING = gettext_lazy("the stream %(stream)s of the head file is missing")
STREAM_NOT_IN_FILE = gettext_lazy("the stream is not in the head file")


class HeadFileError(ValueError):
    """A head file that cannot be read: the message says what is wrong and where."""


class HeadsInconsistent(RuntimeError):
    """A stream whose recorded head does not match its events: verify the chain instead."""


@dataclass(frozen=True)
class StreamHead:
    """One stream's head as written down: its length, last hash and, optionally, checkpoints and
    per-event digests that name the first event that differs."""

    stream: str
    length: int
    head: str
    checkpoint_every: int = CHECKPOINT_EVERY
    checkpoints: tuple[str, ...] = ()
    digests: bytes = b""

    def mismatch(self, sequence: int, digest: str, *, allow_newer: bool = False) -> str | None:
        """Why event ``sequence`` with hash ``digest`` differs from this head, or None if it fits.

        Call it for events in order: the first problem is the first event that differs.
        """
        if sequence > self.length:
            return None if allow_newer else NOT_IN_FILE % {"length": self.length}
        if self.digests:
            start = (sequence - 1) * DIGEST_BYTES
            if self.digests[start : start + DIGEST_BYTES].hex() != digest[: 2 * DIGEST_BYTES]:
                return str(DIFFERS)
        if sequence % self.checkpoint_every == 0:
            index = sequence // self.checkpoint_every - 1
            if index < len(self.checkpoints) and self.checkpoints[index] != digest:
                return self._differs(sequence)
        if sequence == self.length and self.head != digest:
            return self._differs(sequence)
        return None

    def _differs(self, sequence: int) -> str:
        if self.digests:
            return str(DIFFERS)
        # Without digests, the last checkpoint that matched bounds where the difference begins.
        matched = ((sequence - 1) // self.checkpoint_every) * self.checkpoint_every if self.checkpoints else 0
        return DIFFERS_WITHIN % {"first": matched + 1}

    def as_json(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "length": self.length,
            "head": self.head,
            "checkpoint_every": self.checkpoint_every,
            "checkpoints": list(self.checkpoints),
            "digests": base64.b64encode(self.digests).decode("ascii"),
        }


@dataclass(frozen=True)
class Heads:
    """The heads of every stream of one organization at one moment."""

    organization: str
    written_at: str
    streams: tuple[StreamHead, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": HEAD_FORMAT,
            "organization": self.organization,
            "written_at": self.written_at,
            "streams": [s.as_json() for s in self.streams],
        }

    def by_stream(self) -> dict[str, StreamHead]:
        return {s.stream: s for s in self.streams}


def heads_read(*, organization: Model, slug: str) -> Heads:
    """The heads of the organization's streams now, with checkpoints and per-event digests.

    Reads each stream's row, then its events up to the length read: every event up to a committed
    head is committed too, so the file is consistent without a long transaction. Raises
    :class:`HeadsInconsistent` if a stream's events do not end at its recorded head (a chain that
    does not verify should not be anchored).
    """
    heads = []
    for stream in Stream.objects.filter(organization_id=organization.pk).order_by("id"):
        digests = bytearray()
        checkpoints: list[str] = []
        last = ""
        count = 0
        rows = (
            Event.objects.filter(stream=stream, sequence__lte=stream.length)
            .order_by("sequence")
            .values_list("sequence", "hash")
            .iterator(chunk_size=5000)
        )
        for sequence, digest in rows:
            count += 1
            if sequence != count:
                break
            digests += bytes.fromhex(digest[: 2 * DIGEST_BYTES])
            if sequence % CHECKPOINT_EVERY == 0:
                checkpoints.append(digest)
            last = digest
        if count != stream.length or last != stream.head:
            raise HeadsInconsistent(
                f"The stream {stream.name} does not end at its recorded head: run 'councils audit verify'."
            )
        heads.append(
            StreamHead(
                stream=stream.name,
                length=stream.length,
                head=stream.head,
                checkpoints=tuple(checkpoints),
                digests=bytes(digests),
            )
        )
    return Heads(organization=slug, written_at=timezone.now().isoformat(), streams=tuple(heads))


def heads_parse(text: str) -> Heads:
    """Read a head file written by :func:`Heads.as_json` (or by hand: only ``stream``, ``length``
    and ``head`` are required). Raises :class:`HeadFileError` naming the bad part."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HeadFileError(_("not JSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(document, dict) or document.get("format", HEAD_FORMAT) != HEAD_FORMAT:
        raise HeadFileError(
            _("not a head file: expected an object with format %(format)r") % {"format": HEAD_FORMAT}
        )
    entries = document.get("streams")
    if not isinstance(entries, list):
        raise HeadFileError(_("/streams: expected a list of streams"))
    streams = []
    for i, entry in enumerate(entries):
        streams.append(_stream_parse(entry, f"/streams/{i}"))
    return Heads(
        organization=str(document.get("organization", "")),
        written_at=str(document.get("written_at", "")),
        streams=tuple(streams),
    )


def _stream_parse(entry: Any, pointer: str) -> StreamHead:
    if not isinstance(entry, dict):
        raise HeadFileError(_("%(pointer)s: expected an object") % {"pointer": pointer})
    name, length, head = entry.get("stream"), entry.get("length"), entry.get("head", "")
    if not isinstance(name, str) or not name:
        raise HeadFileError(_("%(pointer)s/stream: expected the stream's name") % {"pointer": pointer})
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise HeadFileError(_("%(pointer)s/length: expected a count of events") % {"pointer": pointer})
    if not isinstance(head, str) or (not _is_hash(head) and not (head == "" and length == 0)):
        raise HeadFileError(_("%(pointer)s/head: expected a SHA-256 in hexadecimal") % {"pointer": pointer})
    every = entry.get("checkpoint_every", CHECKPOINT_EVERY)
    if not isinstance(every, int) or isinstance(every, bool) or every < 1:
        raise HeadFileError(
            _("%(pointer)s/checkpoint_every: expected a positive integer") % {"pointer": pointer}
        )
    checkpoints = entry.get("checkpoints", [])
    if not isinstance(checkpoints, list) or not all(isinstance(c, str) and _is_hash(c) for c in checkpoints):
        raise HeadFileError(
            _("%(pointer)s/checkpoints: expected a list of SHA-256 in hexadecimal") % {"pointer": pointer}
        )
    if len(checkpoints) > length // every:
        raise HeadFileError(
            _("%(pointer)s/checkpoints: more checkpoints than the stream's length allows")
            % {"pointer": pointer}
        )
    try:
        digests = base64.b64decode(entry.get("digests", ""), validate=True)
    except (binascii.Error, TypeError, ValueError) as exc:
        raise HeadFileError(
            _("%(pointer)s/digests: not base64 (%(error)s)") % {"pointer": pointer, "error": exc}
        ) from exc
    if digests and len(digests) != length * DIGEST_BYTES:
        raise HeadFileError(
            _("%(pointer)s/digests: %(found)s bytes for %(length)s events (expected %(expected)s)")
            % {"pointer": pointer, "found": len(digests), "length": length, "expected": length * DIGEST_BYTES}
        )
    return StreamHead(
        stream=name,
        length=length,
        head=head.lower(),
        checkpoint_every=every,
        checkpoints=tuple(c.lower() for c in checkpoints),
        digests=digests,
    )


def _is_hash(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value)
