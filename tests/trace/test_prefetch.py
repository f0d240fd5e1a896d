"""Columns read together in one pass equal columns read one by one, in every format.

``TraceIndex.prefetch`` builds many columns (and the span types) with one pass of the adapter
over the spans (``Adapter.fill``): the OTLP adapters read each span once and skip the spans whose
bytes cannot hold a wanted key or a family key.  The oracle is the plain reading of each span's
own attributes (``Adapter.attributes``, a full decode; for the type, the keys present in the
data, ``Adapter.attribute_keys``), merged as Tracetest merges them.
Attribute values that look like keys (``"http.server"``, a nested ``http.x`` key, bytes holding
an encoded key) must not fool the skipping.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

import tracespec
from tests.support.traces import otlp_value
from tracespec.trace.tracetest import context_attributes, family_rank, span_types

TRACE_ID = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
KEYS = ["http.method", "db.system", "rpc.service", "messaging.system", "faas.name",
        "exception.type", "event_type", "user.id", "db", "httpx.y", "http", 'http."q"',
        "a\\b", "kvlist"]
VALUES = st.one_of(
    st.sampled_from(["http.server", "db.x", "", "documentLoad", "GET", "\n\x0bhttp.method"]),
    st.integers(-5, 10**12), st.booleans(), st.floats(allow_nan=False, width=32),
    st.just(b"\x4a\x0f\x0a\x0bhttp.method\x12\x00"),  # bytes holding an encoded key
    st.just({"http.x": "nested"}),  # a kvlist value with a family key inside
)
SPANS = st.lists(
    st.tuples(st.sampled_from(["a", "documentLoad", "SELECT"]),
              st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5)),
    min_size=1, max_size=12,
)


def _any(v: Any) -> common_pb2.AnyValue:
    out = common_pb2.AnyValue()
    if isinstance(v, bool):
        out.bool_value = v
    elif isinstance(v, int):
        out.int_value = v
    elif isinstance(v, float):
        out.double_value = v
    elif isinstance(v, bytes):
        out.bytes_value = v
    elif isinstance(v, dict):
        for k, x in v.items():
            out.kvlist_value.values.add(key=k).value.CopyFrom(_any(x))
    else:
        out.string_value = v
    return out


def _traces(spans: list[tuple[str, dict[str, Any]]]) -> list[tracespec.Trace]:
    """The same spans as OTLP protobuf and as OTLP JSON (a root and its children)."""
    data = trace_pb2.TracesData()
    scope = data.resource_spans.add().scope_spans.add()
    json_spans = []
    for i, (name, attrs) in enumerate(spans):
        sid = (i + 1).to_bytes(8, "big")
        sp = scope.spans.add(trace_id=TRACE_ID, span_id=sid, name=name,
                             start_time_unix_nano=1_000 + i, end_time_unix_nano=2_000 + i)
        if i:
            sp.parent_span_id = (1).to_bytes(8, "big")
        for k, v in attrs.items():
            sp.attributes.add(key=k).value.CopyFrom(_any(v))
        json_spans.append({
            "traceId": TRACE_ID.hex(), "spanId": sid.hex(), "name": name,
            "startTimeUnixNano": str(1_000 + i), "endTimeUnixNano": str(2_000 + i),
            **({"parentSpanId": (1).to_bytes(8, "big").hex()} if i else {}),
            "attributes": [{"key": k, "value": otlp_value(v)} for k, v in attrs.items()],
        })
    doc = {"resourceSpans": [{"resource": {}, "scopeSpans": [{"spans": json_spans}]}]}
    return [tracespec.load_trace(data.SerializeToString()), tracespec.load_trace(doc)]


def _oracle(trace: tracespec.Trace, key: str) -> list[Any]:
    ix = trace.index
    out = []
    for p in range(ix.n):
        adapter, raw = ix.adapter_at(p)
        group = ix.groups[ix.group_of[p]]
        merged = {**adapter.attributes(raw), **context_attributes(group.resource, group.scope)}
        out.append(merged.get(key))
    return out


def _oracle_types(trace: tracespec.Trace) -> list[str]:
    ix = trace.index
    ranks, names, event_types = [], [], []
    for p in range(ix.n):
        adapter, raw = ix.adapter_at(p)
        own = adapter.attributes(raw)
        ranks.append(family_rank(adapter.attribute_keys(raw)))  # keys in the data count
        names.append(adapter.name(raw))
        event_types.append(own.get("event_type"))
    return span_types(ranks, names, event_types)


@settings(max_examples=80, deadline=None)
@given(SPANS)
def test_one_pass_equals_one_key_at_a_time(spans: list[tuple[str, dict[str, Any]]]) -> None:
    for trace in _traces(spans):
        want = {key: _oracle(trace, key) for key in [*KEYS, "absent.key"]}
        types = _oracle_types(trace)
        trace.index.prefetch(["tracetest.span.type", *want])
        assert trace.index.types() == types, trace.format
        for key, column in want.items():
            assert trace.index.column(key) == column, (trace.format, key)


@settings(max_examples=40, deadline=None)
@given(SPANS)
def test_types_alone_and_columns_alone_agree(spans: list[tuple[str, dict[str, Any]]]) -> None:
    for trace in _traces(spans):
        types = _oracle_types(trace)
        assert trace.index.types() == types
    for trace in _traces(spans):
        assert trace.index.column("http.method") == _oracle(trace, "http.method")
        assert trace.index.types() == types  # after a column, from its own pass


def test_a_key_written_after_its_value_is_read() -> None:
    """Protobuf does not fix the order of fields: a KeyValue may carry its value first."""
    data = trace_pb2.TracesData()
    sp = data.resource_spans.add().scope_spans.add().spans.add(
        trace_id=TRACE_ID, span_id=b"\0" * 7 + b"\1", name="x",
        start_time_unix_nano=1, end_time_unix_nano=2)
    kv = b"\x12\x03\x0a\x01v" + b"\x0a\x0bhttp.method"  # value (field 2) before key (field 1)
    sp.MergeFromString(b"\x4a" + bytes([len(kv)]) + kv)
    trace = tracespec.load_trace(data.SerializeToString())
    assert trace.index.column("http.method") == ["v"]
    assert trace.index.types() == ["http"]
    assert trace[0].attributes["http.method"] == "v"


# -- attributes as a producer may write them on the wire -----------------------------------------

def _kv_forms(key: bytes, value: bytes) -> st.SearchStrategy[bytes]:
    """One KeyValue's bytes: canonical, value first, a padded (non-minimal) key length, or with
    no value at all."""
    field = b"\x0a" + bytes([len(key)]) + key
    return st.sampled_from([
        field + value,
        value + field,
        b"\x0a" + bytes([len(key) | 0x80, 0]) + key + value,
        field,
    ])


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (a varint length, built by hand: these bytes need not
    be a message protobuf would write)."""
    n, length = len(payload), bytearray()
    while n >= 0x80:
        length.append(n & 0x7F | 0x80)
        n >>= 7
    length.append(n)
    return bytes([number << 3 | 2]) + bytes(length) + payload


