"""The command line on a capture of a real application: ``traces``, ``--trace`` globs and
repeats, ``--trace-id`` prefixes, and messages in command-line words."""

from __future__ import annotations

import io
import json
import re
import shlex
import shutil
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.apps import Capture, shared_prefix_capture
from tracespec.cli import main
from tracespec.cli._common import format_duration  # no public seam: only in the CLI's output

HTTP_TEST = """
    type: Test
    spec:
      name: An order is placed
      trigger: {type: http, httpRequest: {url: "http://orders/orders", method: POST}}
      specs:
        - name: orders answers 201
          selector: span[service.name="orders" tracetest.span.type="http" kind="server"]
          assertions: ["attr:http.status_code = 201"]
        - name: inventory checks the stock once
          selector: span[service.name="inventory" name="check stock"]
          assertions: ["attr:tracetest.selected_spans.count = 1"]
    """


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(path)


def table(out: str) -> list[list[str]]:
    """The rows of a printed table, cells split where two blanks or more part them."""
    return [re.split(r"\s{2,}", line.strip()) for line in out.splitlines()]


def test_traces_lists_each_trace_of_a_capture(
    capsys: pytest.CaptureFixture[str], app_capture: Capture
) -> None:
    code, out, err = run_cli(capsys, "traces", app_capture.pattern)
    assert (code, err) == (0, "")
    header, *rows, summary = table(out)
    assert header == ["trace id", "root", "service", "spans", "services", "duration", "start",
                      "repairs"]
    # by start time: the orders were placed one after the other
    assert [r[0] for r in rows] == list(app_capture.trace_ids)
    for row in rows:
        spans = app_capture.spans[row[0]]
        start = min(s.start_ns for s in spans)
        duration = max(s.end_ns for s in spans) - start
        assert row[1:6] == [app_capture.root_of(row[0]).name, "orders", str(len(spans)),
                            "orders, inventory", format_duration(duration)]
        shown = datetime.fromisoformat(row[6].replace("Z", "+00:00"))
        assert 0 <= start - int(shown.timestamp() * 1000) * 1_000_000 < 1_000_000
        assert row[7] == "-"  # every span found its parent, across the files
    total = sum(len(s) for s in app_capture.spans.values())
    assert summary == [f"3 traces, {total} spans"]


def test_traces_json_and_a_missing_file(
    capsys: pytest.CaptureFixture[str], app_capture: Capture, tmp_path: Path
) -> None:
    folder = tmp_path / "capture"
    shutil.copytree(app_capture.directory, folder)
    # without the batch holding the first order's server span, that trace has lost its root
    first = app_capture.trace_ids[0]
    lost = app_capture.root_of(first).file
    (folder / lost).unlink()
    code, out, _ = run_cli(capsys, "traces", str(folder), "--json")
    assert code == 0
    rows = {r["trace_id"]: r for r in json.loads(out)}
    assert set(rows) == set(app_capture.trace_ids)
    assert any("which is not in the trace" in repair for repair in rows[first]["repairs"])
    kept = [s for s in app_capture.spans[first] if s.file != lost]
    roots = [s for s in kept if s.parent_id not in {k.span_id for k in kept}]
    synthetic = 1 if len(roots) > 1 else 0  # several roots: a temporary root adopts them
    assert rows[first]["spans"] == len(kept) + synthetic
    code, out, _ = run_cli(capsys, "traces", str(folder))
    assert "traces needed repairs" in out or "trace needed repairs" in out


def test_run_on_a_glob_with_a_trace_id_prefix(
    capsys: pytest.CaptureFixture[str], app_capture: Capture, tmp_path: Path
) -> None:
    test = write(tmp_path, "order.yaml", HTTP_TEST)
    placed, refused, _ = app_capture.trace_ids
    code, out, err = run_cli(capsys, "run", "-f", test, "--trace", app_capture.pattern,
                             "--trace-id", placed[:8])
    assert (code, err) == (0, "")
    assert out.startswith(f"✔ An order is placed ({test}) - trace id: {placed}\n")
    code, out, _ = run_cli(capsys, "run", "-f", test, "--trace", app_capture.pattern,
                           "--trace-id", refused[:8].upper())
    assert code == 2 and f"trace id: {refused}" in out
    assert "✘ attr:http.status_code = 201 (409)" in out


def test_repeated_trace_options_merge(
    capsys: pytest.CaptureFixture[str], app_capture: Capture, tmp_path: Path
) -> None:
    test = write(tmp_path, "order.yaml", HTTP_TEST)
    orders = str(app_capture.directory / "orders-*.pb")
    inventory = str(app_capture.directory / "inventory-*.pb")
    placed = app_capture.trace_ids[0]
    code, out, err = run_cli(capsys, "run", "-f", test, "-t", orders, "--trace", inventory,
                             "--trace-id", placed[:8])
    assert (code, err) == (0, "")
    # orders' files alone: the inventory spans are missing
    code, out, _ = run_cli(capsys, "run", "-f", test, "--trace", orders,
                           "--trace-id", placed[:8])
    assert code == 2 and "✘ inventory checks the stock once" in out


