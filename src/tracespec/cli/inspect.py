"""Ad hoc commands: ``select`` spans, ``check`` assertions, ``explain`` selectors, ``show`` traces
and one ``span`` in full.

They are thin: each loads a trace (or none), calls one public function of the library
(``select``, ``check``, ``compile_selector``, ``query.explain_run``) and prints.  Tables and
trees are streamed to stdout line by line (:mod:`._listing`), never cut, so they can be
grepped, and stop when the reader goes away; text from the trace is printed escaped.  What a
span holds (attributes, resource, scope, events, links) is read and written by :mod:`._span`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import click

from ..assertions import compile_assertion
from ..errors import CompileError, ParseError
from ..query import explain_run
from ..reports import iter_repairs, pretty_spec, render, spec_json
from ..reports.escape import json_text, printable
from ..selectors import Query, compile_selector, suggest_selector
from ..spec import check
from ..trace import Span, StatusCode, Trace
from ._common import (
    CliError,
    ExitCode,
    Stdout,
    color_enabled,
    format_duration,
    load_trace_cli,
    one_line,
    parse_var,
    trace_format_option,
    write_file,
)
from ._listing import table_lines, tree_lines
from ._span import detail_json, detail_lines, json_value, selectable_attributes
from .clickhouse import clickhouse_options, run_check, run_select

__all__ = [
    "check_command", "explain_command", "select_command", "show_command", "span_command",
    "suggest_command",
]


def _compiled_selector(text: str) -> Query:
    """The compiled selector; an error names the argument (one line, with the column)."""
    try:
        return compile_selector(text)
    except (ParseError, CompileError) as exc:
        raise CliError(f"selector {text!r}: {one_line(exc)}") from None


def _service(span: Span) -> str:
    value = span.attributes.get("service.name")
    return "" if value is None else str(value)


def _trace_id_option(func: Any) -> Any:
    return click.option(
        "--trace-id", metavar="ID", help="Which trace, when the file holds several."
    )(func)


def _span_row(span: Span) -> dict[str, Any]:
    return {
        "id": span.span_id,
        "name": span.name,
        "service": _service(span),
        "duration": format_duration(span.duration_ns),
        "duration_ns": span.duration_ns,
    }


def _span_json(span: Span) -> dict[str, Any]:
    """A row of ``select --json``: the table's columns, the kind and every attribute."""
    row = _span_row(span)
    row["kind"] = span.kind.value
    row["attributes"] = {k: json_value(v) for k, v in selectable_attributes(span).items()}
    return row


