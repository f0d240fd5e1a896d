"""OTLP protobuf: ``TracesData`` / ``ExportTraceServiceRequest`` and the collector's records.

Speed and memory come from a *lite schema*: a message set wire-compatible with OTLP's whose
``Span`` declares only what assembly and the common queries need (ids, parent id, times, name,
kind, status).  Everything else a span holds — attributes, events, links, trace state, flags —
is left to upb (the C protobuf backend) as *unknown fields*: kept as the span's raw bytes in one
buffer, with no message per attribute.  Parsing a million spans this way takes a fraction of a
full parse and about half its memory; the input bytes are released as soon as they are parsed.

A span's other fields are read lazily: ``SerializeToString`` of the lite span gives back its
bytes, and the :class:`_Rest` view (attributes, events and links as ``repeated bytes``) splits
them; a ``KeyValue`` is decoded only when asked for.  Reading attribute keys over every span
(a column) first looks for each key's bytes in the span, then parses its attributes as a map
(:data:`_Attributes`: key → the value's bytes, in upb's arena) and decodes only the wanted values,
the common scalars by hand (:func:`_scalar`): no Python object per attribute.

The collector's file exporter writes ``format: proto`` as records of a 4-byte big-endian length
then a payload (each maybe zstd-compressed); both that and a plain message are accepted.
"""

from __future__ import annotations

import re
import struct
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


def _build_lite_schema() -> tuple[Any, Any, Any, Any]:
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
    # a span's attributes as a map, key -> the bytes of its AnyValue (a map field is on the
    # wire a repeated entry of key = 1, value = 2: a KeyValue).  upb parses it in C and keeps it
    # in its arena, so a key's value is one lookup, with no Python object per attribute.
    attributes = fdp.message_type.add(name="Attributes")
    entry = attributes.nested_type.add(name="AttributesEntry")
    entry.field.add(name="key", number=1, type=f.TYPE_STRING, label=opt)
    entry.field.add(name="value", number=2, type=f.TYPE_BYTES, label=opt)
    entry.options.map_entry = True
    attributes.field.add(name="attributes", number=9, type=f.TYPE_MESSAGE, label=rep,
                         type_name=".tracespec.lite2.Attributes.AttributesEntry")
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
        cls("tracespec.lite2.Attributes"),
    )


LiteTracesData, _Rest, _Keys, _Attributes = _build_lite_schema()
_AnyValue = common_pb2.AnyValue
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
        fill = _filler({key: out})
        for p in positions:
            fill(raws[p].SerializeToString(), p)

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
        layouts: dict[bytes, tuple[int, list[tuple[str, list[AttrValue | None]]]]] = {}
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
                          [(k, wanted[k]) for k in dict.fromkeys(names) if k in wanted])
                if len(layouts) < 4096:
                    layouts[signature] = layout
            ranks[p] = layout[0]
            if layout[1]:
                _fill_from_view(data, p, layout[1])

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
    key whose UTF-8 bytes the span holds (a span without them cannot have the key, however it
    is encoded); its attributes are parsed only then (the return value says so), and only the
    values of wanted keys are decoded."""
    needles = [(k.encode("utf-8"), (k, out)) for k, out in wanted.items()]
    if len(needles) == 1:  # the first read of one attribute: the common case, kept lean
        needle, target = needles[0]
        alone = [target]

        def fill_one(data: bytes, p: int) -> bool:
            if needle not in data:
                return False
            _fill_from_view(data, p, alone)
            return True

        return fill_one

    def fill(data: bytes, p: int) -> bool:
        present = [target for needle, target in needles if needle in data]
        if not present:
            return False
        _fill_from_view(data, p, present)
        return True

    return fill


def _fill_from_view(data: bytes, p: int, targets: Sequence[tuple[str, list[AttrValue | None]]]
                    ) -> None:
    """Set ``out[p]`` to the span's value of each ``(key, out)`` it has: one parse of its
    attributes as a map (:class:`_Attributes`), one lookup per key.  A value read so is the last
    of the key's duplicates, as in a decode of the whole span; where that last one is empty or
    corrupt, or the map cannot be parsed (a key that is not UTF-8, a corrupt attribute), the
    attributes are decoded one by one instead, the last non-empty value winning."""
    try:
        attributes = _Attributes.FromString(data).attributes
    except DecodeError:
        _fill_one_by_one(data, p, targets)
        return
    for key, out in targets:
        raw = attributes.get(key)
        if raw is None:
            continue
        value = _scalar(raw)
        if value is None:
            try:
                value = any_value(_AnyValue.FromString(raw))
            except DecodeError:  # corrupt, or nested deeper than protobuf's recursion limit
                value = None
        if value is None:
            _fill_one_by_one(data, p, [(key, out)])
        else:
            out[p] = value


_DOUBLE = struct.Struct("<d").unpack


def _scalar(raw: bytes) -> AttrValue | None:
    """The value of an ``AnyValue``'s bytes that are exactly one canonically written string,
    int, bool or double field, read without a message; ``None`` for anything else (then
    protobuf reads it).  Most attribute values are one of these."""
    if len(raw) < 2:
        return None
    tag = raw[0]
    if tag == 0x0A:  # string_value, a one-byte length
        if raw[1] == len(raw) - 2:
            try:
                return raw[2:].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return None
    if tag == 0x18:  # int_value, a varint ending at the end
        if len(raw) > 11 or raw[-1] >= 0x80:
            return None
        value, shift = 0, 0
        for b in raw[1:-1]:
            if b < 0x80:
                return None  # the varint ends early: more fields follow
            value |= (b & 0x7F) << shift
            shift += 7
        value |= raw[-1] << shift
        if value >= 1 << 64:
            return None
        return value - (1 << 64) if value >= 1 << 63 else value
    if tag == 0x10 and len(raw) == 2 and raw[1] < 2:  # bool_value
        return raw[1] == 1
    if tag == 0x21 and len(raw) == 9:  # double_value
        return _DOUBLE(raw[1:])[0]  # type: ignore[no-any-return]
    return None


def _fill_one_by_one(data: bytes, p: int, targets: Sequence[tuple[str, list[AttrValue | None]]]
                     ) -> None:
    wanted = dict(targets)
    for a in _Rest.FromString(data).attributes:  # in order: the last non-empty value wins
        kv = _decode_kv(a)
        if kv is not None and kv[1] is not None:
            out = wanted.get(kv[0])
            if out is not None:
                out[p] = kv[1]


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
