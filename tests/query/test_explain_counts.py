"""``explain`` on a trace: what each step of the plan found and kept, the executor's own figures
(its observer), and why a selector selects nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

import tracespec
from tests.support import cases
from tests.support.traces import make_trace
from tracespec.query import Counts, explain_run, hints, run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "orders-trace.json"


@pytest.fixture(scope="module")
def orders() -> tracespec.Trace:
    return tracespec.load_trace(EXAMPLE)


def explained(selector: str, trace: tracespec.Trace) -> list[str]:
    query = tracespec.compile_selector(selector)
    trace.index.prefetch(query.keys)
    return explain_run(query.plan, trace.index).splitlines()


def test_each_step_says_what_it_found(orders: tracespec.Trace) -> None:
    # 5 spans of the api; below them (all of the trace but the root: 8 spans) 3 database spans
    lines = explained('span[service.name="api"] span[tracetest.span.type="database"]', orders)
    assert lines[0].endswith("; result in trace order → 3 spans")
    assert lines[1] == '  step 1: span[service.name="api"] → 5 spans'
    assert lines[2].startswith("    seed service.name=\"api\": the value index of 'service.name'")
    assert lines[2].endswith(" → 5 candidates")
    assert lines[3] == ('  step 2 (strictly below step 1): span[tracetest.span.type="database"]'
                        " → 3 spans")
    assert lines[4].endswith(" → 3 candidates in a region of 8 spans")
    assert lines[5:] == ["selected: 3 spans of 9"]


def test_checks_and_tests_say_what_they_kept(orders: tracespec.Trace) -> None:
    # http spans: the API's root (201) and two POST /charge (200); the root is no leaf
    lines = explained(
        'span[tracetest.span.type="http" http.status_code>=201 name contains "/"]:leaf', orders)
    assert [line.split(" → ")[-1] for line in lines[2:-1]] == [
        "3 candidates", "1 kept", "1 kept", "0 kept"]
    assert lines[3] == "    check http.status_code>=201 per candidate → 1 kept"
    assert lines[5] == "    test :leaf (no span below) → 0 kept"
    assert lines[1].endswith(" → 0 spans")
    assert lines[-1] == "selected: 0 spans of 9"


def test_a_step_after_one_that_found_nothing_did_not_run(orders: tracespec.Trace) -> None:
    lines = explained('span[service.name="nope"] span[]', orders)
    assert lines[1] == '  step 1: span[service.name="nope"] → 0 spans'
    assert lines[3] == "  step 2 (strictly below step 1): span[] (not run: step 1 found no span)"
    assert lines[-1] == "selected: 0 spans of 9"


def test_seed_lists_and_picks(orders: tracespec.Trace) -> None:
    lines = explained('span[service.name="api" tracetest.span.type="database"]:last', orders)
    # the shorter list (3 database spans) drives; the other seed is checked on its spans
    assert lines[2].endswith(" → 3 candidates:")
    assert lines[3].endswith("entry 'api' (5 spans in the list) → 2 kept")
    assert lines[4].endswith("entry 'database' (3 spans in the list)")
    assert lines[5] == "    pick :last"
    assert lines[0].endswith(" → 1 span")  # the pick leaves one
    assert lines[1].endswith(" → 2 spans")  # the step's own spans, before the pick


def test_inner_selectors_have_their_figures(orders: tracespec.Trace) -> None:
    lines = explained('span[]:has(span[db.operation="UPDATE"])', orders)
    assert lines[2].endswith("the ancestors of its result → 3 candidates")
    assert lines[3].endswith("(bisection) → 3 kept")
    assert lines[4].endswith("result in trace order → 1 span")
    assert lines[-1] == "selected: 3 spans of 9"


def test_nothing_selected_says_which_attribute_no_span_has() -> None:
    trace = make_trace([
        {"name": "GET /a", "kind": "server", "attributes": {"http.response.status_code": 500}},
        {"name": "q", "kind": "client", "attributes": {"db.query.text": "SELECT 1"}},
        {"name": "r", "kind": "client", "attributes": {"db.query.text": "SELECT 2"}},
    ])
    lines = explained('span[http.status_code=500], span[db.statement contains "SELECT"]', trace)
    assert lines[-3:] == [
        "selected: 0 spans of 3",
        'no span has "http.status_code"; 1 span has "http.response.status_code" '
        "(its name since semconv v1.21.0)",
        'no span has "db.statement"; 2 spans have "db.query.text" '
        "(its name since semconv v1.26.0)",
    ]
    # an attribute no span has under any name, once; an absence test needs nothing
    query = tracespec.compile_selector('span[x="1"] span[x="2" !http.status_code]')
    assert hints(query.plan, trace.index) == ['no span has "x"']
    # a selector that selects spans gives no hints
    assert explained("span[db.query.text]", trace)[-1] == "selected: 2 spans of 3"


def test_without_a_trace_explain_is_unchanged() -> None:
    query = tracespec.compile_selector('span[name="a"] span[b]')
    assert "→" not in query.explain() and "not run" not in query.explain()


@pytest.mark.parametrize(("case_id", "name", "group", "case"), cases.selector_cases(),
                         ids=[c[0] for c in cases.selector_cases()])
def test_counting_changes_no_result(case_id: str, name: str, group: int,
                                    case: dict[str, object]) -> None:
    """The observed run and the plain one select the same spans on every selector case."""
    if "error" in case:
        return
    trace = make_trace(cases.selector_given(name, group))
    query = tracespec.compile_selector(str(case["selector"]))
    trace.index.prefetch(query.keys)
    counts = Counts()
    assert run(query.plan, trace.index, counts) == run(query.plan, trace.index)
    assert counts.selectors[id(query.plan)] == len(query.positions(trace))
