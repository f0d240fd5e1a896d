"""OTLP JSON Lines read with their attribute lists cut out of the bytes (formats/_cut.py) load
exactly what the plain parse of the same lines loads: the same spans, attributes, events,
columns and span types, or the same error, whatever the lines hold (strings with braces,
brackets, escapes, quotes, non-ASCII or broken UTF-8, nested values, event and scope
attributes, the placeholder's own bytes)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracespec
from tracespec.errors import TraceLoadError
from tracespec.formats import _cut, _text

_N = _cut._MIN_CUTS + 2  # spans a line: enough for the line to be cut


@pytest.fixture(autouse=True)
def _cut_small_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The texts here are small: cut them all the same (a big text is cut anyway)."""
    monkeypatch.setattr(_cut, "CUT_MIN_BYTES", 0)
_KEYS = ["k", "http.status_code", "db.system", "rpc.method", "name", "event_type"]
_TEXT = st.lists(
    st.sampled_from(["a", "}}]", "]", "[", "{", "}", '"', "\\", "é", "\x00", "\n", "/", ",",
                     ',"attributes":[', '"}}]', "\\u0000"]),
    max_size=5,
).map("".join)
_FLAT_TEXT = _TEXT.map(lambda s: s.replace("\x00", "").replace("\\u0000", "").replace("}}]", "}"))
_FLAT_VALUE = st.one_of(  # what the collector writes, and what a line is cut for
    st.builds(lambda s: {"stringValue": s}, _FLAT_TEXT),
    st.builds(lambda i: {"intValue": str(i)}, st.integers(-5, 2**63 - 1)),
    st.builds(lambda b: {"boolValue": b}, st.booleans()),
    st.builds(lambda d: {"doubleValue": d}, st.floats(allow_nan=False, allow_infinity=False)),
)
_VALUE = st.one_of(
    st.builds(lambda s: {"stringValue": s}, _TEXT),
    st.builds(lambda i: {"intValue": str(i)}, st.integers(-5, 2**63 - 1)),
    st.builds(lambda i: {"intValue": i}, st.integers(-5, 500)),
    st.builds(lambda b: {"boolValue": b}, st.booleans()),
    st.builds(lambda d: {"doubleValue": d}, st.floats(allow_nan=False, allow_infinity=False)),
    st.just({"bytesValue": "AAEC"}),
    st.builds(lambda v: {"arrayValue": {"values": [{"stringValue": v}]}}, _TEXT),
    st.builds(lambda k, v: {"kvlistValue": {"values": [{"key": k, "value": {"intValue": v}}]}},
              st.sampled_from(_KEYS), st.integers(0, 9)),
    st.just({}),
)
_ATTRIBUTES = st.lists(
    st.builds(lambda k, v, first: {"key": k, "value": v} if first else {"value": v, "key": k},
              st.sampled_from(_KEYS), _VALUE, st.integers(0, 9).map(lambda i: i > 0)),
    max_size=4,
)
_FLAT_ATTRIBUTES = st.lists(
    st.builds(lambda k, v: {"key": k, "value": v}, st.sampled_from(_KEYS), _FLAT_VALUE),
    max_size=4,
)


@st.composite
def _spans(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for i in range(_N):
        span: dict[str, Any] = {
            "traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": f"{i + 1:016x}",
            "name": "s", "kind": 2, "startTimeUnixNano": str(1700000000000000000 + i),
            "endTimeUnixNano": "1700000000000001000",
        }
        if i:
            span["parentSpanId"] = "0000000000000001"
        attributes = draw(_ATTRIBUTES if draw(st.integers(0, 19)) == 0 else _FLAT_ATTRIBUTES)
        shape = draw(st.integers(0, 29))
        if shape == 0:  # the attributes first: not cut
            span = {"attributes": attributes, **span}
        elif shape != 1:  # (1: no attributes at all)
            span["attributes"] = attributes
        if draw(st.integers(0, 29)) == 0:
            span["events"] = [{"timeUnixNano": "1700000000000000500", "name": "e",
                               "attributes": draw(_FLAT_ATTRIBUTES)}]
        out.append(span)
    return out


def _line(spans: list[dict[str, Any]], scope_attributes: list[Any] | None) -> bytes:
    scope: dict[str, Any] = {"name": "lib"}
    if scope_attributes is not None:
        scope["attributes"] = scope_attributes
    return orjson.dumps({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "api"}}]},
        "scopeSpans": [{"scope": scope, "spans": spans}]}]})


@contextlib.contextmanager
def _plain() -> Iterator[None]:
    """Lines parsed as written: nothing cut."""
    with mock.patch.object(_text, "cut_document", lambda data, start, end: None):
        yield


def _loaded(text: bytes) -> Any:
    try:
        trace = tracespec.load_trace(text)
    except TraceLoadError as exc:
        return "error", str(exc)
    index = trace.index
    index.prefetch(["tracetest.span.type", *_KEYS])
    return (
        [(s.span_id, s.name, s.kind, dict(s.attributes), s.events, s.links) for s in trace],
        {k: list(index.column(k)) for k in ["tracetest.span.type", *_KEYS]},
    )


def _both(text: bytes) -> Any:
    cut = _loaded(text)
    with _plain():
        plain = _loaded(text)
    assert cut == plain
    return cut


_HEAD = _line([{"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "00000000000000ff",
                "name": "head", "startTimeUnixNano": "1", "endTimeUnixNano": "2"}], None)


