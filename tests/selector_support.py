"""Helpers for the selector tests: traces from span trees, and a plain tree-walking oracle.

``tree_trace`` builds a trace from nested dicts (name, kind, attributes, children) through the
OTLP JSON loader, with start times in tree order so siblings keep the order written.
``oracle_select`` is Tracetest's matching algorithm (spec §1.5) with the fixes the spec README
decides, written as plainly as possible over the public Span API: no index, no column, no
plan.  The indexed evaluator must agree with it on every input.
"""

from __future__ import annotations

import base64
import operator
from collections.abc import Callable
from typing import Any

import re2

import tracespec
from tracespec.selectors import ast
from tracespec.trace.attrvalue import number_of, text_form

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
KINDS = {"unspecified": 0, "internal": 1, "server": 2, "client": 3, "producer": 4,
         "consumer": 5}


def otlp_value(v: Any) -> dict[str, Any]:
    """A JSON value as an OTLP AnyValue; ``{"$bytes": b64}`` and ``{"$double": "NaN"}`` too."""
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, bytes):
        return {"bytesValue": base64.b64encode(v).decode()}
    if isinstance(v, list | tuple):
        return {"arrayValue": {"values": [otlp_value(x) for x in v]}}
    if isinstance(v, dict):
        if "$bytes" in v:
            return {"bytesValue": v["$bytes"]}
        if "$double" in v:
            return {"doubleValue": v["$double"]}
        return {"kvlistValue": {"values": [{"key": k, "value": otlp_value(x)}
                                           for k, x in v.items()]}}
    return {"stringValue": v}


def tree_trace(tree: dict[str, Any]) -> tracespec.Trace:
    """A trace from ``{"name", "kind", "attributes", "children": [...]}`` (children in order)."""
    spans: list[dict[str, Any]] = []

    def add(node: dict[str, Any], parent: str | None) -> None:
        i = len(spans)
        span_id = f"{i + 1:016x}"
        start = 1_700_000_000_000_000_000 + i * 1000
        span: dict[str, Any] = {
            "traceId": TRACE_ID,
            "spanId": span_id,
            "name": node.get("name", f"span {i}"),
            "kind": KINDS[node.get("kind", "internal")],
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(start + 10_000_000),
            "attributes": [{"key": k, "value": otlp_value(v)}
                           for k, v in node.get("attributes", {}).items()],
        }
        if parent is not None:
            span["parentSpanId"] = parent
        spans.append(span)
        for child in node.get("children", []):
            add(child, span_id)

    add(tree, None)
    doc = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": spans}]}]}
    return tracespec.load_trace(doc)


# -- the oracle ----------------------------------------------------------------------------------

_ORDER: dict[ast.Operator, Callable[[Any, Any], bool]] = {
    ast.Operator.LT: operator.lt, ast.Operator.LE: operator.le,
    ast.Operator.GT: operator.gt, ast.Operator.GE: operator.ge,
}


def _read(span: tracespec.Span, key: str) -> Any:
    if key == "name":
        return span.name
    if key == "kind":
        return span.kind.value
    return span.attributes.get(key)


def _literal_text(lit: ast.Literal) -> str:
    if isinstance(lit, ast.String):
        return lit.value
    if isinstance(lit, ast.Bool):
        return "true" if lit.value else "false"
    return text_form(lit.value)


def _filter(f: ast.Filter, span: tracespec.Span) -> bool:
    value = _read(span, f.key)
    if isinstance(f, ast.Exists):
        return (value is None) == f.negated
    op, lit = f.op, f.value
    want = _literal_text(lit)
    if f.key == "kind" and op in (ast.Operator.EQ, ast.Operator.NE) and want == "unespecified":
        want = "unspecified"
    have = text_form(value)  # a missing value reads as ""
    num = lit.value if isinstance(lit, ast.Number) else None
    if op is ast.Operator.EQ:
        return number_of(value) == num if num is not None else have == want
    if op is ast.Operator.CONTAINS:
        return want in have
    if value is None:  # the extension operators never match a missing attribute
        return False
    read = number_of(value)
    if op is ast.Operator.NE:
        return read != num if num is not None and read is not None else have != want
    if op in _ORDER:
        cmp = _ORDER[op]
        return cmp(read, num) if num is not None and read is not None else cmp(have, want)
    if op is ast.Operator.NOT_CONTAINS:
        return want not in have
    matched = re2.compile(want).fullmatch(have) is not None
    return matched if op is ast.Operator.MATCHES else not matched


def _pick(p: ast.Pseudo, spans: list[tracespec.Span]) -> list[tracespec.Span]:
    if isinstance(p, ast.First):
        return spans[:1]
    if isinstance(p, ast.Last):
        return spans[-1:]
    assert isinstance(p, ast.NthChild)
    return [spans[p.n - 1]] if 1 <= p.n <= len(spans) else []


def _matches(comp: ast.Compound, span: tracespec.Span, trace: tracespec.Trace) -> bool:
    if not all(_filter(f, span) for f in comp.filters):
        return False
    for p in comp.pseudos:
        if isinstance(p, ast.Root) and span.parent is not None:
            return False
        if isinstance(p, ast.Leaf) and span.children:
            return False
        if isinstance(p, ast.Has) and not set(oracle_select(p.selector, trace)) & {
            d.position for d in span.descendants()
        }:
            return False
        if isinstance(p, ast.Not) and span.position in oracle_select(p.selector, trace):
            return False
    return True


def _match(chain: ast.Chain, k: int, start: tracespec.Span | None,
           trace: tracespec.Trace) -> list[tracespec.Span]:
    comp = chain.compounds[k]
    if start is None:
        candidates = list(trace)
    elif chain.combinators[k - 1] is ast.Combinator.CHILD:
        candidates = list(start.children)
    else:
        candidates = list(start.descendants())  # strictly below (fixed bug 3)
    found: list[tracespec.Span] = []
    for span in candidates:
        if _matches(comp, span, trace):
            if k == len(chain.compounds) - 1:
                found.append(span)
            else:
                found.extend(_match(chain, k + 1, span, trace))  # grouped per ancestor
    found = list(dict.fromkeys(found))  # first occurrence kept
    picks = [p for p in comp.pseudos if isinstance(p, ast.First | ast.Last | ast.NthChild)]
    return _pick(picks[-1], found) if picks else found


def oracle_select(selector: ast.Selector, trace: tracespec.Trace) -> list[int]:
    """Positions the selector picks: a union in trace order (fixed bugs 5 and 6)."""
    if not selector.alternatives:
        return list(range(len(trace)))
    found: set[int] = set()
    for chain in selector.alternatives:
        found.update(s.position for s in _match(chain, 0, None, trace))
    return sorted(found)
