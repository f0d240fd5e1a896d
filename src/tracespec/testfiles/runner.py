"""Running tests and test suites against traces the user already has.

``run_test`` does what Tracetest's executor does after the trace has arrived: the
outputs first, each on the first span its selector picks, merged into the run's variables;
then every spec with ``tracespec.check`` in ``errors="report"`` mode, so a bad selector or
assertion becomes an error of that spec and the others still run.  Two specs with the same
selector both keep their results (the reference loses them).  ``run_suite`` runs the steps in
order, each step's outputs becoming variables of the steps after it, and stops only at a step
that could not run at all.  Which trace a test runs on is :mod:`.sources`' business; the
results are the values of :mod:`.results`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeAlias, TypeGuard, cast

from ..errors import TracespecError, first_line
from ..results import OutputResult, SpecResult
from ..spec import check, prefetch, resolve_output
from .loader import load_suite, load_test
from .model import Test, TestSuite, VariableSet
from .results import SuiteResult, TestResult
from .sources import NoTrace, TraceSource, load_source, trace_for

if TYPE_CHECKING:
    from .live import LiveRun

__all__ = ["run_suite", "run_test"]

Variables: TypeAlias = "Mapping[str, str] | VariableSet | None"


def _variables(variables: Variables) -> dict[str, str]:
    if variables is None:
        return {}
    if isinstance(variables, VariableSet):
        return variables.as_dict()
    return {str(k): str(v) for k, v in variables.items()}


def run_test(
    test: Test | str | os.PathLike[str],
    trace: TraceSource | LiveRun,
    *,
    variables: Variables = None,
) -> TestResult:
    """Run ``test`` on ``trace``: outputs first (merged into the variables), then every spec.

    ``test`` is a :class:`Test` or the path of a test file; ``trace`` a :class:`Trace`,
    several traces (a ``traceid`` trigger picks among them), or what
    :func:`~tracespec.load_traces` reads (a trace file's path, a directory, a glob, a list);
    or a :class:`LiveRun`: the test's trigger is sent and its trace received and waited for
    (:mod:`.live`); ``variables`` a mapping or a :class:`VariableSet`, read by ``var:`` and
    ``env:``.
    A test that cannot run gives a result with ``error`` set; nothing is raised for what the
    test file or the trace holds, except a trace file that cannot be read at all.
    """
    if not isinstance(test, Test):
        test = load_test(test)
    started = time.perf_counter()
    run_vars = _variables(variables)
    incomplete: str | None = None
    try:
        if _is_live(trace):
            from .live import live_trace

            chosen, incomplete = live_trace(test, trace, run_vars)
        else:
            chosen = trace_for(test, cast(TraceSource, trace), run_vars)
    except NoTrace as exc:
        return TestResult(
            test=test, variables=MappingProxyType(run_vars), error=str(exc),
            duration_s=time.perf_counter() - started,
        )
    prefetch(  # every column the test reads, in one pass over the spans
        chosen,
        selectors=[*(o.selector for o in test.outputs), *(s.selector for s in test.specs)],
        assertions=[a for s in test.specs for a in s.assertions],
        expressions=[o.value for o in test.outputs],
    )
    problems: list[str] = []
    outputs: list[OutputResult] = []
    for output in test.outputs:
        try:
            result = resolve_output(
                output.selector, output.value, chosen, variables=run_vars, name=output.name
            )
        except TracespecError as exc:
            result = OutputResult(
                name=output.name, selector=output.selector, expression=output.value, value="",
                resolved=False, error=str(exc),
            )
            problems.append(f"{output.place}: {first_line(str(exc))}")
        outputs.append(result)
        run_vars[output.name] = result.value
    specs: list[SpecResult] = []
    for spec in test.specs:
        spec_result = check(
            spec.selector, spec.assertions, chosen, variables=run_vars, errors="report",
            name=spec.name or None,
        )
        if spec_result.error is not None:
            problems.append(f"{spec.selector_place}: {first_line(spec_result.error)}")
        else:
            for i, assertion in enumerate(spec_result.assertions):
                if not assertion.ran and assertion.error is not None:
                    problems.append(f"{spec.assertion_place(i)}: {first_line(assertion.error)}")
        specs.append(spec_result)
    return TestResult(
        test=test,
        specs=tuple(specs),
        outputs=tuple(outputs),
        trace_id=chosen.trace_id,
        variables=MappingProxyType(run_vars),
        problems=tuple(problems),
        duration_s=time.perf_counter() - started,
        trace=chosen,
        incomplete=incomplete,
    )


def run_suite(
    suite: TestSuite | str | os.PathLike[str],
    trace: TraceSource | LiveRun,
    *,
    variables: Variables = None,
) -> SuiteResult:
    """Run the steps of ``suite`` in order on ``trace`` (see :func:`run_test`).

    After each step its outputs are merged into the variables the next steps see.  A step
    that cannot run (no trace for it) stops the suite; failed assertions do not.
    """
    if not isinstance(suite, TestSuite):
        suite = load_suite(suite)
    started = time.perf_counter()
    if trace is not None and not _is_live(trace):
        trace = load_source(cast(TraceSource, trace))  # once for every step
    run_vars = _variables(variables)
    steps: list[TestResult] = []
    for step in suite.steps:
        result = run_test(step, trace, variables=run_vars)
        steps.append(result)
        if result.error is not None:
            break
        run_vars = dict(result.variables)
    return SuiteResult(
        suite=suite, steps=tuple(steps), variables=MappingProxyType(run_vars),
        duration_s=time.perf_counter() - started,
    )


def _is_live(trace: object) -> TypeGuard[LiveRun]:
    """Whether ``trace`` is a :class:`LiveRun`.  Until something imports :mod:`.live` there
    can be none, so a run on trace files never imports it."""
    live = sys.modules.get(f"{__package__}.live")
    return live is not None and isinstance(trace, live.LiveRun)