@settings(max_examples=max(150, settings.default.max_examples), deadline=None)
@given(_spans(), st.one_of(st.none(), _FLAT_ATTRIBUTES, _ATTRIBUTES))
def test_cut_lines_load_what_plain_lines_load(spans: list[dict[str, Any]],
                                              scope_attributes: list[Any] | None) -> None:
    # (a text's first line is parsed before the format is known: never cut)
    _both(_HEAD + b"\n" + _line(spans, scope_attributes) + b"\n")


_HOSTILE = [b"\xff", b"\xed\xa0\x80", b"\\ud800", b"\x01", b"\\u0000", b'\\"', b"\\x", b"}}]",
            b'"}},{"key":"k","value":{"intValue":"1"}}]', b"01", b"1.", b" "]


@settings(max_examples=max(150, settings.default.max_examples), deadline=None)
@given(_spans(), st.data())
def test_hostile_bytes_in_cut_lines(spans: list[dict[str, Any]], data: st.DataObject) -> None:
    line = _line(spans, None)
    # put hostile bytes in place of a value's text (or a number), where the line is still
    # likely to be cut
    marks = [i for i in range(len(line)) if line.startswith(b'Value":', i)]
    for _ in range(data.draw(st.integers(1, 2))):
        at = data.draw(st.sampled_from(marks)) + len(b'Value":')
        bad = data.draw(st.sampled_from(_HOSTILE))
        if line[at:at + 1] == b'"':
            at += 1
        line = line[:at] + bad + line[at:]
    _both(_HEAD + b"\n" + line + b"\n")


def _flat_spans(text: str) -> list[dict[str, Any]]:
    return [{"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": f"{i + 1:016x}",
             "name": "s", "kind": 3, "startTimeUnixNano": "1", "endTimeUnixNano": "2",
             "attributes": [{"key": "db.system", "value": {"stringValue": text + str(i)}},
                            {"key": "n", "value": {"intValue": str(i)}}]}
            for i in range(_N)]


def test_a_line_of_flat_attributes_is_cut() -> None:
    line = _line(_flat_spans("x}]{["), None)
    doc = _cut.cut_document(line, 0, len(line))
    assert doc is not None and len(doc[_cut.CUT_KEY].lists) == _N
    got = _both(_HEAD + b"\n" + line + b"\n")
    assert sorted(v for v in got[1]["db.system"] if v) == sorted(f"x}}]{{[{i}" for i in range(_N))
    assert got[1]["tracetest.span.type"].count("database") == _N


def test_a_line_with_a_list_end_in_a_string_is_parsed_as_written() -> None:
    line = _line(_flat_spans("x}}]"), None)
    assert _cut.cut_document(line, 0, len(line)) is None
    got = _both(_HEAD + b"\n" + line + b"\n")
    assert sorted(v for v in got[1]["db.system"] if v) == sorted(f"x}}}}]{i}" for i in range(_N))


def _spans_with_an_event() -> list[dict[str, Any]]:
    """``_N`` spans, each with an attribute ``k`` = its number and an event with attributes."""
    return [{"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": f"{i + 1:016x}",
             "name": "s", "startTimeUnixNano": "1", "endTimeUnixNano": "2",
             "attributes": [{"key": "k", "value": {"intValue": str(i)}}],
             "events": [{"timeUnixNano": "1", "name": "e",
                         "attributes": [{"key": "e", "value": {"boolValue": True}}]}]}
            for i in range(_N)]


def test_a_list_cut_from_an_event_reads_the_line_as_written() -> None:
    spans = _spans_with_an_event()
    line = _line(spans, None)
    assert _cut.cut_document(line, 0, len(line)) is not None
    got = _both(_HEAD + b"\n" + line + b"\n")
    assert sorted(v for v in got[1]["k"] if v is not None) == list(range(_N))
    assert sum(events[0].attributes == {"e": True} for *_, events, _ in got[0] if events) == _N


def test_lines_cut_for_nothing_stop_the_cutting() -> None:
    spans = _spans_with_an_event()
    lines = [_line([{**s, "spanId": f"{j:04x}{s['spanId'][4:]}"} for s in spans], None)
             for j in range(1, 6)]
    calls = []

    def counted(data: Any, start: int, end: int) -> Any:
        calls.append(start)
        return _cut.cut_document(data, start, end)

    with mock.patch.object(_text, "cut_document", counted):
        got = _loaded(b"\n".join([_HEAD, *lines]) + b"\n")
    assert len(calls) == _cut.MAX_MISSED
    assert got == _both(b"\n".join([_HEAD, *lines]) + b"\n")
    assert sorted(v for v in got[1]["k"] if v is not None) == sorted([*range(_N)] * 5)


def test_a_small_text_is_cut_only_once_re2_is_imported() -> None:
    """Below CUT_MIN_BYTES the cut saves less than importing RE2 costs: a fresh process reads
    a small JSON Lines file as written, and imports no RE2 for it."""
    code = (
        "import sys, tracespec\n"
        "from tracespec.formats import _cut\n"
        "trace = tracespec.load_trace('examples/orders-trace.jsonl')\n"
        "print(len(trace), 're2' in sys.modules, _cut.worth_cutting(10), _cut.CUT_MIN_BYTES)\n"
    )
    root = Path(__file__).resolve().parent.parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root / "src")})
    assert out.stdout.split() == ["9", "False", "False", "4000000"]
