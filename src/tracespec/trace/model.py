"""The vocabulary of a span: kind and status (the one place they are spelled), resource, scope,
events and links.

Loaders meet kinds and statuses as OTLP numbers (``2``), as names (``SERVER``, ``server``), as
OTLP enum names (``SPAN_KIND_SERVER``, ``STATUS_CODE_ERROR``) or as numbers in strings
(``"2"``); :meth:`SpanKind.parse` and :meth:`StatusCode.parse` read every one of them, so no
loader keeps a table of its own.  Unknown values read as ``unspecified`` and ``unset``, as
OTLP says receivers must treat them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from .._frozen import FieldsRepr
from .attrvalue import AttrValue

__all__ = ["EMPTY_ATTRIBUTES", "Event", "Link", "Resource", "Scope", "SpanKind", "StatusCode"]

#: The attributes of something that has none (shared, read-only).
EMPTY_ATTRIBUTES: Mapping[str, AttrValue] = MappingProxyType({})


def _enum_text(value: object, prefix: str) -> str | int | None:
    """The name (lower case, without the OTLP ``prefix``) or the number ``value`` spells."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text.startswith(prefix):
        text = text[len(prefix) :]
    if text.isdigit() and text.isascii():
        return int(text) if len(text) <= 20 else None  # (no kind or status is that big)
    return text


class SpanKind(enum.StrEnum):
    """The span kind, as Tracetest spells it (``kind`` in selectors)."""

    UNSPECIFIED = "unspecified"
    INTERNAL = "internal"
    SERVER = "server"
    CLIENT = "client"
    PRODUCER = "producer"
    CONSUMER = "consumer"

    def __str__(self) -> str:
        return self.value

    @property
    def number(self) -> int:
        """The OTLP ``SpanKind`` enum number (``SERVER`` is 2)."""
        return _KINDS.index(self)

    @classmethod
    def from_otlp(cls, value: int) -> SpanKind:
        """The kind of an OTLP ``SpanKind`` enum number (unknown numbers → unspecified)."""
        return _KINDS[value] if 0 <= value < len(_KINDS) else cls.UNSPECIFIED

    @classmethod
    def parse(cls, value: object) -> SpanKind:
        """The kind ``value`` names: an OTLP number (``2``, ``"2"``), a name in any case
        (``server``, ``SERVER``) or the OTLP enum name (``SPAN_KIND_SERVER``); anything else
        is unspecified."""
        text = _enum_text(value, "span_kind_")
        if isinstance(text, int):
            return cls.from_otlp(text)
        return _KIND_BY_NAME.get(text, cls.UNSPECIFIED) if text is not None else cls.UNSPECIFIED


_KINDS = tuple(SpanKind)  # in OTLP's order: the index is the enum number
_KIND_BY_NAME = {k.value: k for k in SpanKind}


class StatusCode(enum.StrEnum):
    """The span status code."""

    UNSET = "unset"
    OK = "ok"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value

    @property
    def otlp_name(self) -> str:
        """The OTLP enum name Tracetest exposes (``STATUS_CODE_ERROR``)."""
        return "STATUS_CODE_" + self.name

    @property
    def number(self) -> int:
        """The OTLP ``StatusCode`` enum number (``ERROR`` is 2)."""
        return _STATUSES.index(self)

    @classmethod
    def from_otlp(cls, value: int) -> StatusCode:
        """The status of an OTLP ``StatusCode`` number (unknown numbers → unset)."""
        return _STATUSES[value] if 0 <= value < len(_STATUSES) else cls.UNSET

    @classmethod
    def parse(cls, value: object) -> StatusCode:
        """The status ``value`` names: an OTLP number (``2``, ``"2"``), a name in any case
        (``error``, ``ERROR``) or the OTLP enum name (``STATUS_CODE_ERROR``); anything else is
        unset."""
        text = _enum_text(value, "status_code_")
        if isinstance(text, int):
            return cls.from_otlp(text)
        return _STATUS_BY_NAME.get(text, cls.UNSET) if text is not None else cls.UNSET


_STATUSES = tuple(StatusCode)  # in OTLP's order
_STATUS_BY_NAME = {s.value: s for s in StatusCode}


@attrs.frozen(repr=False)
class Resource(FieldsRepr):
    """The resource a span belongs to (``service.name`` and friends)."""

    attributes: Mapping[str, AttrValue] = EMPTY_ATTRIBUTES
    schema_url: str = ""


@attrs.frozen(repr=False)
class Scope(FieldsRepr):
    """The instrumentation scope (library) that produced a span.

    ``present`` is false when the source named no scope at all (which Tracetest tells apart
    from a scope with an empty name: only a present scope gives ``service.name``).
    """

    name: str = ""
    version: str = ""
    attributes: Mapping[str, AttrValue] = EMPTY_ATTRIBUTES
    present: bool = attrs.field(default=True, eq=False, repr=False)


@attrs.frozen(repr=False)
class Event(FieldsRepr):
    """A span event (an OTLP event, a Jaeger log, a Zipkin annotation)."""

    name: str
    time_ns: int
    attributes: Mapping[str, AttrValue] = EMPTY_ATTRIBUTES


@attrs.frozen(repr=False)
class Link(FieldsRepr):
    """A link from a span to another span, possibly in another trace (hex ids)."""

    trace_id: str
    span_id: str
    trace_state: str = ""
    attributes: Mapping[str, AttrValue] = EMPTY_ATTRIBUTES
