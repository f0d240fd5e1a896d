"""OTLP protobuf: ``TracesData`` / ``ExportTraceServiceRequest`` and the collector's records.

Speed and memory come from a *lite schema*: a message set wire-compatible with OTLP's whose
``Span`` declares only what assembly and the common queries need (ids, parent id, times, name,
kind, status).  Everything else a span holds — attributes, events, links, trace state, flags —
is left to upb (the C protobuf backend) as *unknown fields*: kept as the span's raw bytes in one
buffer, with no message per attribute.  Parsing a million spans this way takes a fraction of a
full parse and about half its memory; the input bytes are released as soon as they are parsed.

A span's other fields are read lazily: ``SerializeToString`` of the lite span gives back its
bytes, and the :class:`_Rest` view (attributes, events and links as ``repeated bytes``) splits
them; a ``KeyValue`` is decoded only when asked for.  Scanning one attribute key over every span
first looks for the key's encoded bytes in each span, so most attributes are never decoded.

The collector's file exporter writes ``format: proto`` as records of a 4-byte big-endian length
then a payload (each maybe zstd-compressed); both that and a plain message are accepted.
"""

from __future__ import annotations

import re
import warnings
from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.resource.v1 import resource_pb2  # noqa: F401  (registers the type)
from opentelemetry.proto.trace.v1 import trace_pb2

from ..trace import Adapter, Event, Group, Link, Resource, Scope, TraceBuilder
from ..trace.attrvalue import AttrValue
from ..trace.ids import pad_trace_id
from ..trace.tracetest import family_rank
from ._records import make_event, make_link
from ._source import ZSTD_MAGIC, decompress, framed, inflate_limit
from ._text import is_text, text_summary
from ._wire import first_problem

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

_Field = tuple[str, int, int, int, str | None]


def _build_lite_schema() -> tuple[Any, Any, Any]:
    f = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(
        name="tracespec/lite_trace_v2.proto", package="tracespec.lite2", syntax="proto3"
    )
    fdp.dependency.append("opentelemetry/proto/common/v1/common.proto")
    fdp.dependency.append("opentelemetry/proto/resource/v1/resource.proto")
    fdp.dependency.append("opentelemetry/proto/trace/v1/trace.proto")
    rep, opt = f.LABEL_REPEATED, f.LABEL_OPTIONAL

    def message(name: str, fields: list[_Field]) -> None:
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
            ("parent_span_id", 4, f.TYPE_BYTES, opt, None),
            ("name", 5, f.TYPE_STRING, opt, None),
            ("kind", 6, f.TYPE_INT32, opt, None),
            ("start_time_unix_nano", 7, f.TYPE_FIXED64, opt, None),
            ("end_time_unix_nano", 8, f.TYPE_FIXED64, opt, None),
            ("status", 15, f.TYPE_MESSAGE, opt, ".opentelemetry.proto.trace.v1.Status"),
        ],
    )
    # the rest of a span, read from its bytes when asked for
    message(
        "Rest",
        [
            ("trace_state", 3, f.TYPE_STRING, opt, None),
            ("attributes", 9, f.TYPE_BYTES, rep, None),
            ("events", 11, f.TYPE_BYTES, rep, None),
            ("links", 13, f.TYPE_BYTES, rep, None),
            ("flags", 16, f.TYPE_FIXED32, opt, None),
        ],
    )
    # only the attribute keys of a span
    message("Key", [("key", 1, f.TYPE_STRING, opt, None)])
    message("Keys", [("attributes", 9, f.TYPE_MESSAGE, rep, ".tracespec.lite2.Key")])
    scope_t = ".opentelemetry.proto.common.v1.InstrumentationScope"
    message(
        "ScopeSpans",
        [
            ("scope", 1, f.TYPE_MESSAGE, opt, scope_t),
            ("spans", 2, f.TYPE_MESSAGE, rep, ".tracespec.lite2.Span"),
            ("schema_url", 3, f.TYPE_STRING, opt, None),
        ],
    )
    message(
        "ResourceSpans",
        [
            ("resource", 1, f.TYPE_MESSAGE, opt, ".opentelemetry.proto.resource.v1.Resource"),
            ("scope_spans", 2, f.TYPE_MESSAGE, rep, ".tracespec.lite2.ScopeSpans"),
            ("schema_url", 3, f.TYPE_STRING, opt, None),
            (
                "instrumentation_library_spans",
                1000,
                f.TYPE_MESSAGE,
                rep,
                ".tracespec.lite2.ScopeSpans",
            ),
        ],
    )
    message(
        "TracesData",
        [("resource_spans", 1, f.TYPE_MESSAGE, rep, ".tracespec.lite2.ResourceSpans")],
    )
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(fdp.name)
    except KeyError:
        pool.AddSerializedFile(fdp.SerializeToString())

    def cls(name: str) -> Any:
        return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))

    return (
        cls("tracespec.lite2.TracesData"),
        cls("tracespec.lite2.Rest"),
        cls("tracespec.lite2.Keys"),
    )


