"""``tracespec run`` end to end: reports, exit codes, JUnit files, variables, errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import junitparser
import pytest

import tracespec
from tracespec.cli import main
from tracespec.reports import junit_xml, pretty_suite, pretty_test, render, test_json
from tracespec.testfiles import (
    SuiteResult,
    Test,
    TestResult,
    TestSuite,
    load_resource,
    run_suite,
    run_test,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRACE = str(EXAMPLES / "orders-trace.json")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(path)


PASSING = """
    type: Test
    spec:
      name: All spans
      trigger: {type: http, httpRequest: {url: "http://api/orders", method: POST}}
      specs:
        - name: Nine spans
          selector: ""
          assertions: ["attr:tracetest.selected_spans.count = 9"]
        - selector: span[]
          assertions: ["attr:tracetest.span.duration < 1s"]
    """

FAILING = """
    type: Test
    spec:
      name: Failing
      specs:
        - selector: ""
          assertions:
            - attr:tracetest.selected_spans.count = 9
            - attr:tracetest.span.duration < 20ms
    """


def test_passing_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test = write(tmp_path, "pass.yaml", PASSING)
    code, out, err = run_cli(capsys, "run", "-f", test, "--trace", TRACE)
    assert (code, err) == (0, "")
    assert out == (
        f"✔ All spans ({test}) - trace id: {TRACE_ID}\n"
        "\t✔ Nine spans\n"
        "\t✔ span[]\n"
    )


def test_failing_run_exits_2_and_writes_junit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = write(tmp_path, "fail.yaml", FAILING)
    junit = tmp_path / "out" / "junit.xml"
    junit.parent.mkdir()
    code, out, err = run_cli(capsys, "run", "-f", test, "--trace", TRACE, "--junit", str(junit))
    assert (code, err) == (2, "")
    lines = out.splitlines()
    assert lines[0] == f"✘ Failing ({test}) - trace id: {TRACE_ID}"
    assert lines[1] == "\t✘ All Spans"
    # spans in trace order; the slow ones fail with their observed duration and the place
    assert lines[2] == "\t\t✘ #a1b2c3d4e5f60001 POST /api/orders (api, server)"
    assert lines[3] == "\t\t\t✔ attr:tracetest.selected_spans.count = 9 (9)"
    assert lines[4] == f"\t\t\t✘ attr:tracetest.span.duration < 20ms (48ms) ({test}:8)"
    assert sum(1 for line in lines if line.startswith("\t\t✘ #")) == 3  # 48, 21.9, 20.5 ms
    xml = junitparser.JUnitXml.fromfile(str(junit))
    assert (xml.name, xml.tests, xml.failures, xml.errors) == ("Failing", 18, 3, 0)
    (suite,) = list(xml)
    assert suite.name == "All Spans"


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test = write(tmp_path, "fail.yaml", FAILING)
    code, out, _ = run_cli(capsys, "run", "-f", test, "--trace", TRACE, "-o", "json")
    assert code == 2
    doc = json.loads(out)
    assert doc["results"]["allPassed"] is False
    assert doc["traceId"] == TRACE_ID
    spans = doc["results"]["results"][0]["results"][1]["spanResults"]
    assert len(spans) == 9
    assert [s["spanId"] for s in spans if not s["passed"]] == [
        "a1b2c3d4e5f60001", "a1b2c3d4e5f60004", "a1b2c3d4e5f60005"]


def test_several_files_json_is_a_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a.yaml", PASSING)
    b = write(tmp_path, "b.yaml", FAILING)
    code, out, _ = run_cli(capsys, "run", "-f", a, "-f", b, "--trace", TRACE, "-o", "json")
    assert code == 2
    assert [d["test"]["name"] for d in json.loads(out)] == ["All spans", "Failing"]


def test_bad_selector_in_a_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test = write(tmp_path, "bad.yaml", """
        type: Test
        spec:
          name: Bad selector
          specs:
            - selector: span[name=
              assertions: ["attr:x = 1"]
            - selector: ""
              assertions: ["attr:tracetest.selected_spans.count = 9"]
        """)
    junit = tmp_path / "junit.xml"
    code, out, err = run_cli(capsys, "run", "-f", test, "--trace", TRACE, "-j", str(junit))
    assert code == 1
    # one line on stderr naming the place, and the report goes on with the other spec
    assert err.count("\n") == 1
    assert err.startswith(f"error: {test}:5 (spec.specs[0].selector): ")
    assert "(selector, line 1, column" in err
    lines = out.splitlines()
    assert lines[1] == "\t✘ span[name="
    assert lines[2].startswith("\t\t✘ error: ") and lines[2].endswith(f"({test}:5)")
    assert lines[3] == "\t✔ All Spans"
    xml = junitparser.JUnitXml.fromfile(str(junit))
    assert (xml.tests, xml.failures, xml.errors) == (1 + 9, 0, 1)


#: A live run listening on a free port (nothing else is started): the tests of this module
#: whose trigger cannot be sent.
LIVE = ("--otlp-http", "127.0.0.1:0", "--otlp-grpc", "off")


def test_live_trigger_that_cannot_be_sent(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --trace the run is live: the example's trigger names a host that does not
    exist (api:8080), so the test could not run."""
    test = str(EXAMPLES / "orders-pass.yaml")
    code, out, err = run_cli(capsys, "run", "-f", test, *LIVE)
    assert code == 1
    assert out.splitlines()[1].startswith(
        "\tReason: trigger http: POST http://api:8080/api/orders: cannot connect: ")
    assert err.startswith(f"error: {test}: Create an order: trigger http: ")


def test_vars_file_and_var_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: vars
          specs:
            - selector: ""
              assertions: ['var:A = "from file"', 'var:B = "from option"']
        """)
    var_file = write(tmp_path, "vars.yaml", """
        type: VariableSet
        spec:
          values:
            - {key: A, value: from file}
            - {key: B, value: overridden}
        """)
    code, _, _ = run_cli(capsys, "run", "-f", test, "--trace", TRACE, "--vars", var_file,
                         "--var", "B=from option")
    assert code == 0
    code, _, _ = run_cli(capsys, "run", "-f", test, "--trace", TRACE, "--vars", var_file)
    assert code == 2


def test_env_subst(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                   monkeypatch: pytest.MonkeyPatch) -> None:
    test = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: ${TEST_NAME}
          specs:
            - selector: ""
              assertions: ["attr:tracetest.selected_spans.count = ${SPAN_COUNT}"]
        """)
    monkeypatch.setenv("TEST_NAME", "substituted")
    monkeypatch.setenv("SPAN_COUNT", "9")
    code, out, _ = run_cli(capsys, "run", "-f", test, "--trace", TRACE, "--env-subst")
    assert code == 0 and out.startswith("✔ substituted (")
    code, out, _ = run_cli(capsys, "run", "-f", test, "--trace", TRACE)
    assert code == 1  # ${SPAN_COUNT} is left as written: not an assertion that parses
    assert out.startswith("✘ ${TEST_NAME} (")


