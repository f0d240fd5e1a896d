"""Data-driven selector cases (``tests/cases/select/*.json``, jmespath style).

Each file is a list of groups ``{"comment", "given": <span tree>, "cases": [...]}``; a case
is ``{"selector", "result": [span names in trace order]}`` or ``{"selector", "error":
"ParseError" | "CompileError"}``.  Every expected result was worked out by hand from the spec;
the plain oracle of ``tests.support.oracle`` must agree with it too, so the oracle used by the
property tests is itself checked against the spec.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

import tracespec
from tests.support.cases import selector_cases, selector_given
from tests.support.oracle import oracle_select
from tests.support.traces import make_trace

CASES = [pytest.param(name, group, case, id=case_id)
         for case_id, name, group, case in selector_cases()]


@functools.cache
def _trace(name: str, group: int) -> tracespec.Trace:
    return make_trace(selector_given(name, group))


@pytest.mark.parametrize(("name", "group", "case"), CASES)
def test_case(name: str, group: int, case: dict[str, Any]) -> None:
    trace = _trace(name, group)
    selector = case["selector"]
    if "error" in case:
        errors = {"ParseError": tracespec.ParseError, "CompileError": tracespec.CompileError}
        with pytest.raises(errors[case["error"]]):
            tracespec.select(selector, trace)
        return
    got = [span.name for span in tracespec.select(selector, trace)]
    assert got == case["result"]
    oracle = [trace[p].name for p in oracle_select(tracespec.parse_selector(selector), trace)]
    assert oracle == case["result"]
