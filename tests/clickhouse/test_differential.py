"""The SQL back end selects what the in-memory engine selects: every selector case file, and
hypothesis-generated span trees and selectors; the same for the assertions SQL decides.

The trace is written into chdb in the exporter's schema and the selector is run through
:class:`~tracespec.clickhouse.ClickHouseStore` (pure SQL for flat selectors, SQL candidates and
the in-memory engine on the fetched trace otherwise); the expected spans are the in-memory
engine's on the same trace with every attribute value as its text, as the table holds it: that
values lose their types there (NaN, bytes) is a documented divergence, not the SQL's.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracespec
from tests.clickhouse.conftest import store_for
from tests.support.cases import selector_cases, selector_given
from tests.support.strategies.selectors import KEYS, query_selectors, span_trees
from tests.support.traces import make_trace
from tracespec.clickhouse import ClickHouseStore, compile_sql
from tracespec.selectors import ast
from tracespec.selectors.unparse import unparse_selector_node
from tracespec.trace.attrvalue import text_form

CASES = [pytest.param(name, group, case, id=case_id)
         for case_id, name, group, case in selector_cases() if "error" not in case]
_tables = itertools.count()


def textual(tree: Any) -> Any:
    """The span tree with every attribute value replaced by its text form."""
    if isinstance(tree, list):
        return [textual(t) for t in tree]
    out = dict(tree)
    if "attributes" in out:
        out["attributes"] = {k: text_form(v) for k, v in out["attributes"].items()}
    if "children" in out:
        out["children"] = [textual(c) for c in out["children"]]
    return out


def _expected(selector: str, trace: tracespec.Trace) -> list[str]:
    return [s.span_id for s in tracespec.select(selector, trace)]


def _got(store: ClickHouseStore, selector: str) -> list[str]:
    found = list(store.select(selector))
    assert len(found) <= 1
    return [s.span_id for s in found[0].spans] if found else []


@functools.cache
def _loaded(path: Path, name: str, group: int) -> tuple[ClickHouseStore, tracespec.Trace]:
    trace = make_trace(textual(selector_given(name, group)))
    store = store_for(path, f"case_{next(_tables)}")
    store.ingest([trace])
    return store, trace


@pytest.mark.parametrize(("name", "group", "case"), CASES)
def test_selector_case(chdb_path: Path, name: str, group: int, case: dict[str, Any]) -> None:
    store, trace = _loaded(chdb_path, name, group)
    selector = case["selector"]
    assert _got(store, selector) == _expected(selector, trace)


def test_cases_cover_both_parts() -> None:
    """The case files run flat selectors in SQL and structural ones in two parts."""
    kinds = {compile_sql(c.values[2]["selector"]).flat for c in CASES}
    assert kinds == {True, False}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(span_trees(), st.lists(query_selectors(), min_size=1, max_size=4))
def test_generated(chdb_path: Path, tree: dict[str, Any], selectors: list[ast.Selector]) -> None:
    trace = make_trace(textual(tree))
    store = store_for(chdb_path, f"gen_{next(_tables)}")
    store.ingest([trace])
    try:
        for node in selectors:
            text = unparse_selector_node(node)
            assert _got(store, text) == _expected(text, trace), text
    finally:
        store.engine.command(f"DROP TABLE {store.table}")


_REPAIRED = [  # two roots and an orphan: Tracetest adds a root that is not in the table
    {"name": "a", "attributes": {"http.method": "GET"}},
    {"name": "b", "parent": None, "attributes": {"db.system": "pg"}},
    {"name": "c", "parent": 1},
    {"name": "d", "parent": 99, "attributes": {"event_type": "click"}},
]
_REPAIRED_SELECTORS = ["", 'span[tracetest.span.type="general"]',
                       'span[name="Temporary Tracetest root span"]', "span[http.method]",
                       'span[name!="a"]', 'span[]:not(span[name="a"])',
                       'span[db.system], span[kind="unspecified"]',
                       'span[tracetest.span.type="general"] span[]', "span[]:root",
                       'span[tracetest.span.duration>0] > span[]', 'span[]:has(span[name="c"])',
                       'span[name="Temporary Tracetest root span"] > span[]:first',
                       'span[tracetest.span.parent_id="0000000000000000"] span[]',
                       'span[]:not(span[]:root)']


@pytest.mark.parametrize("selector", _REPAIRED_SELECTORS)
def test_a_repaired_trace(chdb_path: Path, selector: str) -> None:
    """Flat selectors that could select the added root run on repaired traces in memory."""
    trace = make_trace(_REPAIRED)
    assert any(s.is_synthetic for s in trace)
    store = _repaired_store(chdb_path)
    assert _got(store, selector) == _expected(selector, trace)
    expected = sorted(_expected(selector, trace))
    got = {k: sorted(v) for k, v in store.selected_ids(selector).items()}
    assert got == ({trace.trace_id: expected} if expected else {})


@functools.cache
def _repaired_store(path: Path) -> ClickHouseStore:
    store = store_for(path, "repaired")
    store.ingest([make_trace(_REPAIRED)])
    return store


_ASSERTION_TREES = [
    {"name": "root", "attributes": {"http.status_code": 200, "db.system": "pg"}, "children": [
        {"name": "a", "attributes": {"http.status_code": 503}, "duration_ns": 20_000_000},
        {"name": "b", "attributes": {"http.status_code": "404", "db.system": "postgresql"}},
        {"name": "c", "attributes": {"http.status_code": "n/a"}, "duration_ns": 9_600_000},
        {"name": "d", "attributes": {"db.system": "postgresql"}, "duration_ns": 9_400_000},
    ]},
]
_ASSERTIONS = [
    "attr:http.status_code < 500", "attr:http.status_code >= 404", "attr:http.status_code <= 200",
    "attr:http.status_code > -1", "attr:tracetest.span.duration < 10ms",
    "attr:tracetest.span.duration >= 9.5ms", "attr:tracetest.span.duration <= 1s",
    'attr:db.system = "postgresql"', 'attr:db.system = "pg"', "attr:db.system = 200",
]
_SELECTORS = ["", 'span[name="a"]', 'span[db.system contains "p"]', "span[http.status_code]",
              'span[name="root"] span[]']


@pytest.mark.parametrize("assertion", _ASSERTIONS)
@pytest.mark.parametrize("selector", _SELECTORS)
def test_assertions_same_verdicts(chdb_path: Path, selector: str, assertion: str) -> None:
    trace = make_trace(textual(_ASSERTION_TREES[0]))
    store, _ = _assertion_store(chdb_path)
    expected = tracespec.check(selector, [assertion], trace)
    got = list(store.check(selector, [assertion]))
    if not expected.span_ids:
        assert got == []
        return
    assert len(got) == 1
    assert got[0].passed == expected.passed
    if got[0].result is not None:
        assert [a.passed for a in got[0].result.assertions] == [
            a.passed for a in expected.assertions]


def test_sql_decides_the_sql_assertions() -> None:
    """The orderings against numbers and durations and ``=`` against a text get a SQL part."""
    from tracespec.clickhouse.assertsql import sure_pass_sql

    assert sure_pass_sql("attr:tracetest.span.duration < 10ms") == "(Duration <= 9499999)"
    assert sure_pass_sql("attr:http.status_code < 500") is not None
    assert sure_pass_sql('attr:db.system = "postgresql"') is not None
    assert sure_pass_sql('attr:db.system contains "p"') is None


_assertion_stores: dict[Path, tuple[ClickHouseStore, int]] = {}


def _assertion_store(path: Path) -> tuple[ClickHouseStore, int]:
    if path not in _assertion_stores:
        store = store_for(path, "assertions")
        _assertion_stores[path] = (store, store.ingest([make_trace(_ASSERTION_TREES[0])]))
    return _assertion_stores[path]


_ORDER_OPS = st.sampled_from(["<", "<=", ">", ">="])
_generated_assertions = st.one_of(
    st.builds(lambda k, op, n: f"attr:{k} {op} {n}", st.sampled_from(KEYS), _ORDER_OPS,
              st.sampled_from(["0", "1", "200", "500", "-1", "0.5", "1000", "8", "-0.5"])),
    st.builds(lambda op, d: f"attr:tracetest.span.duration {op} {d}", _ORDER_OPS,
              st.sampled_from(["1ms", "999us", "1s", "0ns", "1000000", "2ms", "1.5ms"])),
    st.builds(lambda k, t: f'attr:{k} = "{t}"', st.sampled_from(KEYS),
              st.sampled_from(["200", "abc", "", "true", "0.5", "08", "1ms"])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(span_trees(max_spans=12), st.lists(query_selectors(), min_size=1, max_size=2),
       st.lists(_generated_assertions, min_size=1, max_size=2))
def test_generated_specs(chdb_path: Path, tree: dict[str, Any], selectors: list[ast.Selector],
                         assertions: list[str]) -> None:
    """Specs decided in SQL (flat selectors, the assertions SQL decides) and in memory give
    the in-memory verdict."""
    trace = make_trace(textual(tree))
    store = store_for(chdb_path, f"spec_{next(_tables)}")
    store.ingest([trace])
    try:
        for node in selectors:
            text = unparse_selector_node(node)
            expected = tracespec.check(text, assertions, trace)
            got = list(store.check(text, assertions))
            if not expected.span_ids:
                assert got == [], (text, assertions)
            else:
                assert [g.passed for g in got] == [expected.passed], (text, assertions)
    finally:
        store.engine.command(f"DROP TABLE {store.table}")