LiteTracesData, _Rest, _Keys = _build_lite_schema()
_KeyValue = common_pb2.KeyValue
_FullSpan = trace_pb2.Span
_Event = trace_pb2.Span.Event
_Link = trace_pb2.Span.Link
_EMPTY_REST = _Rest()


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
    except DecodeError:  # corrupt, or nested deeper than protobuf's recursion limit
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


def _rest(raw: Any) -> Any:
    try:
        return _Rest.FromString(raw.SerializeToString())
    except DecodeError:  # pragma: no cover - the bytes were parsed once already
        return _EMPTY_REST


class ProtoAdapter(Adapter):
    """Reads spans of the lite schema (the rest of each span from its bytes, on demand)."""

    def name(self, raw: Any) -> str:
        return raw.name  # type: ignore[no-any-return]

    def kind(self, raw: Any) -> int:
        return raw.kind  # type: ignore[no-any-return]

    def status(self, raw: Any) -> tuple[int, str]:
        st = raw.status
        return st.code, st.message

    def attributes(self, raw: Any) -> dict[str, AttrValue]:
        try:  # one parse of the whole span with the real schema
            return key_values(_FullSpan.FromString(raw.SerializeToString()).attributes)
        except DecodeError:  # some attribute is corrupt or too deep: decode one by one
            pass
        out: dict[str, AttrValue] = {}
        for a in _rest(raw).attributes:
            kv = _decode_kv(a)
            if kv is not None and kv[1] is not None:
                out[kv[0]] = kv[1]
        return out

    def attribute_keys(self, raw: Any) -> Iterable[str]:
        try:
            return [kv.key for kv in _Keys.FromString(raw.SerializeToString()).attributes]
        except DecodeError:  # e.g. a key that is not UTF-8: take what can be read
            pass
        keys = []
        for a in _rest(raw).attributes:
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
        for b in _rest(raw).events:
            try:
                e = _Event.FromString(b)
            except DecodeError:
                continue
            out.append(make_event(e.name, e.time_unix_nano, key_values(e.attributes)))
        return tuple(out)

    def links(self, raw: Any) -> tuple[Link, ...]:
        out = []
        for b in _rest(raw).links:
            try:
                lk = _Link.FromString(b)
            except DecodeError:
                continue
            attributes = key_values(lk.attributes)
            out.append(make_link(lk.trace_id, lk.span_id, lk.trace_state, attributes))
        return tuple(out)

    def trace_state(self, raw: Any) -> str:
        return _rest(raw).trace_state  # type: ignore[no-any-return]

    def flags(self, raw: Any) -> int:
        return _rest(raw).flags  # type: ignore[no-any-return]

    def scan(
        self, raws: Sequence[Any], positions: Iterable[int], key: str, out: list[AttrValue | None]
    ) -> None:
        kb = key.encode("utf-8")
        needle = b"\x0a" + _varint(len(kb)) + kb
        rest = _Rest.FromString
        for p in positions:
            data = raws[p].SerializeToString()
            if needle not in data:
                continue
            for a in rest(data).attributes:
                if needle in a:
                    kv = _decode_kv(a)
                    if kv is not None and kv[0] == key and kv[1] is not None:
                        out[p] = kv[1]

    def fill(
        self,
        raws: Sequence[Any],
        positions: Sequence[int],
        keys: Sequence[str],
        outs: Sequence[list[AttrValue | None]],
        ranks: list[int] | None,
    ) -> None:
        """One pass, each span serialised once.  With ranks, a span is read by its *layout*:
        its list of keys (read once per distinct list: the span parsed for its keys, values
        dropped, the keys' encoding looked up) gives its family rank and where the wanted keys
        are, so only their values are decoded.  Without, by *needles*: its attributes are split
        only when its bytes can hold a wanted key."""
        wanted = dict(zip(keys, outs, strict=True))
        by_needles = _filler(wanted)
        if ranks is None:
            for p in positions:
                by_needles(raws[p].SerializeToString(), p)
            return
        layouts: dict[bytes, tuple[int, list[tuple[int, list[AttrValue | None]]]]] = {}
        rest = _Rest.FromString
        for p in positions:
            data = raws[p].SerializeToString()
            try:
                span_keys = _Keys.FromString(data)
            except DecodeError:  # e.g. a key that is not UTF-8: take what can be read
                ranks[p] = family_rank(self.attribute_keys(raws[p]))
                by_needles(data, p)
                continue
            span_keys.DiscardUnknownFields()
            signature = span_keys.SerializeToString()
            layout = layouts.get(signature)
            if layout is None:
                names = [kv.key for kv in span_keys.attributes]
                layout = (family_rank(names),
                          [(i, wanted[k]) for i, k in enumerate(names) if k in wanted])
                if len(layouts) < 4096:
                    layouts[signature] = layout
            ranks[p] = layout[0]
            if layout[1]:
                attributes = rest(data).attributes
                for i, out in layout[1]:  # in order: the last of a repeated key wins
                    kv = _decode_kv(attributes[i])
                    if kv is not None and kv[1] is not None:
                        out[p] = kv[1]

    def names(self, raws: Sequence[Any], positions: Iterable[int], out: list[str]) -> None:
        for p in positions:
            out[p] = raws[p].name

    def family_rank_of(self, raw: Any) -> int:
        return _rank_of_span(raw.SerializeToString(), raw)


