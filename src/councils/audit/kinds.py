"""The registry of event kinds: for each stable code, the payload it carries and how it reads.

Every event's ``kind`` must be registered, with a frozen dataclass describing its payload (the
event's ``data``) and an English summary template whose ``%(name)s`` placeholders name payload
fields (or properties of the payload class)::

    @register_kind("faction.created", summary=gettext_noop("Faction %(name)s created"))
    @dataclass(frozen=True)
    class FactionCreated:
        name: str
        colour: str

A summary that counts something takes the plural forms of the reader's language: write it with
``ngettext_lazy``, naming the field that holds the number (``makemessages`` finds both forms)::

    @register_kind(
        "members.imported",
        summary=ngettext_lazy("%(members)s member imported", "%(members)s members imported", "members"),
    )

``event_record`` refuses a kind that is not registered and a payload that does not fit, naming
where it does not (a JSON pointer such as ``/ended_seats/0/seat``). The summary is not stored and
not hashed: it is rendered when shown, through gettext, so it reads in the reader's language and
can be reworded without touching the chain.

Payload fields may be ``int``, ``float``, ``str``, ``bool``, ``None``, ``list[T]``,
``dict[str, T]``, a nested frozen dataclass (a JSON object with those fields) and unions of these
(``int | None``): exactly what JSON holds, so what is stored is what is hashed.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

__all__ = [
    "EventKindError",
    "Kind",
    "PayloadError",
    "UnknownKind",
    "kind_get",
    "payload_clean",
    "payload_dump",
    "payload_load",
    "register_kind",
    "registered_kinds",
    "summary_render",
]

# Stable codes such as ``petition.signed``: lower case words joined by dots.
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_PLACEHOLDER = re.compile(r"%\((\w+)\)")

UNKNOWN_KIND = "Unknown event kind %(kind)r: register it with @register_kind before recording it."
BAD_PAYLOAD = "The payload of %(kind)r does not fit at %(pointer)s: %(reason)s."

P = TypeVar("P")


class EventKindError(ValueError):
    """An event kind or its payload is not what the registry allows."""


class UnknownKind(EventKindError):
    """The kind has not been registered."""

    def __init__(self, kind: str) -> None:
        super().__init__(UNKNOWN_KIND % {"kind": kind})
        self.kind = kind


class PayloadError(EventKindError):
    """A payload does not fit its kind's dataclass; ``pointer`` says where (JSON pointer)."""

    def __init__(self, kind: str, pointer: str, reason: str) -> None:
        super().__init__(BAD_PAYLOAD % {"kind": kind, "pointer": pointer or "/", "reason": reason})
        self.kind = kind
        self.pointer = pointer or "/"
        self.reason = reason


# An English summary marked with ``gettext_noop``, or ``ngettext_lazy(singular, plural, field)``.
Summary = str | Promise


@dataclass(frozen=True)
class Kind:
    """A registered kind of event: its code, its payload class and its (untranslated) summary."""

    code: str
    payload: type
    summary: Summary


_registry: dict[str, Kind] = {}


def register_kind(code: str, *, summary: Summary) -> Callable[[type[P]], type[P]]:
    """Register a frozen dataclass as the payload of events of kind ``code``.

    ``summary`` is the English template shown for such events; mark it with ``gettext_noop`` so
    that ``makemessages`` finds it, or write it with ``ngettext_lazy(singular, plural, field)`` when
    it counts something (the field holds the number). Registering a code twice with different
    classes is an error; a placeholder that names neither a field nor an attribute of the class is
    an error too.
    """

    def decorate(cls: type[P]) -> type[P]:
        if not KIND_PATTERN.match(code):
            raise ValueError(
                f"Event kind {code!r} is not a dotted lower-case code such as 'petition.signed'."
            )
        params = getattr(cls, "__dataclass_params__", None)
        if params is None or not params.frozen:
            raise TypeError(f"The payload of {code!r} must be a frozen dataclass, not {cls!r}.")
        _check_annotations(code, cls)
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        for placeholder in sorted(_placeholders(summary)):
            if placeholder not in names and not hasattr(cls, placeholder):
                raise ValueError(
                    f"The summary of {code!r} names %({placeholder})s, which {cls.__name__} does not have."
                )
        known = _registry.get(code)
        # Re-registering the same class (a module imported again by the autoreloader) is harmless.
        if known is not None and _qualified(known.payload) != _qualified(cls):
            raise ValueError(f"Event kind {code!r} is already registered to {known.payload!r}.")
        _registry[code] = Kind(code=code, payload=cls, summary=summary)
        return cls

    return decorate


