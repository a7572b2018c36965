"""Canonical JSON: the one byte string that trackers, fingerprints and challenges hash.

The format (documented in ``docs/secret-polls.md``; ``booth-crypto.js`` writes the same bytes):

- UTF-8, no byte-order mark, no whitespace outside strings, no trailing newline;
- objects with their keys sorted by Unicode code point (keys are ASCII in every structure we hash,
  so JavaScript's default sort gives the same order), ``,`` and ``:`` as the only separators;
- strings as ``json.dumps(..., ensure_ascii=False)`` writes them: ``\\"``, ``\\\\``, ``\\b``,
  ``\\f``, ``\\n``, ``\\r``, ``\\t``, other characters below U+0020 as ``\\u00xx`` (lower-case
  hexadecimal), everything else as itself, which is exactly what ``JSON.stringify`` does;
- integers in decimal without leading zeros, at most 2**53 - 1 in magnitude (JavaScript's safe
  range); ``true``, ``false``, ``null``; no floating-point numbers at all.
"""

from __future__ import annotations

import json
from typing import Any

from councils.voting.crypto.errors import MalformedError

__all__ = ["canonical_json", "canonical_json_trusted", "parse_json"]

_MAX_SAFE = 2**53 - 1


def _check(value: Any, where: str) -> None:
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE:
            raise MalformedError(f"{where}: integer outside the safe range")
        return
    if isinstance(value, float):
        raise MalformedError(f"{where}: floating-point numbers are not allowed")
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check(item, f"{where}/{i}")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise MalformedError(f"{where}: object keys must be strings")
            _check(item, f"{where}/{key}")
        return
    raise MalformedError(f"{where}: {type(value).__name__} cannot be written as canonical JSON")


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of ``value`` (dicts, lists, strings, integers, booleans, None)."""
    _check(value, "")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical_json_trusted(value: Any) -> bytes:
    """``canonical_json`` without the walk that checks the value: only for values this package
    builds itself from hexadecimal strings and small integers (challenge inputs), where the walk
    cost a tenth of a ballot's verification."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _no_float(text: str) -> Any:
    raise MalformedError(f"floating-point number {text!r} is not allowed")


def _no_constant(text: str) -> Any:
    raise MalformedError(f"{text} is not allowed in JSON")


def parse_json(data: bytes | str) -> Any:
    """Parse JSON, refusing floats, NaN/Infinity and duplicate keys."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) != len(items):  # a key repeated: name the first one
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    raise MalformedError(f"duplicate key {key!r}")
                seen.add(key)
        return out

    try:
        return json.loads(data, parse_float=_no_float, parse_constant=_no_constant, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise MalformedError(f"not JSON: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise MalformedError(f"not UTF-8: {exc}") from exc
