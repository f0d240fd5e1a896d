"""The model's vocabulary and ids: one reading of every spelling of a kind, a status, an id."""

from __future__ import annotations

import pytest

from tracespec import SpanKind, StatusCode
from tracespec.trace.ids import derived_id, find_trace, normalize_trace_id, pad_trace_id


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (2, SpanKind.SERVER), ("2", SpanKind.SERVER), ("server", SpanKind.SERVER),
        ("SERVER", SpanKind.SERVER), ("SPAN_KIND_SERVER", SpanKind.SERVER),
        (" span_kind_client ", SpanKind.CLIENT), (5, SpanKind.CONSUMER), (0, SpanKind.UNSPECIFIED),
        (9, SpanKind.UNSPECIFIED), (-1, SpanKind.UNSPECIFIED), ("bogus", SpanKind.UNSPECIFIED),
        (True, SpanKind.UNSPECIFIED), (None, SpanKind.UNSPECIFIED), (2.0, SpanKind.UNSPECIFIED),
    ],
)
def test_span_kind_parse(value: object, kind: SpanKind) -> None:
    assert SpanKind.parse(value) is kind


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (2, StatusCode.ERROR), ("ERROR", StatusCode.ERROR), ("STATUS_CODE_ERROR", StatusCode.ERROR),
        ("ok", StatusCode.OK), (1, StatusCode.OK), ("1", StatusCode.OK), (0, StatusCode.UNSET),
        (3, StatusCode.UNSET), ("nope", StatusCode.UNSET), (False, StatusCode.UNSET),
    ],
)
def test_status_code_parse(value: object, status: StatusCode) -> None:
    assert StatusCode.parse(value) is status


def test_numbers_round_trip_in_otlp_order() -> None:
    assert [k.number for k in SpanKind] == list(range(6))
    assert all(SpanKind.from_otlp(k.number) is k for k in SpanKind)
    assert [s.number for s in StatusCode] == [0, 1, 2]
    assert StatusCode.ERROR.otlp_name == "STATUS_CODE_ERROR"


def test_trace_ids_as_people_write_them() -> None:
    assert normalize_trace_id(" 0123456789ABCDEF ") == "0000000000000000" + "0123456789abcdef"
    assert normalize_trace_id("a" * 32) == "a" * 32
    assert pad_trace_id(b"\x01" * 8) == b"\0" * 8 + b"\x01" * 8
    assert pad_trace_id(b"\x02" * 16) == b"\x02" * 16

    class T:
        def __init__(self, trace_id: str) -> None:
            self.trace_id = trace_id

    traces = [T("0" * 16 + "1" * 16), T("2" * 32)]
    assert find_trace(traces, "1" * 16) is traces[0]
    assert find_trace(traces, "2" * 32) is traces[1]
    assert find_trace(traces, "3" * 32) is None


def test_derived_ids_are_stable_and_avoid_taken_ones() -> None:
    first = derived_id(b"salt", b"seed", lambda i: False)
    assert len(first) == 8 and first == derived_id(b"salt", b"seed", lambda i: False)
    second = derived_id(b"salt", b"seed", lambda i: i == first)
    assert second not in (first,) and len(second) == 8
