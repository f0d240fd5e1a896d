"""The human report: test runs printed the way Tracetest's CLI prints them (docs/cli.md).

A passing test is one line plus one line per spec; a failing one shows, under each spec, the
meta assertions (``#meta``) and then one group per selected span, each assertion with its
observed value.  Where Tracetest appends a link into its web UI to a failed line, tracespec has
no server, so it appends the place in the test file instead (``orders.yaml:21``).  Span groups
come in trace order (Tracetest's are in random map order).  Lines are returned with their
verdict so the caller can colour them; :func:`render` does the ANSI colouring.

Each report is a generator of lines (``iter_pretty_test``, ...) that the list forms are built
on, and :func:`iter_render` turns lines into text in chunks, so a run of a million span results
is printed as it is made, never held whole (see ``_stream``).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator

from ..errors import first_line
from ..results import Outcome, SpanResult, SpecResult
from ..testfiles.model import Place, Spec
from ..testfiles.results import SuiteResult, TestResult
from ._stream import chunked, gc_paused

__all__ = [
    "FAIL",
    "PASS",
    "Line",
    "iter_pretty_spec",
    "iter_pretty_suite",
    "iter_pretty_test",
    "iter_render",
    "pretty_spec",
    "pretty_suite",
    "pretty_test",
    "render",
]

PASS = "✔"
FAIL = "✘"
_GREEN = "\x1b[32m"
_RED = "\x1b[31m"
_RESET = "\x1b[0m"

#: A printed line and its verdict (True: green, False: red).
Line = tuple[str, bool]

_PASSED = Outcome.PASSED  # (module constants read faster than enum class attributes)
_ERROR = Outcome.ERROR
_span_id = operator.attrgetter("span_id")


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


def iter_pretty_spec(
    spec_result: SpecResult, spec: Spec | None = None, *, padding: int = 0
) -> Iterator[Line]:
    """The lines of :func:`pretty_spec`, one at a time."""
    return _spec_lines(spec_result, spec, "\t" * padding, indent="")


def pretty_spec(
    spec_result: SpecResult, spec: Spec | None = None, *, padding: int = 0
) -> list[Line]:
    """A spec in full: its title, then ``#meta`` and one group per span (trace order), each
    assertion with its observed value; ``spec`` (from the test file) gives the places."""
    with gc_paused():
        return list(iter_pretty_spec(spec_result, spec, padding=padding))


def _spec_lines(
    spec_result: SpecResult, spec: Spec | None, pad: str, *, indent: str = "\t"
) -> Iterator[Line]:
    pad = pad + indent
    yield f"{pad}{_icon(spec_result.passed)} {_title(spec_result, spec)}", spec_result.passed
    if spec_result.error is not None:
        where = f" ({spec.selector_place.file_line})" if spec is not None else ""
        yield f"{pad}\t{FAIL} error: {first_line(spec_result.error)}{where}", False
        return
    assertions = spec_result.assertions
    places = [spec.assertion_place(i) if spec is not None else None
              for i in range(len(assertions))]
    ran: list[int] = []
    for i, assertion in enumerate(assertions):
        if not assertion.ran and assertion.error is not None:
            place = places[i]
            where = f" ({place.file_line})" if place is not None else ""
            yield (f"{pad}\t{FAIL} {assertion.text} error: {first_line(assertion.error)}{where}",
                   False)
        else:
            ran.append(i)
    ids = spec_result.span_ids
    if all(_aligned(assertions[i].spans, ids) for i in ran):
        yield from _aligned_groups(spec_result, ran, places, pad)
    else:
        yield from _groups(spec_result, ran, places, pad)


def _aligned(spans: tuple[SpanResult, ...], ids: tuple[str, ...]) -> bool:
    """Whether ``spans`` are one result per selected span, in the order of ``ids``."""
    return len(spans) == len(ids) and all(map(operator.eq, map(_span_id, spans), ids))


def _aligned_groups(
    spec_result: SpecResult, ran: list[int], places: list[Place | None], pad: str
) -> Iterator[Line]:
    """The span groups when every assertion has one result per selected span, in trace order
    (what the engine gives): group ``k`` is result ``k`` of each assertion, nothing to sort.
    The selected spans are distinct, so this is what :func:`_groups` gives, with no dict of
    groups (a hand-made result naming a span twice would print it twice here, once there)."""
    assertions = spec_result.assertions
    columns = [assertions[i].spans for i in ran]
    texts = [(assertions[i].text, places[i]) for i in ran]
    inner = pad + "\t\t"
    for k, span_id in enumerate(spec_result.span_ids):
        spans = [column[k] for column in columns]
        ok = all(span.outcome is _PASSED for span in spans)
        yield f"{pad}\t{PASS if ok else FAIL} #{span_id}", ok
        for (text, place), span in zip(texts, spans, strict=True):
            yield _assertion_line(text, span, place, inner)


def _groups(
    spec_result: SpecResult, ran: list[int], places: list[Place | None], pad: str
) -> Iterator[Line]:
    """The span groups in general: meta (no span) first, then spans in trace order, then any
    span that is not among the selected ones, each with its results in assertion order."""
    assertions = spec_result.assertions
    groups: dict[str | None, list[tuple[int, SpanResult]]] = {}
    for i in ran:
        for span in assertions[i].spans:
            groups.setdefault(span.span_id, []).append((i, span))
    order: list[str | None] = [None] if None in groups else []
    placed: set[str | None] = set(order)
    for span_id in (*spec_result.span_ids, *groups):  # trace order, then any stragglers
        if span_id in groups and span_id not in placed:
            placed.add(span_id)
            order.append(span_id)
    inner = pad + "\t\t"
    for span_id in order:
        items = groups[span_id]
        ok = all(span.outcome is _PASSED for _, span in items)
        label = "meta" if span_id is None else span_id
        yield f"{pad}\t{_icon(ok)} #{label}", ok
        for i, span in items:
            yield _assertion_line(assertions[i].text, span, places[i], inner)


def iter_pretty_test(result: TestResult, *, padding: int = 0) -> Iterator[Line]:
    """The lines of :func:`pretty_test`, one at a time."""
    pad = "\t" * padding
    if result.error is not None:
        yield f"{pad}{FAIL} {result.test.name} ({result.test.path})", False
        yield f"{pad}\tReason: {result.error}", False
        return
    yield _header(result, pad), result.passed
    if result.passed:
        for i, spec_result in enumerate(result.specs):
            yield f"{pad}\t{PASS} {_title(spec_result, _spec_of(result, i))}", True
        return
    for i, spec_result in enumerate(result.specs):
        yield from _spec_lines(spec_result, _spec_of(result, i), pad)
    for output in result.outputs:
        if output.error is not None and not output.resolved:
            yield f"{pad}\t{FAIL} output {output.name}: {first_line(output.error)}", False


def pretty_test(result: TestResult, *, padding: int = 0) -> list[Line]:
    """The lines Tracetest prints for a test run (``padding`` extra tabs, as in a suite)."""
    with gc_paused():
        return list(iter_pretty_test(result, padding=padding))


def iter_pretty_suite(result: SuiteResult) -> Iterator[Line]:
    """The lines of :func:`pretty_suite`, one at a time."""
    yield f"{_icon(result.passed)} {result.suite.name} ({result.suite.path})", result.passed
    for step in result.steps:
        yield from iter_pretty_test(step, padding=1)


def pretty_suite(result: SuiteResult) -> list[Line]:
    """A suite: its own line, then each step that ran, indented one tab."""
    with gc_paused():
        return list(iter_pretty_suite(result))


def iter_render(lines: Iterable[Line], *, color: bool = False) -> Iterator[str]:
    """The text of :func:`render` in chunks of whole lines, each chunk made with the cyclic GC
    paused (``lines`` may be a generator such as :func:`iter_pretty_test`)."""
    if not color:
        return chunked(text + "\n" for text, _ in lines)
    return chunked(f"{_GREEN if ok else _RED}{text}{_RESET}\n" for text, ok in lines)


def render(lines: Iterable[Line], *, color: bool = False) -> str:
    """Join lines into text (each ends with a newline), green/red when ``color``."""
    return "".join(iter_render(lines, color=color))
