"""``tracespec run``: run Tracetest test and suite files against a trace, print, write JUnit.

A ``-f`` directory stands for every Test and TestSuite file below it (:func:`expand_files`, as
Tracetest's CLI reads one).  All files are read before anything runs, so a malformed file stops
the command at once with a one-line error naming it (exit 1, or 3 when it does not exist).  Then
each file runs in the order given, and its report (pretty, or JSON or YAML: one document for one
file, a list for several) is written to stdout as it is made, in chunks, right after the file
ran; the JUnit file is written last, the same way.  No report is ever held whole, and a result
is kept after its report only for the JUnit file.  When stdout is closed early (``| head``), the
run goes on without printing, writes the JUnit file and exits with its code.  The exit code says
the worst thing that happened: 1 something could not run, 2 an assertion failed, else 0.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import click

from ..reports import (
    iter_pretty_suite,
    iter_pretty_test,
    iter_render,
)
from ..testfiles import (
    PollingProfile,
    Test,
    TestSuite,
    load_resource,
    load_variables,
    run_suite,
    run_test,
)
from ..testfiles.loader import KINDS, read_text, resource_kind
from ..testfiles.results import SuiteResult, TestResult
from ..trace import Trace
from ._common import (
    CliError,
    ExitCode,
    color_enabled,
    load_traces_cli,
    parse_var,
    pick_trace_cli,
    print_warnings,
    trace_format_option,
    trace_id_arg,
    write_file,
)
from ._live import address, live_run, needs_receiver
from ._otlp import DEFAULT_GRPC, DEFAULT_HTTP, otlp_options

if TYPE_CHECKING:
    from ..datastores import DataStore
    from ..testfiles import LiveRun


def _load_datastore(path: str, *, environ: Mapping[str, str] | None) -> DataStore:
    """A DataStore file's store (its module, and the data store clients', only for a run given
    one: a run on trace files does not import them)."""
    from ..testfiles.datastore_file import load_datastore as load

    return load(path, environ=environ)

__all__ = ["expand_files", "run_command"]

#: The files a ``-f`` directory contributes: YAML files whose top-level ``type:`` line names a
#: Test or a TestSuite (Tracetest's CLI picks a directory's files by the same line).
YAML_SUFFIXES = (".yaml", ".yml")
_TYPE_LINE = re.compile(r"""^type:[ \t]*["']?([A-Za-z]+)["']?[ \t]*(?:#.*)?$""", re.MULTILINE)
_RUNNABLE = ("Test", "TestSuite")


def _runnable(path: str) -> bool:
    """Whether the file's top-level ``type:`` is a Test or a TestSuite (``Transaction``)."""
    m = _TYPE_LINE.search(read_text(path))
    return m is not None and KINDS.get(m.group(1).lower()) in _RUNNABLE


def _walk(folder: str) -> Iterator[str]:
    """The YAML files below ``folder``, in the order of Tracetest's directory walk: each
    directory's entries sorted by name, a subdirectory's files where its name comes.  Hidden
    entries (``.name``) are left out; a symbolic link to a directory is not followed."""
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(folder, entry.name)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path)
        elif entry.name.lower().endswith(YAML_SUFFIXES) and entry.is_file():
            yield path


def expand_files(paths: Sequence[str]) -> list[str]:
    """The ``-f`` paths with each directory replaced by its Test and TestSuite files (in
    :func:`_walk`'s order); other files, and paths that do not exist, are kept as given."""
    out: list[str] = []
    for path in paths:
        if not os.path.isdir(path):
            out.append(path)
            continue
        try:
            found = [f for f in _walk(path) if _runnable(f)]
        except OSError as exc:
            raise CliError(f"{path}: cannot read the directory: {exc.strerror or exc}") from None
        if not found:
            raise CliError(f"{path}: no Test or TestSuite file in the directory (*.yaml, *.yml)")
        out.extend(found)
    return out


