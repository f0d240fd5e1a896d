"""Helpers for the assertion tests: tiny traces from attribute dicts, and the case runner."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import tracespec
from tracespec import EvalError
from tracespec.assertions import compile_assertion, compile_expression
from tracespec.assertions.functions import seed

CASES = Path(__file__).parent / "cases" / "assertions"
T0 = 1_700_000_000_000_000_000


def _otlp_value(v: Any) -> dict[str, Any]:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, list):
        return {"arrayValue": {"values": [_otlp_value(x) for x in v]}}
    if isinstance(v, dict):
        return {"kvlistValue": {"values": [{"key": k, "value": _otlp_value(x)}
                                           for k, x in v.items()]}}
    return {"stringValue": v}


def make_trace(spans: list[dict[str, Any]]) -> tracespec.Trace:
    """A trace of the given spans: each a dict with optional ``name``, ``attributes``,
    ``duration_ns``, ``parent`` (index of the parent span; default: the first span)."""
    out = []
    for i, s in enumerate(spans):
        start = T0 + i * 1000
        span: dict[str, Any] = {
            "traceId": "0af7651916cd43dd8448eb211c80319c",
            "spanId": f"{i + 1:016x}",
            "name": s.get("name", f"span {i}"),
            "kind": 1,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(start + s.get("duration_ns", 1_000_000)),
            "attributes": [{"key": k, "value": _otlp_value(v)}
                           for k, v in s.get("attributes", {}).items()],
        }
        if i > 0:
            span["parentSpanId"] = f"{s.get('parent', 0) + 1:016x}"
        out.append(span)
    doc = {"resourceSpans": [{"resource": {"attributes": []},
                              "scopeSpans": [{"spans": out}]}]}
    return tracespec.load_trace(doc)


def load_cases(name: str) -> list[tuple[str, dict[str, Any]]]:
    data = json.loads((CASES / name).read_text(encoding="utf-8"))
    return [(f"{name}:{i}:{c.get('name', c.get('assertion', c.get('expression', '')))}", c)
            for i, c in enumerate(data["cases"])]


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
    case.  A case's ``span`` is the current span's attributes (``null``: no span selected)."""
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
