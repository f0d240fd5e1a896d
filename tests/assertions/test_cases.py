"""Data-driven assertion cases (tests/cases/assertions/*.json): upstream Tracetest cases, our
rules, the fixed bugs and the error messages.  Each case gives the assertion (or expression),
the current span's attributes (``null``: no span selected), and the expected verdict, observed
value and error message."""

from __future__ import annotations

from typing import Any

import pytest

from tests.assertion_support import load_cases, make_trace, run_case
from tracespec import check

FILES = ("upstream_executor.json", "rules.json", "fixed_bugs.json", "errors.json")
CASES = [c for f in FILES for c in load_cases(f)]


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_case(case_id: str, case: dict[str, Any]) -> None:
    passed, observed, error = run_case(case)
    if "expression" in case:
        if "error" in case:
            assert error == case["error"]
        else:
            assert error is None
            assert observed == case["value"]
        return
    assert passed is case["passed"], (observed, error)
    if "observed" in case:
        assert observed == case["observed"]
    if "error" in case:
        assert error == case["error"]
    elif "error_prefix" in case:
        assert error is not None and error.startswith(case["error_prefix"]), error
    elif case["passed"]:
        assert error is None


SPEC_CASES = [c for _, c in load_cases("specs.json")]


@pytest.mark.parametrize("case", SPEC_CASES, ids=[c["name"] for c in SPEC_CASES])
def test_spec_case(case: dict[str, Any]) -> None:
    trace = make_trace(case["trace"])
    result = check(case["selector"], case["assertions"], trace)
    assert result.passed is all(e["passed"] for e in case["expected"])
    for got, want in zip(result.assertions, case["expected"], strict=True):
        assert got.passed is want["passed"]
        expected_spans = [
            (trace[w["span"]].span_id if w["span"] is not None else None, w["observed"],
             w["passed"], w["error"])
            for w in want["spans"]
        ]
        assert [(s.span_id, s.observed, s.passed, s.error) for s in got.spans] == expected_spans
