"""Data-driven unit cases: the duration converter, each filter, each comparator."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.cases import cases, load
from tracespec.assertions.ast import Comparator
from tracespec.assertions.compare import compare_texts
from tracespec.assertions.filters import FILTERS, FilterError
from tracespec.assertions.values import NIL_VALUE, Value, dehumanize, humanize

TIME = load("assertions/time_converter.json")
FILTER_CASES = cases("assertions/filters.json")
COMPARATOR_CASES = cases("assertions/comparators.json")


@pytest.mark.parametrize(("ns", "text"), TIME["humanize"])
def test_humanize(ns: int, text: str) -> None:
    assert humanize(ns) == text


@pytest.mark.parametrize(("text", "ns"), TIME["dehumanize"])
def test_dehumanize(text: str, ns: int) -> None:
    assert dehumanize(text) == ns


def _input(spec: dict[str, Any]) -> Value:
    if "text" in spec:
        return Value.of(spec["text"])
    if "array" in spec:
        return Value.array_of(spec["array"])
    return NIL_VALUE


@pytest.mark.parametrize(
    "case", FILTER_CASES, ids=[f"{i}:{c['filter']}" for i, c in enumerate(FILTER_CASES)]
)
def test_filter(case: dict[str, Any]) -> None:
    fn = FILTERS[case["filter"]]
    if "error" in case:
        with pytest.raises(FilterError) as info:
            fn(_input(case["input"]), case["args"])
        expected = case["error"]
        if expected.endswith("*"):
            assert str(info.value).startswith(expected[:-1])
        else:
            assert str(info.value) == expected
    else:
        assert fn(_input(case["input"]), case["args"]).text == case["output"]


@pytest.mark.parametrize(
    "case", COMPARATOR_CASES,
    ids=[f"{c['actual']} {c['comparator']} {c['expected']}" for c in COMPARATOR_CASES],
)
def test_comparator(case: dict[str, Any]) -> None:
    err = compare_texts(Comparator(case["comparator"]), case["expected"], case["actual"])
    assert (err is None) is case["passed"]
    if "error" in case:
        assert err == case["error"]
