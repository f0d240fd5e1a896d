"""OTLP protobuf: ``TracesData`` / ``ExportTraceServiceRequest`` and the collector's records.

Speed and memory come from a *lite schema*: a message set wire-compatible with OTLP's whose
``Span`` declares only what assembly and the common queries need (ids, parent id, times, name,
kind, status).  Everything else a span holds — attributes, events, links, trace state, flags —
is left to upb (the C protobuf backend) as *unknown fields*: kept as the span's raw bytes in one
buffer, with no message per attribute.  Parsing a million spans this way takes a fraction of a
full parse and about half its memory; the input bytes are released as soon as they are parsed.

A span's other fields are read lazily: ``SerializeToString`` of the lite span gives back its
bytes, and the :class:`Rest` view (attributes, events and links as ``repeated bytes``) splits
them; a ``KeyValue`` is decoded only when asked for.  Reading attribute keys over every span
(a column) first looks for each key's bytes in the span, then parses its attributes as a map
(:data:`Attributes`: key → the value's bytes, in upb's arena) and decodes only the wanted values,
the common scalars by hand (:func:`scalar`): no Python object per attribute.

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

from google.protobuf.message import DecodeError

from ..trace import Adapter, Event, Group, Link, Resource, Scope, TraceBuilder
from ..trace.attrvalue import AttrValue
from ..trace.ids import pad_trace_id
from ..trace.tracetest import family_rank
from ._lite import (
    AnyValue,
    Attributes,
    FullSpan,
    Keys,
    LiteTracesData,
    Rest,
    SpanEvent,
    SpanLink,
    any_value,
    decode_kv,
    key_values,
    rest_of,
    scalar,
)
from ._records import make_event, make_link
from ._source import ZSTD_MAGIC, decompress, framed, inflate_limit
from ._text import is_text, text_summary

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
            return key_values(FullSpan.FromString(raw.SerializeToString()).attributes)
        except DecodeError:  # some attribute is corrupt or too deep: decode one by one
            pass
        out: dict[str, AttrValue] = {}
        for a in rest_of(raw).attributes:
            kv = decode_kv(a)
            if kv is not None and kv[1] is not None:
                out[kv[0]] = kv[1]
        return out

    def attribute_keys(self, raw: Any) -> Iterable[str]:
        try:
            return [kv.key for kv in Keys.FromString(raw.SerializeToString()).attributes]
        except DecodeError:  # e.g. a key that is not UTF-8: take what can be read
            pass
        keys = []
        for a in rest_of(raw).attributes:
            # canonical encoding puts the key first: 0x0a, a one-byte length, the key
            if len(a) > 1 and a[0] == 0x0A and a[1] < 0x80:
                try:
                    keys.append(a[2 : 2 + a[1]].decode("utf-8"))
                    continue
                except UnicodeDecodeError:
                    pass
            kv = decode_kv(a)
            if kv is not None:
                keys.append(kv[0])
        return keys

    def events(self, raw: Any) -> tuple[Event, ...]:
        out = []
        for b in rest_of(raw).events:
            try:
                e = SpanEvent.FromString(b)
            except DecodeError:
                continue
            out.append(make_event(e.name, e.time_unix_nano, key_values(e.attributes)))
        return tuple(out)

    def links(self, raw: Any) -> tuple[Link, ...]:
        out = []
        for b in rest_of(raw).links:
            try:
                lk = SpanLink.FromString(b)
            except DecodeError:
                continue
            attributes = key_values(lk.attributes)
            out.append(make_link(lk.trace_id, lk.span_id, lk.trace_state, attributes))
        return tuple(out)

    def trace_state(self, raw: Any) -> str:
        return rest_of(raw).trace_state  # type: ignore[no-any-return]

    def flags(self, raw: Any) -> int:
        return rest_of(raw).flags  # type: ignore[no-any-return]

    def scan(
        self, raws: Sequence[Any], positions: Iterable[int], key: str, out: list[AttrValue | None]
    ) -> None:
        """The first read of one key over many spans (a column), kept lean: each span
        serialised, its attributes parsed as a map only when its bytes hold the key's, the
        value decoded by hand when it is a canonical scalar (else as :func:`_fill_from_view`)."""
        needle, target = key.encode("utf-8"), [(key, out)]
        serialize, attributes_of, get_scalar = _serialize, Attributes.FromString, scalar
        for p in positions:
            data = serialize(raws[p])
            if needle not in data:
                continue
            try:
                raw = attributes_of(data).attributes.get(key)
            except DecodeError:
                _fill_one_by_one(data, p, target)
                continue
            if raw is not None:
                value = get_scalar(raw)
                if value is None:
                    _fill_from_view(data, p, target)
                else:
                    out[p] = value

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
        if ranks is None and len(keys) == 1:
            self.scan(raws, positions, keys[0], outs[0])
            return
        wanted = dict(zip(keys, outs, strict=True))
        by_needles = _filler(wanted)
        serialize = _serialize
        if ranks is None:
            for p in positions:
                by_needles(serialize(raws[p]), p)
            return
        layouts: dict[bytes, tuple[int, list[tuple[str, list[AttrValue | None]]]]] = {}
        keys_of, encode = Keys.FromString, Keys.SerializeToString
        discard = Keys.DiscardUnknownFields
        for p in positions:
            data = serialize(raws[p])
            try:
                span_keys = keys_of(data)
            except DecodeError:  # e.g. a key that is not UTF-8: take what can be read
                ranks[p] = family_rank(self.attribute_keys(raws[p]))
                by_needles(data, p)
                continue
            discard(span_keys)
            signature = encode(span_keys)
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

#: ``SerializeToString`` of upb's message type, which serves every message class: called with
#: the span (``_serialize(raw)``), it saves a method lookup per span in the column passes.
_serialize = LiteTracesData.SerializeToString
_RANKS: dict[bytes, int] = {}  # the keys of a span, encoded → its family rank (few distinct)


def _filler(wanted: dict[str, list[AttrValue | None]]) -> Callable[[bytes, int], bool]:
    """``fill(data, p)``: set ``wanted[key][p]`` to the span's attribute ``key`` for each wanted
    key whose UTF-8 bytes the span holds (a span without them cannot have the key, however it
    is encoded); its attributes are parsed only then (the return value says so), and only the
    values of wanted keys are decoded.  (The first read of one key alone is
    :meth:`ProtoAdapter.scan`'s own loop.)"""
    needles = [(k.encode("utf-8"), (k, out)) for k, out in wanted.items()]

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
    attributes as a map (:class:`Attributes`), one lookup per key.  A value read so is the last
    of the key's duplicates, as in a decode of the whole span; where that last one is empty or
    corrupt, or the map cannot be parsed (a key that is not UTF-8, a corrupt attribute), the
    attributes are decoded one by one instead, the last non-empty value winning."""
    try:
        attributes = Attributes.FromString(data).attributes
    except DecodeError:
        _fill_one_by_one(data, p, targets)
        return
    for key, out in targets:
        raw = attributes.get(key)
        if raw is None:
            continue
        value = scalar(raw)
        if value is None:
            try:
                value = any_value(AnyValue.FromString(raw))
            except DecodeError:  # corrupt, or nested deeper than protobuf's recursion limit
                value = None
        if value is None:
            _fill_one_by_one(data, p, [(key, out)])
        else:
            out[p] = value


def _fill_one_by_one(data: bytes, p: int, targets: Sequence[tuple[str, list[AttrValue | None]]]
                     ) -> None:
    wanted = dict(targets)
    for a in Rest.FromString(data).attributes:  # in order: the last non-empty value wins
        kv = decode_kv(a)
        if kv is not None and kv[1] is not None:
            out = wanted.get(kv[0])
            if out is not None:
                out[p] = kv[1]


def _rank_of_span(data: bytes, raw: Any) -> int:
    """:func:`family_rank` of a span's attribute keys, once per distinct list of keys: the span
    parsed for its keys only, the values dropped, the keys' encoding looked up."""
    try:
        keys = Keys.FromString(data)
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
        from ._wire import first_problem  # (where the bytes go wrong, for the message)

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
