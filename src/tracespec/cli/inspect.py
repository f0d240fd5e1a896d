"""Ad hoc commands: ``select`` spans, ``check`` assertions, ``explain`` selectors, ``show`` traces
and one ``span`` in full.

They are thin: each loads a trace (or none), calls one public function of the library
(``select``, ``check``, ``compile_selector``, ``query.explain_run``) and prints with rich.
Tables and trees go to stdout; on a pipe they are drawn wide enough not to cut names, so they
can be grepped.  rich is imported by the command that draws, not with the command line.  What a
span holds (attributes, resource, scope, events, links) is read and written by :mod:`._span`.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from ..assertions import compile_assertion
from ..errors import CompileError, ParseError
from ..query import explain_run
from ..reports import iter_repairs, pretty_spec, render, spec_json
from ..selectors import Query, compile_selector
from ..spec import check
from ..trace import Span, StatusCode, Trace
from ._common import (
    CliError,
    ExitCode,
    color_enabled,
    format_duration,
    load_trace_cli,
    one_line,
    parse_var,
    trace_format_option,
)
from ._span import attribute_lines, detail_json, detail_lines, json_value, selectable_attributes

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = ["check_command", "explain_command", "select_command", "show_command", "span_command"]


def _compiled_selector(text: str) -> Query:
    """The compiled selector; an error names the argument (one line, with the column)."""
    try:
        return compile_selector(text)
    except (ParseError, CompileError) as exc:
        raise CliError(f"selector {text!r}: {one_line(exc)}") from None


def _stdout_console() -> Console:
    from rich.console import Console

    console = Console(file=sys.stdout)
    if not console.is_terminal:
        width = max(160, shutil.get_terminal_size((160, 24)).columns)
        console = Console(file=sys.stdout, width=width, color_system=None)
    return console


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

--json gives each span's kind and attributes too.""",
)
@click.argument("selector")
@click.argument("trace_path", metavar="TRACE")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list (with each span's attributes) instead of a table.")
@_trace_id_option
def select_command(
    selector: str, trace_path: str, as_json: bool, trace_id: str | None,
    trace_format: str | None = None,
) -> int:
    """Print the spans a selector picks (id, name, service, duration), in trace order."""
    query = _compiled_selector(selector)  # a bad selector fails before the trace loads
    trace = load_trace_cli(trace_path, trace_id=trace_id, trace_format=trace_format)
    spans = query.select(trace)
    if as_json:
        click.echo(json.dumps([_span_json(s) for s in spans], indent=2, ensure_ascii=False))
        return ExitCode.PASSED
    from rich.table import Table

    console = _stdout_console()
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("span id", no_wrap=True)
    table.add_column("name")
    table.add_column("service")
    table.add_column("duration", justify="right", no_wrap=True)
    for span in spans:
        row = _span_row(span)
        table.add_row(row["id"], row["name"], row["service"], row["duration"])
    if spans:
        console.print(table)
    noun = "span" if len(spans) == 1 else "spans"
    console.print(f"{len(spans)} {noun} of {len(trace)} selected", style="dim")
    return ExitCode.PASSED


@click.command(
    "check",
    short_help="Check assertions on the spans a selector picks.",
    epilog="""\b
Examples:
  tracespec check 'span[tracetest.span.type="http"]' 'attr:http.status_code < 400' \\
      examples/orders-trace.json
  tracespec check 'span[name="SELECT users"]' 'attr:tracetest.span.duration < 10ms' \\
      'attr:db.system = "postgresql"' examples/orders-trace.json

Exit codes: 0 passed, 1 error, 2 an assertion failed, 3 the trace file not found.""",
)
@click.argument("selector")
@click.argument("assertions", nargs=-1, required=True)
@click.argument("trace_path", metavar="TRACE")
@click.option("--var", "var_items", multiple=True, metavar="KEY=VALUE",
              help="A variable for var:/env: (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@_trace_id_option
def check_command(
    selector: str,
    assertions: tuple[str, ...],
    trace_path: str,
    var_items: tuple[str, ...],
    as_json: bool,
    no_color: bool,
    trace_id: str | None,
    trace_format: str | None = None,
) -> int:
    """Check assertions on the spans a selector picks: every selected span must pass each.

    Prints the spec as a failing Tracetest run prints it: #meta, then each selected span (its
    name, service and kind) with every assertion and its observed value.
    """
    _compiled_selector(selector)  # text that does not parse fails before the trace loads
    for i, text in enumerate(assertions, 1):
        try:
            compile_assertion(text)
        except (ParseError, CompileError) as exc:
            raise CliError(f"assertion {i} {text!r}: {one_line(exc)}") from None
    variables = dict(parse_var(v) for v in var_items)
    trace = load_trace_cli(trace_path, trace_id=trace_id, trace_format=trace_format)
    result = check(selector, assertions, trace, variables=variables)
    if as_json:
        click.echo(json.dumps(spec_json(result, trace=trace), indent=2, ensure_ascii=False))
    else:
        color = color_enabled(no_color)
        lines = [*iter_repairs(trace), *pretty_spec(result, trace=trace)]
        noun = "span" if len(result.span_ids) == 1 else "spans"
        lines.append((f"{len(result.span_ids)} {noun} selected", result.passed))
        click.echo(render(lines, color=color), nl=False, color=color)
    return ExitCode.PASSED if result.passed else ExitCode.FAILED


@click.command(
    "explain",
    short_help="Print a selector's query plan (and, on a trace, what each step kept).",
    epilog="""\b
Examples:
  tracespec explain 'span[service.name="api"] span[tracetest.span.type="database"]:first'
  tracespec explain 'span[http.status_code>=500]' examples/orders-trace.json""",
)
@click.argument("selector")
@click.argument("trace_path", metavar="[TRACE]", required=False)
@_trace_id_option
def explain_command(
    selector: str, trace_path: str | None, trace_id: str | None, trace_format: str | None = None,
) -> int:
    """Print the plan a selector compiles to: which index starts it, what filters the rest.

    Given a TRACE, runs it there and prints how many spans each step found and kept, how many
    it selected and, when none, which attributes it asks for that no span has (and their
    other names in the OpenTelemetry semantic conventions that some spans have).
    """
    query = _compiled_selector(selector)
    if trace_path is None:
        if trace_id is not None or trace_format is not None:
            raise CliError("--trace-id and --format need a TRACE")
        click.echo(query.explain())
        return ExitCode.PASSED
    trace = load_trace_cli(trace_path, trace_id=trace_id, trace_format=trace_format)
    if query.keys:
        trace.index.prefetch(query.keys)
    header = query.explain().split("\n", 1)[0]  # "selector: <the selector, as written back>"
    click.echo(f"{header}\ntrace {trace.trace_id}: {len(trace)} spans")
    for repair in trace.repairs:
        click.echo(f"! trace repaired: {repair}")
    click.echo(explain_run(query.plan, trace.index))
    return ExitCode.PASSED


def _label(span: Span) -> Text:
    from rich.text import Text

    text = Text()
    failed = span.status_code == StatusCode.ERROR
    text.append(span.name or "<no name>", style="bold red" if failed else "bold")
    service = _service(span)
    if service:
        text.append(f"  {service}", style="cyan")
    text.append(f"  {span.kind.value}", style="dim")
    text.append(f"  {format_duration(span.duration_ns)}", style="yellow")
    text.append(f"  #{span.span_id}", style="dim")
    if failed:
        message = f": {span.status_message}" if span.status_message else ""
        text.append(f"  ✘ error{message}", style="red")
    return text


def _walk(trace: Trace, limit: int) -> Iterator[Span]:
    for i, span in enumerate(trace):
        if limit and i >= limit:
            return
        yield span


@click.command(
    "show",
    short_help="Print a trace as a span tree.",
    epilog="""\b
Examples:
  tracespec show examples/orders-trace.json
  tracespec show big-trace.pb --limit 50""",
)
@click.argument("trace_path", metavar="TRACE")
@click.option("--limit", default=200, show_default=True, metavar="N",
              help="Print at most N spans (0: all).")
@click.option("--attrs", is_flag=True,
              help="Under each span, its attributes, events and links; the resources first.")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@_trace_id_option
def show_command(
    trace_path: str, limit: int, attrs: bool, no_color: bool, trace_id: str | None,
    trace_format: str | None = None,
) -> int:
    """Print a trace as a span tree: name, service, kind, duration, id, errors."""
    from rich.console import Console
    from rich.tree import Tree

    trace = load_trace_cli(trace_path, trace_id=trace_id, trace_format=trace_format)
    console = _stdout_console()
    if no_color:
        console = Console(file=sys.stdout, width=console.width, color_system=None)
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
    console.print(summary, style="bold", highlight=False)
    for repair in trace.repairs:
        console.print(f"repaired: {repair}", style="yellow", highlight=False)
    if attrs:
        _print_resources(console, trace, limit)
    nodes: dict[int, Tree] = {}
    shown = 0
    for span in _walk(trace, limit):
        parent = span.parent
        label = _label(span)
        if parent is None or parent.position not in nodes:
            nodes[span.position] = Tree(label)
        else:
            nodes[span.position] = nodes[parent.position].add(label)
        if attrs:
            for line in attribute_lines(span):
                nodes[span.position].add(line, style="dim")
        shown += 1
    if 0 in nodes:
        console.print(nodes[0], highlight=False)
    if shown < len(trace):
        console.print(
            f"… {len(trace) - shown} more spans (--limit 0 shows all)", style="dim",
            highlight=False,
        )
    return ExitCode.PASSED


def _print_resources(console: Console, trace: Trace, limit: int) -> None:
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
        console.print(f"resource  {items}", style="cyan", highlight=False)


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
        click.echo(json.dumps(detail_json(span), indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(detail_lines(span)))
    return ExitCode.PASSED


for _command in (select_command, check_command, explain_command, show_command, span_command):
    _command.params.append(trace_format_option())
