"""Reports on hand-built results: pretty text as Tracetest prints it, JSON, JUnit read back."""

from __future__ import annotations

import json
from pathlib import Path

import junitparser
import pytest

from tracespec.reports import (
    junit_xml,
    pretty_spec,
    pretty_suite,
    pretty_test,
    render,
    suite_json,
    test_json,
)
from tracespec.results import AssertionResult, Outcome, OutputResult, SpanResult, SpecResult
from tracespec.testfiles import Place, Spec, SuiteResult, Test, TestResult, TestSuite

FILE = "tests/orders.yaml"
TRACE_ID = "cb5e80748cc06f8a63f6b96c056defec"


def spec(selector: str, *assertions: str, name: str = "", line: int = 1) -> Spec:
    return Spec(
        selector=selector,
        assertions=assertions,
        name=name,
        place=Place(FILE, line, "spec.specs[0]"),
        assertion_places=tuple(
            Place(FILE, line + 2 + i, f"spec.specs[0].assertions[{i}]")
            for i in range(len(assertions))
        ),
    )


def ok(span_id: str | None, observed: str) -> SpanResult:
    return SpanResult(span_id=span_id, observed=observed, outcome=Outcome.PASSED)


def no(span_id: str | None, observed: str, error: str = "no match") -> SpanResult:
    """A failed comparison, or with another message an assertion that could not be checked."""
    outcome = Outcome.FAILED if error == "no match" else Outcome.ERROR
    return SpanResult(span_id=span_id, observed=observed, outcome=outcome, error=error)


def assertion(text: str, *spans: SpanResult, error: str | None = None) -> AssertionResult:
    return AssertionResult(
        text=text, passed=error is None and all(s.passed for s in spans), spans=spans,
        error=error,
    )


SPECS = (
    spec('span[name = "my span"]', "attr:tracetest.span.duration <= 200ms",
         name="Validate span duration", line=10),
    spec('span[name = "my other span"]', "attr:http.status = 200",
         "attr:tracetest.span.duration <= 200ms", line=20),
)
TEST = Test(name="Testcase 2", specs=SPECS, place=Place(FILE, 2, "spec"))


def failing_result() -> TestResult:
    return TestResult(
        test=TEST,
        trace_id=TRACE_ID,
        specs=(
            SpecResult(
                selector='span[name = "my span"]',
                name="Validate span duration",
                span_ids=("123456",),
                assertions=(
                    assertion("attr:tracetest.span.duration <= 200ms", ok("123456", "157ms")),
                ),
            ),
            SpecResult(
                selector='span[name = "my other span"]',
                span_ids=("456789",),
                assertions=(
                    assertion("attr:http.status = 200", no("456789", "404")),
                    assertion("attr:tracetest.span.duration <= 200ms", ok("456789", "68ms")),
                ),
            ),
        ),
        duration_s=0.0123,
    )


def passing_result() -> TestResult:
    failing = failing_result()
    second = SpecResult(
        selector='span[name = "my other span"]',
        span_ids=("456789",),
        assertions=(assertion("attr:http.status = 200", ok("456789", "200")),),
    )
    return TestResult(test=TEST, trace_id=TRACE_ID, specs=(failing.specs[0], second))


# -- pretty ------------------------------------------------------------------------------------


def test_pretty_passing_run_is_one_line_per_spec() -> None:
    text = render(pretty_test(passing_result()))
    assert text == (
        f"✔ Testcase 2 ({FILE}) - trace id: {TRACE_ID}\n"
        "\t✔ Validate span duration\n"
        '\t✔ span[name = "my other span"]\n'
    )


