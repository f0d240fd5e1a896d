"""Running tests and test suites against traces the user already has.

``run_test`` does what Tracetest's executor does after the trace has arrived (§2.9): the
outputs first, each on the first span its selector picks, merged into the run's variables;
then every spec with ``tracespec.check`` in ``errors="report"`` mode, so a bad selector or
assertion becomes an error of that spec and the others still run.  Two specs with the same
selector both keep their results (the reference loses them).  ``run_suite`` runs the steps in
order, each step's outputs becoming variables of the steps after it, and stops only at a step
that could not run at all.  Which trace a test runs on: the one given, or for a ``traceid``
trigger the trace with that id among those given; triggers that need a live system say so.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TypeAlias

import attrs

from ..assertions import check, resolve_output
from ..errors import TracespecError
from ..results import OutputResult, SpecResult
from ..trace import Trace
from .loader import load_resource, load_test
from .model import Test, TestSuite, VariableSet

__all__ = ["SuiteResult", "TestResult", "TraceSource", "first_line", "run_suite", "run_test"]

#: What a test can run on: one trace, the traces of a file, or the path of a trace file.
TraceSource: TypeAlias = "Trace | Sequence[Trace] | str | os.PathLike[str] | None"
Variables: TypeAlias = "Mapping[str, str] | VariableSet | None"

_EMPTY: Mapping[str, str] = MappingProxyType({})
_REF = re.compile(r"\$\{\s*(?:var|env):\s*([\w.\-]+)\s*\}")


def first_line(message: str) -> str:
    """The first line of a (possibly multi-line, caret-annotated) error message."""
    return message.strip().splitlines()[0] if message.strip() else message


@attrs.frozen
class TestResult:
    """A test run on one trace: every spec's result, every output, and what went wrong.

    ``error`` is set when the test could not run at all (no trace for it, a trigger that needs
    a live system); ``problems`` lists, one line each with the place in the test file, the
    specs, assertions and outputs that could not be evaluated (text that does not parse).
    ``variables`` are the run's variables after the outputs were merged in.
    """

    __test__ = False

    test: Test
    specs: tuple[SpecResult, ...] = ()
    outputs: tuple[OutputResult, ...] = ()
    trace_id: str | None = None
    variables: Mapping[str, str] = _EMPTY
    error: str | None = None
    problems: tuple[str, ...] = ()
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        """True when the test ran and every assertion passed on every selected span."""
        return self.error is None and not self.problems and all(s.passed for s in self.specs)

    @property
    def errored(self) -> bool:
        """True when something could not run (as opposed to an assertion that failed)."""
        return self.error is not None or bool(self.problems)

    @property
    def span_results(self) -> tuple[int, int]:
        """(passed, failed) span results over all specs, as Tracetest counts a run."""
        passed = failed = 0
        for spec in self.specs:
            for assertion in spec.assertions:
                if assertion.error is not None and not assertion.spans:
                    failed += 1
                for span in assertion.spans:
                    if span.passed:
                        passed += 1
                    else:
                        failed += 1
        return passed, failed


@attrs.frozen
class SuiteResult:
    """A test suite run: the results of the steps that ran, in order."""

    __test__ = False

    suite: TestSuite
    steps: tuple[TestResult, ...] = ()
    variables: Mapping[str, str] = _EMPTY
    duration_s: float = 0.0

    @property
    def complete(self) -> bool:
        """Whether every step ran (a step that could not run stops the suite)."""
        return len(self.steps) == len(self.suite.steps)

    @property
    def passed(self) -> bool:
        return self.complete and all(step.passed for step in self.steps)

    @property
    def errored(self) -> bool:
        return any(step.errored for step in self.steps)


class _NoTrace(Exception):
    """The test cannot run: no trace to run it on."""


def _variables(variables: Variables) -> dict[str, str]:
    if variables is None:
        return {}
    if isinstance(variables, VariableSet):
        return variables.as_dict()
    return {str(k): str(v) for k, v in variables.items()}


def _resolve_refs(text: str, variables: Mapping[str, str]) -> str:
    """Replace ``${var:NAME}`` and ``${env:NAME}`` with the run variables (missing → "")."""
    return _REF.sub(lambda m: variables.get(m.group(1), ""), text)


def _load_traces(path: str | os.PathLike[str]) -> list[Trace]:
    from ..formats import load_traces

    return load_traces(path)


def pick_trace(test: Test, source: TraceSource, variables: Mapping[str, str]) -> Trace:
    """The trace ``test`` runs on; raises ``_NoTrace`` with the reason when there is none."""
    trigger = test.trigger
    want: str | None = None
    if trigger is not None and trigger.trace_id is not None:
        want = _resolve_refs(trigger.trace_id, variables).strip().lower() or None
        if want is not None and len(want) == 16:
            want = want.rjust(32, "0")
    if source is None:
        if trigger is not None and trigger.needs_network:
            raise _NoTrace(
                f"not supported yet: needs a live trigger ({trigger.type}); run it on a trace "
                "you already have with --trace FILE"
            )
        if trigger is not None and trigger.type == "traceid":
            raise _NoTrace(
                "trigger traceid needs the trace in a file (--trace FILE); fetching traces "
                "from a backend is not supported yet"
            )
        raise _NoTrace("no trace given (--trace FILE)")
    if isinstance(source, str | os.PathLike):
        source = _load_traces(source)
    if isinstance(source, Trace):
        if want is not None and source.trace_id != want:
            raise _NoTrace(
                f"trigger traceid {want} is not the trace given ({source.trace_id})"
            )
        return source
    traces = list(source)
    if not traces:
        raise _NoTrace("no trace given")
    if want is not None:
        for trace in traces:
            if trace.trace_id == want:
                return trace
        shown = ", ".join(t.trace_id for t in traces[:5]) + (", ..." if len(traces) > 5 else "")
        raise _NoTrace(f"no trace with id {want} in the trace file (found: {shown})")
    if len(traces) > 1:
        raise _NoTrace(
            f"the trace file holds {len(traces)} traces; give the test a traceid trigger "
            "to say which one it checks"
        )
    return traces[0]


def run_test(
    test: Test | str | os.PathLike[str],
    trace: TraceSource,
    *,
    variables: Variables = None,
) -> TestResult:
    """Run ``test`` on ``trace``: outputs first (merged into the variables), then every spec.

    ``test`` is a :class:`Test` or the path of a test file; ``trace`` a :class:`Trace`, the
    traces of a file (a ``traceid`` trigger picks among them) or a trace file's path;
    ``variables`` a mapping or a :class:`VariableSet`, read by ``var:`` and ``env:``.
    A test that cannot run gives a result with ``error`` set; nothing is raised for what the
    test file or the trace holds, except a trace file that cannot be read at all.
    """
    if not isinstance(test, Test):
        test = load_test(test)
    started = time.perf_counter()
    run_vars = _variables(variables)
    try:
        chosen = pick_trace(test, trace, run_vars)
    except _NoTrace as exc:
        return TestResult(
            test=test, variables=MappingProxyType(run_vars), error=str(exc),
            duration_s=time.perf_counter() - started,
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
                if assertion.error is not None and not assertion.spans:
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
    )


def run_suite(
    suite: TestSuite | str | os.PathLike[str],
    trace: TraceSource,
    *,
    variables: Variables = None,
) -> SuiteResult:
    """Run the steps of ``suite`` in order on ``trace`` (see :func:`run_test`).

    After each step its outputs are merged into the variables the next steps see.  A step
    that cannot run (no trace for it) stops the suite; failed assertions do not.
    """
    if not isinstance(suite, TestSuite):
        loaded = load_resource(suite)
        if not isinstance(loaded, TestSuite):
            raise TypeError(f"{os.fspath(suite)} is not a TestSuite")
        suite = loaded
    started = time.perf_counter()
    if isinstance(trace, str | os.PathLike):
        trace = _load_traces(trace)
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