class _Probe(dict[str, int]):
    """Formatting arguments that answer every name with one number, and note the names asked for."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number
        self.names: set[str] = set()

    def __missing__(self, name: str) -> int:
        self.names.add(name)
        return self.number


def _placeholders(summary: Summary) -> set[str]:
    """The ``%(name)s`` placeholders of a summary: of both forms of a plural one (in English)."""
    if isinstance(summary, str):
        return set(_PLACEHOLDER.findall(summary))
    names: set[str] = set()
    with translation.override(None):
        for number in (1, 2):
            probe = _Probe(number)
            try:
                summary % probe
            except (TypeError, ValueError) as exc:
                raise ValueError(f"A plural summary must be ngettext_lazy(..., field): {exc}") from exc
            names |= probe.names
    return names


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def kind_get(code: str) -> Kind:
    """The registered kind ``code``; raises :class:`UnknownKind` if there is none."""
    try:
        return _registry[code]
    except KeyError:
        raise UnknownKind(code) from None


def registered_kinds() -> list[str]:
    """Every registered code, sorted."""
    return sorted(_registry)


def payload_load(kind: Kind, data: Mapping[str, Any] | object) -> Any:
    """Check ``data`` (a mapping, or already an instance of the payload class) against ``kind``'s
    payload class and return the instance; raise :class:`PayloadError` naming where it does not fit."""
    if isinstance(data, kind.payload):
        # Re-check an instance too: a dataclass does not enforce its annotations.
        data = dataclasses.asdict(data)  # type: ignore[call-overload]
    return _build(kind.code, kind.payload, data, "")


def payload_dump(payload: Any) -> dict[str, Any]:
    """The JSON object of a payload instance: what is stored as the event's ``data`` and hashed."""
    return dataclasses.asdict(payload)


def payload_clean(kind: Kind, data: Mapping[str, Any] | object) -> dict[str, Any]:
    """``payload_dump(payload_load(kind, data))``, without building the payload's instance and
    taking it apart again: every event written goes through this (a tenth of a petition
    signature's CPU went to the round trip through the dataclass)."""
    if isinstance(data, kind.payload):
        data = dataclasses.asdict(data)  # type: ignore[call-overload]
    cleaned: dict[str, Any] = _build(kind.code, kind.payload, data, "", as_json=True)
    return cleaned


def summary_render(code: str, data: Mapping[str, Any], *, isolate: bool = False) -> str | None:
    """The summary of an event of kind ``code`` with payload ``data``, in the active language.

    None when the kind is not registered or the stored payload no longer fits it (then the caller
    shows the bare kind): showing a page must never fail over one odd event. With ``isolate``, the
    result is safe HTML in which every text from the payload (a name someone typed) is escaped
    and isolated in ``<bdi>``, so that right-to-left text or a stray bidirectional control in it
    cannot reorder the sentence around it.
    """
    kind = _registry.get(code)
    if kind is None:
        return None
    try:
        payload = payload_load(kind, data)
        fields = _Fields(payload, isolate=isolate)
        if isinstance(kind.summary, str):
            if isolate:
                return mark_safe(conditional_escape(gettext(kind.summary)) % fields)
            return gettext(kind.summary) % fields
        # ngettext_lazy picks the plural form by the named field, then formats. The sentence is the
        # project's own (trusted); the fields in it are escaped and isolated when asked.
        text = str(kind.summary % fields)
        return mark_safe(text) if isolate else text
    except (EventKindError, KeyError, TypeError, ValueError):
        return None


class _Fields(dict[str, Any]):
    """A payload seen as the mapping ``%`` formatting wants: fields and properties by name. (A dict,
    as ``ngettext_lazy`` reads its number from a dict only.)"""

    def __init__(self, payload: Any, *, isolate: bool = False) -> None:
        super().__init__()
        self._payload = payload
        self._isolate = isolate

    def __missing__(self, name: str) -> Any:
        try:
            value = getattr(self._payload, name)
        except AttributeError:
            raise KeyError(name) from None
        if self._isolate and not isinstance(value, int | float):
            return format_html("<bdi>{}</bdi>", value)
        return value


# --- checking values against annotations ---------------------------------------------------------