def test_pretty_failing_run_as_tracetest_prints_it() -> None:
    # Tracetest's own formatter test (cli/formatters/test_run_test.go), with the place in
    # the test file where Tracetest links to its web UI
    text = render(pretty_test(failing_result()))
    assert text == (
        f"✘ Testcase 2 ({FILE}) - trace id: {TRACE_ID}\n"
        "\t✔ Validate span duration\n"
        "\t\t✔ #123456\n"
        "\t\t\t✔ attr:tracetest.span.duration <= 200ms (157ms)\n"
        '\t✘ span[name = "my other span"]\n'
        "\t\t✘ #456789\n"
        f"\t\t\t✘ attr:http.status = 200 (404) ({FILE}:22)\n"
        "\t\t\t✔ attr:tracetest.span.duration <= 200ms (68ms)\n"
    )


def test_pretty_groups_meta_first_then_spans_in_trace_order() -> None:
    # span results arrive in an order that is not the trace order; span_ids is
    result = TestResult(
        test=Test(name="t", specs=(spec("span", "a", "b", "c"),), place=Place(FILE)),
        trace_id=TRACE_ID,
        specs=(SpecResult(
            selector="span",
            span_ids=("000a", "000b"),
            assertions=(
                assertion("a", ok("000b", "1"), no("000a", "2")),
                assertion("b", no(None, "3")),
                assertion("c", ok("000a", "4"), ok("000b", "5")),
            ),
        ),),
    )
    assert render(pretty_test(result)) == (
        f"✘ t ({FILE}) - trace id: {TRACE_ID}\n"
        "\t✘ span\n"
        "\t\t✘ #meta\n"
        f"\t\t\t✘ b (3) ({FILE}:4)\n"
        "\t\t✘ #000a\n"
        f"\t\t\t✘ a (2) ({FILE}:3)\n"
        "\t\t\t✔ c (4)\n"
        "\t\t✔ #000b\n"
        "\t\t\t✔ a (1)\n"
        "\t\t\t✔ c (5)\n"
    )


def test_pretty_errors_of_specs_assertions_and_spans() -> None:
    specs = (spec("span[", "attr:x = 1", line=5), spec("span", "attr:x === 1", "attr:y = 1",
                                                     line=9))
    result = TestResult(
        test=Test(name="t", specs=specs, place=Place(FILE)),
        trace_id=TRACE_ID,
        specs=(
            SpecResult(selector="span[", assertions=(AssertionResult("attr:x = 1", False),),
                       error="expected ']' (selector, line 1, column 6)\n  span[\n       ^"),
            SpecResult(
                selector="span",
                span_ids=("0001",),
                assertions=(
                    AssertionResult("attr:x === 1", False, error="unexpected '=' (assertion)"),
                    assertion("attr:y = 1", no("0001", "", 'attribute "y" not found')),
                ),
            ),
        ),
        problems=("x",),
    )
    assert render(pretty_test(result)) == (
        f"✘ t ({FILE}) - trace id: {TRACE_ID}\n"
        "\t✘ span[\n"
        f"\t\t✘ error: expected ']' (selector, line 1, column 6) ({FILE}:5)\n"
        "\t✘ span\n"
        f"\t\t✘ attr:x === 1 error: unexpected '=' (assertion) ({FILE}:11)\n"
        "\t\t✘ #0001\n"
        f'\t\t\t✘ attr:y = 1 error: attribute "y" not found ({FILE}:12)\n'
    )


def test_pretty_run_that_could_not_start() -> None:
    result = TestResult(test=TEST, error="not supported yet: needs a live trigger (http)")
    assert render(pretty_test(result)) == (
        f"✘ Testcase 2 ({FILE})\n\tReason: not supported yet: needs a live trigger (http)\n"
    )


def test_pretty_suite_indents_steps() -> None:
    suite = TestSuite(name="Flow", steps=(TEST, TEST), place=Place("suite.yaml"))
    result = SuiteResult(suite=suite, steps=(passing_result(), failing_result()))
    text = render(pretty_suite(result))
    lines = text.splitlines()
    assert lines[0] == "✘ Flow (suite.yaml)"
    assert lines[1] == f"\t✔ Testcase 2 ({FILE}) - trace id: {TRACE_ID}"
    assert lines[4] == f"\t✘ Testcase 2 ({FILE}) - trace id: {TRACE_ID}"
    assert lines[-1] == "\t\t\t\t✔ attr:tracetest.span.duration <= 200ms (68ms)"
    passed = SuiteResult(suite=suite, steps=(passing_result(), passing_result()))
    assert render(pretty_suite(passed)).startswith("✔ Flow (suite.yaml)\n")


