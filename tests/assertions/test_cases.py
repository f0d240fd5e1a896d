"""Data-driven assertion cases (tests/cases/assertions/*.json): upstream Tracetest cases, our
rules, the fixed bugs and the error messages.  Each case gives the assertion (or expression),
the current span (``null``: no span selected), and the expected verdict, observed value and
error message; ``run_case`` runs one.  ``tests/cases/README.md`` describes the files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.support.cases import assertion_cases
from tests.support.traces import make_trace
from tracespec import EvalError, check
from tracespec.assertions import compile_assertion, compile_expression
from tracespec.assertions.functions import seed

FILES = ("upstream_executor.json", "rules.json", "fixed_bugs.json", "errors.json")
CASES = [c for f in FILES for c in assertion_cases(f)]


def _fill_templates(text: str) -> str:
    """``{now:FORMAT}`` → the current local time in a strftime format; ``{rfc3339}`` → now as
    Go's RFC 3339 (the upstream date tests compare against the clock)."""
    now = datetime.now().astimezone()
    rfc = now.isoformat(timespec="seconds")
    if now.utcoffset() is not None and not now.utcoffset():
        rfc = rfc[:-6] + "Z"
    out = text.replace("{rfc3339}", rfc)
    while "{now:" in out:
        start = out.index("{now:")
        end = out.index("}", start)
        out = out[:start] + now.strftime(out[start + 5 : end]) + out[end + 1 :]
    return out


def run_case(case: dict[str, Any]) -> tuple[bool | None, str | None, str | None]:
    """(passed, observed, error) of an assertion case, or (None, value, error) of an expression
    case.  A case's ``span`` is the current span (``null``: no span selected)."""
    seed(case.get("seed", 7))
    span = case.get("span", {})
    variables = case.get("variables")
    if span is None:
        trace = make_trace([{}])
        positions: list[int] = []
    else:
        trace = make_trace([span])
        positions = [0]
    selected = case.get("selected")
    if "expression" in case:
        compiled = compile_expression(_fill_templates(case["expression"]))
        try:
            value = compiled.value(trace, positions[0] if positions else None,
                                   variables=variables, selected_count=selected or 0)
        except EvalError as exc:
            return None, None, exc.message
        return None, value.text, None
    text = _fill_templates(case["assertion"])
    result = compile_assertion(text).run_positions(
        trace, positions, variables=variables, selected_count=selected
    )
    (span_result,) = result.spans
    return result.passed, span_result.observed, span_result.error


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


SPEC_CASES = [c for _, c in assertion_cases("specs.json")]


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
