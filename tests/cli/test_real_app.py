"""``tracespec run`` on what a real instrumented application left: the capture of two Flask
services (``app_capture``, :mod:`tests.support.apps`), instrumented with the real Flask and
requests instrumentations, which still write the old HTTP attribute names (``http.status_code``).
The expected lines are built from the capture's own reading of its files (``Capture.spans``)
and from the SDK's spans, never from tracespec."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.support.apps import Capture
from tracespec.cli import main

TEST = """
    type: Test
    spec:
      name: Orders answer
      specs:
        - name: No HTTP span answers an error
          selector: span[tracetest.span.type="http"]
          assertions:
            - attr:http.response.status_code < 500
"""


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


def kinds(capture: Capture) -> dict[str, str]:
    """Span id → kind, as the SDK finished the spans."""
    return {f"{s.get_span_context().span_id:016x}": s.kind.name.lower()
            for s in capture.sdk_spans}


def test_a_run_names_the_spans_and_the_renamed_attribute(
    app_capture: Capture, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = tmp_path / "orders.yaml"
    test.write_text(textwrap.dedent(TEST).lstrip(), encoding="utf-8")
    trace_id = app_capture.trace_ids[2]  # the order inventory knows nothing of: 502
    code, out, err = run_cli(capsys, "run", "-f", str(test), "--trace", app_capture.pattern,
                             "--trace-id", trace_id)
    assert (code, err) == (2, "")
    lines = out.splitlines()
    assert lines[:2] == [f"✘ Orders answer ({test}) - trace id: {trace_id}",
                         "\t✘ No HTTP span answers an error"]
    kind = kinds(app_capture)
    http = sorted((s for s in app_capture.spans[trace_id]
                   if kind[s.span_id] in ("server", "client")), key=lambda s: s.start_ns)
    assert len(http) == 3  # orders' server span, its call to inventory, inventory's server span
    hint = ('error: attribute "http.response.status_code" not found; this span has '
            '"http.status_code" (its name before semconv v1.21.0)')
    expected = []
    for span in http:
        expected += [f"\t\t✘ #{span.span_id} {span.name} ({span.service}, {kind[span.span_id]})",
                     f"\t\t\t✘ attr:http.response.status_code < 500 {hint} ({test}:8)"]
    assert lines[2:] == expected
    root = app_capture.root_of(trace_id)
    assert expected[0].endswith(f" {root.name} (orders, server)")


def test_a_run_on_part_of_the_capture_shows_the_repair(
    app_capture: Capture, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only inventory's files: its server span's parent, orders' call, is not there."""
    test = tmp_path / "orders.yaml"
    test.write_text(textwrap.dedent(TEST).lstrip(), encoding="utf-8")
    trace_id = app_capture.trace_ids[2]
    code, out, _ = run_cli(capsys, "run", "-f", str(test), "--trace",
                           str(app_capture.directory / "inventory-*.pb"), "--trace-id", trace_id)
    assert code == 2
    kind = kinds(app_capture)
    (server,) = [s for s in app_capture.spans[trace_id]
                 if s.service == "inventory" and kind[s.span_id] == "server"]
    assert out.splitlines()[1] == (
        f"\t! trace repaired: span {server.span_id} has parent {server.parent_id}, which is not "
        "in the trace; it is treated as a root")
