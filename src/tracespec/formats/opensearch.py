"""OpenSearch Data Prepper span documents (the ``otel-v1-apm-span-*`` indexes).

Accepted: a bare JSON array of documents, a single document, an ``_search`` response
(``hits.hits[]._source``), or JSON Lines of either.  A document is one span: ``traceId``,
``spanId``, ``parentSpanId`` (``""`` for roots), ``name``, ``kind`` (``SPAN_KIND_SERVER``),
``startTime``/``endTime`` (ISO-8601 with up to nanoseconds; ``durationInNanos`` gives the end
when ``endTime`` is missing), ``status.code`` (int) and ``status.message`` (flattened or
nested), nested ``events`` and ``links``, ``serviceName``, and the attributes flattened as
``span.attributes.<key>`` and ``resource.attributes.<key>`` with every ``.`` of the key written
``@`` — turned back into ``.`` here (a key that really held ``@`` cannot be told apart; the
reference reverses it the same way).  Attribute values keep their JSON types.
"""

from __future__ import annotations

from typing import Any

from ..errors import TraceLoadError
from ..trace import Event, Link, SpanKind, SpanRecord, StatusCode, TraceBuilder
from ..trace.attrvalue import AttrValue, ValueTooDeepError
from ._records import (
    GroupCache,
    hex_id,
    int_field,
    iso_time_ns,
    json_attr,
    make_event,
    make_link,
)

__all__ = ["load_document"]

_SPAN_PREFIX = "span.attributes."
_RESOURCE_PREFIX = "resource.attributes."


def _documents(doc: Any, builder: TraceBuilder) -> list[tuple[Any, str]]:
    if isinstance(doc, dict):
        hits = doc.get("hits")
        if isinstance(hits, dict):
            inner = hits.get("hits")
            if not isinstance(inner, list):
                raise builder.error("'hits.hits' must be a list", builder.place("hits.hits"))
            return [
                (h.get("_source") if isinstance(h, dict) else h, f"hits.hits[{i}]._source")
                for i, h in enumerate(inner)
            ]
        return [(doc, "")]
    if isinstance(doc, list):
        return [
            (
                d["_source"] if isinstance(d, dict) and isinstance(d.get("_source"), dict) else d,
                f"[{i}]",
            )
            for i, d in enumerate(doc)
        ]
    raise builder.error("expected OpenSearch span documents", builder.place(""))


def _unflatten_key(key: str) -> str:
    return key.replace("@", ".")


def _nested_attrs(value: Any) -> dict[str, AttrValue]:
    out: dict[str, AttrValue] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            a = json_attr(v)
            if a is not None:
                out[_unflatten_key(str(k))] = a
    return out


def load_document(doc: Any, builder: TraceBuilder) -> None:
    """Read OpenSearch span documents (any accepted envelope) into ``builder``."""
    groups = GroupCache(builder)
    for d, path in _documents(doc, builder):
        _load_one(d, groups, builder, builder.place(path) or "document")


def _status(d: dict[str, Any]) -> tuple[int, str]:
    code: Any = d.get("status.code")
    message: Any = d.get("status.message")
    st = d.get("status")
    if isinstance(st, dict):
        code = st.get("code", code)
        message = st.get("message", message)
    return StatusCode.parse(code).number, message if isinstance(message, str) else ""


def _load_one(d: Any, groups: GroupCache, builder: TraceBuilder, place: str) -> None:
    if not isinstance(d, dict):
        raise builder.error("a span document must be a JSON object", place)
    trace_id = hex_id(d.get("traceId"), 16, builder, f"{place}.traceId", what="traceId")
    span_id = hex_id(d.get("spanId"), 8, builder, f"{place}.spanId", what="spanId")
    parent = hex_id(
        d.get("parentSpanId"),
        8,
        builder,
        f"{place}.parentSpanId",
        what="parentSpanId",
        required=False,
    )
    start, end = _times(d, builder, place)
    try:
        attrs, resource = _attributes(d)
    except ValueTooDeepError as exc:
        raise builder.error(f"an attribute value is {exc}", place) from None
    code, message = _status(d)
    ts = d.get("traceState")
    record = SpanRecord(
        name=str(d.get("name") or ""),
        kind=SpanKind.parse(d.get("kind")).number,
        attributes=attrs,
        status_code=code,
        status_message=message,
        events=_events(d.get("events"), builder, place),
        links=_links(d.get("links"), builder, place),
        trace_state=ts if isinstance(ts, str) else "",
    )
    group = groups.group(resource, _scope(d))
    builder.add_span(trace_id, span_id, parent, start, end, record, group)


