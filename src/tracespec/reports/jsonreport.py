"""The machine report: test runs as the JSON Tracetest's CLI prints with ``-o json`` (docs/cli.md).

The shape is Tracetest's (``testRunWebUrl``, ``results.allPassed``, ``results.results[]`` with
``selector.query`` and per-assertion ``spanResults``), so scripts written against it keep
working; ``testRunWebUrl`` is empty, there being no server.  tracespec adds keys a script may
want and Tracetest has no place for: ``test`` (id, name, file), ``traceId``, ``outputs``,
``error`` (a run that could not start) and, per spec, ``name`` and ``error``.
"""

from __future__ import annotations

from typing import Any

from ..results import Outcome, SpecResult
from ..testfiles.results import SuiteResult, TestResult
from ._rows import span_results_of

__all__ = ["spec_json", "suite_json", "test_json"]

_PASSED = Outcome.PASSED  # (a module constant reads faster than an enum class attribute)


def spec_json(spec: SpecResult) -> dict[str, Any]:
    """One spec's entry of ``results.results``."""
    results = []
    for assertion in spec.assertions:
        spans = span_results_of(spec, assertion)
        results.append({
            "assertion": assertion.text,
            "allPassed": spec.error is None and assertion.passed,
            "spanResults": [
                {
                    "spanId": s.span_id,
                    "observedValue": s.observed,
                    "passed": s.outcome is _PASSED,
                    "error": s.error,
                }
                for s in spans
            ],
        })
    return {
        "selector": {"query": spec.selector},
        "name": spec.name or "",
        "error": spec.error,
        "results": results,
    }


def _results(result: TestResult) -> dict[str, Any]:
    return {
        "allPassed": result.passed,
        "results": [spec_json(s) for s in result.specs],
    }


def _extras(result: TestResult) -> dict[str, Any]:
    return {
        "test": {"id": result.test.id, "name": result.test.name, "file": result.test.path},
        "traceId": result.trace_id,
        "outputs": [
            {
                "name": o.name,
                "value": o.value,
                "spanId": o.span_id,
                "resolved": o.resolved,
                "error": o.error,
            }
            for o in result.outputs
        ],
        "error": result.error,
    }


def test_json(result: TestResult) -> dict[str, Any]:
    """The JSON object of one test run."""
    return {"testRunWebUrl": "", "results": _results(result), **_extras(result)}


test_json.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def suite_json(result: SuiteResult) -> dict[str, Any]:
    """The JSON object of a suite run: one entry per step that ran."""
    return {
        "testRunWebUrl": "",
        "suite": {"id": result.suite.id, "name": result.suite.name, "file": result.suite.path},
        "allPassed": result.passed,
        "steps": [
            {"name": step.test.name, "results": _results(step), **_extras(step)}
            for step in result.steps
        ],
    }
