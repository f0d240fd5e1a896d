"""The human report: test runs printed the way Tracetest's CLI prints them (docs/cli.md).

A passing test is one line plus one line per spec; a failing one shows, under each spec, the
meta assertions (``#meta``) and then one group per selected span, each assertion with its
observed value.  Where Tracetest appends a link into its web UI to a failed line, tracespec has
no server, so it appends the place in the test file instead (``orders.yaml:21``).  Span groups
come in trace order (Tracetest's are in random map order).  Lines are returned with their
verdict so the caller can colour them; :func:`render` does the ANSI colouring.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import first_line
from ..results import Outcome, SpanResult, SpecResult
from ..testfiles.model import Place, Spec
from ..testfiles.results import SuiteResult, TestResult

__all__ = ["FAIL", "PASS", "Line", "pretty_spec", "pretty_suite", "pretty_test", "render"]

PASS = "✔"
FAIL = "✘"
_GREEN = "\x1b[32m"
_RED = "\x1b[31m"
_RESET = "\x1b[0m"

#: A printed line and its verdict (True: green, False: red).
Line = tuple[str, bool]

_PASSED = Outcome.PASSED  # (module constants read faster than enum class attributes)
_ERROR = Outcome.ERROR


def _icon(ok: bool) -> str:
    return PASS if ok else FAIL


def _header(result: TestResult, pad: str) -> str:
    where = result.test.path
    text = f"{pad}{_icon(result.passed)} {result.test.name} ({where})"
    if result.trace_id:
        text += f" - trace id: {result.trace_id}"
    return text


def _spec_of(result: TestResult, index: int) -> Spec | None:
    specs = result.test.specs
    return specs[index] if index < len(specs) else None


def _title(spec_result: SpecResult, spec: Spec | None) -> str:
    if spec is not None and not spec_result.name:
        return spec.title
    return spec_result.title


def _assertion_line(
    text: str, span: SpanResult, place: Place | None, pad: str
) -> Line:
    passed = span.outcome is _PASSED
    line = f"{pad}{PASS if passed else FAIL} {text}"
    problem = span.error if span.outcome is _ERROR else None
    if span.observed or problem is None:
        line += f" ({span.observed})"
    if problem is not None:
        line += f" error: {first_line(problem)}"
    if not passed and place is not None:
        line += f" ({place.file_line})"
    return line, passed


def pretty_spec(
    spec_result: SpecResult, spec: Spec | None = None, *, padding: int = 0
) -> list[Line]:
    """A spec in full: its title, then ``#meta`` and one group per span (trace order), each
    assertion with its observed value; ``spec`` (from the test file) gives the places."""
    return _spec_lines(spec_result, spec, "\t" * padding, indent="")


def _spec_lines(
    spec_result: SpecResult, spec: Spec | None, pad: str, *, indent: str = "\t"
) -> list[Line]:
    pad = pad + indent
    lines: list[Line] = [(f"{pad}{_icon(spec_result.passed)} {_title(spec_result, spec)}",
                          spec_result.passed)]
    if spec_result.error is not None:
        where = f" ({spec.selector_place.file_line})" if spec is not None else ""
        lines.append((f"{pad}\t{FAIL} error: {first_line(spec_result.error)}{where}", False))
        return lines
    # groups: meta (no span) first, then spans in trace order
    groups: dict[str | None, list[tuple[int, SpanResult]]] = {}
    for i, assertion in enumerate(spec_result.assertions):
        if not assertion.ran and assertion.error is not None:
            place = spec.assertion_place(i) if spec is not None else None
            where = f" ({place.file_line})" if place is not None else ""
            lines.append((
                f"{pad}\t{FAIL} {assertion.text} error: {first_line(assertion.error)}{where}",
                False,
            ))
            continue
        for span in assertion.spans:
            groups.setdefault(span.span_id, []).append((i, span))
    order: list[str | None] = [None] if None in groups else []
    placed: set[str | None] = set(order)
    for span_id in (*spec_result.span_ids, *groups):  # trace order, then any stragglers
        if span_id in groups and span_id not in placed:
            placed.add(span_id)
            order.append(span_id)
    for span_id in order:
        items = groups[span_id]
        ok = all(span.outcome is _PASSED for _, span in items)
        label = "meta" if span_id is None else span_id
        lines.append((f"{pad}\t{_icon(ok)} #{label}", ok))
        for i, span in items:
            place = spec.assertion_place(i) if spec is not None else None
            lines.append(
                _assertion_line(spec_result.assertions[i].text, span, place, pad + "\t\t")
            )
    return lines


def pretty_test(result: TestResult, *, padding: int = 0) -> list[Line]:
    """The lines Tracetest prints for a test run (``padding`` extra tabs, as in a suite)."""
    pad = "\t" * padding
    if result.error is not None:
        return [
            (f"{pad}{FAIL} {result.test.name} ({result.test.path})", False),
            (f"{pad}\tReason: {result.error}", False),
        ]
    lines: list[Line] = [(_header(result, pad), result.passed)]
    if result.passed:
        for i, spec_result in enumerate(result.specs):
            lines.append((f"{pad}\t{PASS} {_title(spec_result, _spec_of(result, i))}", True))
        return lines
    for i, spec_result in enumerate(result.specs):
        lines.extend(_spec_lines(spec_result, _spec_of(result, i), pad))
    for output in result.outputs:
        if output.error is not None and not output.resolved:
            lines.append((f"{pad}\t{FAIL} output {output.name}: {first_line(output.error)}",
                          False))
    return lines


def pretty_suite(result: SuiteResult) -> list[Line]:
    """A suite: its own line, then each step that ran, indented one tab."""
    lines: list[Line] = [
        (f"{_icon(result.passed)} {result.suite.name} ({result.suite.path})", result.passed)
    ]
    for step in result.steps:
        lines.extend(pretty_test(step, padding=1))
    return lines


def render(lines: Sequence[Line], *, color: bool = False) -> str:
    """Join lines into text (each ends with a newline), green/red when ``color``."""
    if not color:
        return "".join(text + "\n" for text, _ in lines)
    return "".join(f"{_GREEN if ok else _RED}{text}{_RESET}\n" for text, ok in lines)
