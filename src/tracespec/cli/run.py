"""``tracespec run``: run Tracetest test and suite files against a trace, print, write JUnit.

All files are read before anything runs, so a malformed file stops the command at once with a
one-line error naming it (exit 1, or 3 when it does not exist).  Then each file runs in the
order given, and its report (pretty, or JSON: one object for one file, a list for several) is
written to stdout as it is made, in chunks, right after the file ran; the JUnit file is
written last, the same way.  No report is ever held whole, and a result is kept after its
report only for the JUnit file.  The exit code says the worst thing that happened: 1 something
could not run, 2 an assertion failed, else 0.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence

import click

from ..reports import (
    iter_json_report,
    iter_junit_xml,
    iter_pretty_suite,
    iter_pretty_test,
    iter_render,
)
from ..testfiles import (
    Test,
    TestSuite,
    load_resource,
    load_variables,
    run_suite,
    run_test,
)
from ..testfiles.loader import resource_kind
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
)

__all__ = ["run_command"]


def _load_files(
    files: Sequence[str], environ: Mapping[str, str] | None
) -> list[Test | TestSuite]:
    kinds = [(f, resource_kind(f, environ=environ)) for f in files]
    tests: dict[str, Test] = {}
    loaded: dict[str, Test | TestSuite] = {}
    for path, kind in kinds:
        if kind == "Test":
            resource = load_resource(path, environ=environ)
            assert isinstance(resource, Test)
            loaded[path] = resource
            if resource.id:
                tests[resource.id] = resource
        elif kind in ("VariableSet", "PollingProfile"):
            hint = " (pass it with --vars)" if kind == "VariableSet" else ""
            raise CliError(f"{path}: is a {kind}, not a Test or TestSuite{hint}")
    for path, kind in kinds:
        if kind == "TestSuite":
            suite = load_resource(path, environ=environ, tests=tests)
            assert isinstance(suite, TestSuite)
            loaded[path] = suite
    return [loaded[path] for path, _ in kinds]


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


def _echo_chunks(chunks: Iterable[str], *, color: bool | None = None) -> None:
    """Write a report's chunks to stdout as they come (``click.echo``'s colour handling)."""
    for chunk in chunks:
        click.echo(chunk, nl=False, color=color)


def _write_junit(path: str, results: Sequence[TestResult | SuiteResult]) -> None:
    try:
        with open(path, "w", encoding="utf-8") as out:
            for chunk in iter_junit_xml(results):
                out.write(chunk)
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


@click.command(
    "run",
    short_help="Run Tracetest test and suite files against a trace.",
    epilog="""\b
Examples:
  tracespec run -f examples/orders-pass.yaml --trace examples/orders-trace.json
  tracespec run -f examples/orders-suite.yaml --trace examples/orders-trace.json -o json
  tracespec run -f test.yaml --trace trace.pb --vars vars.yaml --junit report.xml
  tracespec run -f test.yaml --trace 'captured/*.pb' --trace-id 4bf92f35

Exit codes: 0 passed, 1 error, 2 a test failed, 3 a file not found.""",
)
@click.option(
    "-f", "--file", "files", multiple=True, required=True, metavar="FILE",
    help="Test or TestSuite file to run (repeat for several).",
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
    "-o", "--output", "output", type=click.Choice(["pretty", "json"]), default="pretty",
    show_default=True, help="Report printed on stdout.",
)
@click.option("-j", "--junit", "junit_path", metavar="OUT.xml", help="Write a JUnit XML report.")
@click.option(
    "--env-subst", is_flag=True,
    help="Replace ${NAME} in the files with environment variables first, as Tracetest's CLI "
    "always does.",
)
@click.option("--no-color", is_flag=True, help="Never colour the pretty report.")
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
    env_subst: bool,
    no_color: bool,
    trace_format: str | None = None,
) -> int:
    """Run Tracetest test files against a trace you already have.

    Each test's outputs are evaluated first and become variables of its specs and of the
    later steps of a suite; then every spec is checked on the spans its selector picks.
    A test with a traceid trigger checks the trace with that id among the --trace files;
    --trace-id runs every test on the one trace it names.
    """
    trace_id_arg(trace_id)  # a malformed id fails before anything is read
    if trace_id is not None and not trace_paths:
        raise CliError("--trace-id picks a trace of the --trace files: give --trace too")
    environ = dict(os.environ) if env_subst else None
    resources = _load_files(files, environ)
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
    color = output == "pretty" and color_enabled(no_color)
    verdicts: list[tuple[bool, bool]] = []  # (errored, passed) of each result
    kept: list[TestResult | SuiteResult] = []  # the results, for the JUnit file only

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
            if junit_path is not None:
                kept.append(result)
            yield result
            for problem in _problems(result):
                click.echo(f"error: {problem}", err=True)

    if output == "json":
        _echo_chunks(iter_json_report(runs(), as_list=len(resources) != 1))
        click.echo()
    else:
        for result in runs():
            lines = (iter_pretty_suite(result) if isinstance(result, SuiteResult)
                     else iter_pretty_test(result))
            _echo_chunks(iter_render(lines, color=color), color=color)
    if junit_path is not None:
        _write_junit(junit_path, kept)
    if any(errored for errored, _ in verdicts):
        return ExitCode.ERROR
    if not all(passed for _, passed in verdicts):
        return ExitCode.FAILED
    return ExitCode.PASSED


run_command.params.append(trace_format_option())
