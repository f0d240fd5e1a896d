"""suggest_selector: the shortest selector on stable attributes that selects exactly one span.

The property: on small generated traces, a brute-force search over every selector of the
family (one or two steps, equalities on stable attributes of any span, descendant or child),
run by the plain tree-walking oracle, finds the spans some selector isolates; for each of them
the suggestion selects exactly that span (by the oracle too) and is never longer.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracespec
from tests.support.oracle import oracle_select
from tests.support.traces import make_trace
from tracespec.selectors import ast
from tracespec.selectors.suggest import stable_pairs, suggest_selector

EXAMPLE = "examples/orders-trace.json"


def _length(text: str) -> int:
    tree = tracespec.parse_selector(text)
    (chain,) = tree.alternatives
    return sum(len(c.filters) for c in chain.compounds) + len(chain.compounds)


def _subsets(conds: list[ast.Comparison]) -> list[tuple[ast.Comparison, ...]]:
    return [c for k in range(len(conds) + 1) for c in itertools.combinations(conds, k)]


def _family(trace: tracespec.Trace, span: tracespec.Span) -> list[tuple[int, ast.Selector]]:
    """Every selector of the family whose last step the span satisfies, with its length."""
    out = []
    mine = _subsets(stable_pairs(span))
    for conds in mine:
        out.append((len(conds) + 1, ast.Selector((ast.Chain((ast.Compound(conds),)),))))
    firsts = {c for other in trace for c in _subsets(stable_pairs(other))}
    for up, conds, comb in itertools.product(firsts, mine, ast.Combinator):
        chain = ast.Chain((ast.Compound(up), ast.Compound(conds)), (comb,))
        out.append((len(up) + len(conds) + 2, ast.Selector((chain,))))
    return out


names = st.sampled_from(["GET /a", "GET /b", "SELECT", "work"])
attributes = st.dictionaries(
    st.sampled_from(["http.route", "db.system", "request.id", "tier", "http.status_code"]),
    st.one_of(st.sampled_from(["x", "y", "0123456789abcdef0123"]), st.integers(0, 2)),
    max_size=2,
)


@st.composite
def small_trees(draw: st.DrawFn, budget: int = 5) -> dict[str, Any]:
    def node(depth: int) -> dict[str, Any]:
        nonlocal budget
        budget -= 1
        kids = []
        while depth < 3 and budget > 0 and draw(st.booleans()):
            kids.append(node(depth + 1))
        return {"name": draw(names), "kind": draw(st.sampled_from(["server", "client"])),
                "attributes": draw(attributes), "children": kids}
    return node(0)


@settings(max_examples=30, deadline=None)
@given(small_trees())
def test_the_suggestion_is_exact_and_never_longer_than_any_selector_that_is(
        tree: dict[str, Any]) -> None:
    trace = make_trace(tree)
    for span in trace:
        exact = [length for length, sel in _family(trace, span)
                 if oracle_select(sel, trace) == [span.position]]
        suggestion = suggest_selector(trace, span)
        if not exact:
            assert suggestion is None
            continue
        assert suggestion is not None
        assert oracle_select(tracespec.parse_selector(suggestion), trace) == [span.position]
        assert _length(suggestion) <= min(exact)


def test_ids_times_and_id_like_values_are_never_used() -> None:
    trace = make_trace([
        {"name": "same", "attributes": {"request.id": "r-1", "trace_id": "x"}},
        {"name": "same", "attributes": {"request.id": "r-2", "code": "0123456789abcdef01"}},
        {"name": "same", "attributes": {"request.id": "r-3", "tier": "gold"}},
    ])
    assert suggest_selector(trace, trace[2]) == 'span[tier="gold"]'
    # only ids tell the first child from its sibling's other values, and the root from both
    assert suggest_selector(trace, trace[1]) is None
    assert suggest_selector(trace, trace[0]) is None


def test_a_parent_step_tells_twins_apart() -> None:
    trace = make_trace({"name": "root", "children": [
        {"name": "a", "children": [{"name": "query"}]},
        {"name": "b", "children": [{"name": "query"}]},
    ]})
    second = trace[4]
    assert second.name == "query"
    assert suggest_selector(trace, second) == 'span[name="b"] span[]'
    assert suggest_selector(trace, second.span_id) == suggest_selector(trace, second)


def test_the_example_trace_spans_each_get_a_selector_that_selects_only_them() -> None:
    trace = tracespec.load_trace(EXAMPLE)
    for span in trace:
        text = tracespec.suggest_selector(trace, span)
        assert text is not None
        assert [s.position for s in tracespec.select(text, trace)] == [span.position]
        assert "id" not in text.split("=")[0]


def test_an_unknown_span_id_is_a_key_error() -> None:
    trace = tracespec.load_trace(EXAMPLE)
    with pytest.raises(KeyError):
        suggest_selector(trace, "00000000000000ff")
