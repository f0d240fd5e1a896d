"""The assertions SQL can decide: for ``attr:KEY <op> constant``, a condition on a span's value
under which the in-memory engine passes the span (:func:`sure_pass_sql`).

Attribute values in the table are text, so the in-memory verdict on a span is a function of
that text (of the nanoseconds, for ``tracetest.span.duration``).  This module asks the
in-memory engine itself: it checks the assertion on one-span probe traces, so SQL never
re-implements the assertion language.  An ordering against a number or a duration passes on
an interval of integers; its end is found by bisection over probes (and checked on both sides),
and SQL passes an integer text in that interval.  ``=`` against a text passes exactly the spans
whose value is that text when the probe with it passes.  Anything else, and any span outside
those conditions, is decided in memory on the fetched trace: SQL only ever says "passes".
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from ..assertions import Check, ast, compile_assertion
from ..query.plan import Field
from ..spec import check
from ..trace import RECORD_ADAPTER, Group, Resource, Scope, SpanRecord, TraceBuilder
from ..trace.attrvalue import AttrValue
from ..trace.tracetest import META_KEYS
from .schema import quote_string
from .sql import value_sql

__all__ = ["sure_pass_sql"]

_DURATION_KEY = "tracetest.span.duration"
_LIMIT = 10**18  # integer texts SQL reads (Int64)
_ORDERINGS = (ast.Comparator.LT, ast.Comparator.LE, ast.Comparator.GT, ast.Comparator.GE)


def _probe(item: Check, key: str) -> Callable[[int | str], bool]:
    """The in-memory verdict of ``item`` on one span whose ``key`` holds a value."""

    def passes(value: int | str) -> bool:
        builder = TraceBuilder(source=None, format="probe")
        g = builder.add_group(Group(Resource(), Scope(present=False), RECORD_ADAPTER))
        attributes: dict[str, AttrValue] = {} if key == _DURATION_KEY else {key: str(value)}
        end = int(value) if key == _DURATION_KEY else 1
        builder.add_span(b"\x01" * 16, b"\x02" * 8, b"", 0, end,
                         SpanRecord(name="probe", attributes=attributes), g)
        return check("", [item], builder.build()[0]).passed

    return passes


def _interval(passes: Callable[[int | str], bool], low: int, high: int, down: bool
              ) -> int | None:
    """The end of the passing interval: the last passing integer of a down-set (``down``) or
    the first of an up-set, within ``low .. high``; ``None`` when the probes say otherwise."""
    edge_ok = passes(low) if down else passes(high)
    if not edge_ok:
        return None
    lo, hi = low, high
    while lo < hi:  # invariant (down): passes(lo); find the last passing
        mid = (lo + hi + 1) // 2 if down else (lo + hi) // 2
        if passes(mid) is down:
            lo, hi = (mid, hi) if down else (lo, mid)
        else:
            lo, hi = (lo, mid - 1) if down else (mid + 1, hi)
    bound = lo
    if down:
        ok = passes(bound) and (bound == high or not passes(bound + 1))
    else:
        ok = passes(bound) and (bound == low or not passes(bound - 1))
    return bound if ok else None


@functools.lru_cache(maxsize=256)
def sure_pass_sql(text: str) -> str | None:
    """A ``0``/``1`` SQL condition on a span under which assertion ``text`` passes it in
    memory, or ``None`` when SQL cannot tell (the span is then checked in memory)."""
    item = compile_assertion(text)
    node = item.ast
    if not isinstance(node.left, ast.Attribute) or node.comparator not in (
            *_ORDERINGS, ast.Comparator.EQ):
        return None
    key = node.left.name
    if (key in META_KEYS or key.startswith("tracetest.")) and key != _DURATION_KEY:
        return None  # meta attributes, and what a run computes (tracetest.selected_spans.*)
    passes = _probe(item, key)
    right = node.right
    if key == _DURATION_KEY:
        if node.comparator not in _ORDERINGS or not isinstance(right, ast.Number | ast.Duration):
            return None
        return _ordering("Duration", passes, node.comparator, 0, _LIMIT)
    value = value_sql(Field.ATTRIBUTE, key)
    if value is None:
        return None
    if node.comparator is ast.Comparator.EQ:
        if not isinstance(right, ast.String) or not all(isinstance(p, str) for p in right.parts):
            return None
        expected = "".join(p for p in right.parts if isinstance(p, str))
        if "\\" in expected or not passes(expected):
            return None
        return f"ifNull(({value}) = {quote_string(expected)}, 0)"
    if not isinstance(right, ast.Number | ast.Duration):
        return None
    t = f"ifNull({value}, '')"
    ranged = _ordering(f"toInt64OrZero({t})", passes, node.comparator, -_LIMIT, _LIMIT)
    if ranged is None:
        return None
    return f"(match({t}, '^-?[0-9]{{1,18}}$') AND {ranged})"


def _ordering(column: str, passes: Callable[[int | str], bool], op: ast.Comparator,
              low: int, high: int) -> str | None:
    down = op in (ast.Comparator.LT, ast.Comparator.LE)
    bound = _interval(passes, low, high, down)
    if bound is None:
        return None
    return f"({column} <= {bound})" if down else f"({column} >= {bound})"
