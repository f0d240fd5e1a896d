"""The public views of a loaded trace: :class:`Trace` (a sequence of spans in trace order) and
:class:`Span` (a read-only view of one span), both thin layers over the trace's
:class:`~tracespec.trace.index.TraceIndex`: a view holds a position, never a copy of the data.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, overload

from .attrvalue import AttrValue
from .index import TraceIndex
from .model import Event, Link, Resource, Scope, SpanKind, StatusCode

__all__ = ["Span", "Trace"]


class _Attributes(Mapping[str, AttrValue]):
    """A span's merged attributes (read-only), materialised on first use."""

    __slots__ = ("_data", "_index", "_pos")

    def __init__(self, index: TraceIndex, pos: int) -> None:
        self._index = index
        self._pos = pos
        self._data: dict[str, AttrValue] | None = None

    def _load(self) -> dict[str, AttrValue]:
        if self._data is None:
            self._data = self._index.merged_attributes(self._pos)
        return self._data

    def __getitem__(self, key: str) -> AttrValue:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __contains__(self, key: object) -> bool:
        return key in self._load()

    def __repr__(self) -> str:
        return f"SpanAttributes({self._load()!r})"


class Span:
    """A read-only view of one span of a :class:`Trace`.

    Two views of the same span of the same trace are equal.  Attribute values keep their OTLP
    types; ``attributes`` also holds the meta attributes (``tracetest.span.type``,
    ``tracetest.span.duration`` in ns, ..., ``span.events`` as JSON text, ``name``, ``kind``).
    """

    __slots__ = ("__weakref__", "_attrs", "_pos", "_trace")

    def __init__(self, trace: Trace, pos: int) -> None:
        self._trace = trace
        self._pos = pos
        self._attrs: _Attributes | None = None

    @property
    def _index(self) -> TraceIndex:
        return self._trace.index

    @property
    def position(self) -> int:
        """The span's index in trace order (pre-order from the root)."""
        return self._pos

    @property
    def trace(self) -> Trace:
        """The trace this span belongs to."""
        return self._trace

    @property
    def span_id(self) -> str:
        """Lower-case hex span id."""
        return self._index.span_ids[self._pos].hex()

    @property
    def trace_id(self) -> str:
        """Lower-case hex trace id (32 characters)."""
        return self._index.trace_id.hex()

    @property
    def parent_id(self) -> str | None:
        """Lower-case hex id of the parent span in the assembled tree; ``None`` for the root."""
        par = self._index.parent[self._pos]
        return self._index.span_ids[par].hex() if par >= 0 else None

    @property
    def name(self) -> str:
        """The span's name."""
        return self._index.name_at(self._pos)

    @property
    def kind(self) -> SpanKind:
        """The span's kind."""
        return self._index.kind_at(self._pos)

    @property
    def status_code(self) -> StatusCode:
        """The span's status code."""
        return self._index.status_at(self._pos)[0]

    @property
    def status_message(self) -> str:
        """The span's status message (``""`` when none)."""
        return self._index.status_at(self._pos)[1]

    @property
    def start_time_ns(self) -> int:
        """Start time, nanoseconds since the Unix epoch."""
        return self._index.start_ns[self._pos]

    @property
    def end_time_ns(self) -> int:
        """End time, nanoseconds since the Unix epoch."""
        return self._index.end_ns[self._pos]

    @property
    def duration_ns(self) -> int:
        """End minus start in nanoseconds (0 when the end precedes the start)."""
        return self._index.duration_at(self._pos)

    @property
    def depth(self) -> int:
        """Depth in the assembled tree (the root is 0)."""
        return self._index.depth[self._pos]

    @property
    def attributes(self) -> Mapping[str, AttrValue]:
        """Every attribute, merged in Tracetest's order, with the meta attributes."""
        if self._attrs is None:
            self._attrs = _Attributes(self._index, self._pos)
        return self._attrs

    @property
    def resource(self) -> Resource:
        """The resource the span belongs to."""
        return self._index.groups[self._index.group_of[self._pos]].resource

    @property
    def scope(self) -> Scope:
        """The instrumentation scope that produced the span."""
        return self._index.groups[self._index.group_of[self._pos]].scope

    @property
    def events(self) -> tuple[Event, ...]:
        """The span's events."""
        return self._index.events_at(self._pos)

    @property
    def links(self) -> tuple[Link, ...]:
        """The span's links."""
        adapter, raw = self._index.adapter_at(self._pos)
        return adapter.links(raw)

    @property
    def trace_state(self) -> str:
        """The W3C trace state (``""`` when none)."""
        adapter, raw = self._index.adapter_at(self._pos)
        return adapter.trace_state(raw)

    @property
    def flags(self) -> int:
        """The W3C trace flags (bit 0: sampled; 0 when the source has none)."""
        adapter, raw = self._index.adapter_at(self._pos)
        return adapter.flags(raw)

    @property
    def is_synthetic(self) -> bool:
        """True for a span tracespec made up (the temporary root adopting several roots)."""
        return self._pos in self._index.synthetic

    @property
    def parent(self) -> Span | None:
        """The parent span in the assembled tree (``None`` for the root)."""
        par = self._index.parent[self._pos]
        return self._trace[par] if par >= 0 else None

    @property
    def children(self) -> tuple[Span, ...]:
        """Direct children, in trace order (start time, then span id)."""
        idx = self._index
        out = []
        p = self._pos + 1
        end = idx.end[self._pos]
        while p < end:
            out.append(self._trace[p])
            p = idx.end[p]
        return tuple(out)

    def descendants(self) -> Iterator[Span]:
        """Every span strictly below this one, in trace order."""
        for p in range(self._pos + 1, self._index.end[self._pos]):
            yield self._trace[p]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Span) and other._trace is self._trace and other._pos == self._pos

    def __hash__(self) -> int:
        return hash((id(self._trace), self._pos))

    def __repr__(self) -> str:
        return f"<Span {self.span_id} {self.name!r}>"