def _load_files(
    files: Sequence[str], environ: Mapping[str, str] | None
) -> tuple[list[Test | TestSuite], list[PollingProfile], list[DataStore]]:
    """The tests and suites of the ``-f`` files, in order, and the polling profiles and data
    stores given with them (for the tests of a live run)."""
    kinds = [(f, resource_kind(f, environ=environ)) for f in files]
    tests: dict[str, Test] = {}
    loaded: dict[str, Test | TestSuite] = {}
    profiles: list[PollingProfile] = []
    stores: list[DataStore] = []
    for path, kind in kinds:
        if kind == "Test":
            resource = load_resource(path, environ=environ)
            assert isinstance(resource, Test)
            loaded[path] = resource
            if resource.id:
                tests[resource.id] = resource
        elif kind == "PollingProfile":
            profile = load_resource(path, environ=environ)
            assert isinstance(profile, PollingProfile)
            profiles.append(profile)
        elif kind == "DataStore":
            stores.append(_load_datastore(path, environ=environ))
        elif kind == "VariableSet":
            raise CliError(f"{path}: is a VariableSet, not a Test or TestSuite (pass it with "
                           "--vars)")
    for path, kind in kinds:
        if kind == "TestSuite":
            suite = load_resource(path, environ=environ, tests=tests)
            assert isinstance(suite, TestSuite)
            loaded[path] = suite
    return ([loaded[path] for path, kind in kinds if kind not in ("PollingProfile", "DataStore")],
            profiles, stores)


def _traces(
    trace_paths: Sequence[str], trace_id: str | None, trace_format: str | None
) -> Trace | list[Trace] | None:
    """What the tests run on: the traces of every --trace (spans merged by trace id), or the
    one --trace-id names among them; None without --trace."""
    if not trace_paths:
        return None
    traces = load_traces_cli(trace_paths, trace_format=trace_format)
    return traces if trace_id is None else pick_trace_cli(traces, trace_id, trace_paths)


def _warnings(resource: Test | TestSuite) -> list[str]:
    out = list(resource.warnings)
    if isinstance(resource, TestSuite):
        for step in resource.steps:
            out.extend(w for w in step.warnings if w not in out)
    return out


class _Stdout:
    """Where the reports go: stdout, until its reader goes away (``| head``).  Then writing
    stops for good, without an error: stdout is pointed at the null device (so no later write
    or flush, not even the interpreter's at exit, meets the closed pipe) and ``closed`` tells
    the command to run the rest without making reports nobody reads."""

    def __init__(self, color: bool) -> None:
        self.color = color
        self.closed = False

    def write(self, chunks: Iterable[str]) -> None:
        """Write chunks as they come (``click.echo``'s colour handling); stop if stdout closes."""
        for chunk in chunks:
            if self.closed:
                return
            try:
                click.echo(chunk, nl=False, color=self.color)
            except BrokenPipeError:
                self.closed = True
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)


def _write_html(path: str, results: Sequence[TestResult | SuiteResult]) -> None:
    from ..reports.html import html_report

    try:
        write_file(path, [html_report(results)])
    except OSError as exc:
        raise CliError(f"{path}: cannot write the HTML report: {exc.strerror or exc}") from None


def _write_junit(path: str, results: Sequence[TestResult | SuiteResult]) -> None:
    from ..reports.junit import iter_junit_xml

    try:
        write_file(path, iter_junit_xml(results))  # whole or not at all
    except OSError as exc:
        raise CliError(f"{path}: cannot write the JUnit report: {exc.strerror or exc}") from None


def _problems(result: TestResult | SuiteResult) -> list[str]:
    """What could not run, one line each with its place (also shown in the report)."""
    steps = result.steps if isinstance(result, SuiteResult) else (result,)
    out: list[str] = []
    for step in steps:
        out.extend(step.problems)
        if step.error is not None:
            out.append(f"{step.test.path}: {step.test.name}: {step.error}")
    return out


