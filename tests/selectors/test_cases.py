"""Data-driven selector cases (``tests/cases/select/*.json``, jmespath style).

Each file is a list of groups ``{"comment", "given": <span tree>, "cases": [...]}``; a case
is ``{"selector", "result": [span names in trace order]}`` or ``{"selector", "error":
"ParseError" | "CompileError"}``.  Every expected result was worked out by hand from the spec;
the plain oracle of ``selector_support`` must agree with it too, so the oracle used by the
property tests is itself checked against the spec.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

import tracespec
from tests.selector_support import oracle_select, tree_trace

CASES = Path(__file__).resolve().parents[1] / "cases" / "select"


def _load() -> list[Any]:
    out = []
    for path in sorted(CASES.glob("*.json")):
        groups = json.loads(path.read_text(encoding="utf-8"))
        for g, group in enumerate(groups):
            for c, case in enumerate(group["cases"]):
                out.append(pytest.param(path.name, g, case, id=f"{path.stem}-{g}-{c}"))
    return out


@functools.cache
def _trace(name: str, group: int) -> tracespec.Trace:
    groups = json.loads((CASES / name).read_text(encoding="utf-8"))
    return tree_trace(groups[group]["given"])


@pytest.mark.parametrize(("name", "group", "case"), _load())
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
