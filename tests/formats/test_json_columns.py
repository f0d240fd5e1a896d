"""OTLP JSON columns: the values a column pass reads from the compact records (flat values by
their own small parse) equal the span's attributes read by a whole parse, whatever the records
hold (values before keys, braces and escapes in strings, arrays, repeated keys)."""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import json_format
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.proto.trace.v1 import trace_pb2

import tracespec

_KEYS = ["k", "http.status_code", "db.system", "rpc.x", "messaging", "exception.type"]
_TEXT = st.lists(st.sampled_from([*'ab{}[]"\\:,', '"key":"k"', '{"key":"db.system","value":{']),
                 max_size=6).map("".join)
_VALUE = st.one_of(
    st.builds(lambda s: {"stringValue": s}, _TEXT),
    st.builds(lambda i: {"intValue": str(i)}, st.integers(-5, 500)),
    st.builds(lambda b: {"boolValue": b}, st.booleans()),
    st.builds(lambda v: {"arrayValue": {"values": [{"stringValue": v}]}}, _TEXT),
    st.builds(lambda k, v: {"kvlistValue": {"values": [{"key": k, "value": {"stringValue": v}}]}},
              st.sampled_from(_KEYS), _TEXT),
    st.just({}),
)


@st.composite
def attribute_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(0, 5))):
        key, value = draw(st.sampled_from(_KEYS)), draw(_VALUE)
        out.append({"value": value, "key": key} if draw(st.booleans()) else
                   {"key": key, "value": value})
    return out


@settings(max_examples=max(200, settings.default.max_examples))
@given(st.lists(attribute_lists(), min_size=1, max_size=4))
def test_a_column_is_what_a_whole_parse_reads(spans: list[list[dict[str, Any]]]) -> None:
    doc = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [
        {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": f"{i + 1:016x}",
         **({"parentSpanId": "0000000000000001"} if i else {}), "name": "s",
         "startTimeUnixNano": str(1700000000000000000 + i), "endTimeUnixNano":
         str(1700000000000001000), "attributes": attributes}
        for i, attributes in enumerate(spans)]}]}]}
    data = json.dumps(doc).encode()
    columns = tracespec.load_trace(data)
    columns.index.prefetch(["tracetest.span.type", *_KEYS])
    whole = tracespec.load_trace(data)
    for key in _KEYS:
        assert list(columns.index.column(key)) == [s.attributes.get(key) for s in whole], key
    # the span types from the records' bytes, against the protobuf loader's (its own reading of
    # the keys) on the same trace
    proto = json_format.Parse(data, trace_pb2.TracesData()).SerializeToString()
    assert list(columns.index.column("tracetest.span.type")) == \
        list(tracespec.load_trace(proto).index.column("tracetest.span.type"))