def test_suite_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "steps/one.yaml", """
        type: Test
        spec:
          id: one
          name: one
          outputs: [{name: N, selector: "", value: attr:tracetest.selected_spans.count}]
        """)
    write(tmp_path, "steps/two.yaml", """
        type: Test
        spec:
          name: two
          specs: [{selector: "", assertions: ["var:N = 9"]}]
        """)
    suite = write(tmp_path, "suite.yaml", """
        type: TestSuite
        spec: {name: Suite, steps: [./steps/one.yaml, ./steps/two.yaml]}
        """)
    code, out, _ = run_cli(capsys, "run", "-f", suite, "--trace", TRACE)
    assert code == 0
    assert out.splitlines() == [
        f"✔ Suite ({suite})",
        f"\t✔ one ({tmp_path / 'steps/one.yaml'}) - trace id: {TRACE_ID}",
        f"\t✔ two ({tmp_path / 'steps/two.yaml'}) - trace id: {TRACE_ID}",
        "\t\t✔ All Spans",
    ]


def test_suite_step_by_id_from_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = write(tmp_path, "t.yaml", "type: Test\nspec: {id: my-test, name: by id}\n")
    suite = write(tmp_path, "s.yaml", "type: TestSuite\nspec: {name: S, steps: [my-test]}\n")
    code, out, _ = run_cli(capsys, "run", "-f", suite, "-f", test, "--trace", TRACE)
    assert code == 0
    assert out.splitlines()[1].startswith("\t✔ by id (")


def test_unknown_field_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test = write(tmp_path, "t.yaml", "type: Test\nspec:\n  name: t\n  spex: []\n")
    code, _, err = run_cli(capsys, "run", "-f", test, "--trace", TRACE)
    assert code == 0
    assert err == f"warning: {test}:4: unknown field spec.spex (ignored)\n"


def test_junit_unwritable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test = write(tmp_path, "t.yaml", PASSING)
    target = tmp_path / "no-such-dir" / "junit.xml"
    code, _, err = run_cli(capsys, "run", "-f", test, "--trace", TRACE, "-j", str(target))
    assert code == 1
    assert err.startswith(f"error: {target}: cannot write the JUnit report")


