"""The human report: test runs printed the way Tracetest's CLI prints them (docs/cli.md).

A passing test is one line plus one line per spec; a failing one shows, under each spec, the
meta assertions (``#meta``) and then one group per selected span, each assertion with its
observed value.  Where Tracetest appends a link into its web UI to a failed line, tracespec has
no server, so it appends the place in the test file instead (``orders.yaml:21``).  Span groups
come in trace order (Tracetest's are in random map order), each named by its span's name,
service and kind when the trace is known (``#97e1c170a9917838 GET /api/orders/<int:order_id>
(orders-api, server)``).  What Tracetest has no line for is marked ``!``: the trace's repairs
under the test's line (an orphan adopted, several roots: the usual reason for a surprising
count), and under a spec that selected nothing, the attributes it asks for that no span has
(and their other names in the semantic conventions that some spans have).  Lines are returned
with their verdict so the caller can colour them (``None``: a note, neither passed nor failed);
:func:`render` does the ANSI colouring.

Each report is a generator of lines (``iter_pretty_test``, ...) that the list forms are built
on, and :func:`iter_render` turns lines into text in chunks, so a run of a million span results
is printed as it is made, never held whole (see ``_stream``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..errors import first_line
from ..results import Outcome, SpanResult, SpecResult
from ..testfiles.model import Place, Spec
from ..testfiles.results import SuiteResult, TestResult
from ..trace import Trace
from ._stream import chunked, gc_paused
from ._trace import SpanNames, aligned, label_text, selection_hints
from .escape import printable

__all__ = [
    "FAIL",
    "NOTE",
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
NOTE = "!"
_GREEN = "\x1b[32m"
_RED = "\x1b[31m"
_YELLOW = "\x1b[33m"
_RESET = "\x1b[0m"
_COLOURS = {True: _GREEN, False: _RED, None: _YELLOW}

#: A printed line and its verdict (True: green, False: red, None: a note, yellow).
Line = tuple[str, "bool | None"]

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


def iter_pretty_spec(
    spec_result: SpecResult, spec: Spec | None = None, *, padding: int = 0,
    trace: Trace | None = None,
) -> Iterator[Line]:
    """The lines of :func:`pretty_spec`, one at a time."""
    return _spec_lines(spec_result, spec, "\t" * padding, trace, indent="")


def pretty_spec(
    spec_result: SpecResult, spec: Spec | None = None, *, padding: int = 0,
    trace: Trace | None = None,
) -> list[Line]:
    """A spec in full: its title, then ``#meta`` and one group per span (trace order), each
    assertion with its observed value; ``spec`` (from the test file) gives the places, and
    ``trace`` (the one the spec was checked on) the spans' names, services and kinds."""
    with gc_paused():
        return list(iter_pretty_spec(spec_result, spec, padding=padding, trace=trace))


def iter_repairs(trace: Trace | None, *, padding: int = 0) -> Iterator[Line]:
    """One note per repair made to assemble ``trace`` (``! trace repaired: ...``)."""
    pad = "\t" * padding
    for repair in trace.repairs if trace is not None else ():
        yield f"{pad}{NOTE} trace repaired: {repair}", None


def _spec_lines(
    spec_result: SpecResult, spec: Spec | None, pad: str, trace: Trace | None, *,
    indent: str = "\t",
) -> Iterator[Line]:
    pad = pad + indent
    yield f"{pad}{_icon(spec_result.passed)} {_title(spec_result, spec)}", spec_result.passed
    if spec_result.error is not None:
        where = f" ({spec.selector_place.file_line})" if spec is not None else ""
        yield f"{pad}\t{FAIL} error: {first_line(spec_result.error)}{where}", False
        return
    for hint in selection_hints(spec_result, trace):
        yield f"{pad}\t{NOTE} {hint}", None
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
    names = SpanNames(trace, ids)
    if all(aligned(assertions[i].spans, ids) for i in ran):
        yield from _aligned_groups(spec_result, ran, places, pad, names)
    else:
        yield from _groups(spec_result, ran, places, pad, names)


def _aligned_groups(
    spec_result: SpecResult, ran: list[int], places: list[Place | None], pad: str,
    names: SpanNames,
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
        yield f"{pad}\t{PASS if ok else FAIL} #{span_id}{label_text(names.at(k))}", ok
        for (text, place), span in zip(texts, spans, strict=True):
            yield _assertion_line(text, span, place, inner)


def _groups(
    spec_result: SpecResult, ran: list[int], places: list[Place | None], pad: str,
    names: SpanNames,
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
        label = "meta" if span_id is None else span_id + label_text(names.of(span_id))
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
    if result.incomplete is not None:
        yield f"{pad}\t{FAIL} trace incomplete: {result.incomplete}", False
    yield from iter_repairs(result.trace, padding=padding + 1)
    if result.passed:
        for i, spec_result in enumerate(result.specs):
            yield f"{pad}\t{PASS} {_title(spec_result, _spec_of(result, i))}", True
        return
    for i, spec_result in enumerate(result.specs):
        yield from _spec_lines(spec_result, _spec_of(result, i), pad, result.trace)
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
    if not color:  # (escaped a chunk at a time: one regex pass over many lines)
        return map(printable, chunked(text + "\n" for text, _ in lines))
    colours = _COLOURS
    return chunked(f"{colours[ok]}{printable(text)}{_RESET}\n" for text, ok in lines)


def render(lines: Iterable[Line], *, color: bool = False) -> str:
    """Join lines into text (each ends with a newline), green/red (notes yellow) when
    ``color``."""
    return "".join(iter_render(lines, color=color))
