"""Property tests of the selector language (hypothesis).

1. Syntax trees print and parse back equal, and the printer is canonical.
2. Text drawn from ``grammar/selector.lark`` either parses or raises ParseError with a
   position inside the text, never anything else; what parses round-trips through unparse.
3. The indexed evaluator selects exactly the spans of the plain tree-walking oracle, on
   generated traces and generated selectors (and ``strict`` text of the reference language
   means the same with and without strict mode).

The strategies are in ``tests.support.strategies.selectors``.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

import tracespec
from tests.support.oracle import oracle_select
from tests.support.strategies.hostile import big_number_texts, deep_json_texts, nasty_texts
from tests.support.strategies.selectors import (
    grammar_texts,
    query_selectors,
    selectors,
    spaced_grammar_texts,
    span_trees,
)
from tests.support.traces import make_trace
from tracespec.selectors import ast


@given(selectors())
def test_ast_round_trip(tree: ast.Selector) -> None:
    text = tracespec.unparse(tree)
    again = tracespec.parse_selector(text)
    assert again == tree
    assert tracespec.unparse(again) == text


@given(grammar_texts())
@example('span[a="x"b]')
@example("span[]:nth_child(99999999999999999999999)")
@example('span[a=~"("]')
def test_grammar_strings_parse_or_fail_cleanly(text: str) -> None:
    try:
        tree = tracespec.parse_selector(text)
    except tracespec.ParseError as err:
        assert 0 <= err.span[0] <= len(text)
        assert err.span[0] < err.span[1]
        assert err.line >= 1 and err.column >= 1
        return
    printed = tracespec.unparse(tree)
    assert tracespec.parse_selector(printed) == tree
    try:
        tracespec.compile_selector(text)
    except tracespec.CompileError as err:  # only an RE2 pattern can fail to compile
        assert 0 <= err.span[0] <= len(text)


@given(spaced_grammar_texts())
def test_spaced_grammar_strings_round_trip(text: str) -> None:
    try:
        tree = tracespec.parse_selector(text)
    except tracespec.ParseError as err:  # values the grammar cannot rule out: bare words, ...
        assert 0 <= err.span[0] <= len(text)
        return
    printed = tracespec.unparse(tree)
    assert tracespec.parse_selector(printed) == tree
    assert tracespec.unparse(tracespec.parse_selector(printed)) == printed


@given(st.text(max_size=40))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        tracespec.parse_selector(text)
    except tracespec.ParseError as err:
        assert 0 <= err.span[0] <= len(text)


@settings(max_examples=max(150, settings.default.max_examples))
@given(span_trees(), query_selectors())
def test_evaluator_matches_the_oracle(tree: dict[str, object], selector: ast.Selector) -> None:
    trace = make_trace(tree)
    query = tracespec.compile_selector(selector)
    assert query.positions(trace) == oracle_select(selector, trace)
    # Once more on the same trace: the indexes and memos built by the first run are reused.
    assert [s.position for s in query.select(trace)] == oracle_select(selector, trace)


@settings(max_examples=max(40, settings.default.max_examples // 2))
@given(span_trees(max_spans=60), query_selectors(), query_selectors())
def test_union_and_order(tree: dict[str, object], a: ast.Selector, b: ast.Selector) -> None:
    trace = make_trace(tree)
    both = ast.Selector(a.alternatives + b.alternatives) if a.alternatives and b.alternatives \
        else None
    if both is None:
        return
    got = tracespec.compile_selector(both).positions(trace)
    assert got == sorted(set(tracespec.compile_selector(a).positions(trace))
                         | set(tracespec.compile_selector(b).positions(trace)))


# -- hostile pieces (issue 11) -------------------------------------------------------------------

_HOSTILE_TRACE = make_trace([
    {"name": "a\x1b[31m\ud800", "attributes": {"big": "9" * 5000, "n": 1, "s": "\u202e\x00"}},
    {"name": "b", "parent": 0, "attributes": {"big": 2**70}},
])
_SELECTOR_TEMPLATES = [
    "span[big={v}]", "span[big>{v}]", "span[name={v}]", "span[name=~{v}]", "span[s contains {v}]",
    "span[n={v}] span[big={v}]:first", "span[]:nth_child({v})",
]


def _selector_literal(text: str) -> st.SearchStrategy[str]:
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return st.sampled_from([text, quoted])


@given(st.sampled_from(_SELECTOR_TEMPLATES),
       st.one_of(big_number_texts, nasty_texts, deep_json_texts(max_depth=300))
       .flatmap(_selector_literal))
def test_hostile_pieces_give_only_our_errors(template: str, value: str) -> None:
    text = template.replace("{v}", value)
    try:
        query = tracespec.compile_selector(text)
    except (tracespec.ParseError, tracespec.CompileError) as err:
        assert 0 <= err.span[0] <= len(text)
        return
    found = query.positions(_HOSTILE_TRACE)
    assert found == sorted(set(found)) and set(found) <= {0, 1}


@given(st.integers(1, 80))
def test_deep_has_nesting_is_bounded(depth: int) -> None:
    from tracespec.selectors.parser import MAX_NESTING

    text = "span[]:has(" * depth + "span[]" + ")" * depth
    try:
        query = tracespec.compile_selector(text)
    except tracespec.ParseError as err:
        assert depth > MAX_NESTING and 0 <= err.span[0] <= len(text)
        return
    assert depth <= MAX_NESTING
    assert query.positions(_HOSTILE_TRACE) == ([0] if depth == 1 else [])
