"""OTLP protobuf: ``TracesData`` / ``ExportTraceServiceRequest`` and the collector's records.

Speed and memory come from a *lite schema*: a message set wire-compatible with OTLP's in which a
span's attributes, events and links are declared as ``repeated bytes``.  upb (the C protobuf
backend) then parses a file without building a message per attribute, and tracespec reads only
ids, parent ids and times up front.  A span's attributes are decoded (with the real
``KeyValue`` message) the first time they are asked for; scanning one key over every span first
looks for the key's encoded bytes inside each attribute, so most attributes are never decoded.

The collector's file exporter writes ``format: proto`` as records of a 4-byte big-endian length
then a payload (each maybe zstd-compressed); both that and a plain message are accepted.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from itertools import chain
from types import MappingProxyType
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.resource.v1 import resource_pb2  # noqa: F401  (registers the type)
from opentelemetry.proto.trace.v1 import trace_pb2

from .._build import TraceBuilder
from ..attrvalue import AttrValue
from ..trace import Adapter, Event, Group, Link, Resource, Scope

__all__ = ["PROTO_ADAPTER", "ProtoAdapter", "any_value", "load_bytes", "warn_if_slow_protobuf"]

_warned_slow = False


def warn_if_slow_protobuf() -> None:
    """Warn once when protobuf runs its pure-Python backend (about 300 times slower)."""
    global _warned_slow
    if _warned_slow:
        return
    try:
        from google.protobuf.internal import api_implementation

        kind = api_implementation.Type()
    except Exception:  # pragma: no cover - very old protobuf
        kind = "unknown"
    if kind == "python":
        _warned_slow = True
        warnings.warn(
            "protobuf is running its pure-Python backend, about 300 times slower than upb; "
            "unset PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION or install a protobuf wheel for "
            "your platform",
            RuntimeWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------------------------
# The lite schema


def _build_lite_schema() -> tuple[Any, Any]:
    f = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(
        name="tracespec/lite_trace.proto", package="tracespec.lite", syntax="proto3"
    )
    fdp.dependency.append("opentelemetry/proto/common/v1/common.proto")
    fdp.dependency.append("opentelemetry/proto/resource/v1/resource.proto")
    fdp.dependency.append("opentelemetry/proto/trace/v1/trace.proto")
    rep, opt = f.LABEL_REPEATED, f.LABEL_OPTIONAL

    def message(name: str, fields: list[tuple[str, int, int, int, str | None]]) -> None:
        m = fdp.message_type.add(name=name)
        for fname, number, ftype, label, type_name in fields:
            fd = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = type_name

    message(
        "Span",
        [
            ("trace_id", 1, f.TYPE_BYTES, opt, None),
            ("span_id", 2, f.TYPE_BYTES, opt, None),
            ("trace_state", 3, f.TYPE_STRING, opt, None),
            ("parent_span_id", 4, f.TYPE_BYTES, opt, None),
            ("name", 5, f.TYPE_STRING, opt, None),
            ("kind", 6, f.TYPE_INT32, opt, None),
            ("start_time_unix_nano", 7, f.TYPE_FIXED64, opt, None),
            ("end_time_unix_nano", 8, f.TYPE_FIXED64, opt, None),
            ("attributes", 9, f.TYPE_BYTES, rep, None),
            ("dropped_attributes_count", 10, f.TYPE_UINT32, opt, None),
            ("events", 11, f.TYPE_BYTES, rep, None),
            ("dropped_events_count", 12, f.TYPE_UINT32, opt, None),
            ("links", 13, f.TYPE_BYTES, rep, None),
            ("dropped_links_count", 14, f.TYPE_UINT32, opt, None),
            ("status", 15, f.TYPE_MESSAGE, opt, ".opentelemetry.proto.trace.v1.Status"),
            ("flags", 16, f.TYPE_FIXED32, opt, None),
        ],
    )
    message(
        "ScopeSpans",
        [
            (
                "scope",
                1,
                f.TYPE_MESSAGE,
                opt,
                ".opentelemetry.proto.common.v1.InstrumentationScope",
            ),
            ("spans", 2, f.TYPE_MESSAGE, rep, ".tracespec.lite.Span"),
            ("schema_url", 3, f.TYPE_STRING, opt, None),
        ],
    )
    message(
        "ResourceSpans",
        [
            ("resource", 1, f.TYPE_MESSAGE, opt, ".opentelemetry.proto.resource.v1.Resource"),
            ("scope_spans", 2, f.TYPE_MESSAGE, rep, ".tracespec.lite.ScopeSpans"),
            ("schema_url", 3, f.TYPE_STRING, opt, None),
            (
                "instrumentation_library_spans",
                1000,
                f.TYPE_MESSAGE,
                rep,
                ".tracespec.lite.ScopeSpans",
            ),
        ],
    )
    message(
        "TracesData",
        [("resource_spans", 1, f.TYPE_MESSAGE, rep, ".tracespec.lite.ResourceSpans")],
    )
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(fdp.name)
    except KeyError:
        pool.AddSerializedFile(fdp.SerializeToString())
    traces = message_factory.GetMessageClass(
        pool.FindMessageTypeByName("tracespec.lite.TracesData")
    )
    span = message_factory.GetMessageClass(pool.FindMessageTypeByName("tracespec.lite.Span"))
    return traces, span


LiteTracesData, LiteSpan = _build_lite_schema()
_KeyValue = common_pb2.KeyValue
_Event = trace_pb2.Span.Event
_Link = trace_pb2.Span.Link


# --------------------------------------------------------------------------------------------
# Values


def any_value(v: Any) -> AttrValue | None:
    """An ``AnyValue`` message as an attribute value (``None`` for an empty value)."""
    which = v.WhichOneof("value")
    if which == "string_value":
        return v.string_value  # type: ignore[no-any-return]
    if which == "int_value":
        return v.int_value  # type: ignore[no-any-return]
    if which == "bool_value":
        return v.bool_value  # type: ignore[no-any-return]
    if which == "double_value":
        return v.double_value  # type: ignore[no-any-return]
    if which == "array_value":
        return tuple(x for x in (any_value(item) for item in v.array_value.values) if x is not None)
    if which == "kvlist_value":
        return MappingProxyType(
            {
                kv.key: val
                for kv in v.kvlist_value.values
                if (val := any_value(kv.value)) is not None
            }
        )
    if which == "bytes_value":
        return bytes(v.bytes_value)
    return None  # empty, or the profiles-only string_value_strindex


def key_values(items: Iterable[Any]) -> dict[str, AttrValue]:
    """Decoded ``KeyValue`` messages as a dict (empty values dropped, last duplicate wins)."""
    out: dict[str, AttrValue] = {}
    for kv in items:
        val = any_value(kv.value)
        if val is not None:
            out[kv.key] = val
    return out


def _decode_kv(raw: bytes) -> tuple[str, AttrValue | None] | None:
    try:
        kv = _KeyValue.FromString(raw)
    except DecodeError:
        return None
    return kv.key, any_value(kv.value)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


class ProtoAdapter(Adapter):
    """Reads spans of the lite schema."""

    format_name = "otlp-proto"

    def name(self, raw: Any) -> str:
        return raw.name  # type: ignore[no-any-return]

    def kind(self, raw: Any) -> int:
        return raw.kind  # type: ignore[no-any-return]

    def status(self, raw: Any) -> tuple[int, str]:
        st = raw.status
        return st.code, st.message

    def attributes(self, raw: Any) -> dict[str, AttrValue]:
        out: dict[str, AttrValue] = {}
        for a in raw.attributes:
            kv = _decode_kv(a)
            if kv is not None and kv[1] is not None:
                out[kv[0]] = kv[1]
        return out

    def attribute_keys(self, raw: Any) -> Iterable[str]:
        keys = []
        for a in raw.attributes:
            # canonical encoding puts the key first: 0x0a, a one-byte length, the key
            if len(a) > 1 and a[0] == 0x0A and a[1] < 0x80:
                try:
                    keys.append(a[2 : 2 + a[1]].decode("utf-8"))
                    continue
                except UnicodeDecodeError:
                    pass
            kv = _decode_kv(a)
            if kv is not None:
                keys.append(kv[0])
        return keys

    def events(self, raw: Any) -> tuple[Event, ...]:
        out = []
        for b in raw.events:
            try:
                e = _Event.FromString(b)
            except DecodeError:
                continue
            out.append(Event(e.name, e.time_unix_nano, MappingProxyType(key_values(e.attributes))))
        return tuple(out)

    def links(self, raw: Any) -> tuple[Link, ...]:
        out = []
        for b in raw.links:
            try:
                lk = _Link.FromString(b)
            except DecodeError:
                continue
            out.append(
                Link(
                    _pad_trace_id(lk.trace_id).hex(),
                    lk.span_id.hex(),
                    lk.trace_state,
                    MappingProxyType(key_values(lk.attributes)),
                )
            )
        return tuple(out)

    def trace_state(self, raw: Any) -> str:
        return raw.trace_state  # type: ignore[no-any-return]

    def flags(self, raw: Any) -> int:
        return raw.flags  # type: ignore[no-any-return]

    def scan(
        self, raws: Sequence[Any], positions: Iterable[int], key: str, out: list[AttrValue | None]
    ) -> None:
        kb = key.encode("utf-8")
        needle = b"\x0a" + _varint(len(kb)) + kb
        for p in positions:
            for a in raws[p].attributes:
                if needle in a:
                    kv = _decode_kv(a)
                    if kv is not None and kv[0] == key and kv[1] is not None:
                        out[p] = kv[1]

    def names(self, raws: Sequence[Any], positions: Iterable[int], out: list[str]) -> None:
        for p in positions:
            out[p] = raws[p].name


PROTO_ADAPTER = ProtoAdapter()


def _pad_trace_id(tid: bytes) -> bytes:
    return tid.rjust(16, b"\0") if len(tid) < 16 else tid


# --------------------------------------------------------------------------------------------
# Loading


def _split_records(data: bytes) -> list[bytes] | None:
    """The payloads of length-prefixed records, or None when ``data`` is not such a stream."""
    if len(data) < 4 or data[0] != 0:
        # a protobuf message never starts with a 0 byte; records under 16 MiB always do
        if len(data) >= 4:
            first_len = int.from_bytes(data[:4], "big")
            if first_len + 4 > len(data) or first_len < (1 << 24):
                return None
        else:
            return None
    records = []
    pos = 0
    end = len(data)
    while pos < end:
        if pos + 4 > end:
            return None
        size = int.from_bytes(data[pos : pos + 4], "big")
        pos += 4
        if pos + size > end:
            return None
        records.append(data[pos : pos + size])
        pos += size
    return records


def _resource(rs: Any) -> Resource:
    r = rs.resource
    return Resource(MappingProxyType(key_values(r.attributes)), rs.schema_url)


def _scope(ss: Any) -> Scope:
    s = ss.scope
    return Scope(
        s.name, s.version, MappingProxyType(key_values(s.attributes)), present=ss.HasField("scope")
    )


def load_bytes(data: bytes, builder: TraceBuilder) -> None:
    """Parse OTLP protobuf bytes (plain, or length-prefixed records) into ``builder``."""
    warn_if_slow_protobuf()
    records = _split_records(data)
    if records is None:
        _load_message(data, builder, None)
        return
    for i, rec in enumerate(records):
        if rec.startswith(b"\x28\xb5\x2f\xfd"):
            from . import _decompress

            rec = _decompress(rec, builder.source or "<bytes>")
        _load_message(rec, builder, f"record {i + 1}")


def _load_message(data: bytes, builder: TraceBuilder, place: str | None) -> None:
    msg = LiteTracesData()
    try:
        msg.ParseFromString(data)
    except DecodeError as exc:
        detail = str(exc) or "malformed message"
        raise builder.error(
            f"not valid OTLP protobuf (truncated or corrupt data: {detail})", place
        ) from None
    except RuntimeError as exc:  # upb reports recursion/size limits this way
        raise builder.error(f"not valid OTLP protobuf ({exc})", place) from None
    if not msg.resource_spans and data:
        raise builder.error(
            "no OTLP resource spans in the data (is this really an OTLP trace file?)", place
        )
    adapter = PROTO_ADAPTER
    trace_ids = builder.trace_ids
    ta = trace_ids.append
    ia = builder.span_ids.append
    pa = builder.parent_ids.append
    sa = builder.starts.append
    ea = builder.ends.append
    ra = builder.raws.append
    ga = builder.group_of.append
    for ri, rs in enumerate(msg.resource_spans):
        resource = _resource(rs)
        scopes = rs.scope_spans
        if rs.instrumentation_library_spans:
            scopes = chain(scopes, rs.instrumentation_library_spans)
        for si, ss in enumerate(scopes):
            g = builder.add_group(Group(resource, _scope(ss), adapter))
            last_tid = b""
            last_tid_norm = b""
            for k, sp in enumerate(ss.spans):
                tid = sp.trace_id
                if tid != last_tid:
                    if not tid:
                        raise builder.error(
                            "span has no trace id",
                            _place(place, ri, si, k),
                        )
                    last_tid = tid
                    last_tid_norm = _pad_trace_id(tid)
                sid = sp.span_id
                if not sid:
                    raise builder.error("span has no span id", _place(place, ri, si, k))
                ta(last_tid_norm)
                ia(sid)
                pa(sp.parent_span_id)
                try:
                    sa(sp.start_time_unix_nano)
                    ea(sp.end_time_unix_nano)
                except OverflowError:
                    raise builder.error(
                        "start or end time out of range (after the year 2262)",
                        _place(place, ri, si, k),
                    ) from None
                ra(sp)
                ga(g)
            if len(builder.ends) != len(builder.starts):  # pragma: no cover
                raise AssertionError("columns out of step")


def _place(record: str | None, ri: int, si: int, k: int) -> str:
    where = f"resource_spans[{ri}].scope_spans[{si}].spans[{k}]"
    return f"{record}, {where}" if record else where