def _print_reports(
    results: Iterator[TestResult | SuiteResult], output: str, *, several: bool, color: bool
) -> None:
    """Print the report of each result as it comes; every result is drawn from ``results``
    (which runs them), even once stdout has closed."""
    stdout = _Stdout(color)
    if output in ("json", "yaml"):
        if output == "json":
            from ..reports.jsonreport import iter_json_report as report
        else:
            from ..reports.yamlreport import iter_yaml_report as report
        stdout.write(report(results, as_list=several))
        if output == "json":
            stdout.write(["\n"])
        for _ in results:  # stdout closed early: run the rest all the same
            pass
        return
    for result in results:
        if stdout.closed:
            continue
        lines = (iter_pretty_suite(result) if isinstance(result, SuiteResult)
                 else iter_pretty_test(result))
        stdout.write(iter_render(lines, color=color))


@click.command(
    "run",
    short_help="Run Tracetest test and suite files against a trace.",
    epilog="""\b
Examples:
  tracespec run -f examples/orders-pass.yaml --trace examples/orders-trace.json
  tracespec run -f examples/orders-suite.yaml --trace examples/orders-trace.json -o json
  tracespec run -f tests/ --trace trace.json -o yaml
  tracespec run -f test.yaml --trace trace.pb --vars vars.yaml --junit report.xml
  tracespec run -f examples/orders-fail.yaml --trace examples/orders-trace.json --html r.html
  tracespec run -f test.yaml --trace 'captured/*.pb' --trace-id 4bf92f35
  tracespec run -f examples/live/order-pass.yaml          (live: trigger, receive, wait)
  tracespec run -f test.yaml -f polling.yaml --otlp-http 127.0.0.1:14318 --otlp-grpc off
  tracespec run -f test.yaml --datastore examples/datastores/tempo.yaml  (trace from Tempo)

Exit codes: 0 passed, 1 error, 2 a test failed, 3 a file not found.""",
)
@click.option(
    "-f", "--file", "files", multiple=True, required=True, metavar="FILE|DIR",
    help="Test or TestSuite file to run (repeat for several), or a directory: every Test and "
    "TestSuite file below it.",
)
@click.option(
    "--trace", "-t", "trace_paths", multiple=True, metavar="TRACE",
    help="Trace file, directory or glob ('captured/*.pb') the tests check, in any format "
    "(OTLP protobuf/JSON, Jaeger, Zipkin, Tempo, ...); repeat for several: their spans are "
    "merged by trace id.",
)
@click.option(
    "--trace-id", "trace_id", metavar="ID",
    help="Run on this trace of the --trace files (its id, or a unique prefix of 8+ hex digits).",
)
@click.option(
    "--vars", "--environment", "-e", "vars_path", metavar="VARS",
    help="VariableSet (or Environment) file whose values var:/env: read.",
)
@click.option(
    "--var", "var_items", multiple=True, metavar="KEY=VALUE",
    help="One variable (repeatable; wins over --vars).",
)
@click.option(
    "-o", "--output", "output", type=click.Choice(["pretty", "json", "yaml"]), default="pretty",
    show_default=True, help="Report printed on stdout.",
)
@click.option("-j", "--junit", "junit_path", metavar="OUT.xml", help="Write a JUnit XML report.")
@click.option(
    "--html", "html_path", metavar="OUT.html",
    help="Write the HTML report: one self-contained page with the verdicts and the trace "
    "(docs/ui.md).",
)
@click.option(
    "--env-subst", is_flag=True,
    help="Replace ${NAME} in the files with environment variables first, as Tracetest's CLI "
    "always does.",
)
@click.option("--no-color", is_flag=True, help="Never colour the pretty report.")
@click.option(
    "--datastore", "datastore_path", metavar="FILE",
    help="A Tracetest DataStore file: a live run reads each trace from that backend (Tempo, "
    "Jaeger, OpenSearch, ...) instead of receiving it (docs/datastores.md).",
)
@otlp_options
@click.pass_context
def run_command(
    ctx: click.Context,
    files: tuple[str, ...],
    trace_paths: tuple[str, ...],
    trace_id: str | None,
    vars_path: str | None,
    var_items: tuple[str, ...],
    output: str,
    junit_path: str | None,
    html_path: str | None,
    env_subst: bool,
    no_color: bool,
    datastore_path: str | None = None,
    trace_format: str | None = None,
    otlp_http: str = DEFAULT_HTTP,
    otlp_grpc: str = DEFAULT_GRPC,
) -> int:
    """Run Tracetest test files: live, or against a trace you already have.

    Without --trace the run is live: each test's trigger is sent (an HTTP, gRPC or GraphQL
    request carrying a new trace context) while tracespec receives the application's spans
    over OTLP (--otlp-http, --otlp-grpc) and waits for the trace as the test's polling profile
    says (a PollingProfile file may be given with -f). With --trace nothing listens: a test
    with a traceid trigger checks the trace with that id among the --trace files, and
    --trace-id runs every test on the one trace it names. Each test's outputs are evaluated
    first and become variables of its specs and of the later steps of a suite; then every
    spec is checked on the spans its selector picks.
    """
    trace_id_arg(trace_id)  # a malformed id fails before anything is read
    if trace_id is not None and not trace_paths:
        raise CliError("--trace-id picks a trace of the --trace files: give --trace too")
    environ = dict(os.environ) if env_subst else None
    resources, profiles, stores = _load_files(expand_files(files), environ)
    if datastore_path is not None:
        stores.append(_load_datastore(datastore_path, environ=environ))
    if len(stores) > 1:
        raise CliError(f"{len(stores)} DataStores given: a run reads its traces from one")
    http = address(otlp_http, "--otlp-http")
    grpc = address(otlp_grpc, "--otlp-grpc")
    variables: dict[str, str] = {}
    if vars_path is not None:
        var_set = load_variables(vars_path, environ=environ)
        print_warnings(var_set.warnings)
        variables.update(var_set.as_dict())
    for item in var_items:
        key, value = parse_var(item)
        variables[key] = value
    for resource in resources:
        print_warnings(_warnings(resource))
    traces = _traces(trace_paths, trace_id, trace_format)
    with contextlib.ExitStack() as stack:
        source: Trace | list[Trace] | LiveRun | None = traces
        if traces is None and needs_receiver(resources):
            source = stack.enter_context(live_run(http, grpc, profiles,
                                                  stores[0] if stores else None))
        return _run(resources, source, variables, output=output, junit_path=junit_path,
                    html_path=html_path, color=output == "pretty" and color_enabled(no_color))


