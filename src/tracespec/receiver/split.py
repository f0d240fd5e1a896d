"""Cutting one export request into the spans of each trace it holds, as protobuf bytes.

An exporter's batch holds spans of many traces (one service serving many requests), and a
trace's spans come in many batches from many exporters.  For each trace id of a request its
spans are written back as ``ResourceSpans`` messages (the resource and scope of the batch, the
spans' own bytes untouched): appended to a ``TracesData`` message they load with the normal
loader.

Two ways, the same result.  The fast one parses the request with a *raw schema* (resources,
scopes and spans as ``bytes``: no message per span) and reads each span's ids at their
canonical place (every OTLP encoder writes ``trace_id`` then ``span_id`` first); spans are then
grouped by trace id with C loops only (a stable sort by trace id and ``groupby``), each group's
bytes joined once.  A request whose spans are not all so written (or have invalid ids) goes the
general way: the OTLP loader's lite schema reads the ids wherever they are, span by span.  A
``ScopeSpans`` (or a whole ``ResourceSpans``) whose spans all belong to one trace is kept in
one piece.

A span whose trace id is not 16 bytes or is all zero, or whose span id is not 8 bytes or is all
zero, is rejected (counted, named in the message of the partial success), the others kept.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from itertools import chain, groupby
from operator import attrgetter, itemgetter
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
_SPAN_FIELD = [b"\x12" + v for v in _SMALL]  # the tag and length of a span in ScopeSpans


def _field(tag: bytes, payload: bytes) -> bytes:
    """A length-delimited field: its tag byte, the length, the payload."""
    n = len(payload)
    return tag + (_SMALL[n] if n < 16384 else _varint(n)) + payload


#: One trace's share of a request: its serialized ``ResourceSpans`` chunks, how many spans they
#: hold, the ``service.name`` of their resources (a list, in order, without repeats).
TracePart = tuple[list[bytes], int, list[str]]


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
        return sum(p[1] for p in self.parts.values())


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


def _keep(tids: list[bytes], sids: list[bytes], rejects: _Rejects) -> list[int]:
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
    else:
        keep = _keep(tids, sids, rejects)
        spans = [spans[i] for i in keep]
        tids = [tids[i] for i in keep]
    groups: dict[bytes, list[bytes]] = {}
    small = _SMALL
    for tid, data in zip(tids, [s.SerializeToString() for s in spans], strict=True):
        n = len(data)
        field = b"\x12" + (small[n] if n < 16384 else _varint(n)) + data
        group = groups.get(tid)
        if group is None:
            groups[tid] = [field]
        else:
            group.append(field)
    head = _field(b"\x0a", ss.scope.SerializeToString()) if ss.HasField("scope") else b""
    tail = _field(b"\x1a", ss.schema_url.encode("utf-8")) if ss.schema_url else b""
    return {t: (b"".join([head, *g, tail]), len(g)) for t, g in groups.items()}


def _add(parts: dict[bytes, TracePart], tid: bytes, chunk: bytes, n: int, service: str) -> None:
    part = parts.get(tid)
    if part is None:
        parts[tid] = ([chunk], n, [service] if service else [])
        return
    part[0].append(chunk)
    if service and service not in part[2]:
        part[2].append(service)
    parts[tid] = (part[0], part[1] + n, part[2])


def _resource_chunks(rs: Any, rejects: _Rejects, parts: dict[bytes, TracePart]) -> None:
    """Add the spans of one ``ResourceSpans`` to ``parts``, one chunk per trace."""
    service = _service(rs)
    before = rejects.trace + rejects.span
    scopes = [_scope_chunks(ss, rejects)
              for ss in chain(rs.scope_spans, rs.instrumentation_library_spans)]
    scopes = [sc for sc in scopes if sc]
    if not scopes:
        return
    if len(scopes) == 1 and len(scopes[0]) == 1 and rejects.trace + rejects.span == before:
        ((tid, (_, n)),) = scopes[0].items()  # the whole resource is one trace's
        _add(parts, tid, rs.SerializeToString(), n, service)
        return
    head = _field(b"\x0a", rs.resource.SerializeToString()) if rs.HasField("resource") else b""
    tail = _field(b"\x1a", rs.schema_url.encode("utf-8")) if rs.schema_url else b""
    _add_scopes(parts, scopes, head, tail, service)


def _raw_schema() -> Any:
    """``ExportTraceServiceRequest`` with resources, scopes and spans left as bytes (proto2:
    whether a resource or scope is present is kept)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    f = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(
        name="tracespec/receiver_raw.proto", package="tracespec.rxraw", syntax="proto2")
    rep, opt = f.LABEL_REPEATED, f.LABEL_OPTIONAL
    for name, fields in (
        ("ScopeSpans", [("scope", 1, f.TYPE_BYTES, opt, None),
                        ("spans", 2, f.TYPE_BYTES, rep, None),
                        ("schema_url", 3, f.TYPE_BYTES, opt, None)]),
        ("ResourceSpans", [("resource", 1, f.TYPE_BYTES, opt, None),
                           ("scope_spans", 2, f.TYPE_MESSAGE, rep, ".tracespec.rxraw.ScopeSpans"),
                           ("schema_url", 3, f.TYPE_BYTES, opt, None),
                           ("instrumentation_library_spans", 1000, f.TYPE_MESSAGE, rep,
                            ".tracespec.rxraw.ScopeSpans")]),
        ("Request", [("resource_spans", 1, f.TYPE_MESSAGE, rep,
                      ".tracespec.rxraw.ResourceSpans")]),
    ):
        m = fdp.message_type.add(name=name)
        for fname, number, ftype, label, type_name in fields:
            fd = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = type_name
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(fdp.name)
    except KeyError:
        pool.AddSerializedFile(fdp.SerializeToString())
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("tracespec.rxraw.Request"))