def test_pretty_spec_alone_and_colour() -> None:
    lines = pretty_spec(failing_result().specs[1])
    assert [text for text, _ in lines] == [
        '✘ span[name = "my other span"]',
        "\t✘ #456789",
        "\t\t✘ attr:http.status = 200 (404)",
        "\t\t✔ attr:tracetest.span.duration <= 200ms (68ms)",
    ]
    coloured = render(lines, color=True)
    assert coloured.splitlines()[0] == '\x1b[31m✘ span[name = "my other span"]\x1b[0m'
    assert coloured.splitlines()[3].startswith("\x1b[32m")


# -- JSON --------------------------------------------------------------------------------------


def test_json_has_tracetest_shape() -> None:
    doc = test_json(failing_result())
    json.dumps(doc)  # serialisable
    assert doc["testRunWebUrl"] == ""
    assert doc["results"]["allPassed"] is False
    first, second = doc["results"]["results"]
    assert first["selector"] == {"query": 'span[name = "my span"]'}
    assert second["results"][0] == {
        "assertion": "attr:http.status = 200",
        "allPassed": False,
        "spanResults": [
            {"spanId": "456789", "spanName": None, "service": None, "kind": None,
             "observedValue": "404", "passed": False, "error": "no match"}
        ],
    }
    assert doc["traceId"] == TRACE_ID
    assert doc["test"] == {"id": "", "name": "Testcase 2", "file": FILE}
    assert test_json(passing_result())["results"]["allPassed"] is True


def test_json_spec_error_reads_as_an_errored_span_result() -> None:
    result = TestResult(
        test=TEST,
        specs=(SpecResult(selector="span[", assertions=(AssertionResult("attr:x = 1", False),),
                          error="bad selector"),),
        outputs=(OutputResult("OUT", "span", "attr:x", "", False, error="no spans"),),
    )
    doc = test_json(result)
    spec_doc = doc["results"]["results"][0]
    assert spec_doc["error"] == "bad selector"
    assert spec_doc["results"][0]["spanResults"] == [
        {"spanId": None, "spanName": None, "service": None, "kind": None,
         "observedValue": "", "passed": False, "error": "bad selector"}
    ]
    assert doc["outputs"] == [{"name": "OUT", "value": "", "spanId": None, "resolved": False,
                               "error": "no spans"}]


def test_suite_json_lists_steps() -> None:
    suite = TestSuite(name="Flow", steps=(TEST,), place=Place("suite.yaml"))
    doc = suite_json(SuiteResult(suite=suite, steps=(failing_result(),)))
    assert [s["name"] for s in doc["steps"]] == ["Testcase 2"]
    assert doc["steps"][0]["results"]["allPassed"] is False


# -- JUnit -------------------------------------------------------------------------------------


