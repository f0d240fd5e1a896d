"""What the reports read from the trace a test ran on: each span's name, service and kind, and
why a selector selected nothing.

A span result holds only its span's id: a run over a million spans makes close to a million of
them, so they stay small.  A report names a span when it writes it
(``#97e1c170a9917838 GET /api/orders/<int:order_id> (orders-api, server)``), reading the trace
the test ran on (``TestResult.trace``, or the ``trace`` a caller passes with a spec result).
The selected spans' positions are found once per spec, walking the trace's span ids in trace
order (the order a spec result lists them in), so no id → position table is built for a big
trace; names and kinds are read span by span (a column of a million kinds costs more than the
spans a report names), services from the spans' resources.  Without a trace, spans go unnamed.
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Sequence

from ..errors import TracespecError
from ..query import hints
from ..results import SpanResult, SpecResult
from ..selectors import compile_selector
from ..trace import AttrValue, SpanKind, Trace, TraceIndex
from ..trace.attrvalue import text_form

__all__ = ["SpanLabel", "SpanNames", "aligned", "label_text", "selection_hints"]

#: A span's name, service (``None`` without ``service.name``) and kind.
SpanLabel = tuple[str, "str | None", str]

_span_id = operator.attrgetter("span_id")
#: The text of each OTLP span kind number (``SpanKind`` lists them in OTLP's order).
_KINDS = tuple(kind.value for kind in SpanKind)
_UNSPECIFIED = SpanKind.UNSPECIFIED.value


def aligned(spans: Sequence[SpanResult], ids: Sequence[str]) -> bool:
    """Whether ``spans`` are one result per selected span, in the order of ``ids`` (what the
    engine gives: result ``k`` is about span ``k``)."""
    return len(spans) == len(ids) and all(map(operator.eq, map(_span_id, spans), ids))


def label_text(label: SpanLabel | None) -> str:
    """`` NAME (SERVICE, KIND)`` after a span id (``""`` for no label)."""
    if label is None:
        return ""
    name, service, kind = label
    where = f"{service}, {kind}" if service else kind
    return f" {name} ({where})" if name else f" ({where})"


class SpanNames:
    """The labels of one spec's selected spans (``span_ids``, trace order) in ``trace``."""

    __slots__ = ("_adapters", "_by_id", "_ids", "_index", "_positions", "_raws", "_service",
                 "_services")

    def __init__(self, trace: Trace | None, span_ids: Sequence[str]) -> None:
        self._ids = span_ids
        self._index: TraceIndex | None = trace.index if trace is not None else None
        self._positions: array[int] | None = None
        self._by_id: dict[str, int] | None = None

    def _setup(self, index: TraceIndex) -> array[int]:
        """Positions, and what labels read per group (adapter, service) and per span."""
        positions = self._positions = _positions(index, self._ids)
        self._raws = index.raws
        self._adapters = [group.adapter for group in index.groups]
        contexts = index.contexts()
        self._services = [_text(c.get("service.name")) for c in contexts]
        self._service: Sequence[AttrValue | None] | None = None
        if any("service.name" not in c for c in contexts):  # else each span's group tells
            self._service = index.column("service.name")
        return positions

    def at(self, k: int) -> SpanLabel | None:
        """The label of the ``k``-th selected span."""
        index = self._index
        if index is None:
            return None
        positions = self._positions
        if positions is None:
            positions = self._setup(index)
        return self._label(index, positions[k])

    def of(self, span_id: str | None) -> SpanLabel | None:
        """The label of the span with this id (``None`` for none, or a span not in the trace)."""
        index = self._index
        if index is None or span_id is None:
            return None
        positions = self._positions
        if positions is None:
            positions = self._setup(index)
        if self._by_id is None:
            self._by_id = dict(zip(self._ids, positions, strict=True))
        pos = self._by_id.get(span_id)
        if pos is None:
            pos = _position(index, span_id)
        return self._label(index, pos)

    def _label(self, index: TraceIndex, pos: int) -> SpanLabel | None:
        """Read span by span (a column of kinds costs more than the spans a report names)."""
        if pos < 0:
            return None
        group = index.group_of[pos]
        kind = self._adapters[group].kind(self._raws[pos])
        service = (self._services[group] if self._service is None
                   else _text(self._service[pos]))
        return (index.name_at(pos), service,
                _KINDS[kind] if 0 <= kind < len(_KINDS) else _UNSPECIFIED)


def _text(value: AttrValue | None) -> str | None:
    return None if value is None else text_form(value)


def _position(index: TraceIndex, span_id: str) -> int:
    """The position of a span id (-1 when it is not in the trace)."""
    try:
        key = bytes.fromhex(span_id)
    except ValueError:
        return -1
    return index.pos_of.get(key, -1)


def _positions(index: TraceIndex, span_ids: Sequence[str]) -> array[int]:
    """The positions of ``span_ids`` (-1 for one not in the trace), as 64-bit integers (no
    Python int kept per span).  Ids in trace order, as a spec result lists them, are found by
    one walk over the trace's ids; any other id through the trace's id table."""
    ids = index.span_ids
    out = array("q")
    start = 0
    find = ids.index
    for span_id in span_ids:
        try:
            key = bytes.fromhex(span_id)
            pos = find(key, start)
        except ValueError:
            out.append(_position(index, span_id))
            continue
        out.append(pos)
        start = pos + 1
    return out


def selection_hints(spec: SpecResult, trace: Trace | None) -> list[str]:
    """Why a spec's selector selected nothing, when the trace tells (``no span has "X"; 3 spans
    have "Y" (its name since semconv v1.21.0)``); nothing for a spec that selected spans."""
    if trace is None or spec.span_ids or spec.error is not None or not spec.selector:
        return []
    try:
        query = compile_selector(spec.selector)
    except TracespecError:  # (a spec result made by hand)
        return []
    return hints(query.plan, trace.index)
