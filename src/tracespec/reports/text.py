"""The text of a result as ``str()`` and the assertion helpers give it: the pretty report, then
the trace tree with the selected spans marked.

``str(spec_result)``, ``str(test_result)`` and the message of
:func:`tracespec.testing.assert_spec` are this text: the lines :mod:`.pretty` prints (each span
group named by the span's id, name, service and kind, each assertion with its observed value
and, when known, its place), the trace's repairs, how many spans were selected and, when the
result failed, :mod:`.tree`'s drawing of the trace with each selected span marked.  Plain text,
no colour: it goes into exception messages, pytest reports and JUnit files.
"""

from __future__ import annotations

from ..results import Outcome, SpecResult
from ..testfiles.model import Spec
from ..testfiles.results import SuiteResult, TestResult
from ..trace import Trace
from .pretty import Line, iter_pretty_spec, iter_pretty_suite, iter_pretty_test, iter_repairs
from .tree import tree_lines

__all__ = ["result_text", "spec_marks", "spec_text", "suite_text"]

_PASSED = Outcome.PASSED


def _join(lines: list[Line]) -> str:
    return "\n".join(text for text, _ in lines)


def spec_marks(result: SpecResult) -> dict[str, bool]:
    """Each selected span's id → whether every assertion passed on it."""
    marks = dict.fromkeys(result.span_ids, True)
    for assertion in result.assertions:
        for span in assertion.spans:
            if span.span_id is not None and span.outcome is not _PASSED:
                marks[span.span_id] = False
    return marks


def _as_trace(value: object) -> Trace | None:
    return value if isinstance(value, Trace) else None


def spec_text(
    result: SpecResult, trace: Trace | None = None, spec: Spec | None = None, *,
    header: str | None = None,
) -> str:
    """A spec's report: ``header`` (one line, e.g. where it was checked), the repairs of the
    trace, the spec in full, the count of selected spans and, when it failed, the tree.
    ``trace`` defaults to the one the result was checked on."""
    trace = trace if trace is not None else _as_trace(result.trace)
    lines: list[Line] = [] if header is None else [(header, result.passed)]
    lines += iter_repairs(trace)
    lines += iter_pretty_spec(result, spec, trace=trace)
    count = len(result.span_ids)
    of = f" of {len(trace)}" if trace is not None else ""
    lines.append((f"{count} span{'s' if count != 1 else ''}{of} selected", None))
    if trace is not None and not result.passed and result.error is None:
        lines.append(("", None))
        marks = {k: (ok, "") for k, ok in spec_marks(result).items()}
        lines += tree_lines(trace, marks)
    return _join(lines)


def _test_marks(result: TestResult) -> dict[str, tuple[bool, str]]:
    """Each span some spec selected → (every assertion passed there, which specs)."""
    verdicts: dict[str, bool] = {}
    specs: dict[str, list[str]] = {}
    for n, spec_result in enumerate(result.specs, 1):
        for span_id, ok in spec_marks(spec_result).items():
            verdicts[span_id] = verdicts.get(span_id, True) and ok
            specs.setdefault(span_id, []).append(str(n))
    several = len(result.specs) > 1
    return {
        span_id: (ok, f"spec {', '.join(specs[span_id])}" if several else "")
        for span_id, ok in verdicts.items()
    }


def result_text(result: TestResult) -> str:
    """A test run's report: the lines Tracetest prints and, when it failed on a trace, the
    tree of that trace with the selected spans marked (and the specs that selected them)."""
    lines = list(iter_pretty_test(result))
    if result.trace is not None and not result.passed:
        lines.append(("", None))
        lines += tree_lines(result.trace, _test_marks(result))
    return _join(lines)


def suite_text(result: SuiteResult) -> str:
    """A suite run's report: the pretty lines of each step that ran, then the tree of each
    step that failed on a trace."""
    lines = list(iter_pretty_suite(result))
    for n, step in enumerate(result.steps, 1):
        if step.trace is not None and not step.passed:
            lines += [("", None), (f"step {n}, {step.test.name}:", False)]
            lines += tree_lines(step.trace, _test_marks(step))
    return _join(lines)
