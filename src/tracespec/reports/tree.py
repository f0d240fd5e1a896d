"""The trace as a tree of named spans, with the spans a spec selected marked: plain text lines.

A failure message says which spans a spec looked at; this draws where they sit in the trace,
each span named as every report names it (``#97e1c170a9917838 GET /orders (orders-api,
server)``), the selected ones marked ``✘`` (an assertion failed there) or ``✔`` (every assertion
passed there), with the numbers of the specs that selected them when there are several.  The
lines are :class:`~tracespec.reports.pretty.Line` s (text and verdict), so the colouring of
:func:`~tracespec.reports.pretty.render` applies.  A big trace is drawn only around the marked
spans (they and their ancestors), the rest counted on one line: a failure message stays short.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..trace import Trace
from ._trace import label_text

__all__ = ["MAX_TREE_SPANS", "tree_lines"]

#: Traces with more spans than this are drawn only around the marked spans.
MAX_TREE_SPANS = 60

_PASS = "✔"
_FAIL = "✘"


def _shown(trace: Trace, marks: Mapping[str, object]) -> list[int] | None:
    """The positions drawn (every one, ``None``, for a small trace): the marked spans and their
    ancestors, in trace order."""
    if len(trace) <= MAX_TREE_SPANS:
        return None
    keep: set[int] = set()
    for span_id in marks:
        span = trace.get(span_id)
        while span is not None and span.position not in keep:
            keep.add(span.position)
            span = span.parent
    return sorted(keep)


def tree_lines(
    trace: Trace, marks: Mapping[str, tuple[bool, str]], *, padding: int = 0
) -> Iterator[tuple[str, bool | None]]:
    """The lines of ``trace`` as a tree, ``marks`` mapping a span id to (passed, note): the
    span is marked ``✔``/``✘`` and the note (``""`` for none) written after its label."""
    pad = "\t" * padding
    noun = "span" if len(trace) == 1 else "spans"
    yield f"{pad}trace {trace.trace_id} ({len(trace)} {noun}; marked: the selected spans)", None
    positions = _shown(trace, marks)
    spans = trace if positions is None else trace.spans_at(positions)
    top = min((s.depth for s in spans), default=0)
    for span in spans:
        mark = marks.get(span.span_id)
        kind = span.kind.value
        service = span.attributes.get("service.name")
        label = label_text((span.name, None if service is None else str(service), kind))
        indent = "   " * (span.depth - top)
        branch = "└─ " if span.depth > top else ""
        if mark is None:
            yield f"{pad}    {indent}{branch}#{span.span_id}{label}", None
            continue
        passed, note = mark
        tail = f"  ◀ {note}" if note else ""
        icon = _PASS if passed else _FAIL
        yield f"{pad}  {icon} {indent}{branch}#{span.span_id}{label}{tail}", passed
    if positions is not None and len(positions) < len(trace):
        hidden = len(trace) - len(positions)
        yield f"{pad}    … {hidden} more span{'s' if hidden != 1 else ''} not drawn", None
