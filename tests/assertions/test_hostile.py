"""Hostile assertion and selector input (issue 11): deep JSON, huge numbers, lone surrogates.

Each ends with the right verdict or a clean failure of the span (an error message), never a
RecursionError or ValueError from the standard library.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tracespec
from tests.support.traces import make_trace
from tracespec.assertions.values import MAX_JSON_DEPTH, loads_json


def _nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 600, 1500, 5000])
def test_deep_json_is_refused_cleanly(depth: int) -> None:
    with pytest.raises(ValueError, match="nested more than"):
        loads_json(_nested(depth))
    with pytest.raises(ValueError, match="nested more than"):
        loads_json('{"a":' * depth + "1" + "}" * depth)


def test_json_at_the_bound_reads() -> None:
    value = loads_json(_nested(MAX_JSON_DEPTH - 1))
    for _ in range(MAX_JSON_DEPTH - 1):
        value = value[0]
    assert value == 1


@pytest.mark.parametrize("depth", [600, 1500])
def test_deep_json_in_attributes_and_assertions(depth: int) -> None:
    deep = _nested(depth)
    trace = make_trace([{"name": "a", "attributes": {"j": deep}}])
    result = tracespec.check("span[]", [
        "attr:j | json_path '$[0]' = 1",
        "attr:j contains " + json.dumps(deep),
        f"attr:j = '{deep}'",
    ], trace)
    first, contains, equal = result.assertions
    assert not first.passed and "nested more than" in (first.spans[0].error or "")
    assert contains.passed  # not JSON to read: the text contains itself
    assert equal.passed  # the same text


def test_a_json_path_result_nested_deeply() -> None:
    doc = json.dumps({"x": json.loads(_nested(100))})
    trace = make_trace([{"name": "a", "attributes": {"j": doc}}])
    result = tracespec.check("span[]", ["attr:j | json_path '$.x' = 1",
                                        "attr:j | json_path '$..x' = 1"], trace)
    assert [a.passed for a in result.assertions] == [False, False]
    assert result.assertions[0].spans[0].observed == json.dumps(json.loads(_nested(100)),
                                                                separators=(",", ":"))


def test_a_lone_surrogate_from_json_path() -> None:
    trace = make_trace([{"name": "a", "attributes": {"j": '{"x": "\\ud800"}'}}])
    result = tracespec.check("span[]", ["attr:j | json_path '$.x' = \"a\""], trace)
    assert result.assertions[0].spans[0].observed == "\ud800"


@pytest.mark.parametrize("literal", ["0x" + "f" * 4000, "9" * 5000, "0b" + "1" * 15000])
def test_huge_numbers_in_a_selector_are_a_parse_error(literal: str) -> None:
    with pytest.raises(tracespec.ParseError, match="has more than 4300 digits") as info:
        tracespec.compile_selector(f"span[a={literal}]")
    assert len(str(info.value).splitlines()[0]) < 200 + len(literal)
    assert literal not in str(info.value).splitlines()[0]  # the number is cut in the message


def test_huge_numbers_in_an_assertion() -> None:
    digits = "9" * 5000
    trace = make_trace([{"name": "a", "attributes": {"a": digits, "b": 1}}])
    result = tracespec.check("span[]", [f"attr:a = {digits}", f"attr:b < {digits}"], trace)
    assert [a.passed for a in result.assertions] == [True, True]


# -- durations -------------------------------------------------------------------------------------

ORDERS = Path(__file__).resolve().parents[2] / "examples" / "orders-trace.json"


def test_the_documented_arithmetic_examples() -> None:
    trace = tracespec.load_trace(ORDERS)
    sel = 'span[name="POST /api/orders"]'  # 48.25ms
    assert tracespec.check(sel, ["attr:tracetest.span.duration - 10000000 < 1s",
                                 "attr:tracetest.span.duration < 1s + 10ms",
                                 "attr:tracetest.span.duration - 40000000 < 10ms"], trace).passed
    mixed = tracespec.check(sel, ["attr:tracetest.span.duration - 10ms < 1s"], trace)
    assert mixed.assertions[0].spans[0].error == "types mismatch"  # as docs/assertions.md says
    text = (Path(__file__).resolve().parents[2] / "docs" / "assertions.md").read_text()
    assert "attr:tracetest.span.duration - 10000000 < 1s" in text
    assert "attr:tracetest.span.duration - 10ms < 1s`," not in text


@pytest.mark.parametrize("literal", ["999999999999h", "9223372036854775808ns", "-300000000000s"])
def test_durations_beyond_int64_are_a_compile_error(literal: str) -> None:
    text = f"attr:tracetest.span.duration < {literal}"
    with pytest.raises(tracespec.CompileError, match="is out of range") as info:
        tracespec.compile_assertion(text)
    start, end = info.value.span
    assert literal.lstrip("-") in text[start:end]


def test_the_largest_duration_still_compares() -> None:
    trace = tracespec.load_trace(ORDERS)
    assert tracespec.check("span[]", ["attr:tracetest.span.duration < 2562047h",
                                      "attr:tracetest.span.duration > -1s"], trace).passed


@pytest.mark.parametrize(("assertion", "passed", "observed"), [
    ("-1s < -500ms", True, "-1s"), ("-500ms < -1s", False, "-500ms"),
    ("-1ms < 0ms", True, "-1ms"), ("-1.5s < -1s", True, "-1.5s"),
    ("100ms - 200ms = -100ms", True, "-100ms"), ("-2s = -2000ms", True, "-2s"),
])
def test_negative_durations_compare_by_their_sign(assertion: str, passed: bool,
                                                  observed: str) -> None:
    trace = tracespec.load_trace(ORDERS)
    result = tracespec.check('span[name="POST /api/orders"]', [assertion], trace)
    assert result.passed is passed
    assert result.assertions[0].spans[0].observed == observed