def test_several_traces_without_trace_id_say_how_to_choose(
    capsys: pytest.CaptureFixture[str], app_capture: Capture, tmp_path: Path
) -> None:
    pattern = app_capture.pattern
    code, _, err = run_cli(capsys, "show", pattern)
    assert code == 1
    assert err.startswith(f"error: {pattern}: holds 3 traces (")
    assert "--trace-id ID (its first 8 hex digits are enough)" in err
    assert err.endswith(f"; list them with: tracespec traces {shlex.quote(pattern)}\n")
    assert "trace_id=" not in err and "load_traces" not in err
    test = write(tmp_path, "order.yaml", HTTP_TEST)
    code, out, err = run_cli(capsys, "run", "-f", test, "--trace", pattern)
    assert code == 1 and "holds 3 traces" in out and "(--trace-id)" in err


def test_show_and_select_take_a_prefix(
    capsys: pytest.CaptureFixture[str], app_capture: Capture
) -> None:
    placed = app_capture.trace_ids[0]
    code, out, _ = run_cli(capsys, "show", app_capture.pattern, "--trace-id", placed[:8])
    assert code == 0 and out.startswith(f"trace {placed} · 5 spans · 2 services")
    code, out, _ = run_cli(capsys, "select", 'span[name="check stock"]', app_capture.pattern,
                           "--trace-id", placed[:9])
    assert code == 0 and "1 span of 5 selected" in out


def test_an_ambiguous_prefix_lists_the_candidates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = shared_prefix_capture(tmp_path / "jobs")
    code, _, err = run_cli(capsys, "show", str(tmp_path / "jobs"), "--trace-id", ids[0][:12])
    assert code == 1
    assert f"--trace-id {ids[0][:12]} is ambiguous: 2 traces start with it" in err
    assert all(i in err for i in ids) and "give more of the id" in err
    code, out, _ = run_cli(capsys, "show", str(tmp_path / "jobs"), "--trace-id", ids[1][:24])
    assert code == 0 and "hourly" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "missing.pb", "--trace-id", "abc"],
         "error: --trace-id 'abc' is too short: give the trace id, or a prefix of at least 8 "
         "hex digits\n"),
        (["run", "-f", "missing.yaml", "--trace", "missing.pb", "--trace-id", "xyz-12345"],
         "error: --trace-id 'xyz-12345' is not a trace id (hex digits 0-9, a-f)\n"),
        (["run", "-f", "missing.yaml", "--trace-id", "4bf92f35"],
         "error: --trace-id picks a trace of the --trace files: give --trace too\n"),
    ],
)
def test_a_bad_trace_id_fails_before_anything_is_read(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *args)  # exit 1, not 3: the files are never looked for
    assert (code, out, err) == (1, "", message)


def test_no_such_trace_names_the_listing_command(
    capsys: pytest.CaptureFixture[str], app_capture: Capture
) -> None:
    code, _, err = run_cli(capsys, "show", app_capture.pattern, "--trace-id", "0123456789")
    assert code == 1 and "no trace with id 0123456789 (found: " in err
    assert err.endswith(f"); list them with: tracespec traces {shlex.quote(app_capture.pattern)}\n")


def test_missing_files_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "traces", str(tmp_path / "*.pb"))
    assert (code, err) == (3, f"error: {tmp_path / '*.pb'}: no file matches this pattern\n")
    code, _, err = run_cli(capsys, "traces", str(tmp_path / "nope.pb"))
    assert code == 3 and "file not found" in err


def test_unknown_json_says_format_in_command_line_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "odd.json", '{"spans": 3}')
    code, _, err = run_cli(capsys, "traces", path)
    assert code == 1 and "pass --format to say which" in err and "format=" not in err


def test_a_traceid_variable_not_defined_on_the_command_line(
    capsys: pytest.CaptureFixture[str], app_capture: Capture, tmp_path: Path
) -> None:
    test = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: by id
          trigger: {type: traceid, traceid: {id: "${var:ORDER_TRACE}"}}
          specs: [{selector: "span[]", assertions: ["attr:tracetest.selected_spans.count > 0"]}]
        """)
    reason = "trigger traceid ${var:ORDER_TRACE}: variable ORDER_TRACE is not defined"
    code, out, err = run_cli(capsys, "run", "-f", test, "--trace", app_capture.pattern)
    assert code == 1 and f"Reason: {reason}" in out and reason in err
    placed = app_capture.trace_ids[0]
    code, out, _ = run_cli(capsys, "run", "-f", test, "--trace", app_capture.pattern,
                           "--var", f"ORDER_TRACE={placed[:8]}")
    assert code == 0 and f"trace id: {placed}" in out


def test_traces_has_help_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "traces", "--help")
    assert code == 0 and "Usage: tracespec traces" in out and "tracespec traces '" in out
    code, out, _ = run_cli(capsys, "--help")
    assert re.search(r"^\s+traces\s+List the traces", out, re.M)


def test_many_files_load_behind_one_progress_bar(
    monkeypatch: pytest.MonkeyPatch, app_capture: Capture
) -> None:
    from rich.console import Console

    # No public seam: the progress bar's threshold and console live in the private cli._common.
    from tracespec.cli import _common

    screen = io.StringIO()
    monkeypatch.setattr(_common, "PROGRESS_BYTES", 1)
    monkeypatch.setattr(_common, "_stderr_console",
                        lambda: Console(file=screen, force_terminal=True, width=100))
    assert len(_common.load_traces_cli([app_capture.pattern])) == 3
    assert f"loading {len(app_capture.files)} files" in screen.getvalue()
