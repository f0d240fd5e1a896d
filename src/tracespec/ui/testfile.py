"""The test the explorer builds, as a Tracetest ``type: Test`` file that ``tracespec run`` runs.

The specs a user collected (name, selector, assertions) become a test whose trigger is
``traceid`` with the trace's id, so ``tracespec run -f test.yaml --trace TRACE`` checks that
trace unchanged (Tracetest runs it the same way on a trace it already has).  Every selector
and assertion is compiled first: a test that would not run is refused with the reason.  The
text is written by the reports' YAML writer (:func:`tracespec.reports.yamlreport.iter_yaml`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..assertions import compile_assertion
from ..errors import CompileError, ParseError
from ..reports.yamlreport import iter_yaml
from ..selectors import compile_selector
from .errors import RequestError

__all__ = ["test_yaml"]

_NOT_ID = re.compile(r"[^a-z0-9]+")


def _spec(number: int, spec: dict[str, Any]) -> dict[str, Any]:
    name, selector = spec.get("name", ""), spec.get("selector", "")
    assertions = spec.get("assertions", [])
    if not isinstance(name, str) or not isinstance(selector, str) or not isinstance(
            assertions, list) or not all(isinstance(a, str) for a in assertions):
        raise RequestError(f"spec {number}: name and selector are texts, assertions a list")
    if not assertions:
        raise RequestError(f"spec {number}: no assertion")
    try:
        if selector.strip():
            compile_selector(selector)
        for text in assertions:
            compile_assertion(text)
    except (ParseError, CompileError) as exc:
        raise RequestError(f"spec {number}: {exc.message} in {exc.source!r}") from None
    out: dict[str, Any] = {"name": name} if name.strip() else {}
    out["selector"] = selector.strip()
    out["assertions"] = [a.strip() for a in assertions]
    return out


def test_yaml(name: str, trace_id: str, specs: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """The YAML text of the test, and a file name for it (from its name)."""
    if not specs:
        raise RequestError("the test has no spec: add one first")
    title = name.strip() or "Explored trace"
    test_id = _NOT_ID.sub("-", title.lower()).strip("-") or "test"
    document = {
        "type": "Test",
        "spec": {
            "id": test_id,
            "name": title,
            "trigger": {"type": "traceid", "traceid": {"id": trace_id}},
            "specs": [_spec(i, s) for i, s in enumerate(specs, 1)],
        },
    }
    return "".join(iter_yaml(document)), f"{test_id}.yaml"


test_yaml.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
