"""Cutting one export request into the spans of each trace it holds, as protobuf bytes.

An exporter's batch holds spans of many traces (one service serving many requests), and a
trace's spans come in many batches from many exporters.  The request is parsed with the OTLP
loader's lite schema (ids and a few fields decoded, the rest of each span kept as raw bytes), and
for each trace id its spans are written back as ``ResourceSpans`` messages (the resource and
scope of the batch, the spans' own bytes untouched): appended to a ``TracesData`` message they
load with the normal loader.  A ``ScopeSpans`` (or a whole ``ResourceSpans``) whose spans all
belong to one trace is re-serialised in one call.

A span whose trace id is not 16 bytes or is all zero, or whose span id is not 8 bytes or is all
zero, is rejected (counted, named in the message of the partial success), the others kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from operator import attrgetter
from typing import Any

import attrs

__all__ = ["Batch", "TracePart", "split", "traces_data"]

_ZERO_TRACE = bytes(16)
_ZERO_SPAN = bytes(8)
_ids = attrgetter("trace_id")
_sids = attrgetter("span_id")


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_SMALL = [_varint(n) for n in range(1 << 14)]  # the length prefixes of most spans


def _field(tag: bytes, payload: bytes) -> bytes:
    """A length-delimited field: its tag byte, the length, the payload."""
    n = len(payload)
    return tag + (_SMALL[n] if n < 16384 else _varint(n)) + payload


@attrs.frozen
class TracePart:
    """The spans of one trace in one request: ``chunks`` (serialized ``ResourceSpans``),
    ``spans`` (how many), ``services`` (the ``service.name`` of their resources)."""

    chunks: tuple[bytes, ...]
    spans: int
    services: tuple[str, ...]


@attrs.frozen
class Batch:
    """One request cut per trace (trace ids as 16 bytes, in order of first appearance), and
    what was rejected: ``rejected`` spans, ``reason`` in words (empty when none)."""

    parts: dict[bytes, TracePart]
    rejected: int = 0
    reason: str = ""

    @property
    def spans(self) -> int:
        """The spans accepted."""
        return sum(p.spans for p in self.parts.values())


def traces_data(chunks: Iterable[bytes]) -> bytes:
    """A serialized ``TracesData`` (or ``ExportTraceServiceRequest``) of ``ResourceSpans``."""
    return b"".join(_field(b"\x0a", c) for c in chunks)


def _service(rs: Any) -> str:
    for kv in rs.resource.attributes:
        if kv.key == "service.name":
            return str(kv.value.string_value)
    return ""


class _Rejects:
    def __init__(self) -> None:
        self.trace = 0
        self.span = 0

    def reason(self) -> str:
        words = []
        if self.trace:
            words.append(f"{self.trace} with an invalid trace id (not 16 bytes, or all zero)")
        if self.span:
            words.append(f"{self.span} with an invalid span id (not 8 bytes, or all zero)")
        return f"{self.trace + self.span} spans rejected: " + ", ".join(words) if words else ""


def _valid(tids: list[bytes], sids: list[bytes]) -> bool:
    """Whether every id is well formed (checked on the distinct values, in C loops)."""
    return (
        set(map(len, tids)) == {16}
        and _ZERO_TRACE not in tids
        and set(map(len, sids)) == {8}
        and _ZERO_SPAN not in sids
    )


def _keep(tids: list[bytes], sids: list[bytes], spans: list[Any], rejects: _Rejects) -> list[int]:
    """The positions of the spans with valid ids (the others counted in ``rejects``)."""
    keep = []
    for i, (t, s) in enumerate(zip(tids, sids, strict=True)):
        if len(t) != 16 or t == _ZERO_TRACE:
            rejects.trace += 1
        elif len(s) != 8 or s == _ZERO_SPAN:
            rejects.span += 1
        else:
            keep.append(i)
    return keep


def _scope_chunks(ss: Any, rejects: _Rejects) -> dict[bytes, tuple[bytes, int]]:
    """Per trace id: a serialized ``ScopeSpans`` with that trace's spans of ``ss``, and their
    number."""
    spans = list(ss.spans)
    if not spans:
        return {}
    tids = list(map(_ids, spans))
    sids = list(map(_sids, spans))
    if _valid(tids, sids):
        if len(set(tids)) == 1:
            return {tids[0]: (ss.SerializeToString(), len(spans))}
        keep: Iterable[int] = range(len(spans))
    else:
        keep = _keep(tids, sids, spans, rejects)
    groups: dict[bytes, list[bytes]] = {}
    for i in keep:
        data = _field(b"\x12", spans[i].SerializeToString())
        group = groups.get(tids[i])
        if group is None:
            groups[tids[i]] = [data]
        else:
            group.append(data)
    head = _field(b"\x0a", ss.scope.SerializeToString()) if ss.HasField("scope") else b""
    tail = _field(b"\x1a", ss.schema_url.encode("utf-8")) if ss.schema_url else b""
    return {t: (head + b"".join(g) + tail, len(g)) for t, g in groups.items()}


def split(data: bytes) -> Batch:
    """Cut a serialized ``ExportTraceServiceRequest`` per trace id."""
    from ..formats.otlp_proto import LiteTracesData

    msg = LiteTracesData.FromString(data)
    rejects = _Rejects()
    chunks: dict[bytes, list[bytes]] = {}
    counts: dict[bytes, int] = {}
    services: dict[bytes, dict[str, None]] = {}
    for rs in msg.resource_spans:
        service = _service(rs)
        before = rejects.trace + rejects.span
        per_trace: dict[bytes, list[bytes]] = {}
        for ss in chain(rs.scope_spans, rs.instrumentation_library_spans):
            for tid, (chunk, n) in _scope_chunks(ss, rejects).items():
                per_trace.setdefault(tid, []).append(chunk)
                counts[tid] = counts.get(tid, 0) + n
        if not per_trace:
            continue
        if len(per_trace) == 1 and rejects.trace + rejects.span == before:
            ((tid, _),) = per_trace.items()
            whole = [rs.SerializeToString()]
            per_trace = {tid: whole}
        else:
            head = _field(b"\x0a", rs.resource.SerializeToString()) if rs.HasField(
                "resource") else b""
            tail = _field(b"\x1a", rs.schema_url.encode("utf-8")) if rs.schema_url else b""
            per_trace = {
                t: [head + b"".join(_field(b"\x12", c) for c in cs) + tail]
                for t, cs in per_trace.items()
            }
        for tid, (chunk,) in per_trace.items():
            chunks.setdefault(tid, []).append(chunk)
            services.setdefault(tid, {})[service] = None
    parts = {
        t: TracePart(tuple(cs), counts[t], tuple(s for s in services[t] if s))
        for t, cs in chunks.items()
    }
    return Batch(parts, rejects.trace + rejects.span, rejects.reason())