@click.command(
    "select",
    short_help="Print the spans a selector picks.",
    epilog="""\b
Examples:
  tracespec select 'span[tracetest.span.type="database"]' examples/orders-trace.json
  tracespec select 'span[service.name="api"] span[kind="client"]:first' trace.pb --json
  tracespec select --clickhouse chdb:./db --since 1h 'span[http.status_code >= 500]'

--json gives each span's kind and attributes too (with --clickhouse: a list of
{"traceId", "spans"}, one per trace with a selected span).""",
)
@click.argument("selector")
@click.argument("trace_path", metavar="TRACE", required=False)
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list (with each span's attributes) instead of a table.")
@_trace_id_option
@clickhouse_options
def select_command(
    selector: str, trace_path: str | None, as_json: bool, trace_id: str | None,
    trace_format: str | None = None, **store: Any,
) -> int:
    """Print the spans a selector picks (id, name, service, duration), in trace order."""
    query = _compiled_selector(selector)  # a bad selector fails before the trace loads
    if store["clickhouse"] is not None:
        if trace_path is not None:
            raise CliError("give a TRACE or --clickhouse, not both")
        if trace_id is not None or trace_format is not None:
            raise CliError("--trace-id and --format need a TRACE, not --clickhouse")
        return run_select(query.source, store, as_json, _span_json, _store_rows)
    if trace_path is None:
        raise CliError("missing TRACE (or --clickhouse URL)")
    trace = load_trace_cli(trace_path, trace_id=trace_id, trace_format=trace_format)
    spans = query.select(trace)
    out = Stdout()
    if as_json:
        out.write(_json_rows(spans))
        return ExitCode.PASSED
    color = color_enabled()
    if spans:
        rows = [_table_row(s) for s in spans]
        out.write(table_lines(("span id", "name", "service", "duration"), rows,
                              (False, False, False, True), color))
        del rows
    noun = "span" if len(spans) == 1 else "spans"
    summary = f"{len(spans)} {noun} of {len(trace)} selected"
    out.write([(click.style(summary, dim=True) if color else summary) + "\n"])
    return ExitCode.PASSED


def _store_rows(spans: Sequence[Span]) -> Iterator[str]:
    rows = [_table_row(s) for s in spans]
    return table_lines(("span id", "name", "service", "duration"), rows,
                       (False, False, False, True), color_enabled())


def _table_row(span: Span) -> tuple[str, str, str, str]:
    return (span.span_id, printable(span.name), printable(_service(span)),
            format_duration(span.duration_ns))


def _json_rows(spans: Sequence[Span]) -> Iterator[str]:
    """``json.dumps(rows, indent=2, ensure_ascii=False)``, a row at a time, lone surrogates
    escaped."""
    if not spans:
        yield "[]\n"
        return
    for i, span in enumerate(spans):
        text = json.dumps(_span_json(span), indent=2, ensure_ascii=False)
        yield ("[\n  " if i == 0 else ",\n  ") + json_text(text).replace("\n", "\n  ")
    yield "\n]\n"


@click.command(
    "check",
    short_help="Check assertions on the spans a selector picks.",
    epilog="""\b
Examples:
  tracespec check 'span[tracetest.span.type="http"]' 'attr:http.status_code < 400' \\
      examples/orders-trace.json
  tracespec check 'span[name="SELECT users"]' 'attr:tracetest.span.duration < 10ms' \\
      'attr:db.system = "postgresql"' examples/orders-trace.json
  tracespec check --clickhouse chdb:./db 'span[tracetest.span.type="http"]' \\
      'attr:http.status_code < 500'

Exit codes: 0 passed, 1 error, 2 an assertion failed, 3 the trace file not found.""",
)
@click.argument("selector")
@click.argument("assertions", nargs=-1)
@click.argument("trace_path", metavar="TRACE", required=False)
@click.option("--var", "var_items", multiple=True, metavar="KEY=VALUE",
              help="A variable for var:/env: (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@_trace_id_option
@clickhouse_options
def check_command(
    selector: str,
    assertions: tuple[str, ...],
    trace_path: str | None,
    var_items: tuple[str, ...],
    as_json: bool,
    no_color: bool,
    trace_id: str | None,
    trace_format: str | None = None,
    **store: Any,
) -> int:
    """Check assertions on the spans a selector picks: every selected span must pass each.

    Prints the spec as a failing Tracetest run prints it: #meta, then each selected span (its
    name, service and kind) with every assertion and its observed value.
    """
    if store["clickhouse"] is not None and trace_path is not None:
        assertions, trace_path = (*assertions, trace_path), None  # no TRACE: all assertions
    _compiled_selector(selector)  # text that does not parse fails before the trace loads
    for i, text in enumerate(assertions, 1):
        try:
            compile_assertion(text)
        except (ParseError, CompileError) as exc:
            raise CliError(f"assertion {i} {text!r}: {one_line(exc)}") from None
    variables = dict(parse_var(v) for v in var_items)
    if store["clickhouse"] is not None:
        if not assertions:
            raise CliError("missing ASSERTIONS")
        if trace_id is not None or trace_format is not None:
            raise CliError("--trace-id and --format need a TRACE, not --clickhouse")
        return run_check(selector, assertions, store, variables, as_json, no_color)
    if trace_path is None or not assertions:
        raise CliError("missing ASSERTIONS... TRACE")
    trace = load_trace_cli(trace_path, trace_id=trace_id, trace_format=trace_format)
    result = check(selector, assertions, trace, variables=variables)
    if as_json:
        Stdout().write([json_text(json.dumps(spec_json(result, trace=trace), indent=2,
                                             ensure_ascii=False)) + "\n"])
    else:
        color = color_enabled(no_color)
        lines = [*iter_repairs(trace), *pretty_spec(result, trace=trace)]
        noun = "span" if len(result.span_ids) == 1 else "spans"
        lines.append((f"{len(result.span_ids)} {noun} selected", result.passed))
        Stdout().write([render(lines, color=color)])
    return ExitCode.PASSED if result.passed else ExitCode.FAILED


@click.command(
    "explain",
    short_help="Print a selector's query plan (and, on a trace, what each step kept).",
    epilog="""\b
Examples:
  tracespec explain 'span[service.name="api"] span[tracetest.span.type="database"]:first'
  tracespec explain 'span[http.status_code>=500]' examples/orders-trace.json
  tracespec explain --sql 'span[service.name="api"] > span[kind="client"]'""",
)
@click.argument("selector")
@click.argument("trace_path", metavar="[TRACE]", required=False)
@click.option("--sql", "as_sql", is_flag=True,
              help="What runs in ClickHouse (select/check --clickhouse) and what in memory, "
                   "with the SQL.")
@click.option("--table", default="otel_traces", show_default=True,
              help="With --sql: the exporter's table.")
@_trace_id_option
def explain_command(
    selector: str, trace_path: str | None, as_sql: bool, table: str, trace_id: str | None,
    trace_format: str | None = None,
) -> int:
    """Print the plan a selector compiles to: which index starts it, what filters the rest.

    Given a TRACE, runs it there and prints how many spans each step found and kept, how many
    it selected and, when none, which attributes it asks for that no span has (and their
    other names in the OpenTelemetry semantic conventions that some spans have).
    """
    query = _compiled_selector(selector)
    if as_sql:
        if trace_path is not None or trace_id is not None or trace_format is not None:
            raise CliError("--sql explains the selector alone: no TRACE, --trace-id or --format")
        from ..clickhouse import compile_sql

        Stdout().write([printable(compile_sql(query, table=table).explain()) + "\n"])
        return ExitCode.PASSED
    if trace_path is None:
        if trace_id is not None or trace_format is not None:
            raise CliError("--trace-id and --format need a TRACE")
        Stdout().write([printable(query.explain()) + "\n"])
        return ExitCode.PASSED
    trace = load_trace_cli(trace_path, trace_id=trace_id, trace_format=trace_format)
    if query.keys:
        trace.index.prefetch(query.keys)
    header = query.explain().split("\n", 1)[0]  # "selector: <the selector, as written back>"
    lines = [f"{header}\ntrace {trace.trace_id}: {len(trace)} spans",
             *(f"! trace repaired: {repair}" for repair in trace.repairs),
             explain_run(query.plan, trace.index)]
    Stdout().write(printable(line) + "\n" for line in lines)
    return ExitCode.PASSED


@click.command(
    "show",
    short_help="Print a trace as a span tree.",
    epilog="""\b
Examples:
  tracespec show examples/orders-trace.json
  tracespec show big-trace.pb --limit 50
  tracespec show examples/orders-trace.json --html trace.html""",
)
@click.argument("trace_path", metavar="TRACE")
@click.option("--limit", default=200, show_default=True, metavar="N", type=click.IntRange(min=0),
              help="Print at most N spans (0: all).")
@click.option("--attrs", is_flag=True,
              help="Under each span, its attributes, events and links; the resources first.")
@click.option("--html", "html_path", metavar="OUT.html",
              help="Also write the trace as an HTML page: waterfall, tree, every span's "
              "attributes (docs/ui.md).")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@_trace_id_option
def show_command(
    trace_path: str, limit: int, attrs: bool, html_path: str | None, no_color: bool,
    trace_id: str | None, trace_format: str | None = None,
) -> int:
    """Print a trace as a span tree: name, service, kind, duration, id, errors."""
    trace = load_trace_cli(trace_path, trace_id=trace_id, trace_format=trace_format)
    if html_path is not None:
        from ..reports.html import html_report

        try:
            write_file(html_path, [html_report((), [trace])])
        except OSError as exc:
            raise CliError(f"{html_path}: cannot write the HTML page: {exc.strerror or exc}"
                           ) from None
    color = color_enabled(no_color)
    # whole-trace figures from the index's columns: no Span objects for a million spans
    services = {str(v) for v in trace.index.column("service.name") if v is not None} - {""}
    statuses = trace.index.text_index("tracetest.span.status_code")
    errors = len(statuses.get(StatusCode.ERROR.otlp_name, ()))
    root = trace.root
    summary = (
        f"trace {trace.trace_id} · {len(trace)} spans · {len(services)} "
        f"service{'s' if len(services) != 1 else ''} · {format_duration(root.duration_ns)}"
    )
    if errors:
        summary += f" · {errors} error{'s' if errors != 1 else ''}"
    head = [_styled(summary, color, bold=True)]
    head += [_styled(f"repaired: {printable(str(r))}", color, fg="yellow")
             for r in trace.repairs]
    if attrs:
        head += [_styled(line, color, fg="cyan") for line in _resource_lines(trace, limit)]
    out = Stdout()
    out.write(head)
    shown = len(trace) if not limit else min(limit, len(trace))
    out.write(tree_lines(trace, shown, attrs, color))
    if shown < len(trace):
        out.write([_styled(f"… {len(trace) - shown} more spans (--limit 0 shows all)", color,
                           dim=True)])
    return ExitCode.PASSED


def _styled(text: str, color: bool, **style: Any) -> str:
    return (click.style(text, **style) if color else text) + "\n"


def _resource_lines(trace: Trace, limit: int) -> Iterator[str]:
    """Each resource of the spans shown, once, with its attributes on one line."""
    index = trace.index
    seen: set[int] = set()
    shown = index.n if not limit else min(limit, index.n)
    for pos in range(shown):
        group = index.group_of[pos]
        resource = index.groups[group].resource
        if id(resource) in seen or not resource.attributes:
            continue
        seen.add(id(resource))
        items = "  ".join(f"{k}={json.dumps(json_value(v), ensure_ascii=False)}"
                          for k, v in resource.attributes.items())
        yield printable(f"resource  {items}")


@click.command(
    "span",
    short_help="Print one span in full: attributes, resource, events, links.",
    epilog="""\b
Examples:
  tracespec span a1b2c3d4e5f60009 examples/orders-trace.json
  tracespec span '#a1b2c3d4e5f60009' examples/orders-trace.json --json""",
)
@click.argument("span_id", metavar="ID")
@click.argument("trace_path", metavar="TRACE")
@click.option("--json", "as_json", is_flag=True, help="Print the span as JSON.")
@_trace_id_option
def span_command(
    span_id: str, trace_path: str, as_json: bool, trace_id: str | None,
    trace_format: str | None = None,
) -> int:
    """Print one span in full: its name, service, kind, times, status and place in the tree;
    its own attributes, its resource and scope, its events and links; and the meta attributes
    (tracetest.span.*) assertions read.  ID is the span id as a report prints it (the # may
    be left out)."""
    wanted = span_id.strip().removeprefix("#").lower()
    trace = load_trace_cli(trace_path, trace_id=trace_id, trace_format=trace_format)
    span = trace.get(wanted)
    if span is None:
        raise CliError(f"span {span_id!r}: no span with that id in trace {trace.trace_id} "
                       f"({trace_path})")
    if as_json:
        Stdout().write([json_text(json.dumps(detail_json(span), indent=2, ensure_ascii=False))
                        + "\n"])
    else:
        Stdout().write(printable(line) + "\n" for line in detail_lines(span))
    return ExitCode.PASSED


@click.command(
    "suggest",
    short_help="Print the shortest stable selector that selects exactly one span.",
    epilog="""\b
Examples:
  tracespec suggest a1b2c3d4e5f60009 examples/orders-trace.json
  tracespec check "$(tracespec suggest a1b2c3d4e5f60009 examples/orders-trace.json)" \\
      'attr:db.rows_affected > 0' examples/orders-trace.json

Exit codes: 0 a selector printed, 1 none selects exactly that span (or an error).""",
)
@click.argument("span_id", metavar="ID")
@click.argument("trace_path", metavar="TRACE")
@_trace_id_option
def suggest_command(
    span_id: str, trace_path: str, trace_id: str | None, trace_format: str | None = None,
) -> int:
    """Print the shortest selector in the Tracetest language that selects exactly the span ID,
    on attributes that stay the same from run to run (name, service, kind, span type, status,
    semantic-convention attributes; never ids, times, durations, hosts or ports): what
    Tracetest's UI calls the current span's selector (docs/ui.md says how it is chosen)."""
    wanted = span_id.strip().removeprefix("#").lower()
    trace = load_trace_cli(trace_path, trace_id=trace_id, trace_format=trace_format)
    span = trace.get(wanted)
    if span is None:
        raise CliError(f"span {span_id!r}: no span with that id in trace {trace.trace_id} "
                       f"({trace_path})")
    text = suggest_selector(trace, span)
    if text is None:
        raise CliError(f"span {span_id!r}: no selector on stable attributes selects only it "
                       "(another span has the same values, and so do their parents)")
    Stdout().write([printable(text) + "\n"])
    return ExitCode.PASSED


for _command in (select_command, check_command, explain_command, show_command, span_command,
                 suggest_command):
    _command.params.append(trace_format_option())
