"""Results of checking specs on a trace: frozen values the reports and the CLI read.

A *spec* is a selector plus assertions (Tracetest's "test spec").  Checking it gives a
:class:`SpecResult`; each assertion gives an :class:`AssertionResult` holding one
:class:`SpanResult` per selected span (or one with ``span_id=None`` when no span was selected).
An *output* gives an :class:`OutputResult`.
"""

from __future__ import annotations

import attrs

__all__ = ["AssertionResult", "OutputResult", "SpanResult", "SpecResult"]


@attrs.frozen
class SpanResult:
    """One assertion evaluated on one span.

    ``observed`` is the observed value as Tracetest shows it (``35ms``, ``200``); ``error`` is
    ``None`` when the assertion passed, ``"no match"`` when the comparison failed, or the message
    of what went wrong (``attribute "x" not found``, ``cannot parse "a" as integer``, ...).
    """

    span_id: str | None
    observed: str
    passed: bool
    error: str | None = None


@attrs.frozen
class AssertionResult:
    """One assertion of a spec, over every selected span.

    ``error`` is set (and ``spans`` empty) when the assertion could not run at all, e.g. it
    does not parse; the message then carries the position.
    """

    text: str
    passed: bool
    spans: tuple[SpanResult, ...] = ()
    error: str | None = None


@attrs.frozen
class SpecResult:
    """A spec (selector + assertions) checked on a trace.

    ``span_ids`` are the selected spans (trace order); ``error`` is set when the selector itself
    is invalid (then every assertion is reported as not run).
    """

    selector: str
    assertions: tuple[AssertionResult, ...]
    span_ids: tuple[str, ...] = ()
    name: str | None = None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(a.passed for a in self.assertions)


@attrs.frozen
class OutputResult:
    """An output: an expression evaluated on the first span a selector picks."""

    name: str
    selector: str
    expression: str
    value: str
    resolved: bool
    span_id: str | None = None
    error: str | None = None
