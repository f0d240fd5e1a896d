"""The console output of the OpenTelemetry Python SDK: the spans ``ConsoleSpanExporter`` prints.

The exporter writes each span as ``ReadableSpan.to_json()`` gives it, a pretty-printed JSON
object, one after another on stdout, where the application's own lines come between them (the
text is cut into objects by :mod:`._source`).  Each object becomes a :class:`SpanRecord`:
``context.trace_id`` and ``span_id`` are ``0x`` and hex; ``context.trace_state`` is the repr of
the SDK's ``TraceState`` (``['{key=k, value=v}']``, read back as ``k=v``); ``kind`` is the API
enum's ``str`` (``SpanKind.SERVER``, read by name: the API's numbers are not OTLP's);
``parent_id`` is ``0x`` and hex, or null for a root; ``start_time`` and ``end_time`` are ISO-8601
UTC times with microseconds (an end of null is the start); ``status`` has ``status_code``
(``UNSET``, ``OK``, ``ERROR``) and ``description``; ``attributes`` keep their JSON types (arrays
become tuples); ``events`` (``name``, an ISO ``timestamp``, ``attributes``) and ``links``
(``context``, ``attributes``) as above; ``resource`` holds ``attributes`` and ``schema_url``
(older SDKs wrote the attributes themselves).  The output names no instrumentation scope and no
trace flags: a scope is read from ``instrumentation_scope`` (or ``instrumentation_info``) when a
formatter adds one, and the flags are 1: sampled, as every span an SDK span processor exports
is (the W3C random bit newer SDKs set on the trace ids they make is not known).
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from ..trace import SpanKind, SpanRecord, StatusCode, TraceBuilder
from ..trace.attrvalue import AttrValue, ValueTooDeepError
from ._records import GroupCache, hex_id, iso_time_ns, json_attr, make_event, make_link

__all__ = ["load_document"]

# The API's SpanKind in the API's order, for a kind written as the API's number
_API_KINDS = ("INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER")
# One entry of the repr of a TraceState: {key=vendor, value=opaque}
_TRACE_STATE_ENTRY = re.compile(r"\{key=([^,{}]*), value=([^{}]*)\}")
_SAMPLED = 1
# Each console object is a document of its own: one group cache per load (per builder) lets
# the spans of one process share their group.
_CACHES: weakref.WeakKeyDictionary[TraceBuilder, GroupCache] = weakref.WeakKeyDictionary()


def load_document(doc: Any, builder: TraceBuilder) -> None:
    """Read one console span (or an array of them) into ``builder``."""
    try:
        _load_document(doc, builder)
    except ValueTooDeepError as exc:
        raise builder.error(f"an attribute value is {exc}", builder.place("")) from None


def _load_document(doc: Any, builder: TraceBuilder) -> None:
    groups = _CACHES.get(builder)
    if groups is None:
        groups = _CACHES[builder] = GroupCache(builder)
    if isinstance(doc, list):
        for k, span in enumerate(doc):
            _load_span(span, groups, builder, f"[{k}]")
    else:
        _load_span(doc, groups, builder, "")


def _load_span(span: Any, groups: GroupCache, builder: TraceBuilder, path: str) -> None:
    def at(field: str) -> str:
        return builder.place(f"{path}.{field}" if path else field) or field

    if not isinstance(span, dict):
        raise builder.error("a console span must be a JSON object", builder.place(path))
    context = span.get("context")
    if not isinstance(context, dict):
        raise builder.error("span has no context (trace_id and span_id)", at("context"))
    trace_id = _id(context.get("trace_id"), 16, builder, at("context.trace_id"), "trace_id")
    span_id = _id(context.get("span_id"), 8, builder, at("context.span_id"), "span_id")
    parent = _id(span.get("parent_id"), 8, builder, at("parent_id"), "parent_id", required=False)
    start = iso_time_ns(span.get("start_time"), builder, at("start_time"), what="start_time")
    end_time = span.get("end_time")
    end = start if end_time is None else iso_time_ns(
        end_time, builder, at("end_time"), what="end_time"
    )
    code, message = _status(span.get("status"))
    record = SpanRecord(
        name=str(span.get("name") or ""),
        kind=_kind(span.get("kind")),
        attributes=_attributes(span.get("attributes")),
        status_code=code,
        status_message=message,
        events=_events(span.get("events"), builder, at),
        links=_links(span.get("links"), builder, at),
        trace_state=_trace_state(context.get("trace_state")),
        flags=_SAMPLED,
    )
    resource = _resource(span.get("resource"))
    builder.add_span(
        trace_id, span_id, parent, start, end, record, groups.group(resource, _scope(span))
    )


def _id(
    value: Any, size: int, builder: TraceBuilder, place: str, what: str, *, required: bool = True
) -> bytes:
    """An id written ``0x`` and hex (an id of zeros is none: a root's parent)."""
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        value = value[2:]
    raw = hex_id(value, size, builder, place, what=what, required=required)
    return raw if required or raw.strip(b"\0") else b""


def _kind(value: Any) -> int:
    """The OTLP number of an API ``SpanKind`` written as ``SpanKind.SERVER`` (or a name, or the
    API's number)."""
    if isinstance(value, int) and not isinstance(value, bool):
        name = _API_KINDS[value] if 0 <= value < len(_API_KINDS) else ""
    elif isinstance(value, str):
        name = value.rpartition(".")[2]
        if name.isdigit():
            name = _API_KINDS[int(name)] if int(name) < len(_API_KINDS) else ""
    else:
        return 0
    return SpanKind.parse(name).number


def _status(status: Any) -> tuple[int, str]:
    if not isinstance(status, dict):
        return 0, ""
    description = status.get("description")
    return (
        StatusCode.parse(status.get("status_code")).number,
        description if isinstance(description, str) else "",
    )


def _attributes(value: Any) -> dict[str, AttrValue]:
    """JSON attributes with their types (arrays as tuples; nulls left out)."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, AttrValue] = {}
    for key, raw in value.items():
        attr = json_attr(raw)
        if attr is not None:
            out[str(key)] = attr
    return out


def _events(value: Any, builder: TraceBuilder, at: Any) -> tuple[Any, ...]:
    if not isinstance(value, list):
        return ()
    events = []
    for i, event in enumerate(value):
        if not isinstance(event, dict):
            continue
        stamp = event.get("timestamp")
        time_ns = 0 if stamp is None else iso_time_ns(
            stamp, builder, at(f"events[{i}].timestamp"), what="timestamp"
        )
        events.append(make_event(event.get("name"), time_ns, _attributes(event.get("attributes"))))
    return tuple(events)


def _links(value: Any, builder: TraceBuilder, at: Any) -> tuple[Any, ...]:
    if not isinstance(value, list):
        return ()
    links = []
    for i, link in enumerate(value):
        if not isinstance(link, dict) or not isinstance(link.get("context"), dict):
            continue
        context = link["context"]
        where = f"links[{i}].context"
        links.append(
            make_link(
                _id(context.get("trace_id"), 16, builder, at(f"{where}.trace_id"), "trace_id"),
                _id(context.get("span_id"), 8, builder, at(f"{where}.span_id"), "span_id"),
                _trace_state(context.get("trace_state")),
                _attributes(link.get("attributes")),
            )
        )
    return tuple(links)


def _trace_state(value: Any) -> str:
    """The W3C ``tracestate`` header of the repr of an SDK ``TraceState`` (a header already
    written as one stays as it is)."""
    if not isinstance(value, str):
        return ""
    entries = _TRACE_STATE_ENTRY.findall(value)
    if entries:
        return ",".join(f"{key}={val}" for key, val in entries)
    text = value.strip()
    return "" if text.startswith("[") else text


def _resource(value: Any) -> dict[str, AttrValue]:
    """The resource attributes: ``{"attributes": ..., "schema_url": ...}``, or (older SDKs)
    the attributes themselves."""
    if not isinstance(value, dict):
        return {}
    attributes = value.get("attributes")
    if isinstance(attributes, dict) and set(value) <= {"attributes", "schema_url"}:
        return _attributes(attributes)
    return _attributes(value)


def _scope(span: dict[str, Any]) -> tuple[str, str] | None:
    """The instrumentation scope, when a formatter wrote one (the SDK's does not)."""
    scope = span.get("instrumentation_scope", span.get("instrumentation_info"))
    if isinstance(scope, dict) and isinstance(scope.get("name"), str):
        version = scope.get("version")
        return scope["name"], version if isinstance(version, str) else ""
    if isinstance(scope, str) and scope:
        return scope, ""
    return None
