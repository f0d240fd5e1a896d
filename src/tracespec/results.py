"""Results of checking specs on a trace: frozen values the reports and the CLI read.

A *spec* is a selector plus assertions (Tracetest's "test spec").  Checking it gives a
:class:`SpecResult`; each assertion gives an :class:`AssertionResult` holding one
:class:`SpanResult` per selected span (or one with ``span_id=None`` when no span was selected).
An *output* gives an :class:`OutputResult`.  Each span result carries its :class:`Outcome`, set
by the engine that evaluated it: a report never works a verdict out from message texts.
"""

from __future__ import annotations

import enum

import attrs

from ._frozen import FieldsRepr

__all__ = ["ALL_SPANS", "AssertionResult", "Outcome", "OutputResult", "SpanResult", "SpecResult"]

#: What Tracetest calls a spec with neither a name nor a selector (it checks every span).
ALL_SPANS = "All Spans"


class Outcome(enum.Enum):
    """How one assertion ended on one span."""

    PASSED = "passed"
    #: The comparison did not hold (Tracetest's ``no match``: a JUnit ``<failure>``).
    FAILED = "failed"
    #: Something went wrong before a comparison could say yes or no: an attribute that is
    #: missing, a value that does not parse, a filter that fails (a JUnit ``<error>``).
    ERROR = "error"


_PASSED = Outcome.PASSED  # (a module constant reads faster than an enum class attribute)


@attrs.frozen(repr=False)
class SpanResult(FieldsRepr):
    """One assertion evaluated on one span.

    ``observed`` is the observed value as Tracetest shows it (``35ms``, ``200``); ``error`` is
    ``None`` when the assertion passed, ``"no match"`` when the comparison failed, or the message
    of what went wrong (``attribute "x" not found``, ``cannot parse "a" as integer``, ...).
    """

    span_id: str | None
    observed: str
    outcome: Outcome
    error: str | None = None

    @property
    def passed(self) -> bool:
        """True when the assertion held on this span."""
        return self.outcome is _PASSED


@attrs.frozen(repr=False)
class AssertionResult(FieldsRepr):
    """One assertion of a spec, over every selected span.

    ``error`` is set (and ``spans`` empty) when the assertion could not run at all, e.g. it
    does not parse; the message then carries the position.
    """

    text: str
    passed: bool
    spans: tuple[SpanResult, ...] = ()
    error: str | None = None

    @property
    def ran(self) -> bool:
        """False when the assertion could not run at all (it has an error and no span result)."""
        return self.error is None or bool(self.spans)


@attrs.frozen(repr=False)
class SpecResult(FieldsRepr):
    """A spec (selector + assertions) checked on a trace.

    ``span_ids`` are the selected spans (trace order); ``error`` is set when the selector itself
    is invalid (then every assertion is reported as not run).
    """

    selector: str
    assertions: tuple[AssertionResult, ...]
    span_ids: tuple[str, ...] = ()
    name: str | None = None
    error: str | None = None
    #: The trace the spec was checked on (a ``tracespec.Trace``; ``None`` for a result made by
    #: hand): not part of the value, it lets ``str()`` name the spans.
    trace: object = attrs.field(default=None, eq=False, repr=False)

    @property
    def passed(self) -> bool:
        """True when the selector ran and every assertion passed on every selected span."""
        return self.error is None and all(a.passed for a in self.assertions)

    @property
    def title(self) -> str:
        """What Tracetest prints for the spec: its name, else its selector, else ``All Spans``."""
        return self.name or self.selector or ALL_SPANS

    def __str__(self) -> str:
        """The pretty report: every selected span named (id, name, service, kind), each
        assertion with its observed value, and when it failed the trace tree with the selected
        spans marked (:func:`tracespec.reports.text.spec_text`)."""
        from .reports.text import spec_text  # the one import upwards (docs/architecture.md)

        return spec_text(self)


@attrs.frozen(repr=False)
class OutputResult(FieldsRepr):
    """An output: an expression evaluated on the first span a selector picks."""

    name: str
    selector: str
    expression: str
    value: str
    resolved: bool
    span_id: str | None = None
    error: str | None = None
