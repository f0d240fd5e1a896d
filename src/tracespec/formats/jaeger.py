"""Jaeger v1 JSON: the query API's ``{"data": [trace, ...]}`` and the UI's "download" file.

Each Jaeger span becomes a :class:`SpanRecord` the way Jaeger's own Jaeger → OTLP translator
reads it: trace ids of 16 hex characters are left-padded to 32; ``startTime`` and ``duration``
are microseconds; the parent is the first ``CHILD_OF`` reference within the trace, else
``parentSpanID``; every other reference (``FOLLOWS_FROM``, or into another trace) is a link; the
process (``serviceName`` + tags, by ``processID`` or inline ``process``) is the resource; the
tags ``span.kind``, ``otel.status_code``, ``otel.status_description``, ``error``,
``otel.scope.*``/``otel.library.*`` and ``w3c.tracestate`` become kind, status, scope and trace
state; logs become events (the ``event`` field names them).  Tags keep their types: ``int64``
(also when sent as a string), ``float64``, ``bool``, ``binary`` (base64) and ``string``.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from typing import Any

from ..trace import Link, SpanRecord, TraceBuilder
from ..trace.attrvalue import AttrValue
from ._records import GroupCache, hex_id, int_field, make_event, make_link, pop_otel_conventions

__all__ = ["load_document", "tag_value", "tags_to_dict"]


def tag_value(tag: dict[str, Any]) -> AttrValue | None:
    """The typed value of one Jaeger ``{key, type, value}`` tag (``None`` when unreadable)."""
    value = tag.get("value")
    if value is None:
        return None
    kind = tag.get("type")
    if not isinstance(kind, str):
        return _read_other(value)
    # Jaeger writes the type names in lower case: the exact name first spares a lower() call.
    read = _TAG_READERS.get(kind) or _TAG_READERS.get(kind.lower(), _read_other)
    return read(value)


def _read_int64(value: Any) -> AttrValue | None:
    """An integer (a bool or a whole float counts; a string that is no integer stays text)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return None


def _read_float64(value: Any) -> AttrValue | None:
    """A float from a number (not a bool); a string that is no number stays text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return None


def _read_bool(value: Any) -> AttrValue | None:
    """A bool, or the text ``true``/``false`` in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _read_binary(value: Any) -> AttrValue | None:
    """Bytes from base64 text, else from hex text; text that is neither stays text."""
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        try:
            return bytes.fromhex(value)
        except ValueError:
            return value


def _read_other(value: Any) -> AttrValue | None:
    """A ``string`` tag, or one of no or an unknown type: the JSON value as it is (a float
    that is not finite as its text)."""
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return None


# The reader of each Jaeger tag type, by its name in lower case (other names: _read_other).
_TAG_READERS: dict[str, Callable[[Any], AttrValue | None]] = {
    "int64": _read_int64,
    "float64": _read_float64,
    "bool": _read_bool,
    "binary": _read_binary,
    "string": _read_other,
}


def tags_to_dict(tags: Any) -> dict[str, AttrValue]:
    """A Jaeger tag list as a dict (malformed tags skipped, the last duplicate wins)."""
    out: dict[str, AttrValue] = {}
    if not isinstance(tags, list):
        return out
    for tag in tags:
        if isinstance(tag, dict):
            key = tag.get("key")
            if isinstance(key, str):
                value = tag_value(tag)
                if value is not None:
                    out[key] = value
    return out


def _traces_of(doc: Any, builder: TraceBuilder) -> list[tuple[Any, str]]:
    if isinstance(doc, dict):
        if "data" in doc:
            data = doc["data"]
            if data is None:
                data = []
            if not isinstance(data, list):
                raise builder.error("'data' must be a list of traces", builder.place("data"))
            if not data and doc.get("errors"):
                raise builder.error(
                    f"the document is an error response: {str(doc['errors'])[:200]}",
                    builder.place("errors"),
                )
            return [(t, f"data[{i}]") for i, t in enumerate(data)]
        if "spans" in doc:
            return [(doc, "")]
        raise builder.error("no Jaeger 'data' or 'spans' in the document", builder.place(""))
    if isinstance(doc, list):
        return [(t, f"[{i}]") for i, t in enumerate(doc)]
    raise builder.error("expected a Jaeger JSON object", builder.place(""))