def read_junit(tmp_path: Path, text: str) -> junitparser.JUnitXml:
    path = tmp_path / "junit.xml"
    path.write_text(text, encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    assert isinstance(xml, junitparser.JUnitXml)
    return xml


def test_junit_fixture_counts(tmp_path: Path) -> None:
    # Tracetest's fixture (server/junit/testdata/junit_result.xml): a pass, an error, a failure
    result = TestResult(
        test=Test(name="Example test", place=Place(FILE)),
        specs=(SpecResult(
            selector='span[tracetest.span.type = "database"]',
            span_ids=("0001",),
            assertions=(
                assertion('attr:db.statement contains "INSERT"', ok("0001", "INSERT INTO x")),
                assertion("attr:tracetest.span.duration < 500",
                          no("0001", "", 'cannot parse "notANumber" as integer')),
                assertion('attr:tracetest.span.type = "http"', no("0001", "database")),
            ),
        ),),
        duration_s=0.25,
    )
    xml = read_junit(tmp_path, junit_xml([result]))
    assert (xml.name, xml.tests, xml.failures, xml.errors, xml.skipped) == (
        "Example test", 3, 1, 1, 0)
    (suite,) = list(xml)
    assert suite.name == 'span[tracetest.span.type = "database"]'
    assert (suite.tests, suite.failures, suite.errors) == (3, 1, 1)
    cases = list(suite)
    assert [c.name for c in cases] == [
        'attr:db.statement contains "INSERT"',
        "attr:tracetest.span.duration < 500",
        'attr:tracetest.span.type = "http"',
    ]
    assert cases[0].is_passed
    (error,) = cases[1].result
    assert isinstance(error, junitparser.Error)
    assert error.message == 'cannot parse "notANumber" as integer'
    assert error.type == "error"
    (failure,) = cases[2].result
    assert isinstance(failure, junitparser.Failure)
    assert failure.message == "database"
    assert failure.type == 'attr:tracetest.span.type = "http"'


def test_junit_one_case_per_span_result(tmp_path: Path) -> None:
    xml = read_junit(tmp_path, junit_xml([failing_result()]))
    assert (xml.tests, xml.failures, xml.errors) == (3, 1, 0)
    suites = list(xml)
    assert [s.name for s in suites] == ['span[name = "my span"]', 'span[name = "my other span"]']
    assert [s.tests for s in suites] == [1, 2]


def test_junit_errors_of_specs_and_runs(tmp_path: Path) -> None:
    bad_spec = TestResult(
        test=Test(name="bad", place=Place(FILE)),
        specs=(SpecResult(selector="span[", error="expected ']'",
                          assertions=(AssertionResult("a", False), AssertionResult("b", False))),),
    )
    no_run = TestResult(test=Test(name="live", place=Place(FILE)), error="needs a live trigger")
    xml = read_junit(tmp_path, junit_xml([bad_spec, no_run, passing_result()]))
    assert (xml.name, xml.tests, xml.failures, xml.errors) == ("tracespec", 5, 0, 3)
    names = [s.name for s in xml]
    assert names == ["bad: span[", "live: live", 'Testcase 2: span[name = "my span"]',
                     'Testcase 2: span[name = "my other span"]']


def test_junit_suite_names_steps(tmp_path: Path) -> None:
    suite = TestSuite(name="Flow", steps=(TEST, TEST), place=Place("suite.yaml"))
    result = SuiteResult(suite=suite, steps=(passing_result(), failing_result()))
    xml = read_junit(tmp_path, junit_xml([result]))
    assert xml.name == "Flow"
    assert (xml.tests, xml.failures) == (5, 1)
    assert next(s.name for s in xml) == 'Flow / Testcase 2: span[name = "my span"]'


@pytest.mark.parametrize("text", ['a "quoted" <b> & c', "tab\there", "ünïcödé ✔"])
def test_junit_escapes_text(tmp_path: Path, text: str) -> None:
    result = TestResult(
        test=Test(name=text, place=Place(FILE)),
        specs=(SpecResult(selector=text, assertions=(assertion(text, no("01", text)),)),),
    )
    xml = read_junit(tmp_path, junit_xml([result]))
    (suite,) = list(xml)
    (case,) = list(suite)
    assert (xml.name, suite.name, case.name, case.result[0].message) == (text, text, text, text)


def test_notes_are_yellow() -> None:
    """A note (verdict None: a repair, a hint) is neither green nor red."""
    lines = [("✘ t", False), ("\t! trace repaired: x", None), ("\t✔ s", True)]
    assert render(lines, color=True).splitlines() == [
        "\x1b[31m✘ t\x1b[0m", "\x1b[33m\t! trace repaired: x\x1b[0m", "\x1b[32m\t✔ s\x1b[0m"]
    assert render(lines) == "✘ t\n\t! trace repaired: x\n\t✔ s\n"
