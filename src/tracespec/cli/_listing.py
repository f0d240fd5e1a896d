"""The streamed output of ``select`` and ``show``: a table of spans and a span tree, line by
line, for any number of spans.

Rows are written as they are made (the table's column widths take one cheap pass first), so a
hundred thousand rows start at once and stop as soon as the reader goes away (``| head``).
The tree prints every span on its own line: its guides (``├──``, ``│``) come from the trace
order's intervals, without building a tree of objects, and past :data:`MAX_GUIDES` levels the
indentation is cut to the deepest levels behind a ``[depth N]`` mark, so a span thousands of
levels deep is still one readable line.  Everything taken from the trace is passed through
:func:`~tracespec.reports.escape.printable`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import click

from ..reports.escape import printable
from ..trace import Span, StatusCode, Trace
from ._common import format_duration
from ._span import attribute_lines

__all__ = ["MAX_GUIDES", "table_lines", "tree_lines"]

#: Tree guides drawn in full up to this depth; deeper spans show the deepest ones only.
MAX_GUIDES = 32
_KEPT_GUIDES = 16

_Style = Callable[..., str]


def _plain(text: str, **_: object) -> str:
    return text


def table_lines(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool], color: bool
) -> Iterator[str]:
    """A table's lines (header first), columns two spaces apart, the last column's text not
    followed by spaces; ``right`` tells which columns are right-aligned."""
    widths = [len(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                widths[i] = len(cell)
    last = len(header) - 1

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            if right[i]:
                parts.append(cell.rjust(widths[i]))
            elif i < last:
                parts.append(cell.ljust(widths[i]))
            else:
                parts.append(cell)
        return "  ".join(parts).rstrip()

    head = line(header)
    yield (click.style(head, bold=True) if color else head) + "\n"
    for row in rows:
        yield line(row) + "\n"


def _service(span: Span) -> str:
    value = span.attributes.get("service.name")
    return "" if value is None else printable(str(value))


def span_label(span: Span, style: _Style) -> str:
    """A span as ``show`` prints it: name, service, kind, duration, id, and its error."""
    failed = span.status_code == StatusCode.ERROR
    parts = [style(printable(span.name) or "<no name>", bold=True, fg="red" if failed else None)]
    service = _service(span)
    if service:
        parts.append(style(service, fg="cyan"))
    parts.append(style(span.kind.value, dim=True))
    parts.append(style(format_duration(span.duration_ns), fg="yellow"))
    parts.append(style(f"#{span.span_id}", dim=True))
    if failed:
        message = f": {printable(span.status_message)}" if span.status_message else ""
        parts.append(style(f"✘ error{message}", fg="red"))
    return "  ".join(parts)


def _prefix(guides: list[str], connector: str) -> str:
    """The guides of a line's levels (``guides[0]`` is the root's, never drawn), cut to the
    deepest ones past :data:`MAX_GUIDES`."""
    if len(guides) - 1 <= MAX_GUIDES:
        return "".join(guides[1:]) + connector
    return f"[depth {len(guides)}] " + "".join(guides[-_KEPT_GUIDES:]) + connector


def tree_lines(trace: Trace, shown: int, attrs: bool, color: bool) -> Iterator[str]:
    """The first ``shown`` spans of ``trace`` (in trace order) as tree lines, each span's
    attribute lines under it when ``attrs``."""
    style: _Style = click.style if color else _plain
    index = trace.index
    end = index.end
    parent = index.parent
    stack: list[int] = []  # the path from the root to the last span written
    guides: list[str] = []  # what each of them draws on the lines below it
    for pos in range(shown):
        span = trace[pos]
        p = parent[pos]
        while stack and stack[-1] != p:
            stack.pop()
            guides.pop()
        if not stack:  # the root
            yield span_label(span, style) + "\n"
            guide = ""
        else:
            last = end[pos] >= min(end[p], shown)
            yield _prefix(guides, "└── " if last else "├── ") + span_label(span, style) + "\n"
            guide = "    " if last else "│   "
        stack.append(pos)
        guides.append(guide)
        if attrs:
            yield from _attr_lines(span, guides, pos + 1 < min(end[pos], shown), style)


def _attr_lines(span: Span, guides: list[str], has_children: bool,
                style: _Style) -> Iterable[str]:
    lines = [printable(line) for line in attribute_lines(span)]
    for i, text in enumerate(lines):
        last = i == len(lines) - 1 and not has_children
        yield _prefix(guides, "└── " if last else "├── ") + style(text, dim=True) + "\n"