class Trace(Sequence[Span]):
    """One assembled, indexed trace.  A sequence of its spans in trace order.

    Build one with :func:`tracespec.load_trace` or :func:`tracespec.load_otel_spans`.
    ``repairs`` lists what had to be repaired to assemble it (orphans, cycles, duplicates).
    """

    # ``trace.index`` is the trace's :class:`TraceIndex` (it shadows ``Sequence.index``, which
    # would search for a span; use ``span.position`` for that).
    index: TraceIndex  # type: ignore[assignment]

    def __init__(
        self,
        index: TraceIndex,
        *,
        source: str | None = None,
        format: str | None = None,
        repairs: Sequence[str] = (),
    ) -> None:
        self.index = index
        self.source = source
        self.format = format
        self.repairs: tuple[str, ...] = tuple(repairs)
        # a span's view, while someone holds it: each view holds its trace, so held strongly
        # here they would make every trace a cycle, freed only by a full collection (which
        # loaders and long runs pause), never by reference counting
        self._views: list[weakref.ref[Span] | None] = [None] * index.n

    #: The loader behind :meth:`from_otel_spans`, set by ``tracespec.formats.otel_sdk`` (the
    #: model imports no loader).
    otel_loader: ClassVar[Callable[..., Trace] | None] = None

    @classmethod
    def from_otel_spans(cls, spans: Iterable[Any], *, trace_id: str | None = None) -> Trace:
        """Alias of :func:`tracespec.load_otel_spans`: a trace from OpenTelemetry SDK
        ``ReadableSpan`` objects (e.g. from an in-memory exporter)."""
        if cls.otel_loader is None:  # pragma: no cover - importing tracespec sets it
            raise RuntimeError("import tracespec first")
        return cls.otel_loader(spans, trace_id=trace_id)

    @property
    def trace_id(self) -> str:
        """Lower-case hex trace id (32 characters)."""
        return self.index.trace_id.hex()

    @property
    def root(self) -> Span:
        """The root span (position 0)."""
        return self[0]

    def __len__(self) -> int:
        return self.index.n

    @overload
    def __getitem__(self, pos: int) -> Span: ...

    @overload
    def __getitem__(self, pos: slice) -> Sequence[Span]: ...

    def __getitem__(self, pos: int | slice) -> Span | Sequence[Span]:
        if isinstance(pos, slice):
            return tuple(self[i] for i in range(*pos.indices(self.index.n)))
        if pos < 0:
            pos += self.index.n
        if not 0 <= pos < self.index.n:
            raise IndexError("span position out of range")
        return self._view(pos)

    def _view(self, pos: int) -> Span:
        ref = self._views[pos]
        view = ref() if ref is not None else None
        if view is None:
            view = Span(self, pos)
            self._views[pos] = weakref.ref(view)
        return view

    def __iter__(self) -> Iterator[Span]:
        for p in range(self.index.n):
            yield self[p]

    def spans_at(self, positions: Iterable[int]) -> tuple[Span, ...]:
        """The spans at these positions (valid, non-negative), in the order given."""
        return tuple(map(self._view, positions))

    def span(self, span_id: str) -> Span:
        """The span with this hex id (case-insensitive); ``KeyError`` when there is none."""
        try:
            key = bytes.fromhex(span_id)
        except (ValueError, TypeError):
            raise KeyError(f"not a hex span id: {span_id!r}") from None
        pos = self.index.pos_of.get(key)
        if pos is None:
            raise KeyError(f"no span with id {span_id!r} in trace {self.trace_id}")
        return self[pos]

    def get(self, span_id: str) -> Span | None:
        """The span with this hex id, or ``None``."""
        try:
            return self.span(span_id)
        except KeyError:
            return None

    def __contains__(self, item: object) -> bool:
        return isinstance(item, Span) and item.trace is self

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        root = self.index.name_at(0) if self.index.n else ""
        return f"<Trace {self.trace_id} spans={self.index.n} root={root!r}>"