def _run(
    resources: Sequence[Test | TestSuite],
    traces: Trace | list[Trace] | LiveRun | None,
    variables: dict[str, str],
    *,
    output: str,
    junit_path: str | None,
    color: bool,
    html_path: str | None = None,
) -> int:
    """Run every resource on ``traces``, print the reports, write the JUnit file; the exit
    code."""
    verdicts: list[tuple[bool, bool]] = []  # (errored, passed) of each result
    kept: list[TestResult | SuiteResult] = []  # the results, for the JUnit and HTML files only

    def runs() -> Iterator[TestResult | SuiteResult]:
        """Each file's result, run when its report asks for it; what could not run goes to
        stderr once its report is written (when the next result is asked for)."""
        for resource in resources:
            result: TestResult | SuiteResult
            if isinstance(resource, TestSuite):
                result = run_suite(resource, traces, variables=variables)
            else:
                result = run_test(resource, traces, variables=variables)
            verdicts.append((result.errored, result.passed))
            if junit_path is not None or html_path is not None:
                kept.append(result)
            yield result
            for problem in _problems(result):
                click.echo(f"error: {problem}", err=True)

    _print_reports(runs(), output, several=len(resources) != 1, color=color)
    if junit_path is not None:
        _write_junit(junit_path, kept)
    if html_path is not None:
        _write_html(html_path, kept)
    if any(errored for errored, _ in verdicts):
        return ExitCode.ERROR
    if not all(passed for _, passed in verdicts):
        return ExitCode.FAILED
    return ExitCode.PASSED


run_command.params.append(trace_format_option())
