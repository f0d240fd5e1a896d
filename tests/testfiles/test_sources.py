"""Which trace a test runs on, among the traces of a capture split over many files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import tracespec
from tests.support.apps import Capture

ORDER_TEST = """
    type: Test
    spec:
      name: An order is placed
      trigger: {{type: traceid, traceid: {{id: "{trace_id}"}}}}
      specs:
        - name: orders answers 201
          selector: span[service.name="orders" tracetest.span.type="http" kind="server"]
          assertions: ["attr:http.status_code = 201"]
        - name: inventory checks the stock
          selector: span[service.name="inventory" name="check stock"]
          assertions: ["attr:tracetest.selected_spans.count = 1"]
    """


def order_test(tmp_path: Path, trace_id: str) -> Path:
    path = tmp_path / "order.yaml"
    path.write_text(textwrap.dedent(ORDER_TEST.format(trace_id=trace_id)), encoding="utf-8")
    return path


def test_a_traceid_trigger_picks_among_files_by_prefix(
    tmp_path: Path, app_capture: Capture
) -> None:
    placed, refused, failed = app_capture.trace_ids
    for source in (app_capture.pattern, list(app_capture.files), app_capture.directory,
                   tracespec.load_traces(app_capture.pattern)):
        result = tracespec.run_test(order_test(tmp_path, placed[:8]), source)
        assert (result.trace_id, result.passed) == (placed, True)
    result = tracespec.run_test(order_test(tmp_path, "${var:ORDER_TRACE}"), app_capture.pattern,
                                variables={"ORDER_TRACE": refused[:10]})
    assert result.trace_id == refused and not result.passed and not result.errored
    assert result.specs[0].assertions[0].spans[0].observed == "409"
    one = tracespec.load_trace(app_capture.pattern, trace_id=failed)
    assert tracespec.run_test(order_test(tmp_path, failed[:8]), one).trace_id == failed
    wrong = tracespec.run_test(order_test(tmp_path, placed[:8]), one)
    assert wrong.error == f"trigger traceid {placed[:8]} is not the trace given ({failed})"


@pytest.mark.parametrize("several", [True, False])
def test_a_traceid_variable_not_defined_is_an_error_naming_it(
    tmp_path: Path, app_capture: Capture, several: bool
) -> None:
    source = (app_capture.pattern if several
              else tracespec.load_trace(app_capture.pattern, trace_id=app_capture.trace_ids[0]))
    path = order_test(tmp_path, "${var:ORDER_TRACE}")
    result = tracespec.run_test(path, source, variables={"OTHER": "x"})
    assert result.errored and not result.specs
    assert result.error == "trigger traceid ${var:ORDER_TRACE}: variable ORDER_TRACE is not defined"
    # defined, but empty: no trace named either
    empty = tracespec.run_test(path, source, variables={"ORDER_TRACE": " "})
    assert empty.error == "trigger traceid ${var:ORDER_TRACE} is empty"


@pytest.mark.parametrize(
    ("trace_id", "message"),
    [("abc", "trigger traceid: 'abc' is too short"),
     ("not-hex-at-all", "trigger traceid: 'not-hex-at-all' is not a trace id")],
)
def test_a_traceid_that_is_no_trace_id(
    tmp_path: Path, app_capture: Capture, trace_id: str, message: str
) -> None:
    result = tracespec.run_test(order_test(tmp_path, trace_id), app_capture.pattern)
    assert result.error is not None and result.error.startswith(message)


def test_several_traces_and_no_traceid_say_how_to_choose(
    tmp_path: Path, app_capture: Capture
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("type: Test\nspec: {name: t, trigger: {type: http}}\n", encoding="utf-8")
    result = tracespec.run_test(path, app_capture.pattern)
    assert result.error is not None and "holds 3 traces" in result.error
    assert "traceid trigger" in result.error and "--trace-id" in result.error


def test_a_suite_runs_on_a_capture(tmp_path: Path, app_capture: Capture) -> None:
    order_test(tmp_path, "${var:ORDER_TRACE}")
    suite = tmp_path / "suite.yaml"
    suite.write_text(textwrap.dedent("""
        type: TestSuite
        spec:
          name: orders
          steps: [./order.yaml]
        """), encoding="utf-8")
    result = tracespec.run_suite(suite, list(app_capture.files),
                                 variables={"ORDER_TRACE": app_capture.trace_ids[0][:8]})
    assert result.passed and result.steps[0].trace_id == app_capture.trace_ids[0]
