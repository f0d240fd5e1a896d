"""The short road for an attribute value's bytes agrees with protobuf's reading of them.

``formats._lite.scalar`` reads an ``AnyValue`` written as one canonical string, int, bool or
double field without building a message; for any other bytes it must decline (``None``), so
that protobuf reads them.  The oracle is protobuf: ``any_value(AnyValue.FromString(raw))``.
"""

from __future__ import annotations

import math

import pytest
from google.protobuf.message import DecodeError
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.proto.common.v1 import common_pb2

from tracespec.formats._lite import any_value, scalar

VALUES = st.one_of(
    st.text(max_size=200).map(lambda v: common_pb2.AnyValue(string_value=v)),
    st.integers(-(2**63), 2**63 - 1).map(lambda v: common_pb2.AnyValue(int_value=v)),
    st.booleans().map(lambda v: common_pb2.AnyValue(bool_value=v)),
    st.floats().map(lambda v: common_pb2.AnyValue(double_value=v)),
    st.binary(max_size=20).map(lambda v: common_pb2.AnyValue(bytes_value=v)),
    st.just(common_pb2.AnyValue()),
)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


@settings(max_examples=500)
@given(VALUES)
def test_canonical_values_read_as_protobuf_reads_them(value: common_pb2.AnyValue) -> None:
    raw = value.SerializeToString()
    expected = any_value(common_pb2.AnyValue.FromString(raw))
    got = scalar(raw)
    if value.WhichOneof("value") in ("int_value", "bool_value", "double_value") or (
        value.WhichOneof("value") == "string_value" and len(raw) < 130
    ):
        assert got is not None  # the short road is taken for these
    if got is not None:
        assert _same(got, expected), (raw, got, expected)


@settings(max_examples=1000)
@given(st.one_of(
    st.binary(max_size=16),
    st.tuples(st.sampled_from([b"\x0a", b"\x10", b"\x18", b"\x21"]), st.binary(max_size=12))
    .map(b"".join),
))
def test_other_bytes_are_declined_or_read_as_protobuf_reads_them(raw: bytes) -> None:
    got = scalar(raw)
    if got is None:
        return
    try:
        expected = any_value(common_pb2.AnyValue.FromString(raw))
    except DecodeError:
        raise AssertionError(f"{raw!r}: read as {got!r}, but protobuf cannot parse it") from None
    assert _same(got, expected), (raw, got, expected)


@pytest.mark.parametrize("value", [0, 1, 127, 128, 255, 16_383, 16_384, 49_871, 2**21 - 1, 2**21,
                                   2**28, 2**63 - 1, -1, -(2**63)])
def test_ints_at_each_varint_length_read_as_protobuf_reads_them(value: int) -> None:
    """One, two and three varint bytes are read without the loop; every length agrees."""
    raw = common_pb2.AnyValue(int_value=value).SerializeToString()
    assert scalar(raw) == value
    assert scalar(raw + b"\x00") is None  # the varint ends before the bytes do: declined
