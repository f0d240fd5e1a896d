"""The selector API: compile_selector's cache, Query's identity, pickling, explain(), select()."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

import tracespec
from tracespec.selectors import Query, purge
from tracespec.selectors.parser import parse_selector

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "orders-trace.json"


@pytest.fixture(scope="module")
def trace() -> tracespec.Trace:
    return tracespec.load_trace(EXAMPLE)


def test_public_names() -> None:
    for name in ("parse_selector", "unparse", "compile_selector", "select", "Query",
                 "ParseError", "CompileError"):
        assert name in tracespec.__all__
        assert hasattr(tracespec, name)


def test_compile_is_cached_and_purgeable() -> None:
    a = tracespec.compile_selector('span[kind="server"]')
    assert tracespec.compile_selector('span[kind="server"]') is a
    purge()
    b = tracespec.compile_selector('span[kind="server"]')
    assert b is not a and b == a


def test_query_equality_ignores_spacing_and_comments() -> None:
    a = tracespec.compile_selector('span[kind="server"]')
    b = tracespec.compile_selector('span[ kind = "server" ] // the server')
    c = tracespec.compile_selector('span[kind="client"]')
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2


def test_query_is_immutable() -> None:
    q = tracespec.compile_selector("span[]")
    with pytest.raises(AttributeError):
        q.source = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del q.plan


def test_query_pickles_as_its_text(trace: tracespec.Trace) -> None:
    q = tracespec.compile_selector('span[name=~"(SELECT|INSERT) .*"]:last')
    again = pickle.loads(pickle.dumps(q))
    assert again == q
    assert again.source == q.source
    assert again.select(trace) == q.select(trace)
    assert repr(q) == "Query('span[name=~\"(SELECT|INSERT) .*\"]:last')"


def test_select_accepts_text_query_and_tree(trace: tracespec.Trace) -> None:
    text = 'span[tracetest.span.type="database"]'
    by_text = tracespec.select(text, trace)
    assert [s.name for s in by_text] == ["SELECT users", "INSERT orders", "UPDATE inventory"]
    assert tracespec.select(tracespec.compile_selector(text), trace) == by_text
    assert tracespec.select(parse_selector(text), trace) == by_text
    assert all(isinstance(s, tracespec.Span) for s in by_text)
    with pytest.raises(TypeError):
        tracespec.compile_selector(42)  # type: ignore[arg-type]


def test_positions_are_a_fresh_list(trace: tracespec.Trace) -> None:
    q = tracespec.compile_selector('span[tracetest.span.type="database"]')
    got = q.positions(trace)
    got.clear()
    assert q.positions(trace) == [1, 2, 8]


def test_strict_compile() -> None:
    tracespec.compile_selector("span[a!=1]")
    with pytest.raises(tracespec.ParseError, match="tracespec extension"):
        tracespec.compile_selector("span[a!=1]", strict=True)


def test_bad_regex_is_a_compile_error_at_the_pattern() -> None:
    text = r'span[a="x" b=~"(a)\\1"]'
    with pytest.raises(tracespec.CompileError) as info:
        tracespec.compile_selector(text)
    err = info.value
    assert err.message.startswith("invalid regular expression (RE2): ")
    assert text[err.span[0]:err.span[1]] == r'"(a)\\1"'
    assert (err.line, err.column) == (1, 15)
    with pytest.raises(tracespec.CompileError, match="not valid UTF-8"):
        tracespec.compile_selector(r'span[a=~"\xff"]')


def test_explain_names_the_index() -> None:
    text = tracespec.compile_selector(
        'span[service.name="api"] span[tracetest.span.type="database"]').explain()
    assert "the value index of 'service.name', entry 'api'" in text
    assert "the value index of 'tracetest.span.type', entry 'database'" in text
    assert "cut to the region by bisection" in text
    assert "the name index" in tracespec.compile_selector('span[name="x"]').explain()
    assert "read as numbers, entry 500" in tracespec.compile_selector(
        "span[http.status_code=500]").explain()
    assert "each distinct value of the name index" in tracespec.compile_selector(
        'span[name contains "users"]').explain()
    assert "presence list of 'http.route'" in tracespec.compile_selector(
        "span[http.route]").explain()
    assert "every span, in trace order" in tracespec.compile_selector("").explain()
    assert "matches nothing" in tracespec.compile_selector(
        'span[name="a" name="b"]').explain()
    grouped = tracespec.compile_selector("span[a] span[b]:first").explain()
    assert "per-ancestor lists" in grouped and "pick :first" in grouped


def test_docs_examples_run(trace: tracespec.Trace) -> None:
    """Every selector of the first example block of docs/selectors.md parses and runs."""
    doc = (ROOT / "docs" / "selectors.md").read_text(encoding="utf-8")
    block = doc.split("```text", 1)[1].split("```", 1)[0]
    selectors = [re.split(r"\s{3,}", line.strip())[0] for line in block.strip().splitlines()]
    assert len(selectors) >= 5
    for text in selectors:
        tracespec.select(text, trace)


def test_query_type() -> None:
    assert isinstance(tracespec.compile_selector("span[]"), Query)
