"""A trace as the compact data the HTML report and the explorer embed: columns, tables, one string.

A page must open a 100,000-span trace quickly, so the trace is not a list of span objects: the
numbers of every span (its parent, start, duration, name, resource group, kind, status, span
type, attributes) are one string of base-64 variable-length integers (``vlq``, 1 character per
5 bits, the continuation in the 6th: small numbers take one character), names and attribute
keys are indexes into ``strings``, attribute values indexes into ``values`` (each distinct
value once; a value's first use is written ``0``, "the next new value", so values seen once
cost one character), span ids one hexadecimal string (16 characters a span), times in
nanoseconds relative to the parent's start.  Per span, in order:

    parent delta (position - parent position; 0 for the root), start - parent start (zigzag:
    a child may start before its parent), duration, name, group, kind | status << 3 |
    type << 5, attribute count, then (key, value reference) pairs

``groups`` holds each resource and scope once (the service, their attributes); ``extra``,
by position, what few spans have: a status message, events, links, a trace state.  The page
(``html_assets/report.js``) decodes it in one pass.
"""

from __future__ import annotations

import json
from typing import Any

from ..trace import AttrValue, Trace
from ..trace.attrvalue import to_json_compatible
from ..trace.model import SpanKind, StatusCode

__all__ = ["SPAN_TYPES", "script_json", "trace_data"]

#: ``tracetest.span.type`` values, by their number in the data (anything else reads general).
SPAN_TYPES = ("general", "http", "database", "messaging", "rpc", "faas", "exception")
_TYPE_NUMBER = {name: i for i, name in enumerate(SPAN_TYPES)}
_KIND_NUMBER = {kind: i for i, kind in enumerate(SpanKind)}
_STATUS_NUMBER = {code: i for i, code in enumerate(StatusCode)}
_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#: The digits of 0..31 (no continuation) and of 32..63 (continuation): text per 5 bits.
_LAST = _DIGITS[:32]
_MORE = _DIGITS[32:]


def _vlq(value: int, out: list[str]) -> None:
    """A non-negative integer as base-64 digits, lowest 5 bits first."""
    while value >= 32:
        out.append(_MORE[value & 31])
        value >>= 5
    out.append(_LAST[value])


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


class _Tables:
    """The string and value tables of one trace."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._string_at: dict[str, int] = {}
        self.values: list[Any] = []
        self._value_at: dict[object, int] = {}

    def string(self, text: str) -> int:
        found = self._string_at.get(text)
        if found is None:
            found = self._string_at[text] = len(self.strings)
            self.strings.append(text)
        return found

    def value(self, value: AttrValue) -> int:
        """The value's reference: 0 for a value not seen before (now added), else 1 + index."""
        key: object = value if type(value) is str else (type(value).__name__, repr(value))
        found = self._value_at.get(key)
        if found is not None:
            return found + 1
        self._value_at[key] = len(self.values)
        self.values.append(to_json_compatible(value))
        return 0


def _extra(trace: Trace, pos: int, message: str, t0: int) -> dict[str, Any] | None:
    index = trace.index
    adapter, raw = index.adapter_at(pos)
    out: dict[str, Any] = {}
    if message:
        out["status"] = message
    events = adapter.events(raw)
    if events:
        out["events"] = [[e.name, str(e.time_ns - t0),
                          {k: to_json_compatible(v) for k, v in e.attributes.items()}]
                         for e in events]
    links = adapter.links(raw)
    if links:
        out["links"] = [[link.trace_id, link.span_id,
                         {k: to_json_compatible(v) for k, v in link.attributes.items()}]
                        for link in links]
    state = adapter.trace_state(raw)
    if state:
        out["traceState"] = state
    return out or None


def _groups(trace: Trace) -> list[dict[str, Any]]:
    out = []
    for group, context in zip(trace.index.groups, trace.index.contexts(), strict=True):
        service = context.get("service.name")
        out.append({
            "service": "" if service is None else str(service),
            "resource": {k: to_json_compatible(v) for k, v in group.resource.attributes.items()},
            "scope": [group.scope.name, group.scope.version],
            "scopeAttributes": {k: to_json_compatible(v)
                                for k, v in group.scope.attributes.items()},
        })
    return out


def trace_data(trace: Trace, *, source: str | None = None) -> dict[str, Any]:
    """The compact data of ``trace`` (the module's docstring), ready for ``json.dumps``."""
    index = trace.index
    n = index.n
    tables = _Tables()
    string, value = tables.string, tables.value
    types = index.types()
    names = index.names()
    starts, ends, parents = index.start_ns, index.end_ns, index.parent
    t0 = starts[0] if n else 0
    out: list[str] = []
    extra: dict[str, Any] = {}
    kind_number = _KIND_NUMBER
    for pos in range(n):
        adapter, raw = index.adapter_at(pos)
        parent = parents[pos]
        start = starts[pos]
        _vlq(pos - parent if parent >= 0 else 0, out)
        _vlq(_zigzag(start - (starts[parent] if parent >= 0 else t0)), out)
        _vlq(max(0, ends[pos] - start), out)
        _vlq(string(names[pos]), out)
        _vlq(index.group_of[pos], out)
        code, message = index.status_at(pos)
        kind = kind_number[SpanKind.from_otlp(adapter.kind(raw))]
        _vlq(kind | _STATUS_NUMBER[code] << 3 | _TYPE_NUMBER.get(types[pos], 0) << 5, out)
        attributes = adapter.attributes(raw)
        _vlq(len(attributes), out)
        for key, item in attributes.items():
            _vlq(string(key), out)
            _vlq(value(item), out)
        more = _extra(trace, pos, message, t0)
        if more is not None:
            extra[str(pos)] = more
    return {
        "traceId": trace.trace_id,
        "source": source or trace.source or "",
        "n": n,
        "t0": str(t0),
        "ids": b"".join(index.span_ids).hex(),
        "synthetic": sorted(index.synthetic),
        "strings": tables.strings,
        "values": tables.values,
        "groups": _groups(trace),
        "vlq": "".join(out),
        "extra": extra,
        "repairs": [str(r) for r in trace.repairs],
        "kinds": [k.value for k in SpanKind],
        "statuses": [c.otlp_name for c in StatusCode],
        "types": list(SPAN_TYPES),
    }


def script_json(data: object) -> str:
    """``data`` as JSON safe inside ``<script type="application/json">``: ``<``, ``>``, ``&``
    and the two JavaScript line separators escaped, so no text of the trace ends the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
