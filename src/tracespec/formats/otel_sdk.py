"""Spans from the Python OpenTelemetry SDK (``ReadableSpan``, e.g. from an in-memory exporter).

Read by duck typing, so the SDK is not a dependency of tracespec: ``context`` (trace and span
id as ints, trace state, flags), ``parent``, ``name``, ``kind`` (the API's ``SpanKind``, whose
numbers differ from OTLP's — read by name), ``start_time``/``end_time`` (ns; a span not ended
yet gets its start as end), ``attributes`` (sequences become tuples), ``events``, ``links``,
``status``, ``resource`` and ``instrumentation_scope`` (older SDKs: ``instrumentation_info``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from ..errors import TraceLoadError
from ..trace import Link, SpanKind, SpanRecord, StatusCode, TraceBuilder
from ..trace.attrvalue import AttrValue
from ._records import GroupCache, make_event, make_link

__all__ = ["add_otel_spans"]


def _value(v: Any) -> AttrValue | None:
    if isinstance(v, str | bool | int | float | bytes):
        return v
    if isinstance(v, Mapping):
        return MappingProxyType(
            {str(k): x for k, x in ((k, _value(x)) for k, x in v.items()) if x is not None}
        )
    if isinstance(v, Iterable):
        return tuple(x for x in (_value(i) for i in v) if x is not None)
    return None


def _attrs(m: Any) -> dict[str, AttrValue]:
    out: dict[str, AttrValue] = {}
    if not m:
        return out
    for k, v in dict(m).items():
        val = _value(v)
        if val is not None:
            out[str(k)] = val
    return out


def _ns(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**63 else 0


def add_otel_spans(spans: Iterable[Any], builder: TraceBuilder) -> None:
    """Append SDK spans to ``builder`` (maybe holding spans of other sources already)."""
    builder.source, builder.format, builder.document = "<otel spans>", "otel-sdk", None
    before = len(builder.span_ids)
    groups = GroupCache(builder)
    for k, span in enumerate(spans):
        place = f"span {k}"
        ctx = getattr(span, "context", None)
        tid = getattr(ctx, "trace_id", None)
        sid = getattr(ctx, "span_id", None)
        if not isinstance(tid, int) or not isinstance(sid, int) or not tid or not sid:
            raise builder.error("span has no valid span context (trace and span id)", place)
        if tid >= 2**128 or sid >= 2**64 or tid < 0 or sid < 0:
            raise builder.error("span context ids out of range", place)
        parent_ctx = getattr(span, "parent", None)
        psid = getattr(parent_ctx, "span_id", None)
        parent = psid.to_bytes(8, "big") if isinstance(psid, int) and 0 < psid < 2**64 else b""
        record = _record(span, ctx)
        res = getattr(span, "resource", None)
        resource = _attrs(getattr(res, "attributes", None))
        sc = getattr(span, "instrumentation_scope", None) or getattr(
            span, "instrumentation_info", None
        )
        scope = (str(sc.name or ""), str(getattr(sc, "version", "") or "")) if sc else None
        start = _ns(getattr(span, "start_time", 0))
        end_raw = getattr(span, "end_time", None)
        end = _ns(end_raw) if end_raw is not None else start
        builder.add_span(
            tid.to_bytes(16, "big"),
            sid.to_bytes(8, "big"),
            parent,
            start,
            end,
            record,
            groups.group(resource, scope),
        )
    if len(builder.span_ids) == before:
        raise TraceLoadError("no spans given", source="<otel spans>", format="otel-sdk")


def _record(span: Any, ctx: Any) -> SpanRecord:
    """Everything of a span but its ids, times, resource and scope."""
    kind = getattr(span, "kind", None)
    kind = getattr(kind, "name", kind)  # by name: the API's numbers are not OTLP's
    status = getattr(span, "status", None)
    code = getattr(getattr(status, "status_code", None), "name", None)
    desc = getattr(status, "description", None)
    events = tuple(
        make_event(
            str(e.name), _ns(getattr(e, "timestamp", 0)), _attrs(getattr(e, "attributes", None))
        )
        for e in (getattr(span, "events", None) or ())
    )
    flags = getattr(ctx, "trace_flags", 0)
    return SpanRecord(
        name=str(getattr(span, "name", "") or ""),
        kind=SpanKind.parse(kind).number if isinstance(kind, str) else 0,
        attributes=_attrs(getattr(span, "attributes", None)),
        status_code=StatusCode.parse(code).number,
        status_message=desc if isinstance(desc, str) else "",
        events=events,
        links=tuple(_link(lk) for lk in getattr(span, "links", None) or ()),
        trace_state=_trace_state(ctx),
        flags=int(flags) if isinstance(flags, int) else 0,
    )


def _id_bytes(value: Any, size: int) -> bytes:
    """An SDK id (an int) as bytes; 0 (invalid) when it is not an int of that size."""
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** (8 * size)
    return (value if ok else 0).to_bytes(size, "big")


def _link(lk: Any) -> Link:
    ctx = getattr(lk, "context", None)
    return make_link(
        _id_bytes(getattr(ctx, "trace_id", 0), 16),
        _id_bytes(getattr(ctx, "span_id", 0), 8),
        _trace_state(ctx),
        _attrs(getattr(lk, "attributes", None)),
    )


def _trace_state(ctx: Any) -> str:
    ts = getattr(ctx, "trace_state", None)
    if ts is None:
        return ""
    to_header = getattr(ts, "to_header", None)
    if callable(to_header):
        return str(to_header())
    return ""