@cache
def _hints(cls: type) -> dict[str, Any]:
    # Resolves string annotations (``from __future__ import annotations``) once per class.
    return get_type_hints(cls)


def _check_annotations(code: str, cls: type) -> None:
    """Refuse, at registration, a field type the checker cannot check (``Any``, ``set``, ...)."""

    def check(annotation: Any, where: str) -> None:
        origin = get_origin(annotation)
        if annotation in (int, float, str, bool, type(None)):
            return
        if origin in (Union, types.UnionType):
            for option in get_args(annotation):
                check(option, where)
            return
        if origin is list:
            check(get_args(annotation)[0], where)
            return
        if origin is dict and get_args(annotation)[0] is str:
            check(get_args(annotation)[1], where)
            return
        if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
            for name, inner in _hints(annotation).items():
                check(inner, f"{where}.{name}")
            return
        raise TypeError(
            f"The payload of {code!r} has a field {where} of a type JSON cannot hold: {annotation!r}."
        )

    for name, annotation in _hints(cls).items():
        check(annotation, f"{cls.__name__}.{name}")


_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false", type(None): "null"}


def _describe(annotation: Any) -> str:
    origin = get_origin(annotation)
    if annotation in _NAMES:
        return _NAMES[annotation]
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(option) for option in get_args(annotation))
    if origin is list:
        return "a list"
    return "an object"


def _coerce(code: str, annotation: Any, value: Any, pointer: str, as_json: bool = False) -> Any:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for option in get_args(annotation):
            try:
                return _coerce(code, option, value, pointer, as_json)
            except PayloadError:
                continue
        raise PayloadError(code, pointer, f"expected {_describe(annotation)}, got {value!r}")
    if annotation is type(None):
        ok = value is None
    elif annotation is bool:
        ok = isinstance(value, bool)
    elif annotation is int:
        # bool is an int in Python, not in the payload.
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif annotation is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif annotation is str:
        ok = isinstance(value, str)
    elif origin is list:
        if not isinstance(value, list | tuple):
            raise PayloadError(code, pointer, f"expected a list, got {value!r}")
        (item,) = get_args(annotation)
        return [_coerce(code, item, v, f"{pointer}/{i}", as_json) for i, v in enumerate(value)]
    elif origin is dict:
        if not isinstance(value, Mapping):
            raise PayloadError(code, pointer, f"expected an object, got {value!r}")
        _key, item = get_args(annotation)
        return {str(k): _coerce(code, item, v, f"{pointer}/{k}", as_json) for k, v in value.items()}
    else:
        return _build(code, annotation, value, pointer, as_json)
    if not ok:
        raise PayloadError(code, pointer, f"expected {_describe(annotation)}, got {value!r}")
    return value


@cache
def _shape(cls: type) -> tuple[tuple[dataclasses.Field[Any], ...], frozenset[str], dict[str, Any]]:
    """The dataclass's fields, their names and their resolved annotations, found once per class."""
    fields = dataclasses.fields(cls)
    return fields, frozenset(f.name for f in fields), _hints(cls)


def _default_json(field: dataclasses.Field[Any]) -> Any:
    """A field's default as ``dataclasses.asdict`` would write it."""
    if field.default is not dataclasses.MISSING:
        value = field.default
    else:
        factory: Callable[[], Any] = field.default_factory  # type: ignore[assignment]
        value = factory()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return copy.deepcopy(value)


def _build(code: str, cls: type, value: Any, pointer: str, as_json: bool = False) -> Any:
    """An instance of the dataclass ``cls`` from the JSON object ``value``: every field without a
    default present, no other key. ``as_json``: the JSON object the instance's ``asdict`` would
    give instead (defaults written out), without making the instance."""
    if not isinstance(value, Mapping):
        raise PayloadError(code, pointer, f"expected an object, got {value!r}")
    fields, names, hints = _shape(cls)
    unexpected = sorted(str(k) for k in value if k not in names)
    if unexpected:
        raise PayloadError(code, f"{pointer}/{unexpected[0]}", "no such field")
    arguments: dict[str, Any] = {}
    for f in fields:
        if f.name in value:
            arguments[f.name] = _coerce(code, hints[f.name], value[f.name], f"{pointer}/{f.name}", as_json)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise PayloadError(code, f"{pointer}/{f.name}", "missing")
        elif as_json:
            arguments[f.name] = _default_json(f)
    if as_json:
        return arguments
    return cls(**arguments)