_RAW: list[Any] = []  # the raw schema's request class, made on first use
_RAW_LOCK = threading.Lock()
_SERVICES: dict[bytes, str] = {}  # a resource's bytes → its service.name (few distinct)
#: A span written canonically starts with its trace id (tag 0x0a, 16 bytes) then its span id
#: (tag 0x12, 8 bytes): the four bytes at 0, 1, 18 and 19 say so.
_layout_of = itemgetter(0, 1, 18, 19)
_CANONICAL = {(0x0A, 16, 0x12, 8)}
_trace_of = itemgetter(slice(2, 18))
_span_of = itemgetter(slice(20, 28))


def _raw_service(resource: bytes) -> str:
    service = _SERVICES.get(resource)
    if service is None:
        from opentelemetry.proto.resource.v1.resource_pb2 import Resource

        service = ""
        for kv in Resource.FromString(resource).attributes:
            if kv.key == "service.name":
                service = str(kv.value.string_value)
        if len(_SERVICES) < 1024:
            _SERVICES[resource] = service
    return service


def _raw_scope(ss: Any) -> dict[bytes, tuple[bytes, int]] | None:
    """Per trace id, a serialized ``ScopeSpans`` of its spans (``None``: a span not written
    canonically, or with an id that is all zero)."""
    spans = list(ss.spans)
    n = len(spans)
    if not n:
        return {}
    try:
        if set(map(_layout_of, spans)) != _CANONICAL:
            return None
    except IndexError:  # a span of fewer than 20 bytes: no ids where they are written
        return None
    tids = list(map(_trace_of, spans))
    order = dict.fromkeys(tids)
    if _ZERO_TRACE in order or _ZERO_SPAN in set(map(_span_of, spans)):
        return None
    if len(order) == 1:
        return {tids[0]: (ss.SerializeToString(), n)}
    try:
        fields = list(map(bytes.__add__, map(_SPAN_FIELD.__getitem__, map(len, spans)), spans))
    except IndexError:  # a span of 16 KiB or more
        return None
    head = _field(b"\x0a", ss.scope) if ss.HasField("scope") else b""
    tail = _field(b"\x1a", ss.schema_url) if ss.schema_url else b""
    key = tids.__getitem__
    pick = fields.__getitem__
    groups = {}
    for tid, positions in groupby(sorted(range(n), key=key), key=key):
        chunk = [head, *map(pick, positions), tail]
        groups[tid] = (b"".join(chunk), len(chunk) - 2)
    return {tid: groups[tid] for tid in order}


def _split_raw(data: bytes) -> dict[bytes, TracePart] | None:
    """The fast way (``None`` when some span must go the general way)."""
    if not _RAW:
        with _RAW_LOCK:
            if not _RAW:
                _RAW.append(_raw_schema())
    parts: dict[bytes, TracePart] = {}
    for rs in _RAW[0].FromString(data).resource_spans:
        if rs.instrumentation_library_spans:
            return None
        scopes = []
        for ss in rs.scope_spans:
            sc = _raw_scope(ss)
            if sc is None:
                return None
            if sc:
                scopes.append(sc)
        if not scopes:
            continue
        service = _raw_service(rs.resource) if rs.HasField("resource") else ""
        if len(scopes) == 1 and len(scopes[0]) == 1:
            ((tid, (_, n)),) = scopes[0].items()  # the whole resource is one trace's
            _add(parts, tid, rs.SerializeToString(), n, service)
            continue
        head = _field(b"\x0a", rs.resource) if rs.HasField("resource") else b""
        tail = _field(b"\x1a", rs.schema_url) if rs.schema_url else b""
        _add_scopes(parts, scopes, head, tail, service)
    return parts


def _add_scopes(parts: dict[bytes, TracePart], scopes: list[dict[bytes, tuple[bytes, int]]],
                head: bytes, tail: bytes, service: str) -> None:
    """Add one resource's scope chunks to ``parts``, one ``ResourceSpans`` per trace."""
    if len(scopes) == 1:
        for tid, (chunk, n) in scopes[0].items():
            _add(parts, tid, b"".join([head, _field(b"\x12", chunk), tail]), n, service)
        return
    per_trace: dict[bytes, tuple[list[bytes], int]] = {}
    for sc in scopes:
        for tid, (chunk, n) in sc.items():
            got = per_trace.get(tid)
            if got is None:
                per_trace[tid] = ([_field(b"\x12", chunk)], n)
            else:
                got[0].append(_field(b"\x12", chunk))
                per_trace[tid] = (got[0], got[1] + n)
    for tid, (chunks, n) in per_trace.items():
        _add(parts, tid, b"".join([head, *chunks, tail]), n, service)


def split(data: bytes) -> Batch:
    """Cut a serialized ``ExportTraceServiceRequest`` per trace id."""
    from ..formats._lite import LiteTracesData

    fast = _split_raw(data)
    if fast is not None:
        return Batch(fast)
    msg = LiteTracesData.FromString(data)
    rejects = _Rejects()
    parts: dict[bytes, TracePart] = {}
    for rs in msg.resource_spans:
        _resource_chunks(rs, rejects, parts)
    return Batch(parts, rejects.trace + rejects.span, rejects.reason())