def _times(d: dict[str, Any], builder: TraceBuilder, place: str) -> tuple[int, int]:
    """Start and end (from ``endTime``, else ``startTime`` + ``durationInNanos``)."""
    start = iso_time_ns(d.get("startTime"), builder, f"{place}.startTime", what="startTime")
    if d.get("endTime") is not None:
        return start, iso_time_ns(d.get("endTime"), builder, f"{place}.endTime", what="endTime")
    dur = int_field(
        d.get("durationInNanos"), builder, f"{place}.durationInNanos", what="durationInNanos"
    )
    return start, start + max(0, dur)


def _attributes(d: dict[str, Any]) -> tuple[dict[str, AttrValue], dict[str, AttrValue]]:
    """The span's and the resource's attributes, flattened or nested."""
    attrs: dict[str, AttrValue] = {}
    resource: dict[str, AttrValue] = {}
    for k, v in d.items():
        if k.startswith(_SPAN_PREFIX):
            a = json_attr(v)
            if a is not None:
                attrs[_unflatten_key(k[len(_SPAN_PREFIX) :])] = a
        elif k.startswith(_RESOURCE_PREFIX):
            a = json_attr(v)
            if a is not None:
                resource[_unflatten_key(k[len(_RESOURCE_PREFIX) :])] = a
    # nested forms some pipelines write: {"span": {"attributes": {...}}}, {"resource": {...}}
    for container, target in (("span", attrs), ("resource", resource)):
        c = d.get(container)
        if isinstance(c, dict):
            target.update(_nested_attrs(c.get("attributes")))
    if "attributes" in d and isinstance(d["attributes"], dict):
        attrs.update(_nested_attrs(d["attributes"]))
    service = d.get("serviceName")
    if isinstance(service, str) and service:
        resource.setdefault("service.name", service)
    return attrs, resource


def _events(raw_events: Any, builder: TraceBuilder, place: str) -> tuple[Event, ...]:
    if not isinstance(raw_events, list):
        return ()
    events = []
    for e in raw_events:
        if not isinstance(e, dict):
            continue
        try:
            t = iso_time_ns(e.get("time"), builder, place, what="event time")
        except TraceLoadError:  # a bad event time is not worth failing the trace
            t = 0
        events.append(make_event(str(e.get("name") or ""), t, _nested_attrs(e.get("attributes"))))
    return tuple(events)


def _links(raw_links: Any, builder: TraceBuilder, place: str) -> tuple[Link, ...]:
    if not isinstance(raw_links, list):
        return ()
    links = []
    for li, lk in enumerate(raw_links):
        if not isinstance(lk, dict):
            continue
        lplace = f"{place}.links[{li}]"
        ltid = hex_id(lk.get("traceId"), 16, builder, lplace, what="traceId", required=False)
        lsid = hex_id(lk.get("spanId"), 8, builder, lplace, what="spanId", required=False)
        links.append(
            make_link(ltid, lsid, lk.get("traceState"), _nested_attrs(lk.get("attributes")))
        )
    return tuple(links)


def _scope(d: dict[str, Any]) -> tuple[str, str] | None:
    sc = d.get("instrumentationScope")
    sc_name = d.get("instrumentationScope.name")
    if isinstance(sc, dict) and isinstance(sc.get("name"), str):
        return sc["name"], str(sc.get("version") or "")
    if isinstance(sc_name, str):
        return sc_name, str(d.get("instrumentationScope.version") or "")
    return None
