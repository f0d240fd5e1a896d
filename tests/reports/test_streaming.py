"""The streamed reports: the same text as the whole ones, in chunks, made with the GC paused.

Checked on hand-built results (those of test_reports.py), on the bundled examples run on their
trace, and on a big hand-built result that takes many chunks.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import tracespec
from tests.reports.test_reports import (
    FILE,
    TRACE_ID,
    assertion,
    failing_result,
    no,
    ok,
    passing_result,
    spec,
)
from tracespec.reports import (
    Line,
    iter_pretty_spec,
    iter_pretty_suite,
    iter_pretty_test,
    iter_render,
    pretty_spec,
    pretty_suite,
    pretty_test,
    render,
)
from tracespec.reports._stream import CHUNK_PIECES, chunked, gc_paused
from tracespec.results import AssertionResult, SpecResult
from tracespec.testfiles import (
    Place,
    SuiteResult,
    Test,
    TestResult,
    TestSuite,
    load_resource,
    run_suite,
    run_test,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPANS = 3 * CHUNK_PIECES  # a big result: several chunks of every report


def big_result(spans: int = SPANS) -> TestResult:
    """A failing test over ``spans`` spans: passes, failures and errors, a meta spec, a spec
    whose selector does not parse and one with an assertion that does not."""
    ids = tuple(f"{k:016x}" for k in range(1, spans + 1))
    status = assertion("attr:http.status_code < 500", *(
        no(i, "503") if k % 97 == 0 else ok(i, "200") for k, i in enumerate(ids)))
    duration = assertion("attr:tracetest.span.duration < 1s", *(
        ok(i, f"{k}ms") for k, i in enumerate(ids)))
    route = assertion('attr:http.route = "/x"', *(
        no(i, "", 'attribute "http.route" not found') if k % 5 == 0 else ok(i, "/x")
        for k, i in enumerate(ids)))
    specs = (
        spec("span", "attr:http.status_code < 500", "attr:tracetest.span.duration < 1s",
             'attr:http.route = "/x"', "attr:x === 1", name="Every span", line=5),
        spec('span[name="none"]', "attr:tracetest.selected_spans.count = 1", line=12),
        spec("span[", "attr:x = 1", line=16),
    )
    return TestResult(
        test=Test(name="Big", specs=specs, place=Place(FILE)),
        trace_id=TRACE_ID,
        specs=(
            SpecResult(selector="span", name="Every span", span_ids=ids, assertions=(
                status, duration, route,
                AssertionResult("attr:x === 1", False, error="unexpected '=' (assertion)"),
            )),
            SpecResult(selector='span[name="none"]', assertions=(
                assertion("attr:tracetest.selected_spans.count = 1", no(None, "0")),)),
            SpecResult(selector="span[", error="expected ']'",
                       assertions=(AssertionResult("attr:x = 1", False),)),
        ),
        duration_s=1.5,
    )


def example_results() -> list[TestResult | SuiteResult]:
    """The bundled test files run on the bundled trace."""
    trace = tracespec.load_trace(EXAMPLES / "orders-trace.json")
    out: list[TestResult | SuiteResult] = []
    for name in ("orders-pass.yaml", "orders-fail.yaml", "orders-traceid.yaml",
                 "orders-suite.yaml"):
        resource = load_resource(str(EXAMPLES / name))
        if isinstance(resource, TestSuite):
            out.append(run_suite(resource, [trace]))
        else:
            assert isinstance(resource, Test)
            out.append(run_test(resource, [trace]))
    return out


def all_results() -> list[TestResult | SuiteResult]:
    return [failing_result(), passing_result(), *example_results(), big_result()]


def streamed_lines(result: TestResult | SuiteResult) -> Iterator[Line]:
    if isinstance(result, SuiteResult):
        return iter_pretty_suite(result)
    return iter_pretty_test(result)


def listed_lines(result: TestResult | SuiteResult) -> list[Line]:
    return pretty_suite(result) if isinstance(result, SuiteResult) else pretty_test(result)


# -- the helpers: chunks and the paused GC -------------------------------------------------------


def test_chunked_joins_pieces_and_pauses_the_gc_while_making_them() -> None:
    seen: list[bool] = []

    def pieces() -> Iterator[str]:
        for k in range(10):
            seen.append(gc.isenabled())
            yield str(k)

    chunks = []
    for chunk in chunked(pieces(), 4):
        assert gc.isenabled()  # the caller's code runs with the GC on
        chunks.append(chunk)
    assert chunks == ["0123", "4567", "89"]
    assert seen == [False] * 10
    assert list(chunked(iter(()), 4)) == []


def test_gc_paused_leaves_a_paused_gc_paused() -> None:
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        assert list(chunked(["a", "b"])) == ["ab"]
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ZeroDivisionError), gc_paused():
        _ = 1 / 0
    assert gc.isenabled()


def test_a_report_left_half_read_leaves_the_gc_on() -> None:
    chunks = iter_render(iter_pretty_test(big_result()))
    assert next(chunks)
    assert gc.isenabled()
    del chunks
    assert gc.isenabled()


# -- pretty ------------------------------------------------------------------------------------


@pytest.mark.parametrize("color", [False, True])
def test_streamed_pretty_is_the_pretty_report(color: bool) -> None:
    for result in all_results():
        lines = listed_lines(result)
        assert list(streamed_lines(result)) == lines
        chunks = list(iter_render(streamed_lines(result), color=color))
        assert "".join(chunks) == render(lines, color=color)
        assert all(chunk.endswith("\n") for chunk in chunks)  # whole lines only


def test_big_pretty_report_comes_in_chunks() -> None:
    result = big_result()
    chunks = list(iter_render(iter_pretty_test(result)))
    assert len(chunks) > 3
    text = "".join(chunks)
    assert text.count("\n") == len(pretty_test(result))
    lines = text.splitlines()
    assert lines[1] == "\t✘ Every span"
    assert lines[2] == f"\t\t✘ attr:x === 1 error: unexpected '=' (assertion) ({FILE}:10)"
    assert lines[3:8] == [
        "\t\t✘ #0000000000000001",
        f"\t\t\t✘ attr:http.status_code < 500 (503) ({FILE}:7)",
        "\t\t\t✔ attr:tracetest.span.duration < 1s (0ms)",
        f'\t\t\t✘ attr:http.route = "/x" error: attribute "http.route" not found ({FILE}:9)',
        "\t\t✔ #0000000000000002",
    ]
    assert lines[-5:] == [
        '\t✘ span[name="none"]',
        "\t\t✘ #meta",
        f"\t\t\t✘ attr:tracetest.selected_spans.count = 1 (0) ({FILE}:14)",
        "\t✘ span[",
        f"\t\t✘ error: expected ']' ({FILE}:16)",
    ]


def shuffled(result: TestResult, seed: int) -> TestResult:
    """The same result with each assertion's span results in another order."""
    rnd = random.Random(seed)
    specs = []
    for spec_result in result.specs:
        assertions = []
        for a in spec_result.assertions:
            spans = list(a.spans)
            rnd.shuffle(spans)
            assertions.append(attrs.evolve(a, spans=tuple(spans)))
        specs.append(attrs.evolve(spec_result, assertions=tuple(assertions)))
    return attrs.evolve(result, specs=tuple(specs))


