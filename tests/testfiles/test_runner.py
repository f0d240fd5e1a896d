"""Running tests and suites on traces: outputs before specs, variables, triggers, errors."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path

import pytest

import tracespec
from tracespec.testfiles import VariableSet, load_suite, load_test
from tracespec.testfiles.model import Variable

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRACE_JSON = EXAMPLES / "orders-trace.json"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
OTHER_ID = "00000000000000000000000000000abc"


@pytest.fixture(scope="module")
def trace() -> tracespec.Trace:
    return tracespec.load_trace(TRACE_JSON)


@pytest.fixture(scope="module")
def two_traces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example trace twice: as is, and with another trace id and no worker spans."""
    doc = json.loads(TRACE_JSON.read_text())
    other = copy.deepcopy(doc)
    for rs in other["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            ss["spans"] = [s for s in ss["spans"] if s["name"] != "orders process"
                           and s["name"] != "UPDATE inventory"]
            for s in ss["spans"]:
                s["traceId"] = OTHER_ID
    doc["resourceSpans"].extend(other["resourceSpans"])
    path = tmp_path_factory.mktemp("traces") / "two.json"
    path.write_text(json.dumps(doc))
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_outputs_run_first_and_feed_the_specs(tmp_path: Path, trace: tracespec.Trace) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: outputs
          specs:
            - selector: span[]
              assertions:
                - var:ORDER_ID = 52
                - env:ORDER_ID = "52"
          outputs:
            - name: ORDER_ID
              selector: ""
              value: attr:tracetest.response.body | json_path '$.id'
        """)
    result = tracespec.run_test(load_test(path), trace)
    assert result.passed, result
    (output,) = result.outputs
    assert (output.name, output.value, output.resolved, output.span_id) == (
        "ORDER_ID", "52", True, "a1b2c3d4e5f60001")
    assert result.variables["ORDER_ID"] == "52"
    assert result.trace_id == TRACE_ID
    assert len(result.specs[0].assertions[0].spans) == len(trace)


def test_output_overrides_a_variable(tmp_path: Path, trace: tracespec.Trace) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          outputs:
            - {name: X, selector: "", value: '"from output"'}
          specs:
            - selector: ""
              assertions: ['var:X = "from output"', 'var:Y = "kept"']
        """)
    result = tracespec.run_test(path, trace, variables={"X": "given", "Y": "kept"})
    assert result.passed
    assert dict(result.variables) == {"X": "from output", "Y": "kept"}


def test_two_specs_with_the_same_selector_keep_both(tmp_path: Path,
                                                    trace: tracespec.Trace) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          specs:
            - {selector: "span[]", name: one, assertions: ["attr:tracetest.selected_spans.count=9"]}
            - {selector: "span[]", name: two, assertions: ["attr:tracetest.selected_spans.count=1"]}
            - {selector: "span[]", assertions: ["attr:name != \\"\\""]}
        """)
    result = tracespec.run_test(path, trace)
    assert [s.name for s in result.specs] == ["one", "two", None]
    assert [s.passed for s in result.specs] == [True, False, True]
    assert not result.passed and not result.errored
    passed, failed = result.span_results
    assert (passed, failed) == (9 + 9, 9)


def test_bad_selector_is_an_error_of_that_spec_only(tmp_path: Path,
                                                    trace: tracespec.Trace) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          specs:
            - selector: span[name=
              assertions: ["attr:x = 1"]
            - selector: ""
              assertions: ["attr:tracetest.selected_spans.count = 9", "attr:x ==== 1"]
        """)
    result = tracespec.run_test(path, trace)
    bad, good = result.specs
    assert bad.error is not None and not bad.passed
    assert good.error is None
    assert good.assertions[0].passed
    assert good.assertions[1].error is not None and not good.assertions[1].spans
    assert result.errored and not result.passed
    assert len(result.problems) == 2
    assert result.problems[0].startswith(f"{path}:5 (spec.specs[0].selector): ")
    assert result.problems[1].startswith(f"{path}:8 (spec.specs[1].assertions[1]): ")
    assert all("\n" not in p for p in result.problems)


def test_bad_output_expression_is_a_problem(tmp_path: Path, trace: tracespec.Trace) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          outputs:
            - {name: X, selector: "", value: "attr:a +* 1"}
        """)
    result = tracespec.run_test(path, trace)
    assert result.outputs[0].error is not None and not result.outputs[0].resolved
    assert result.problems[0].startswith(f"{path}:5 (spec.outputs[0]): ")
    assert result.errored


def test_variable_set_feeds_var_and_env(tmp_path: Path, trace: tracespec.Trace) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          specs:
            - selector: ""
              assertions: ['var:HOST = "api"', 'env:HOST = "api"']
        """)
    var_set = VariableSet(values=(Variable("HOST", "api"),))
    assert tracespec.run_test(path, trace, variables=var_set).passed
    assert not tracespec.run_test(path, trace).passed


def traceid_test(tmp_path: Path, trace_id: str) -> Path:
    return write(tmp_path, "t.yaml", f"""
        type: Test
        spec:
          name: by id
          trigger: {{type: traceid, traceid: {{id: "{trace_id}"}}}}
          specs:
            - selector: ""
              assertions: ["attr:tracetest.selected_spans.count = 9"]
        """)


