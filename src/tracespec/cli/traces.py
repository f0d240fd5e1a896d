"""``tracespec traces``: what a capture holds, one line per trace.

A capture of a real application is many files (one per service and export batch), each holding
spans of several traces; this command loads them all, merges spans by trace id, and lists each
trace: its id, root span and service, span count, services, duration, start time and the
number of repairs its assembly needed (a trace with a file missing has some: an orphan adopted
by a temporary root; ``show`` and ``--json`` say which).  Traces are listed by start time.
Figures come from the index's columns (no span object per span), so a capture of a million
spans lists quickly.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from ..reports.escape import json_text, printable
from ..trace import Trace
from ._common import (
    ExitCode,
    Stdout,
    color_enabled,
    format_duration,
    load_traces_cli,
    trace_format_option,
)
from ._listing import table_lines

__all__ = ["traces_command"]


def _start_text(ns: int) -> str:
    """A start time in UTC, to the millisecond: ``2025-03-01T09:30:00.125Z``."""
    moment = datetime.fromtimestamp(ns // 1_000_000_000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ns // 1_000_000 % 1000:03d}Z"


def _row(trace: Trace) -> dict[str, Any]:
    ix = trace.index
    start = min(ix.start_ns)
    duration = max(ix.end_ns) - start
    services = list(dict.fromkeys(str(v) for v in ix.column("service.name") if v is not None))
    root_service = ix.column("service.name")[0]
    return {
        "trace_id": trace.trace_id,
        "root": ix.name_at(0),
        "service": "" if root_service is None else str(root_service),
        "spans": len(trace),
        "services": [s for s in services if s],
        "duration": format_duration(duration),
        "duration_ns": duration,
        "start": _start_text(start),
        "start_ns": start,
        "repairs": list(trace.repairs),
    }


@click.command(
    "traces",
    short_help="List the traces of trace files, one line each.",
    epilog="""\b
Examples:
  tracespec traces examples/orders-trace.json
  tracespec traces 'captured/*.pb'
  tracespec traces captured/ --json

Then pick one by id (or its first 8 hex digits) with --trace-id in run, select, check, show.""",
)
@click.argument("trace_paths", metavar="TRACE...", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def traces_command(
    trace_paths: tuple[str, ...], as_json: bool, trace_format: str | None = None
) -> int:
    """List every trace of the trace files (files, directories, glob patterns; spans merged
    by trace id): id, root span and service, spans, services, duration, start, repairs."""
    traces = load_traces_cli(trace_paths, trace_format=trace_format)
    rows = sorted((_row(t) for t in traces), key=lambda r: (r["start_ns"], r["trace_id"]))
    out = Stdout()
    if as_json:
        out.write([json_text(json.dumps(rows, indent=2, ensure_ascii=False)) + "\n"])
        return ExitCode.PASSED
    color = color_enabled()
    header = ("trace id", "root", "service", "spans", "services", "duration", "start", "repairs")
    right = (False, False, False, True, False, True, False, True)
    cells = [
        (row["trace_id"], printable(row["root"]), printable(row["service"]), str(row["spans"]),
         printable(", ".join(row["services"])), row["duration"], row["start"],
         str(len(row["repairs"])) if row["repairs"] else "-")
        for row in rows
    ]
    out.write(table_lines(header, cells, right, color))
    spans = sum(r["spans"] for r in rows)
    noun = "trace" if len(rows) == 1 else "traces"
    tail = [f"{len(rows)} {noun}, {spans} spans"]
    repaired = sum(1 for r in rows if r["repairs"])
    if repaired:
        tail.append(f"{repaired} {'trace needed' if repaired == 1 else 'traces needed'} "
                    "repairs to assemble (--json lists them)")
    out.write([(click.style(t, dim=True) if color else t) + "\n" for t in tail])
    return ExitCode.PASSED


traces_command.params.append(trace_format_option())
