"""What the loaders share: ids, integers and ISO times with error places, events and links,
the OTel conventions carried in Jaeger and Zipkin tags, and a cache of groups.

Jaeger, Zipkin, OpenSearch and the OTel SDK are small formats (a trace of them is rarely more
than a few thousand spans), so their loaders convert each span up front into a
:class:`~tracespec.trace.SpanRecord` with OTLP's vocabulary (kind and status numbers, typed
attributes, events, links); the OTLP loaders read lazily but build their events and links with
the same functions.  :class:`GroupCache` makes spans of one process share one group.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from ..trace import RECORD_ADAPTER, Event, Group, Link, Resource, Scope, TraceBuilder
from ..trace.attrvalue import AttrValue, freeze_value
from ..trace.ids import pad_trace_id
from ..trace.model import EMPTY_ATTRIBUTES, SpanKind, StatusCode

__all__ = [
    "GroupCache",
    "hex_id",
    "int_field",
    "iso_time_ns",
    "json_attr",
    "make_event",
    "make_link",
    "pop_otel_conventions",
    "read_int",
]

_HEX_RE = re.compile(r"[0-9a-fA-F]+")


_MAX_TIME = 2**63 - 1


def make_event(name: Any, time_ns: int, attributes: Mapping[str, AttrValue] | None) -> Event:
    """An event (a name that is not text reads as ``""``; its time held to the model's int64
    nanoseconds, as span times are)."""
    return Event(
        name if isinstance(name, str) else "",
        max(0, min(time_ns, _MAX_TIME)),
        MappingProxyType(dict(attributes)) if attributes else EMPTY_ATTRIBUTES,
    )


def make_link(
    trace_id: bytes, span_id: bytes, trace_state: Any, attributes: Mapping[str, AttrValue] | None
) -> Link:
    """A link to a span by its raw ids (a 64-bit trace id is padded to 128 bits)."""
    return Link(
        pad_trace_id(trace_id).hex() if trace_id else "",
        span_id.hex(),
        trace_state if isinstance(trace_state, str) else "",
        MappingProxyType(dict(attributes)) if attributes else EMPTY_ATTRIBUTES,
    )


def hex_id(
    value: Any, size: int, builder: TraceBuilder, place: str, *, what: str, required: bool = True
) -> bytes:
    """A hex id of ``size`` bytes; shorter ids are left-padded with zeros (16-char trace ids).

    Raises :class:`TraceLoadError` for a missing (when ``required``), non-hex or too long id.
    """
    if value is None or value == "":
        if required:
            raise builder.error(f"span has no {what}", place)
        return b""
    if not isinstance(value, str) or not _HEX_RE.fullmatch(value) or len(value) > 2 * size:
        raise builder.error(f"{what} {str(value)[:48]!r} is not a hex id", place)
    text = value.rjust(2 * size, "0")
    return bytes.fromhex(text)


_DECIMAL_INT = re.compile(r"-?[0-9]{1,20}")


def read_int(value: Any) -> int | None:
    """An integer given as a JSON number or a decimal string (64-bit integers are strings in
    proto3 JSON), or ``None`` when it is neither, as the proto3 JSON mapping reads one: a
    whole number (``1.9`` is not one, ``1.0`` is), a string of ASCII digits with at most a
    minus sign (not ``"1_000"``, ``" 17"``, ``"١٢٣"``), never a boolean."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str) and _DECIMAL_INT.fullmatch(value):
        return int(value)
    return None


def int_field(value: Any, builder: TraceBuilder, place: str, *, what: str) -> int:
    """:func:`read_int` of a field (``None`` reads as 0) in the int64 range, else an error."""
    if value is None:
        return 0
    out = read_int(value)
    if out is None:
        if isinstance(value, str):
            raise builder.error(f"{what} {value[:40]!r} is not an integer", place)
        shown = repr(value) if isinstance(value, bool) else type(value).__name__
        raise builder.error(f"{what} must be a number, not {shown}", place)
    if not -(2**63) <= out < 2**63:
        raise builder.error(f"{what} {out} is out of range", place)
    return out