def test_traceid_trigger_picks_the_trace_from_the_file(tmp_path: Path, two_traces: Path) -> None:
    traces = tracespec.load_traces(two_traces)
    assert len(traces) == 2
    by_var = traceid_test(tmp_path, "${var:TRACE_ID}")
    result = tracespec.run_test(by_var, traces, variables={"TRACE_ID": TRACE_ID})
    assert result.trace_id == TRACE_ID and result.passed
    result = tracespec.run_test(by_var, two_traces, variables={"TRACE_ID": OTHER_ID})
    assert result.trace_id == OTHER_ID and not result.passed  # 7 spans, not 9
    missing = tracespec.run_test(by_var, traces, variables={"TRACE_ID": "ab" * 16})
    assert missing.error is not None and f"no trace with id {'ab' * 16}" in missing.error
    assert missing.errored and not missing.specs


def test_traceid_against_a_single_trace(tmp_path: Path, trace: tracespec.Trace) -> None:
    assert tracespec.run_test(traceid_test(tmp_path, TRACE_ID.upper()), trace).passed
    wrong = tracespec.run_test(traceid_test(tmp_path, OTHER_ID), trace)
    assert wrong.error == f"trigger traceid {OTHER_ID} is not the trace given ({TRACE_ID})"


def test_several_traces_without_traceid(tmp_path: Path, two_traces: Path) -> None:
    path = write(tmp_path, "t.yaml", "type: Test\nspec: {name: t, trigger: {type: http}}\n")
    result = tracespec.run_test(path, two_traces)
    assert result.error is not None and "holds 2 traces" in result.error


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        ("{type: http, httpRequest: {url: 'http://x'}}", "a http trigger runs live: run it "
         "with a receiver (tracespec run without --trace; run_test(test, LiveRun(receiver)))"),
        ("{type: grpc}", "a grpc trigger runs live"),
        ("{type: kafka}", "a kafka trigger runs live"),
        ("{type: traceid, traceid: {id: abc}}", "a traceid trigger runs live"),
    ],
)
def test_no_trace_says_why(tmp_path: Path, trigger: str, message: str) -> None:
    path = write(tmp_path, "t.yaml", f"type: Test\nspec: {{name: t, trigger: {trigger}}}\n")
    result = tracespec.run_test(path, None)
    assert result.error is not None and result.error.startswith(message)
    assert not result.passed and result.errored


def test_suite_outputs_feed_later_steps(tmp_path: Path, trace: tracespec.Trace) -> None:
    write(tmp_path, "steps/one.yaml", """
        type: Test
        spec:
          name: one
          outputs:
            - {name: SERVICE, selector: "", value: attr:service.name}
            - {name: COUNT, selector: "", value: attr:tracetest.selected_spans.count}
        """)
    write(tmp_path, "steps/two.yaml", """
        type: Test
        spec:
          name: two
          specs:
            - selector: ""
              assertions: ['var:SERVICE = "api"', "attr:tracetest.selected_spans.count = var:COUNT"]
        """)
    suite = write(tmp_path, "suite.yaml", """
        type: TestSuite
        spec:
          name: S
          steps: [./steps/one.yaml, ./steps/two.yaml]
        """)
    result = tracespec.run_suite(load_suite(suite), trace)
    assert [s.test.name for s in result.steps] == ["one", "two"]
    assert result.passed and result.complete
    assert result.variables["SERVICE"] == "api"
    # without the first step, the second fails: the variable is not set
    alone = tracespec.run_test(tmp_path / "steps/two.yaml", trace)
    assert not alone.passed


def test_suite_stops_at_a_step_that_cannot_run(tmp_path: Path, trace: tracespec.Trace) -> None:
    write(tmp_path, "a.yaml", "type: Test\nspec: {name: a, specs: [{selector: '', "
                              "assertions: ['attr:name = \"nope\"']}]}\n")
    write(tmp_path, "b.yaml", f"type: Test\nspec: {{name: b, trigger: {{type: traceid, "
                              f"traceid: {{id: {OTHER_ID}}}}}}}\n")
    write(tmp_path, "c.yaml", "type: Test\nspec: {name: c}\n")
    suite = write(tmp_path, "suite.yaml",
                  "type: TestSuite\nspec: {name: S, steps: [./a.yaml, ./b.yaml, ./c.yaml]}\n")
    result = tracespec.run_suite(suite, trace)
    # a failed assertion does not stop the suite; a step without its trace does
    assert [s.test.name for s in result.steps] == ["a", "b"]
    assert not result.steps[0].passed and result.steps[0].error is None
    assert result.steps[1].error is not None
    assert not result.complete and not result.passed and result.errored


def test_run_suite_on_a_test_file_says_what_it_is(trace: tracespec.Trace) -> None:
    with pytest.raises(tracespec.TestFileError, match="expected a TestSuite, found a Test"):
        tracespec.run_suite(EXAMPLES / "orders-pass.yaml", trace)
