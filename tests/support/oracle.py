"""The plain tree-walking selector oracle.

``oracle_select`` is Tracetest's matching algorithm (spec §1.5) with the fixes the spec README
decides, written as plainly as possible over the public Span API: no index, no column, no
plan.  The indexed evaluator must agree with it on every input.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import re2

import tracespec
from tracespec.selectors import ast
from tracespec.trace.attrvalue import number_of, text_form

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
