"""The one reading of a spec result that every report shares: the span results of an assertion.

A spec whose selector could not run, or an assertion that could not run, has no span results
of its own; the reports still owe the reader a line (and CI servers a test case) for it.  So
each such assertion reads as a single span result without a span, carrying the error (an
:attr:`~tracespec.results.Outcome.ERROR`).  Whether a span result is a failure or an error
is its outcome, set by the engine.
"""

from __future__ import annotations

from ..results import AssertionResult, Outcome, SpanResult, SpecResult

__all__ = ["span_results_of"]


def span_results_of(spec: SpecResult, assertion: AssertionResult) -> tuple[SpanResult, ...]:
    """The span results of ``assertion``, or one error result when it could not run."""
    if assertion.spans:
        return assertion.spans
    error = spec.error or assertion.error
    if error is not None:
        return (SpanResult(span_id=None, observed="", outcome=Outcome.ERROR, error=error),)
    return ()

