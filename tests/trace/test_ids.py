"""Naming a trace as people do: its id, a 64-bit id, or a unique prefix of 8+ hex digits."""

from __future__ import annotations

import pytest

from tracespec.trace.ids import MIN_PREFIX, find_trace, id_listing, match_traces, trace_id_query


class T:
    def __init__(self, trace_id: str) -> None:
        self.trace_id = trace_id


LONG = T("4bf92f3577b34da6a3ce929d0e0e4736")
SAME_START = T("4bf92f35" + "0" * 24)
SHORT = T("0" * 16 + "0123456789abcdef")  # a 64-bit id, padded
TRACES = [LONG, SAME_START, SHORT]


def test_the_whole_id_and_a_64_bit_id() -> None:
    assert match_traces(TRACES, LONG.trace_id.upper()) == [LONG]
    assert match_traces(TRACES, " 0123456789ABCDEF ") == [SHORT]
    assert match_traces(TRACES, "ab" * 16) == []  # a whole id is never read as a prefix


def test_prefixes() -> None:
    assert match_traces(TRACES, "4bf92f357") == [LONG]
    assert match_traces(TRACES, "4bf92f35") == [LONG, SAME_START]  # ambiguous: both, in order
    assert find_trace(TRACES, "4bf92f35") is None and find_trace(TRACES, "4bf92f3577") is LONG
    assert match_traces(TRACES, "00000000") == [SHORT]
    # 16 digits that are no padded id are a prefix of a 128-bit id
    assert match_traces(TRACES, LONG.trace_id[:16]) == [LONG]


@pytest.mark.parametrize(
    ("text", "message"),
    [("4bf92f3", "too short"), ("", "too short"), ("4bf92f35-77", "not a trace id"),
     ("g" * 32, "not a trace id"), ("a" * 33, "at most 32")],
)
def test_what_is_no_trace_id(text: str, message: str) -> None:
    assert MIN_PREFIX == 8
    with pytest.raises(ValueError, match=message):
        trace_id_query(text)
    with pytest.raises(ValueError, match=message):
        match_traces(TRACES, text)


def test_listing() -> None:
    assert id_listing(TRACES, 2) == f"{LONG.trace_id}, {SAME_START.trace_id}, ..."
    assert id_listing(TRACES[:1]) == LONG.trace_id


def test_match_ids_reads_ids_as_match_traces_does() -> None:
    """Bare ids (a receiver's) are matched as traces are: a 64-bit id names its zero-padded
    trace, a prefix every id it starts, a whole id only itself."""
    from tracespec.trace.ids import match_ids

    padded, other = "0" * 16 + "ab" * 8, "ab" * 16
    ids = [padded, other]
    assert match_ids(ids, "AB" * 8) == [padded]
    assert match_ids(ids, "abababab") == [other]
    assert match_ids(ids, "00000000") == [padded]
    assert match_ids(ids, "cd" * 16) == []
