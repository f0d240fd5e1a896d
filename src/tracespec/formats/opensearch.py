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

from types import MappingProxyType
from typing import Any

from .._build import TraceBuilder
from ..attrvalue import AttrValue
from ..errors import TraceLoadError
from ..trace import Event, Link, SpanRecord
from ._records import (
    GroupCache,
    add_span,
    hex_id,
    int_field,
    iso_time_ns,
    json_attr,
    kind_from_text,
    status_from_text,
)

__all__ = ["load_document"]

_SPAN_PREFIX = "span.attributes."
_RESOURCE_PREFIX = "resource.attributes."


def _where(builder: TraceBuilder, path: str) -> str:
    line = builder.places[0] if builder.places else None
    return f"{line}, {path}" if line and path else (line or path)


def _documents(doc: Any, builder: TraceBuilder) -> list[tuple[Any, str]]:
    if isinstance(doc, dict):
        hits = doc.get("hits")
        if isinstance(hits, dict):
            inner = hits.get("hits")
            if not isinstance(inner, list):
                raise builder.error("'hits.hits' must be a list", _where(builder, "hits.hits"))
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
    raise builder.error("expected OpenSearch span documents", _where(builder, "") or None)


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
        _load_one(d, groups, builder, _where(builder, path) or "document")


def _status(d: dict[str, Any]) -> tuple[int, str]:
    code: Any = d.get("status.code")
    message: Any = d.get("status.message")
    st = d.get("status")
    if isinstance(st, dict):
        code = st.get("code", code)
        message = st.get("message", message)
    if isinstance(code, str):
        code = status_from_text(code)
    if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 2:
        code = 0
    return code, message if isinstance(message, str) else ""


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
    start = iso_time_ns(d.get("startTime"), builder, f"{place}.startTime", what="startTime")
    if d.get("endTime") is not None:
        end = iso_time_ns(d.get("endTime"), builder, f"{place}.endTime", what="endTime")
    else:
        dur = int_field(
            d.get("durationInNanos"), builder, f"{place}.durationInNanos", what="durationInNanos"
        )
        end = start + max(0, dur)
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
    code, message = _status(d)
    events = []
    raw_events = d.get("events")
    if isinstance(raw_events, list):
        for e in raw_events:
            if not isinstance(e, dict):
                continue
            try:
                t = iso_time_ns(e.get("time"), builder, place, what="event time")
            except TraceLoadError:  # a bad event time is not worth failing the trace
                t = 0
            events.append(
                Event(
                    str(e.get("name") or ""),
                    t,
                    MappingProxyType(_nested_attrs(e.get("attributes"))),
                )
            )
    links = []
    raw_links = d.get("links")
    if isinstance(raw_links, list):
        for li, lk in enumerate(raw_links):
            if not isinstance(lk, dict):
                continue
            lplace = f"{place}.links[{li}]"
            ltid = hex_id(lk.get("traceId"), 16, builder, lplace, what="traceId", required=False)
            lsid = hex_id(lk.get("spanId"), 8, builder, lplace, what="spanId", required=False)
            ts = lk.get("traceState")
            links.append(
                Link(
                    ltid.hex(),
                    lsid.hex(),
                    ts if isinstance(ts, str) else "",
                    MappingProxyType(_nested_attrs(lk.get("attributes"))),
                )
            )
    scope = None
    sc = d.get("instrumentationScope")
    sc_name = d.get("instrumentationScope.name")
    if isinstance(sc, dict) and isinstance(sc.get("name"), str):
        scope = (sc["name"], str(sc.get("version") or ""))
    elif isinstance(sc_name, str):
        scope = (sc_name, str(d.get("instrumentationScope.version") or ""))
    ts = d.get("traceState")
    record = SpanRecord(
        name=str(d.get("name") or ""),
        kind=kind_from_text(d.get("kind"))
        if not isinstance(d.get("kind"), int)
        else int(d["kind"]),
        attributes=attrs,
        status_code=code,
        status_message=message,
        events=tuple(events),
        links=tuple(links),
        trace_state=ts if isinstance(ts, str) else "",
    )
    add_span(builder, trace_id, span_id, parent, start, end, record, groups.group(resource, scope))
