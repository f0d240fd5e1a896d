"""Picks on long chains (issue 11): the per-context pick (``query/_picks.py``) equals the plain
oracle on deep, narrow traces, and a 20,000-deep chain is answered without quadratic work."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracespec
from tests.support.oracle import oracle_select
from tests.support.traces import make_trace
from tracespec.selectors import ast

_NAME = st.sampled_from(["a", "b"])
_PICK = st.one_of(st.builds(ast.First), st.builds(ast.Last),
                  st.builds(ast.NthChild, st.integers(min_value=1, max_value=4)))


@st.composite
def deep_trees(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Narrow, deep traces: each span's parent is one of the two spans before it."""
    count = draw(st.integers(min_value=1, max_value=40))
    return [{"name": draw(_NAME), "parent": max(0, i - draw(st.integers(1, 2)))}
            for i in range(count)]


@st.composite
def chains(draw: st.DrawFn) -> ast.Selector:
    """Chains of 2 to 5 compounds, each maybe naming a span and maybe picking."""
    size = draw(st.integers(min_value=2, max_value=5))
    parts = []
    for _ in range(size):
        filters = (ast.Comparison("name", ast.Operator.EQ, ast.String(draw(_NAME))),) \
            if draw(st.booleans()) else ()
        pseudos = (draw(_PICK),) if draw(st.integers(0, 2)) == 0 else ()
        parts.append(ast.Compound(filters, pseudos))
    combs = draw(st.lists(st.sampled_from(list(ast.Combinator)), min_size=size - 1,
                          max_size=size - 1))
    return ast.Selector((ast.Chain(tuple(parts), tuple(combs)),))


@settings(max_examples=max(300, settings.default.max_examples))
@given(deep_trees(), chains())
def test_picks_on_chains_match_the_oracle(spans: list[dict[str, Any]],
                                          selector: ast.Selector) -> None:
    trace = make_trace(spans)
    assert tracespec.compile_selector(selector).positions(trace) == \
        oracle_select(selector, trace)


def test_a_deep_chain_with_picks() -> None:
    n = 20_000
    trace = make_trace([{"name": "a", "parent": i - 1} for i in range(n)])
    s = 'span[name="a"]'

    def positions(text: str) -> list[int]:
        return tracespec.compile_selector(text).positions(trace)

    # (the oracle cannot walk this deep: the expected lists follow from the chain's shape)
    assert positions(f"{s} {s} {s}:first") == list(range(2, n))
    assert positions(f"{s} {s}:first {s}") == list(range(2, n))
    assert positions(f"{s} {s}:last {s}") == [n - 1]
    assert positions(f"{s} {s} {s} {s}:first") == list(range(3, n))
    assert positions(f"{s}:first {s}:nth_child(2) {s}") == [3]
    # child combinators below the pick
    assert positions(f"{s} > {s}:first {s}") == list(range(2, n))
    assert positions(f"{s} {s}:first > {s}") == list(range(2, n))
    assert positions(f"{s}:first {s} > {s}") == [2]
    assert positions(f"{s}:first > {s} {s}") == [2]
    assert positions(f"{s} {s}:last > {s}") == [n - 1]
    assert positions(f"{s} {s}:nth_child(2) > {s}") == list(range(3, n))
    # a child combinator below the pick, a level without pick in between: the lists are runs of
    # one sequence (``Runs``), never built per context
    assert positions(f"{s}:last {s} > {s}") == [n - 1]
    assert positions(f"{s} {s}:last {s} > {s}") == [n - 1]
    # (level 3 keeps each C's last child c+1; B's list is b+2.., A's first from its Bs: a+3)
    assert positions(f"{s} {s}:first {s} > {s}:last") == list(range(3, n))


def test_a_chain_too_costly_for_a_deep_trace_is_refused_in_seconds() -> None:
    n = 20_000
    trace = make_trace([{"name": "a", "parent": i - 1} for i in range(n)])
    s = 'span[name="a"]'
    # the lists below a child combinator followed by a descendant one grow with the square of
    # the depth: past the budget, a clear error instead of minutes and gigabytes
    with pytest.raises(tracespec.EvalError, match=r"too costly on this trace.*PICK_WORK_PER_SPAN"):
        tracespec.compile_selector(f"{s}:last {s} > {s} {s}").positions(trace)
    # the same selector on a shallow trace of as many spans is answered
    wide = make_trace([{"name": "a", "parent": i // 100} for i in range(n)])
    assert tracespec.compile_selector(f"{s}:last {s} > {s} {s}").positions(wide) == \
        oracle_select(tracespec.parse_selector(f"{s}:last {s} > {s} {s}"), wide)
    # in a spec, the refusal is that spec's error (the rest of a test still runs)
    result = tracespec.check(f"{s}:last {s} > {s} {s}", ['attr:name = "a"'], trace,
                             errors="report")
    assert not result.passed
    assert result.error is not None and "too costly" in result.error
