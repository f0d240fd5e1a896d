"""Rows of ``otel_traces`` to traces and back: the columns a query fetches, traces built from
them, and the JSON Lines rows that :func:`rows_of` writes for a trace.

Reading: each row becomes a :class:`~tracespec.trace.SpanRecord` in a group of its resource
attributes and scope (present when the scope has a name), all assembled by one
:class:`~tracespec.trace.TraceBuilder`, so repairs and trace order are the in-memory ones.
Every attribute value is text, as the exporter wrote it.  Writing: a span's own attributes,
its resource's and its events' and links' attributes as their text form
(:func:`~tracespec.trace.attrvalue.text_form`, what the exporter's ``AsString`` writes), times
as decimal seconds with nine digits, the kind and status as ``traceutil`` spells them.
Synthetic spans (the temporary root of several roots) are not written: read back, the same
repair makes them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from ..trace import (
    RECORD_ADAPTER,
    Event,
    Group,
    Link,
    Resource,
    Scope,
    SpanKind,
    SpanRecord,
    StatusCode,
    Trace,
    TraceBuilder,
)
from ..trace.attrvalue import AttrValue, text_form
from .schema import ClickHouseError

__all__ = ["FETCH_COLUMNS", "hex_id", "rows_of", "traces_from_rows"]

#: The select list :func:`traces_from_rows` reads, in its order.
FETCH_COLUMNS = (
    "TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ResourceAttributes, "
    "ScopeName, ScopeVersion, SpanAttributes, toUnixTimestamp64Nano(Timestamp), Duration, "
    "StatusCode, StatusMessage, arrayMap(t -> toUnixTimestamp64Nano(t), Events.Timestamp), "
    "Events.Name, Events.Attributes, Links.TraceId, Links.SpanId, Links.TraceState, "
    "Links.Attributes"
)


def hex_id(text: str, what: str) -> bytes:
    """The bytes of a hex id of a row (``what`` names its column in the error)."""
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ClickHouseError(f"a row's {what} is not hex: {text[:40]!r}") from None


def traces_from_rows(rows: Iterable[Sequence[Any]], *, source: str) -> list[Trace]:
    """The traces of rows fetched with :data:`FETCH_COLUMNS` (in trace-id order of first
    appearance)."""
    builder = TraceBuilder(source=source, format="clickhouse")
    groups: dict[tuple[bytes, str, str], int] = {}
    kinds: dict[str, int] = {}  # the spellings of kinds and statuses repeat: read once each
    statuses: dict[str, int] = {}
    for row in rows:
        (trace_id, span_id, parent_id, state, name, kind, res, scope_name, scope_version,
         attrs_, start, duration, status, message, ev_times, ev_names, ev_attrs,
         ln_traces, ln_spans, ln_states, ln_attrs) = row
        key = (orjson.dumps(res, option=orjson.OPT_SORT_KEYS), scope_name, scope_version)
        group = groups.get(key)
        if group is None:
            scope = Scope(scope_name, scope_version, present=bool(scope_name))
            group = groups[key] = builder.add_group(Group(Resource(dict(res)), scope,
                                                          RECORD_ADAPTER))
        kind_number = kinds.get(kind)
        if kind_number is None:
            kind_number = kinds[kind] = SpanKind.parse(kind).number
        status_number = statuses.get(status)
        if status_number is None:
            status_number = statuses[status] = StatusCode.parse(status).number
        record = SpanRecord(
            name=name,
            kind=kind_number,
            attributes=attrs_,
            status_code=status_number,
            status_message=message,
            events=tuple(Event(n, t, a) for t, n, a in zip(ev_times, ev_names, ev_attrs,
                                                                 strict=False)),
            links=tuple(Link(t, s, st, a) for t, s, st, a in zip(
                ln_traces, ln_spans, ln_states, ln_attrs, strict=False)),
            trace_state=state,
        )
        start = int(start)
        builder.add_span(hex_id(trace_id, "TraceId"), hex_id(span_id, "SpanId"),
                         hex_id(parent_id, "ParentSpanId"), start, start + int(duration), record,
                         group)
    return builder.build()


def _texts(attributes: Iterable[tuple[str, AttrValue]]) -> dict[str, str]:
    return {k: text_form(v) for k, v in attributes}


def _seconds(ns: int) -> str:
    secs, frac = divmod(max(0, ns), 1_000_000_000)
    return f"{secs}.{frac:09d}"


def rows_of(trace: Trace) -> Iterator[bytes]:
    """The trace's spans as ``JSONEachRow`` lines of the exporter's columns."""
    index = trace.index
    synthetic = index.synthetic
    for span in trace:
        pos = span.position
        if pos in synthetic:
            continue
        adapter, raw = index.adapter_at(pos)
        parent = index.parent[pos]
        parent_id = "" if parent < 0 or parent in synthetic else index.span_ids[parent].hex()
        resource = span.resource.attributes
        scope = span.scope
        events = span.events
        links = span.links
        status, message = adapter.status(raw)
        row = {
            "Timestamp": _seconds(span.start_time_ns),
            "TraceId": span.trace_id,
            "SpanId": span.span_id,
            "ParentSpanId": parent_id,
            "TraceState": span.trace_state,
            "SpanName": span.name,
            "SpanKind": "SPAN_KIND_" + span.kind.name,
            "ServiceName": text_form(resource.get("service.name", "")),
            "ResourceAttributes": _texts(resource.items()),
            "ScopeName": scope.name if scope.present else "",
            "ScopeVersion": scope.version if scope.present else "",
            "SpanAttributes": _texts(adapter.attributes(raw).items()),
            "Duration": span.duration_ns,
            "StatusCode": StatusCode.from_otlp(status).otlp_name,
            "StatusMessage": message,
            "Events.Timestamp": [_seconds(e.time_ns) for e in events],
            "Events.Name": [e.name for e in events],
            "Events.Attributes": [_texts(e.attributes.items()) for e in events],
            "Links.TraceId": [link.trace_id for link in links],
            "Links.SpanId": [link.span_id for link in links],
            "Links.TraceState": [link.trace_state for link in links],
            "Links.Attributes": [_texts(link.attributes.items()) for link in links],
        }
        yield orjson.dumps(row)