PROTO_ADAPTER = ProtoAdapter()

_RANKS: dict[bytes, int] = {}  # the keys of a span, encoded → its family rank (few distinct)


def _key_needle(key: str) -> bytes:
    """The bytes a ``KeyValue`` with this key starts with (its key field, canonically)."""
    kb = key.encode("utf-8")
    return b"\x0a" + _varint(len(kb)) + kb


def _filler(wanted: dict[str, list[AttrValue | None]]) -> Callable[[bytes, int], bool]:
    """``fill(data, p)``: set ``wanted[key][p]`` to the span's attribute ``key`` for each wanted
    key whose bytes the span holds; its attributes are split only then (the return value says
    so), and only the attributes with a wanted key are decoded."""
    needles = [_key_needle(k) for k in wanted]
    by_bytes = {k.encode("utf-8"): (k, out) for k, out in wanted.items()}
    rest = _Rest.FromString

    def fill(data: bytes, p: int) -> bool:
        for needle in needles:
            if needle in data:
                break
        else:
            return False
        for a in rest(data).attributes:
            if len(a) > 1 and a[0] == 0x0A and a[1] < 0x80:  # canonically, the key first
                target = by_bytes.get(a[2 : 2 + a[1]])
                if target is None:
                    continue
            kv = _decode_kv(a)
            if kv is not None and kv[1] is not None:
                out = wanted.get(kv[0])
                if out is not None:
                    out[p] = kv[1]
        return True

    return fill


def _rank_of_span(data: bytes, raw: Any) -> int:
    """:func:`family_rank` of a span's attribute keys, once per distinct list of keys: the span
    parsed for its keys only, the values dropped, the keys' encoding looked up."""
    try:
        keys = _Keys.FromString(data)
    except DecodeError:  # e.g. a key that is not UTF-8: take what can be read
        return family_rank(PROTO_ADAPTER.attribute_keys(raw))
    keys.DiscardUnknownFields()
    signature = keys.SerializeToString()
    rank = _RANKS.get(signature)
    if rank is None:
        rank = family_rank([kv.key for kv in keys.attributes])
        if len(_RANKS) < 4096:
            _RANKS[signature] = rank
    return rank


# --------------------------------------------------------------------------------------------
# Loading

def load_bytes(box: list[Any], builder: TraceBuilder) -> None:
    """Parse OTLP protobuf (plain, or length-prefixed records) into ``builder``.

    ``box`` holds the bytes; it is emptied so that they are freed as soon as they are parsed.
    """
    warn_if_slow_protobuf()
    data = box.pop()
    records = None
    if data[:1] == b"\x00":  # a protobuf message never starts with field number 0
        records = framed(data)
        if records is None:
            raise builder.error("truncated or corrupt length-prefixed records", None)
    elif data[:1] != b"\x0a" and data[:4] != ZSTD_MAGIC:
        records = framed(data)  # records of 16 MiB or more start with a non-zero byte
    if records is None:
        msg = _parse(data, builder, None)
        del data
        _walk(msg, builder, None)
        return
    messages = []
    budget = inflate_limit(len(data))
    for i, rec in enumerate(records):
        payload: Any = rec
        if rec[:4] == ZSTD_MAGIC:
            payload = decompress(bytes(rec), builder.source or "<bytes>", budget)
            budget -= len(payload)
        messages.append(_parse(payload, builder, f"record {i + 1}"))
    del records, data, payload
    for i, msg in enumerate(messages):
        _walk(msg, builder, f"record {i + 1}")


