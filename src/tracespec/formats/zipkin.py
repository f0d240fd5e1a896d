"""Zipkin v2 JSON: an array of spans (``/api/v2/trace/{id}``) or of traces (``/api/v2/traces``).

Each span becomes a :class:`SpanRecord`: 16-character trace ids are left-padded to 32;
``timestamp`` and ``duration`` are microseconds; ``kind`` ``CLIENT|SERVER|PRODUCER|CONSUMER``
(absent → internal, as the OTel Zipkin mapping writes internal spans); ``localEndpoint
.serviceName`` is the resource's ``service.name``; ``remoteEndpoint`` becomes ``peer.service``,
``network.peer.address`` and ``network.peer.port``; tags stay strings (Zipkin has no other
type); ``otel.status_code``/``error`` tags give the status and ``otel.scope.*`` the scope;
annotations become events named by their value.

Shared spans: with B3 "shared span" propagation the client and the server half of an RPC carry
the same ``id``.  As Jaeger's span-id deduper does, the server half (``shared: true``, else the
``SERVER`` one) gets a new id derived from the old one, becomes a child of the client half, and
the spans whose ``parentId`` was the shared id move under the server half.  Every such rename is
listed in ``Trace.repairs``.  Other duplicate ids are left to the generic repair.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..trace import Event, SpanKind, SpanRecord, TraceBuilder
from ..trace.attrvalue import AttrValue
from ..trace.ids import derived_id
from ._records import GroupCache, hex_id, int_field, make_event, pop_otel_conventions

__all__ = ["load_document"]


def _spans_of(doc: Any, builder: TraceBuilder) -> list[tuple[Any, str]]:
    if isinstance(doc, dict):
        return [(doc, "")]
    if not isinstance(doc, list):
        raise builder.error("expected a JSON array of Zipkin spans", builder.place(""))
    out: list[tuple[Any, str]] = []
    for i, item in enumerate(doc):
        if isinstance(item, list):
            out.extend((sp, f"[{i}][{k}]") for k, sp in enumerate(item))
        else:
            out.append((item, f"[{i}]"))
    return out


def load_document(doc: Any, builder: TraceBuilder) -> None:
    """Read one parsed Zipkin v2 document into ``builder``."""
    groups = GroupCache(builder)
    parsed = [
        _parse_span(sp, builder, builder.place(path) or "") for sp, path in _spans_of(doc, builder)
    ]
    _dedupe_shared(parsed, builder)
    for tid, sid, pid, start, end, record, resource, scope in parsed:
        builder.add_span(tid, sid, pid, start, end, record, groups.group(resource, scope))


_Parsed = tuple[
    bytes, bytes, bytes, int, int, SpanRecord, dict[str, AttrValue], "tuple[str, str] | None"
]


def _parse_span(span: Any, builder: TraceBuilder, place: str) -> _Parsed:
    if not isinstance(span, dict):
        raise builder.error("a span must be a JSON object", place)
    trace_id = hex_id(span.get("traceId"), 16, builder, f"{place}.traceId", what="traceId")
    span_id = hex_id(span.get("id"), 8, builder, f"{place}.id", what="id")
    parent = hex_id(
        span.get("parentId"), 8, builder, f"{place}.parentId", what="parentId", required=False
    )
    start_us = int_field(span.get("timestamp"), builder, f"{place}.timestamp", what="timestamp")
    dur_us = int_field(span.get("duration"), builder, f"{place}.duration", what="duration")
    attrs = _tag_attributes(span.get("tags"))
    _, code, message, scope = pop_otel_conventions(attrs, kind_tag=False)
    kind_text = span.get("kind")
    kind = SpanKind.parse(kind_text).number if isinstance(kind_text, str) else 0
    if kind == 0:  # absent or unknown: the OTel Zipkin mapping writes internal spans so
        kind = 1
    remote = span.get("remoteEndpoint")
    if isinstance(remote, dict):
        _add_remote_endpoint(attrs, remote)
    resource: dict[str, AttrValue] = {}
    local = span.get("localEndpoint")
    if isinstance(local, dict) and isinstance(local.get("serviceName"), str):
        resource["service.name"] = local["serviceName"]
    events = _annotation_events(span.get("annotations"))
    if span.get("shared") is True:
        attrs["zipkin.shared"] = True  # read by the deduper below, then removed
    record = SpanRecord(
        name=str(span.get("name") or ""),
        kind=kind,
        attributes=attrs,
        status_code=code,
        status_message=message,
        events=events,
    )
    start = start_us * 1000
    return (
        trace_id,
        span_id,
        parent,
        start,
        start + max(0, dur_us) * 1000,
        record,
        resource,
        scope,
    )


def _tag_attributes(tags: Any) -> dict[str, AttrValue]:
    """The span's ``tags`` as text attributes (numbers as their text, bools as ``true``/
    ``false``; other values skipped)."""
    attrs: dict[str, AttrValue] = {}
    if isinstance(tags, dict):
        for k, v in tags.items():
            if isinstance(v, str):
                attrs[str(k)] = v
            elif isinstance(v, bool | int | float):
                attrs[str(k)] = str(v).lower() if isinstance(v, bool) else str(v)
    return attrs


def _add_remote_endpoint(attrs: dict[str, AttrValue], remote: dict[str, Any]) -> None:
    """``remoteEndpoint`` as ``peer.service``, ``network.peer.address`` and
    ``network.peer.port``, where the tags did not set them."""
    if isinstance(remote.get("serviceName"), str):
        attrs.setdefault("peer.service", remote["serviceName"])
    addr = remote.get("ipv4") or remote.get("ipv6")
    if isinstance(addr, str):
        attrs.setdefault("network.peer.address", addr)
    if isinstance(remote.get("port"), int):
        attrs.setdefault("network.peer.port", remote["port"])


def _annotation_events(annotations: Any) -> tuple[Event, ...]:
    """The span's ``annotations`` as events named by their value (a timestamp that is no
    integer reads as 0)."""
    events = []
    if isinstance(annotations, list):
        for a in annotations:
            if isinstance(a, dict):
                ts = a.get("timestamp")
                t_us = ts if isinstance(ts, int) and not isinstance(ts, bool) else 0
                events.append(make_event(str(a.get("value", "")), t_us * 1000, None))
    return tuple(events)


def _dedupe_shared(parsed: list[_Parsed], builder: TraceBuilder) -> None:
    by_id: dict[tuple[bytes, bytes], list[int]] = {}
    for i, p in enumerate(parsed):
        by_id.setdefault((p[0], p[1]), []).append(i)
    taken = {key for key in by_id}
    renamed: dict[tuple[bytes, bytes], bytes] = {}
    for (tid, sid), idxs in by_id.items():
        if len(idxs) != 2:
            continue
        a, b = (parsed[i][5] for i in idxs)
        server = None
        if a.attributes.get("zipkin.shared") is True or (a.kind == 2 and b.kind != 2):
            server = idxs[0]
        elif b.attributes.get("zipkin.shared") is True or (b.kind == 2 and a.kind != 2):
            server = idxs[1]
        if server is None:
            continue
        new = derived_id(b"tracespec-zipkin-shared", sid, _taken_in(tid, taken))
        taken.add((tid, new))
        renamed[(tid, sid)] = new
        old = parsed[server]
        parsed[server] = (old[0], new, sid, *old[3:])
        builder.repairs.append(
            f"Zipkin shared span {sid.hex()}: the server half got the id {new.hex()} and is "
            "a child of the client half"
        )
    for i, p in enumerate(parsed):
        p[5].attributes.pop("zipkin.shared", None)
        new_parent = renamed.get((p[0], p[2]))
        if new_parent is not None and p[1] != new_parent:
            parsed[i] = (p[0], p[1], new_parent, *p[3:])


def _taken_in(tid: bytes, taken: set[tuple[bytes, bytes]]) -> Callable[[bytes], bool]:
    """Whether a span id is taken in the trace ``tid``."""
    return lambda sid: (tid, sid) in taken