def test_colour_when_forced_and_never_with_no_color(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    test = write(tmp_path, "fail.yaml", FAILING)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, out, _ = run_cli(capsys, "run", "-f", test, "--trace", TRACE)
    lines = out.splitlines()
    assert lines[0].startswith("\x1b[31m✘ Failing") and lines[0].endswith("\x1b[0m")
    assert lines[3].startswith("\x1b[32m\t\t\t✔ ")
    _, out, _ = run_cli(capsys, "run", "-f", test, "--trace", TRACE, "--no-color")
    assert "\x1b[" not in out
    monkeypatch.delenv("FORCE_COLOR")
    _, out, _ = run_cli(capsys, "run", "-f", test, "--trace", TRACE)  # not a terminal
    assert "\x1b[" not in out


# -- the reports as they stream: the same bytes as the whole reports -------------------------


def big_trace(tmp_path: Path, spans: int) -> str:
    """An OTLP JSON trace: a root and ``spans - 1`` children, every seventh one slow."""
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    out = []
    for i in range(spans):
        start = 1_700_000_000_000_000_000 + i * 1000
        span: dict[str, object] = {
            "traceId": trace_id, "spanId": f"{i + 1:016x}", "name": f"span {i}", "kind": 1,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(start + (30_000_000 if i % 7 == 0 else 1_000_000)),
            "attributes": [{"key": "n", "value": {"intValue": str(i)}}],
        }
        if i:
            span["parentSpanId"] = f"{1:016x}"
        out.append(span)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"resourceSpans": [{"resource": {"attributes": []},
                                                   "scopeSpans": [{"spans": out}]}]}))
    return str(path)


def expected_results(files: list[str], trace: str) -> list[TestResult | SuiteResult]:
    traces = tracespec.load_traces(trace)
    out: list[TestResult | SuiteResult] = []
    for path in files:
        resource = load_resource(path)
        if isinstance(resource, TestSuite):
            out.append(run_suite(resource, traces))
        else:
            assert isinstance(resource, Test)
            out.append(run_test(resource, traces))
    return out


def without_time(xml: str) -> str:
    return re.sub(r' time="[0-9.]+"', "", xml)


def test_big_reports_are_written_as_the_whole_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    trace = big_trace(tmp_path, 3000)  # 6000 span results: several chunks of each report
    failing = write(tmp_path, "fail.yaml", FAILING)
    suite = str(EXAMPLES / "orders-suite.yaml")
    files = [failing, write(tmp_path, "pass.yaml", PASSING), suite]
    results = expected_results(files, trace)
    junit = tmp_path / "junit.xml"
    args = [a for f in files for a in ("-f", f)]
    code, out, _ = run_cli(capsys, "run", *args, "--trace", trace, "--junit", str(junit))
    assert code == 2
    assert out == "".join(render(pretty_suite(r) if isinstance(r, SuiteResult)
                                 else pretty_test(r)) for r in results)
    assert out.count("\n") > 9000
    assert without_time(junit.read_text(encoding="utf-8")) == without_time(junit_xml(results))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, out, _ = run_cli(capsys, "run", "-f", failing, "--trace", trace)
    assert isinstance(results[0], TestResult)
    assert out == render(pretty_test(results[0]), color=True)


def test_json_report_is_written_as_json_dumps_writes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = big_trace(tmp_path, 3000)
    files = [write(tmp_path, "fail.yaml", FAILING), write(tmp_path, "pass.yaml", PASSING)]
    results = expected_results(files, trace)
    docs = [test_json(r) for r in results if isinstance(r, TestResult)]
    code, out, err = run_cli(capsys, "run", "-f", files[0], "--trace", trace, "-o", "json")
    assert (code, err) == (2, "")
    assert out == json.dumps(docs[0], indent=2, ensure_ascii=False) + "\n"
    code, out, _ = run_cli(capsys, "run", "-f", files[0], "-f", files[1], "--trace", trace,
                           "-o", "json")
    assert out == json.dumps(docs, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("several", [False, True])
def test_json_report_and_what_could_not_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], several: bool
) -> None:
    live = str(EXAMPLES / "orders-pass.yaml")
    files = [live, write(tmp_path, "pass.yaml", PASSING)] if several else [live]
    args = [a for f in files for a in ("-f", f)]
    code, out, err = run_cli(capsys, "run", *args, *LIVE, "-o", "json")
    assert code == 1
    assert err.count("\n") == len(files)  # each test that could not run, once
    assert err.startswith(f"error: {live}: Create an order: trigger http: ")
    doc = json.loads(out)
    assert (doc[0] if several else doc)["error"].startswith("trigger http: ")


@pytest.mark.parametrize(("test_file", "expected"),
                         [("orders-pass.yaml", 0), ("orders-fail.yaml", 2)])
def test_a_test_file_on_standard_input(test_file: str, expected: int) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tracespec", "run", "-f", "-", "--trace",
         str(EXAMPLES / "orders-trace.json")],
        input=(EXAMPLES / test_file).read_bytes(), capture_output=True, timeout=120, check=False,
    )
    assert proc.returncode == expected, proc.stderr
    assert b"Create an order" in proc.stdout