@pytest.mark.parametrize("seed", [1, 2])
def test_span_groups_follow_trace_order_whatever_order_results_come_in(seed: int) -> None:
    # results in trace order are grouped position by position; any other order by span id:
    # the two readings print the same report
    for result in (big_result(500), failing_result(), *example_results()[:3]):
        assert isinstance(result, TestResult)
        assert pretty_test(shuffled(result, seed)) == pretty_test(result)


def test_a_result_missing_from_one_assertion_is_grouped_by_span() -> None:
    ids = ("0001", "0002")
    result = SpecResult(selector="span", span_ids=ids, assertions=(
        assertion("a", ok("0001", "1"), ok("0002", "2")),
        assertion("b", no("0002", "3")),
    ))
    assert [text for text, _ in pretty_spec(result)] == [
        "✘ span",
        "\t✔ #0001",
        "\t\t✔ a (1)",
        "\t✘ #0002",
        "\t\t✔ a (2)",
        "\t\t✘ b (3)",
    ]
    assert list(iter_pretty_spec(result, padding=1)) == pretty_spec(result, padding=1)


def test_suite_streams_step_by_step() -> None:
    suite = TestSuite(name="Flow", steps=(Test(name="Big", place=Place(FILE)),) * 2,
                      place=Place("suite.yaml"))
    result = SuiteResult(suite=suite, steps=(big_result(100), passing_result()))
    assert list(iter_pretty_suite(result)) == pretty_suite(result)
    assert next(iter_pretty_suite(result)) == ("✘ Flow (suite.yaml)", False)
