"""The ClickHouse side of the command line: ``--clickhouse URL`` of ``select`` and ``check``
(every trace of the table, per trace), its window options, and ``ingest``.

``--since 1h`` (or ``--from T --to T``, RFC 3339 or Unix seconds) keeps the traces with a span
that started in the window.  The user and password come from ``--user``/``--password`` or
``CLICKHOUSE_USER``/``CLICKHOUSE_PASSWORD`` and are never printed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import click

from ..clickhouse import ClickHouseStore, Window
from ..reports import pretty_spec, render, spec_json
from ..reports.escape import json_text
from ._common import CliError, ExitCode, Stdout, color_enabled, load_traces_cli

__all__ = ["clickhouse_options", "ingest_command", "run_check", "run_select"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _instant(text: str, option: str) -> int:
    try:
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
            return int(float(text) * 1e9)
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return int(stamp.timestamp() * 1e9)
    except ValueError:
        raise CliError(f"{option} {text!r}: an RFC 3339 time or Unix seconds") from None


def window_of(since: str | None, start: str | None, end: str | None) -> Window | None:
    """The window the options name (``None``: every trace)."""
    if since is not None:
        if start is not None or end is not None:
            raise CliError("--since and --from/--to exclude each other")
        m = re.fullmatch(r"([0-9]+)([smhd])", since)
        if m is None:
            raise CliError(f"--since {since!r}: a number and a unit s, m, h or d (1h)")
        return Window(time.time_ns() - int(m.group(1)) * _UNITS[m.group(2)] * 1_000_000_000)
    if start is None and end is None:
        return None
    return Window(None if start is None else _instant(start, "--from"),
                  None if end is None else _instant(end, "--to"))


def clickhouse_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--clickhouse``, ``--table``, ``--since``, ``--from``, ``--to``, ``--user``,
    ``--password``."""
    options = [
        click.option("--clickhouse", "clickhouse", metavar="URL",
                     help="Every trace of a ClickHouse table: chdb:PATH or http://host:8123."),
        click.option("--table", default="otel_traces", show_default=True,
                     help="With --clickhouse: the exporter's table."),
        click.option("--since", metavar="AGE", help="With --clickhouse: traces of the last AGE "
                     "(30m, 1h, 2d)."),
        click.option("--from", "start", metavar="T", help="With --clickhouse: traces from T."),
        click.option("--to", "end", metavar="T", help="With --clickhouse: traces before T."),
        click.option("--user", envvar="CLICKHOUSE_USER", help="ClickHouse user "
                     "(or CLICKHOUSE_USER)."),
        click.option("--password", envvar="CLICKHOUSE_PASSWORD", show_envvar=False,
                     help="ClickHouse password (or CLICKHOUSE_PASSWORD); never printed."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _store(opts: dict[str, Any]) -> ClickHouseStore:
    return ClickHouseStore(opts["clickhouse"], table=opts["table"], user=opts.get("user"),
                           password=opts.get("password"))


def run_select(selector: str, opts: dict[str, Any], as_json: bool,
               span_json: Callable[[Any], dict[str, Any]],
               table_rows: Callable[[Sequence[Any]], Iterator[str]]) -> int:
    """``select --clickhouse``: the selected spans per trace, then the counts."""
    window = window_of(opts.get("since"), opts.get("start"), opts.get("end"))
    with _store(opts) as store:
        found = store.select(selector, window)
        out = Stdout()
        if as_json:
            out.write(_json_traces((s.trace_id, [span_json(x) for x in s.spans]) for s in found))
            return ExitCode.PASSED
        traces = spans = 0
        for selected in found:
            traces += 1
            spans += len(selected.positions)
            out.write([f"trace {selected.trace_id}: {len(selected.positions)} of "
                       f"{len(selected.trace)} spans\n", *table_rows(selected.spans)])
        out.write([f"{spans} {'span' if spans == 1 else 'spans'} selected in {traces} "
                   f"{'trace' if traces == 1 else 'traces'}\n"])
    return ExitCode.PASSED


def _json_traces(items: Iterator[tuple[str, list[dict[str, Any]]]]) -> Iterator[str]:
    first = True
    for trace_id, spans in items:
        text = json.dumps({"traceId": trace_id, "spans": spans}, indent=2, ensure_ascii=False)
        yield ("[\n  " if first else ",\n  ") + json_text(text).replace("\n", "\n  ")
        first = False
    yield "[]\n" if first else "\n]\n"


def run_check(selector: str, assertions: Sequence[str], opts: dict[str, Any],
              variables: dict[str, str], as_json: bool, no_color: bool) -> int:
    """``check --clickhouse``: per trace passed or failed, the failing ones in full."""
    window = window_of(opts.get("since"), opts.get("start"), opts.get("end"))
    passed = failed = 0
    failures: list[Any] = []
    color = color_enabled(no_color)
    out = Stdout()
    with _store(opts) as store:
        for item in store.check(selector, assertions, window, variables or None):
            if item.passed:
                passed += 1
                if as_json:
                    failures.append({"traceId": item.trace_id, "passed": True})
                continue
            failed += 1
            assert item.result is not None and item.trace is not None
            if as_json:
                failures.append({"traceId": item.trace_id, "passed": False,
                                 "result": spec_json(item.result, trace=item.trace)})
            else:
                out.write([f"trace {item.trace_id}: failed\n",
                           render(list(pretty_spec(item.result, trace=item.trace)),
                                  color=color)])
    if as_json:
        out.write([json_text(json.dumps(failures, indent=2, ensure_ascii=False)) + "\n"])
    else:
        out.write([f"{passed} {'trace' if passed == 1 else 'traces'} passed, {failed} failed\n"])
    return ExitCode.FAILED if failed else ExitCode.PASSED


@click.command(
    "ingest",
    short_help="Write traces into a ClickHouse table of the collector's schema.",
    epilog="""\b
Examples:
  tracespec ingest examples/orders-trace.json --clickhouse chdb:./db
  tracespec ingest 'captured/*.pb' --clickhouse http://localhost:8123 --user default""",
)
@click.argument("trace_paths", metavar="FILES...", nargs=-1, required=True)
@click.option("--clickhouse", "clickhouse", metavar="URL", required=True,
              help="chdb:PATH or http://host:8123.")
@click.option("--table", default="otel_traces", show_default=True, help="The table.")
@click.option("--user", envvar="CLICKHOUSE_USER", help="ClickHouse user (or CLICKHOUSE_USER).")
@click.option("--password", envvar="CLICKHOUSE_PASSWORD", show_envvar=False,
              help="ClickHouse password (or CLICKHOUSE_PASSWORD); never printed.")
def ingest_command(trace_paths: tuple[str, ...], clickhouse: str, table: str,
                   user: str | None, password: str | None) -> int:
    """Write the traces of FILES into TABLE, in the OpenTelemetry Collector clickhouseexporter's
    schema (the table is created as the exporter creates it when it is missing)."""
    traces = load_traces_cli(list(trace_paths))
    with ClickHouseStore(clickhouse, table=table, user=user, password=password) as store:
        spans = store.ingest(traces)
    Stdout().write([f"{spans} spans of {len(traces)} "
                    f"{'trace' if len(traces) == 1 else 'traces'} written to {table}\n"])
    return ExitCode.PASSED
