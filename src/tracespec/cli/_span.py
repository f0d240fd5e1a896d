"""What a span holds, for people and for scripts: ``tracespec span``, ``show --attrs`` and the
attributes of ``select --json``.

A span's *own* attributes are what its instrumentation set; its resource and scope are shared
with the spans of the same service and library; the *meta* attributes (``tracetest.span.*``,
``span.events``) are Tracetest's reading of the span (type, duration, status, ...).  Selectors
and assertions read all of them merged, in Tracetest's order (docs/traces.md); the detail
keeps them apart, so a reader can tell where a value comes from.  Values are written as JSON
(strings quoted, arrays as lists, bytes as base64), the way an assertion writes a literal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..trace import AttrValue, Event, Span, Trace
from ..trace.attrvalue import to_json_compatible
from ..trace.tracetest import META_KEYS
from ._common import format_duration

__all__ = [
    "attribute_lines",
    "detail_json",
    "detail_lines",
    "json_value",
    "own_attributes",
    "selectable_attributes",
]


def json_value(value: AttrValue | None) -> Any:
    """An attribute value as JSON data (tuples → lists, bytes → base64, NaN → text)."""
    return to_json_compatible(value)


def _text(value: AttrValue | None) -> str:
    return json.dumps(json_value(value), ensure_ascii=False)


def own_attributes(span: Span) -> dict[str, AttrValue]:
    """The attributes the span's instrumentation set (not its resource's or scope's)."""
    adapter, raw = span.trace.index.adapter_at(span.position)
    return adapter.attributes(raw)


def selectable_attributes(span: Span) -> dict[str, AttrValue]:
    """Every attribute a selector or assertion reads on the span (its own, its scope's, its
    resource's, ``name`` and ``kind``, merged in Tracetest's order), without the meta ones."""
    return {k: v for k, v in span.attributes.items() if k not in META_KEYS}


def _meta(span: Span) -> dict[str, AttrValue]:
    return {k: v for k, v in span.attributes.items() if k in META_KEYS and k != "span.events"}


def _offset(event_ns: int, span: Span) -> str:
    """When an event happened, from the span's start (``+1.2ms``)."""
    delta = event_ns - span.start_time_ns
    return f"+{format_duration(delta)}" if delta >= 0 else f"-{format_duration(-delta)}"


def _event_line(event: Event, span: Span) -> str:
    items = "".join(f"  {k}={_text(v)}" for k, v in event.attributes.items())
    return f"event {event.name} {_offset(event.time_ns, span)}{items}"


def attribute_lines(span: Span) -> Iterator[str]:
    """What ``show --attrs`` prints under a span: its own attributes, events and links."""
    for key, value in own_attributes(span).items():
        yield f"{key} = {_text(value)}"
    for event in span.events:
        yield _event_line(event, span)
    for link in span.links:
        yield f"link → trace {link.trace_id} span {link.span_id}"


def _section(title: str, values: Mapping[str, AttrValue]) -> Iterator[str]:
    yield title if values else f"{title}: none"
    for key, value in values.items():
        yield f"  {key} = {_text(value)}"


def _place(span: Span, trace: Trace) -> str:
    parent = span.parent
    above = "root" if parent is None else f"parent #{parent.span_id} {parent.name}"
    children = len(span.children)
    below = f"{children} child{'ren' if children != 1 else ''}"
    return f"trace {trace.trace_id} · {above} · depth {span.depth} · {below}"


def detail_lines(span: Span) -> list[str]:
    """What ``tracespec span`` prints: a head line, the span's place, then each section."""
    service = span.attributes.get("service.name")
    head = [f"span #{span.span_id}", span.name or "<no name>"]
    if service is not None:
        head.append(str(service))
    head += [span.kind.value, format_duration(span.duration_ns)]
    status = span.status_code.value
    if span.status_message:
        status += f": {span.status_message}"
    lines = ["  ".join(head), f"  {_place(span, span.trace)}", f"  status {status}"]
    lines += _section("attributes", own_attributes(span))
    lines += _section("resource", span.resource.attributes)
    scope = span.scope
    scope_text = " ".join(part for part in (scope.name, scope.version) if part) or "(unnamed)"
    lines.append(f"scope {scope_text}")
    lines += (f"  {key} = {_text(value)}" for key, value in scope.attributes.items())
    events = span.events
    lines.append("events" if events else "events: none")
    lines += (f"  {_event_line(e, span)}" for e in events)
    links = span.links
    lines.append("links" if links else "links: none")
    for link in links:
        items = "".join(f"  {k}={_text(v)}" for k, v in link.attributes.items())
        lines.append(f"  trace {link.trace_id} span {link.span_id}{items}")
    lines += _section("meta attributes", _meta(span))
    return lines


def _values(values: Mapping[str, AttrValue]) -> dict[str, Any]:
    return {k: json_value(v) for k, v in values.items()}


def detail_json(span: Span) -> dict[str, Any]:
    """What ``tracespec span --json`` prints."""
    service = span.attributes.get("service.name")
    scope = span.scope
    return {
        "id": span.span_id,
        "traceId": span.trace_id,
        "parentId": span.parent_id,
        "name": span.name,
        "service": None if service is None else str(service),
        "kind": span.kind.value,
        "startTimeNs": span.start_time_ns,
        "endTimeNs": span.end_time_ns,
        "durationNs": span.duration_ns,
        "status": {"code": span.status_code.value, "message": span.status_message},
        "attributes": _values(own_attributes(span)),
        "resource": _values(span.resource.attributes),
        "scope": {"name": scope.name, "version": scope.version,
                  "attributes": _values(scope.attributes)},
        "events": [{"name": e.name, "timeNs": e.time_ns, "attributes": _values(e.attributes)}
                   for e in span.events],
        "links": [{"traceId": link.trace_id, "spanId": link.span_id,
                   "traceState": link.trace_state, "attributes": _values(link.attributes)}
                  for link in span.links],
        "meta": _values(_meta(span)),
    }
