"""``tracespec run ... | head -1``: stdout closed early, and the run still finishes.

A real ``tracespec`` process writes into a real pipe whose reader takes one line and closes it.
The report is far bigger than a pipe holds (megabytes; a Linux pipe holds 64 KiB by default), so
the process is still writing when the reader goes away and meets the closed pipe (nothing else
decides it: the process cannot finish writing before the pipe is closed).  It must run every
file all the same, write the whole JUnit file, exit with the run's code and print nothing more:
no traceback, no "Exception ignored" from the interpreter's last flush.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_run import (
    EXAMPLES,
    FAILING,
    PASSING,
    big_trace,
    expected_results,
    without_time,
    write,
)
from tracespec.reports import junit_xml

ROOT = Path(__file__).resolve().parents[2]


def _run_closing_after_one_line(args: list[str], cwd: Path) -> tuple[int, bytes, str]:
    """Run ``tracespec ARGS`` with stdout to a pipe that is closed after its first line; the exit
    code, that line and everything on stderr."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracespec", *args], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=env, cwd=cwd,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does once it has its line
    err = proc.stderr.read().decode("utf-8")
    return proc.wait(), first, err


@pytest.mark.parametrize("output", ["pretty", "json", "yaml"])
def test_junit_is_written_and_the_exit_code_is_the_runs(tmp_path: Path, output: str) -> None:
    trace = big_trace(tmp_path, 20_000)  # 40,000 span results: megabytes of any report
    files = [
        write(tmp_path, "fail.yaml", FAILING),
        write(tmp_path, "pass.yaml", PASSING),
        str(EXAMPLES / "orders-suite.yaml"),
    ]
    junit = tmp_path / "junit.xml"
    args = ["run", *(a for f in files for a in ("-f", f)), "--trace", trace, "-o", output,
            "--junit", str(junit)]
    code, first, err = _run_closing_after_one_line(args, tmp_path)
    assert (code, err) == (2, "")  # the failing test's code, nothing on stderr
    assert first.strip() in (b"[", b"- testRunWebUrl: ''", f"✘ Failing ({files[0]}) - trace id: "
                             "0af7651916cd43dd8448eb211c80319c".encode())
    # every file ran after stdout closed: the JUnit file is the whole run's, complete
    results = expected_results(files, trace)
    assert without_time(junit.read_text(encoding="utf-8")) == without_time(junit_xml(results))


def test_a_run_that_could_not_run_still_says_so_on_stderr(tmp_path: Path) -> None:
    """stderr is not stdout: what could not run is still told there, and the code is 1."""
    trace = big_trace(tmp_path, 20_000)
    unknown = write(tmp_path, "unknown.yaml", """
        type: Test
        spec:
          name: Unknown trace id
          trigger: {type: traceid, traceid: {id: "${var:TRACE_ID}"}}
          specs:
            - selector: ""
              assertions: ["attr:tracetest.selected_spans.count = 1"]
        """)
    files = [write(tmp_path, "fail.yaml", FAILING), unknown]
    junit = tmp_path / "junit.xml"
    args = ["run", *(a for f in files for a in ("-f", f)), "--trace", trace, "--junit",
            str(junit), "--var", "TRACE_ID=ffffffffffffffffffffffffffffffff"]
    code, _, err = _run_closing_after_one_line(args, tmp_path)
    assert code == 1
    assert err.startswith(f"error: {unknown}: Unknown trace id: "), err
    assert err.count("\n") == 1
    assert "Traceback" not in err and "Exception ignored" not in err
    text = junit.read_text(encoding="utf-8")
    assert text.rstrip().endswith("</testsuites>")
    assert 'name="Unknown trace id"' in text