def _parse(data: Any, builder: TraceBuilder, place: str | None) -> Any:
    msg = LiteTracesData()
    try:
        msg.ParseFromString(data if isinstance(data, bytes | memoryview) else memoryview(data))
    except DecodeError as exc:
        if is_text(data):  # (read as protobuf because format="otlp-proto" said so)
            raise builder.error(f"not valid OTLP protobuf: {_as_text(data)}", place) from None
        # upb names our internal lite message type; keep only what it says about the bytes
        detail = re.sub(r"^Error parsing message with type '[^']*':?\s*", "", str(exc))
        detail = detail or "malformed message"
        found = first_problem(data)
        if found is not None:
            detail += f"; at byte {found[0]}: {found[1]}"
        raise builder.error(
            f"not valid OTLP protobuf (truncated or corrupt data: {detail})", place
        ) from None
    except RuntimeError as exc:  # pragma: no cover - upb reports some limits this way
        raise builder.error(f"not valid OTLP protobuf ({exc})", place) from None
    if not msg.resource_spans and len(data):
        if is_text(data):  # text that happens to read as unknown protobuf fields
            raise builder.error(f"not OTLP protobuf: {_as_text(data)}", place)
        raise builder.error(
            "no OTLP resource spans in the data (is this really an OTLP trace file?)", place
        )
    return msg


def _as_text(data: Any) -> str:
    what, where = text_summary(data)
    return f"the data is {what}; {where}"


def _resource(rs: Any) -> Resource:
    r = rs.resource
    return Resource(MappingProxyType(key_values(r.attributes)), rs.schema_url)


def _scope(ss: Any) -> Scope:
    s = ss.scope
    return Scope(
        s.name, s.version, MappingProxyType(key_values(s.attributes)), present=ss.HasField("scope")
    )


_columns = attrgetter(
    "trace_id", "span_id", "parent_span_id", "start_time_unix_nano", "end_time_unix_nano"
)


def _walk(msg: Any, builder: TraceBuilder, record: str | None) -> None:
    """Append the columns of every span of ``msg`` (one comprehension per column and scope)."""
    adapter = PROTO_ADAPTER
    for ri, rs in enumerate(msg.resource_spans):
        resource = _resource(rs)
        scopes: Iterable[Any] = rs.scope_spans
        if rs.instrumentation_library_spans:
            scopes = chain(scopes, rs.instrumentation_library_spans)
        for si, ss in enumerate(scopes):
            spans = list(ss.spans)
            if not spans:
                continue
            k = len(spans)
            g = builder.add_group(Group(resource, _scope(ss), adapter))
            tids_t, sids_t, pids_t, starts_t, ends_t = zip(*map(_columns, spans), strict=True)
            distinct = set(tids_t)
            if b"" in distinct:
                bad = tids_t.index(b"")
                raise builder.error("span has no trace id", _place(record, ri, si, bad))
            if len(distinct) == 1:
                tid = tids_t[0]
                tids = [pad_trace_id(tid)] * k if len(tid) < 16 else [tid] * k
            else:
                tids = (
                    [pad_trace_id(t) for t in tids_t]
                    if min(map(len, distinct)) < 16
                    else [*tids_t]
                )
            del tids_t
            if b"" in sids_t:
                bad = sids_t.index(b"")
                raise builder.error("span has no span id", _place(record, ri, si, bad))
            try:
                starts = array("q", starts_t)
                ends = array("q", ends_t)
            except OverflowError:
                bad = next(
                    i
                    for i, (a, b) in enumerate(zip(starts_t, ends_t, strict=True))
                    if max(a, b) >= 2**63
                )
                raise builder.error(
                    "start or end time out of range (after the year 2262)",
                    _place(record, ri, si, bad),
                ) from None
            del starts_t, ends_t
            builder.trace_ids += tids
            del tids
            builder.span_ids += sids_t
            builder.parent_ids += pids_t
            del sids_t, pids_t
            builder.starts += starts
            builder.ends += ends
            builder.raws += spans
            builder.group_of += array("i", [g]) * k


def _place(record: str | None, ri: int, si: int, k: int) -> str:
    where = f"resource_spans[{ri}].scope_spans[{si}].spans[{k}]"
    return f"{record}, {where}" if record else where