def load_document(doc: Any, builder: TraceBuilder) -> None:
    """Read one parsed Jaeger v1 document into ``builder``."""
    groups = GroupCache(builder)
    for trace, tpath in _traces_of(doc, builder):
        if not isinstance(trace, dict):
            raise builder.error("a trace must be a JSON object", builder.place(tpath))
        processes = trace.get("processes")
        if not isinstance(processes, dict):
            processes = {}
        spans = trace.get("spans")
        if spans is None:
            continue
        if not isinstance(spans, list):
            raise builder.error("'spans' must be a list", builder.place(f"{tpath}.spans"))
        resources: dict[str, dict[str, AttrValue]] = {}
        for k, span in enumerate(spans):
            _load_span(span, processes, resources, groups, builder, f"{tpath}.spans[{k}]")


def _resource_of(process: Any) -> dict[str, AttrValue]:
    if not isinstance(process, dict):
        return {}
    res = tags_to_dict(process.get("tags"))
    service = process.get("serviceName")
    if isinstance(service, str):
        res["service.name"] = service
    return res


def _load_span(
    span: Any,
    processes: dict[str, Any],
    resources: dict[str, dict[str, AttrValue]],
    groups: GroupCache,
    builder: TraceBuilder,
    path: str,
) -> None:
    place = builder.place(path) or path
    if not isinstance(span, dict):
        raise builder.error("a span must be a JSON object", place)
    trace_id = hex_id(span.get("traceID"), 16, builder, f"{place}.traceID", what="traceID")
    span_id = hex_id(span.get("spanID"), 8, builder, f"{place}.spanID", what="spanID")
    parent = b""
    links: list[Link] = []
    refs = span.get("references")
    if isinstance(refs, list):
        for r, ref in enumerate(refs):
            if not isinstance(ref, dict):
                continue
            rplace = f"{place}.references[{r}]"
            ref_trace = (
                hex_id(ref.get("traceID"), 16, builder, rplace, what="traceID", required=False)
                or trace_id
            )
            ref_span = hex_id(ref.get("spanID"), 8, builder, rplace, what="spanID")
            ref_type = str(ref.get("refType", "CHILD_OF")).upper()
            if not parent and ref_type == "CHILD_OF" and ref_trace == trace_id:
                parent = ref_span
            else:
                links.append(
                    make_link(ref_trace, ref_span, "", {"opentracing.ref_type": ref_type.lower()})
                )
    if not parent:
        pid = span.get("parentSpanID")
        if pid not in (None, "", "0", "0000000000000000"):
            parent = hex_id(pid, 8, builder, f"{place}.parentSpanID", what="parentSpanID")
    start_us = int_field(span.get("startTime"), builder, f"{place}.startTime", what="startTime")
    dur_us = int_field(span.get("duration"), builder, f"{place}.duration", what="duration")
    attrs = tags_to_dict(span.get("tags"))
    kind, code, message, scope = pop_otel_conventions(attrs, kind_tag=True)
    trace_state = attrs.pop("w3c.tracestate", "")
    events = []
    logs = span.get("logs")
    if isinstance(logs, list):
        for log in logs:
            if not isinstance(log, dict):
                continue
            fields = tags_to_dict(log.get("fields"))
            name = fields.pop("event", "")
            ts = log.get("timestamp")
            t_us = ts if isinstance(ts, int) and not isinstance(ts, bool) else 0
            events.append(make_event(str(name), t_us * 1000, fields))
    proc_key = span.get("processID")
    if isinstance(proc_key, str) and proc_key in processes:
        resource = resources.get(proc_key)
        if resource is None:
            resource = resources[proc_key] = _resource_of(processes[proc_key])
    else:
        resource = _resource_of(span.get("process"))
    flags = span.get("flags")
    record = SpanRecord(
        name=str(span.get("operationName") or ""),
        kind=kind if kind is not None else 0,
        attributes=attrs,
        status_code=code,
        status_message=message,
        events=tuple(events),
        links=tuple(links),
        trace_state=trace_state if isinstance(trace_state, str) else "",
        flags=flags if isinstance(flags, int) and not isinstance(flags, bool) else 0,
    )
    start = start_us * 1000
    builder.add_span(
        trace_id,
        span_id,
        parent,
        start,
        start + max(0, dur_us) * 1000,
        record,
        groups.group(resource, scope),
    )
