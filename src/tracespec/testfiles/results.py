"""Results of running tests and suites: frozen values the reports read.

A :class:`TestResult` holds the spec and output results of one test (see
:mod:`tracespec.results`), what kept it from running, and the trace it ran on; a
:class:`SuiteResult` the results of its steps in order.  The reports depend on these values,
never on the runner.  The span results hold only span ids (a big run makes close to a million of
them): a report that names a span, or tells how the trace was repaired, reads the test's trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from .._frozen import FieldsRepr
from ..results import OutputResult, SpecResult
from ..trace import Trace
from .model import Test, TestSuite

__all__ = ["SuiteResult", "TestResult"]

_EMPTY: Mapping[str, str] = MappingProxyType({})


@attrs.frozen(repr=False)
class TestResult(FieldsRepr):
    """A test run on one trace: every spec's result, every output, and what went wrong.

    ``error`` is set when the test could not run at all (no trace for it, a trigger that needs
    a live system); ``problems`` lists, one line each with the place in the test file, the
    specs, assertions and outputs that could not be evaluated (text that does not parse).
    ``incomplete`` is set when a live run's trace did not arrive whole before the polling
    profile's timeout (what was seen): the specs ran on what had arrived, and the test fails.
    ``variables`` are the run's variables after the outputs were merged in.  ``trace`` is the
    trace the test ran on (``None`` when it could not run); it is not part of the value (two
    results are equal whatever trace object they hold), and keeping the result keeps the trace.
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
    trace: Trace | None = attrs.field(default=None, eq=False, repr=False)
    incomplete: str | None = None

    @property
    def passed(self) -> bool:
        """True when the test ran on a whole trace and every assertion passed on every selected
        span."""
        return (self.error is None and self.incomplete is None and not self.problems
                and all(s.passed for s in self.specs))

    def __str__(self) -> str:
        """The pretty report of the run and, when it failed, the trace tree with the selected
        spans marked (:func:`tracespec.reports.text.result_text`)."""
        from ..reports.text import result_text  # the one import upwards (docs/architecture.md)

        return result_text(self)

    @property
    def repairs(self) -> tuple[str, ...]:
        """What had to be repaired to assemble the trace (orphans adopted, several roots, ...):
        the usual reason for a surprising count."""
        return self.trace.repairs if self.trace is not None else ()

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
                if not assertion.ran:
                    failed += 1
                for span in assertion.spans:
                    if span.passed:
                        passed += 1
                    else:
                        failed += 1
        return passed, failed


@attrs.frozen(repr=False)
class SuiteResult(FieldsRepr):
    """A test suite run: the results of the steps that ran, in order."""

    __test__ = False

    suite: TestSuite
    steps: tuple[TestResult, ...] = ()
    variables: Mapping[str, str] = _EMPTY
    duration_s: float = 0.0

    def __str__(self) -> str:
        """The pretty report of each step that ran
        (:func:`tracespec.reports.text.suite_text`)."""
        from ..reports.text import suite_text  # the one import upwards (docs/architecture.md)

        return suite_text(self)

    @property
    def complete(self) -> bool:
        """Whether every step ran (a step that could not run stops the suite)."""
        return len(self.steps) == len(self.suite.steps)

    @property
    def passed(self) -> bool:
        """True when every step ran and passed."""
        return self.complete and all(step.passed for step in self.steps)

    @property
    def errored(self) -> bool:
        """True when some step could not run, or not in full."""
        return any(step.errored for step in self.steps)
