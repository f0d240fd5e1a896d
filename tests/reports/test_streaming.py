"""The streamed reports: the same text as the whole ones, in chunks, made with the GC paused.

Checked on hand-built results (those of test_reports.py), on the bundled examples run on their
trace, and on a big hand-built result that takes many chunks.
"""

from __future__ import annotations

import gc
import json
import random
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    iter_json_report,
    iter_junit_xml,
    iter_pretty_spec,
    iter_pretty_suite,
    iter_pretty_test,
    iter_render,
    iter_spec_json,
    iter_suite_json,
    iter_test_json,
    junit_xml,
    pretty_spec,
    pretty_suite,
    pretty_test,
    render,
    spec_json,
    suite_json,
    test_json,
)
from tracespec.reports._json import Lazy, iter_json
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


# -- JSON --------------------------------------------------------------------------------------

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats()
           | st.text(st.characters(codec="utf-8")))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=25,
)


def lazy(value: Any) -> Any:
    """``value`` with every list read lazily, once, from a generator."""
    if isinstance(value, dict):
        return {k: lazy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return Lazy(lazy(v) for v in value)
    return value


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@given(JSON_VALUES)
def test_json_text_is_json_dumps_with_an_indent(value: Any) -> None:
    assert "".join(iter_json(value)) == dumps(value)
    assert "".join(iter_json(lazy(value))) == dumps(value)
    assert "".join(iter_json(value, 1)) == dumps([value])[4:-2]  # as an item of a list


def test_json_text_of_edge_values() -> None:
    values = [float("nan"), float("inf"), -float("inf"), 1e300, -0.0, 2**70, True, "\x00\x1b\"\\",
              "ünïcödé ✔\u2028", [], {}, [[]], {"a": {}}, [{}], {"a": [1, {"b": None}]}]
    for value in values:
        assert "".join(iter_json(value)) == dumps(value)
    assert "".join(iter_json(Lazy(iter(())))) == "[]"
    with pytest.raises(TypeError, match="keys must be str"):
        list(iter_json({1: 2}))
    with pytest.raises(TypeError, match="not JSON serializable"):
        list(iter_json([object()]))


def documents(result: TestResult | SuiteResult) -> tuple[dict[str, Any], Iterator[str]]:
    if isinstance(result, SuiteResult):
        return suite_json(result), iter_suite_json(result)
    return test_json(result), iter_test_json(result)


def test_streamed_json_is_the_json_report() -> None:
    for result in all_results():
        doc, chunks = documents(result)
        assert "".join(chunks) == dumps(doc)
        if isinstance(result, TestResult):
            for spec_result in result.specs:
                assert "".join(iter_spec_json(spec_result)) == dumps(spec_json(spec_result))


def test_json_report_of_one_result_or_a_list() -> None:
    results = all_results()
    docs = [documents(r)[0] for r in results]
    assert "".join(iter_json_report(results, as_list=True)) == dumps(docs)
    assert "".join(iter_json_report(results[:1], as_list=True)) == dumps(docs[:1])
    assert "".join(iter_json_report(results[-1:], as_list=False)) == dumps(docs[-1])
    with pytest.raises(ValueError, match="exactly one"):
        list(iter_json_report([], as_list=False))
    with pytest.raises(ValueError, match="exactly one"):
        list(iter_json_report(results[:2], as_list=False))


def test_json_report_reads_each_result_when_it_gets_there() -> None:
    taken: list[str] = []

    def run() -> Iterator[TestResult]:
        for result in (big_result(), passing_result()):
            taken.append(result.test.name)
            yield result

    chunks = iter_json_report(run(), as_list=True)
    first = next(chunks)
    assert taken == ["Big"]  # the second test has not run yet
    assert first.startswith('[\n  {\n    "testRunWebUrl": "",')
    rest = list(chunks)
    assert len(rest) > 3
    assert taken == ["Big", "Testcase 2"]
    assert json.loads(first + "".join(rest))[1]["test"]["name"] == "Testcase 2"


# -- JUnit -------------------------------------------------------------------------------------


def as_elementtree_writes_it(text: str) -> str:
    """``text`` parsed and written again by ElementTree, indented as the JUnit report is."""
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    assert text.startswith(declaration)
    root = ET.fromstring(text.removeprefix(declaration))
    ET.indent(root, space="\t")
    return declaration + ET.tostring(root, encoding="unicode", short_empty_elements=False) + "\n"


def junit_results() -> list[list[TestResult | SuiteResult]]:
    results = all_results()
    no_run = TestResult(test=Test(name="live", place=Place(FILE)), error="needs a live trigger")
    no_cases = TestResult(test=Test(name="empty", place=Place(FILE)),
                          specs=(SpecResult(selector="span", assertions=()),))
    return [[r] for r in results] + [results, [no_run], [no_cases, no_run], []]


def test_streamed_junit_is_the_junit_report_as_elementtree_writes_it() -> None:
    for results in junit_results():
        text = junit_xml(results)
        assert "".join(iter_junit_xml(results)) == text
        assert as_elementtree_writes_it(text) == text
    assert junit_xml([]) == ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tracespec" '
                             'tests="0" failures="0" errors="0" skipped="0" time="0.000">'
                             "</testsuites>\n")


@pytest.mark.parametrize("text", ['a "quoted" <b> & c', "tab\there", "new\nline\r\n", "ünïcödé ✔"])
def test_streamed_junit_escapes_as_elementtree(text: str) -> None:
    result = TestResult(
        test=Test(name=text, place=Place(FILE)),
        specs=(SpecResult(selector=text, assertions=(
            assertion(text, no("01", text), no("02", "", text), ok("03", text)),)),),
    )
    xml = junit_xml([result], name=text)
    assert as_elementtree_writes_it(xml) == xml
    root = ET.fromstring(xml.split("\n", 1)[1])
    suite = root[0]
    assert (root.get("name"), suite.get("name"), suite[0].get("name")) == (text, text, text)
    assert suite[0][0].get("message") == text
    assert suite[1][0].get("message") == text.split("\n")[0].strip()  # first_line


def test_big_junit_report_comes_in_chunks_with_its_counts_first() -> None:
    result = big_result()
    chunks = list(iter_junit_xml([result]))
    assert len(chunks) > 3
    root = ET.fromstring("".join(chunks).split("\n", 1)[1])
    cases = 3 * SPANS + 1 + 1 + 1  # three assertions per span, one not run, meta, bad selector
    failures = len(range(0, SPANS, 97)) + 1  # 503s (k = 0, 97, ...), the meta count
    errors = len(range(0, SPANS, 5)) + 1 + 1  # missing routes, not run, bad selector
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("time")) == (
        str(cases), str(failures), str(errors), "1.500")
    assert [len(suite) for suite in root] == [3 * SPANS + 1, 1, 1]
    assert [suite.get("tests") for suite in root] == [str(3 * SPANS + 1), "1", "1"]
