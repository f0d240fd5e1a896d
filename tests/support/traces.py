"""The one trace builder of the tests: small traces from plain dicts, through the OTLP JSON loader.

``make_trace`` takes the spans either as a list (``parent`` is the index of the parent span; by
default the first span, which is the root) or as a tree (``children`` nested in their parent).
A span is a dict with optional ``name``, ``kind`` (``"server"``...; default ``"internal"``),
``attributes`` (JSON values, written by ``otlp_value``) and ``duration_ns`` (default 1ms).
Span ids are ``0000000000000001``, ``...02``, ... in list order (pre-order for a tree) and the
spans start one microsecond apart in that order, so that siblings keep the order written.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from typing import Any

import tracespec

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
T0 = 1_700_000_000_000_000_000
KINDS = {"unspecified": 0, "internal": 1, "server": 2, "client": 3, "producer": 4,
         "consumer": 5}


def otlp_value(v: Any) -> dict[str, Any]:
    """A JSON value as an OTLP AnyValue; ``{"$bytes": b64}`` and ``{"$double": "NaN"}`` too."""
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        if not math.isfinite(v):  # as the protobuf JSON mapping writes them (JSON has none)
            return {"doubleValue": "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")}
        return {"doubleValue": v}
    if isinstance(v, bytes):
        return {"bytesValue": base64.b64encode(v).decode()}
    if isinstance(v, list | tuple):
        return {"arrayValue": {"values": [otlp_value(x) for x in v]}}
    if isinstance(v, dict):
        if "$bytes" in v:
            return {"bytesValue": v["$bytes"]}
        if "$double" in v:
            return {"doubleValue": v["$double"]}
        return {"kvlistValue": {"values": [{"key": k, "value": otlp_value(x)}
                                           for k, x in v.items()]}}
    return {"stringValue": v}


def _flatten(tree: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A span tree as a list in pre-order, each span naming its parent's index."""
    out: list[dict[str, Any]] = []

    def add(node: Mapping[str, Any], parent: int | None) -> None:
        i = len(out)
        out.append({**{k: v for k, v in node.items() if k != "children"}, "parent": parent})
        for child in node.get("children", []):
            add(child, i)

    add(tree, None)
    return out


def make_trace(spans: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> tracespec.Trace:
    """A trace of the given spans: a list (``parent``: index, default 0) or a tree."""
    flat = _flatten(spans) if isinstance(spans, Mapping) else list(spans)
    out = []
    for i, s in enumerate(flat):
        start = T0 + i * 1000
        span: dict[str, Any] = {
            "traceId": TRACE_ID,
            "spanId": f"{i + 1:016x}",
            "name": s.get("name", f"span {i}"),
            "kind": KINDS[s.get("kind", "internal")],
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(start + s.get("duration_ns", 1_000_000)),
            "attributes": [{"key": k, "value": otlp_value(v)}
                           for k, v in s.get("attributes", {}).items()],
        }
        parent = s.get("parent", 0) if i > 0 else None
        if parent is not None:
            span["parentSpanId"] = f"{parent + 1:016x}"
        out.append(span)
    doc = {"resourceSpans": [{"resource": {"attributes": []},
                              "scopeSpans": [{"spans": out}]}]}
    return tracespec.load_trace(doc)