WIRE_KEYS = [b"http.method", b"user.id", b"db.system", b"k"]
WIRE_VALUES = st.sampled_from([
    common_pb2.AnyValue(string_value="v").SerializeToString(),
    common_pb2.AnyValue(int_value=7).SerializeToString(),
    common_pb2.AnyValue(string_value="x\x0a\x07user.id").SerializeToString(),
    b"",  # an empty AnyValue: no value
]).map(lambda v: b"\x12" + bytes([len(v)]) + v)
WIRE_ATTRIBUTE = st.one_of(
    st.tuples(st.sampled_from(WIRE_KEYS), WIRE_VALUES).flatmap(lambda kv: _kv_forms(*kv)),
    st.just(b"\x0a\x02\xff\xfe\x12\x03\x0a\x01v"),  # a key that is not UTF-8
    st.just(b"\x0a\x07user.id\x12\x09\x0a\x07"),  # a value whose length runs past its end
    st.just(b"\x0a\x07user.id\x12\x02\x18\x05\x12\x02\x18\x06"),  # the value field twice
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(WIRE_ATTRIBUTE, max_size=6), min_size=1, max_size=6),
       st.booleans())
def test_columns_of_attributes_in_every_wire_form(
    spans: list[list[bytes]], with_types: bool
) -> None:
    """Duplicate keys (the last non-empty value wins), keys after their values, non-minimal
    lengths, keys that are not UTF-8 and corrupt values read as the full decode of the span
    reads them, whether a column is read alone or with the span types."""
    span_fields = b""
    for i, attributes in enumerate(spans):
        sp = trace_pb2.Span(trace_id=TRACE_ID, span_id=(i + 1).to_bytes(8, "big"), name="s",
                            start_time_unix_nano=1, end_time_unix_nano=2)
        if i:
            sp.parent_span_id = (1).to_bytes(8, "big")
        raw = sp.SerializeToString() + b"".join(b"\x4a" + bytes([len(a)]) + a for a in attributes)
        span_fields += _field(2, raw)  # ScopeSpans.spans
    blob = _field(1, _field(2, span_fields))  # TracesData.resource_spans[0].scope_spans[0]
    oracle_trace = tracespec.load_trace(blob)
    keys = [k.decode() for k in WIRE_KEYS]
    want = {key: _oracle(oracle_trace, key) for key in keys}
    trace = tracespec.load_trace(blob)
    if with_types:
        trace.index.prefetch(["tracetest.span.type", *keys])
        assert trace.index.types() == _oracle_types(oracle_trace)
    for key in keys:
        assert trace.index.column(key) == want[key], key