_ISO_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?", re.I
)


def iso_time_ns(value: Any, builder: TraceBuilder, place: str, *, what: str) -> int:
    """Nanoseconds since the epoch from an ISO-8601 / RFC 3339 time with up to 9 decimals.

    A time without a zone is UTC.  A number is read as nanoseconds.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int_field(value, builder, place, what=what)
    if not isinstance(value, str):
        raise builder.error(f"{what} is missing or not a time", place)
    m = _ISO_RE.fullmatch(value.strip())
    if m is None:
        raise builder.error(f"{what} {value[:40]!r} is not an ISO-8601 time", place)
    date, clock, frac, zone = m.groups()
    zone = zone or "Z"
    if zone.upper() == "Z":
        zone = "+00:00"
    elif ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    try:
        dt = datetime.fromisoformat(f"{date}T{clock}{zone}")
    except ValueError:
        raise builder.error(f"{what} {value[:40]!r} is not a valid time", place) from None
    secs = int(dt.timestamp())
    nanos = int((frac or "0")[:9].ljust(9, "0"))
    return secs * 1_000_000_000 + nanos


def json_attr(value: Any) -> AttrValue | None:
    """A plain JSON value as an attribute value (``None`` for null)."""
    if value is None:
        return None
    return freeze_value(value)


def pop_otel_conventions(
    attrs: dict[str, AttrValue], *, kind_tag: bool
) -> tuple[int | None, int, str, tuple[str, str] | None]:
    """Remove the OTel → Jaeger/Zipkin convention tags from ``attrs`` and read them.

    Returns ``(kind or None, status code, status message, (scope name, version) or None)``:
    ``span.kind`` (when ``kind_tag``), ``otel.status_code`` (``OK``/``ERROR``),
    ``otel.status_description``, ``error`` (true or a description → ERROR when no
    ``otel.status_code`` says otherwise), ``otel.scope.name``/``version`` and the older
    ``otel.library.name``/``version``.
    """
    kind: int | None = None
    if kind_tag and "span.kind" in attrs:
        kind_text = attrs.pop("span.kind")
        kind = SpanKind.parse(kind_text).number if isinstance(kind_text, str) else 0
    code = 0
    message = ""
    status = attrs.pop("otel.status_code", None)
    if isinstance(status, str):
        code = StatusCode.parse(status).number
    desc = attrs.pop("otel.status_description", None)
    if isinstance(desc, str):
        message = desc
    if "error" in attrs:
        err = attrs.pop("error")
        is_error = not (err is False or (isinstance(err, str) and err.lower() == "false"))
        if is_error and code == 0:
            code = 2
        text = err if isinstance(err, str) else ""
        if is_error and code == 2 and not message and text.lower() not in ("true", ""):
            message = text
    scope: tuple[str, str] | None = None
    name = attrs.pop("otel.scope.name", None)
    version = attrs.pop("otel.scope.version", None)
    lib = attrs.pop("otel.library.name", None)
    lib_version = attrs.pop("otel.library.version", None)
    if name is None:
        name, version = lib, version if version is not None else lib_version
    if name is not None:
        scope = (str(name), "" if version is None else str(version))
    return kind, code, message, scope


class GroupCache:
    """One :class:`Group` per distinct (resource attributes, scope) of a load."""

    def __init__(self, builder: TraceBuilder) -> None:
        self._builder = builder
        self._by_key: dict[Any, int] = {}

    def group(self, resource: Mapping[str, AttrValue], scope: tuple[str, str] | None) -> int:
        try:
            key: Any = (tuple(resource.items()), scope)
            hash(key)
        except TypeError:  # unhashable values (maps): no sharing
            key = (id(resource), scope)
        g = self._by_key.get(key)
        if g is None:
            sc = Scope(scope[0], scope[1]) if scope is not None else Scope(present=False)
            g = self._builder.add_group(
                Group(Resource(MappingProxyType(dict(resource))), sc, RECORD_ADAPTER)
            )
            self._by_key[key] = g
        return g
