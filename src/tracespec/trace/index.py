""":class:`TraceIndex`: the columns of one assembled trace and the indexes derived from them.

A loaded trace is a set of compact columns in *trace order* (pre-order from the single root,
children by start time then span id): span ids, parent positions, subtree ends, start and end
times, each span's raw object and group.  A span's *position* is its index in that order, so
"B is below A" is ``A < B < end[A]``.  Everything else stays in the raw objects and is read
through the group's :class:`~tracespec.trace.raw.Adapter` only when asked: per attribute key,
a value column and a text → positions index are built the first time a query needs that key,
then kept.  Both the per-span reading (:meth:`TraceIndex.merged_attributes`) and the per-key
columns follow the merge order and meta attributes of :mod:`tracespec.trace.tracetest`.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from .attrvalue import AttrValue, text_form
from .model import Event, SpanKind, StatusCode
from .raw import Adapter, Group
from .tracetest import (
    META_KEYS,
    NO_FAMILY,
    context_attributes,
    context_rank,
    duration_ns,
    events_json,
    merge,
    parent_id_text,
    span_types,
    status_code_text,
)

__all__ = ["TraceIndex"]

_T = TypeVar("_T")


class TraceIndex:
    """Columns and lazily built per-key indexes of one trace, all by position (trace order).

    Public to the query engines of tracespec (selectors, assertions), not to users.
    ``parent[p]`` is the parent position or -1; the descendants of ``p`` are the positions
    ``p+1 .. end[p]-1``; ``depth[p]`` is 0 for the root.
    """

    __slots__ = (
        "_columns",
        "_contexts",
        "_depth",
        "_kinds",
        "_lock",
        "_memo",
        "_names",
        "_pos_of",
        "_text_indexes",
        "_types",
        "end",
        "end_ns",
        "group_of",
        "groups",
        "n",
        "parent",
        "raws",
        "span_ids",
        "start_ns",
        "synthetic",
        "trace_id",
    )

    def __init__(
        self,
        *,
        trace_id: bytes,
        span_ids: list[bytes],
        parent: array[int],
        end: array[int],
        start_ns: array[int],
        end_ns: array[int],
        raws: list[Any],
        group_of: array[int],
        groups: list[Group],
        synthetic: frozenset[int] = frozenset(),
        depth: array[int] | None = None,
    ) -> None:
        self.trace_id = trace_id
        self.n = len(span_ids)
        self.span_ids = span_ids
        self.parent = parent
        self.end = end
        self._depth = depth
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.raws = raws
        self.group_of = group_of
        self.groups = groups
        self.synthetic = synthetic
        self._pos_of: dict[bytes, int] | None = None
        self._contexts: list[dict[str, AttrValue]] | None = None
        self._columns: dict[str, Sequence[AttrValue | None]] = {}
        self._text_indexes: dict[str, dict[str, list[int]]] = {}
        self._names: list[str] | None = None
        self._kinds: list[str] | None = None
        self._types: list[str] | None = None
        self._memo: dict[tuple[str, object], Any] = {}
        self._lock = threading.RLock()  # column() of a meta key reads other columns

    @property
    def pos_of(self) -> dict[bytes, int]:
        """Span id (bytes) → position, built on first use."""
        if self._pos_of is None:
            self._pos_of = dict(zip(self.span_ids, range(self.n), strict=True))
        return self._pos_of

    @property
    def depth(self) -> array[int]:
        """Depth of every position (the root is 0), built on first use."""
        if self._depth is None:
            depth = array("i", [0]) * self.n
            par = self.parent
            for k in range(1, self.n):
                depth[k] = depth[par[k]] + 1
            self._depth = depth
        return self._depth

    def contexts(self) -> list[dict[str, AttrValue]]:
        """Per group: what its resource and scope add to a span's attributes (merge order)."""
        if self._contexts is None:
            self._contexts = [context_attributes(g.resource, g.scope) for g in self.groups]
        return self._contexts

    # -- per-span reads -------------------------------------------------------------------
    def adapter_at(self, pos: int) -> tuple[Adapter, Any]:
        """The adapter and the raw object of the span at ``pos``."""
        return self.groups[self.group_of[pos]].adapter, self.raws[pos]

    def name_at(self, pos: int) -> str:
        """The name of the span at ``pos``."""
        if self._names is not None:
            return self._names[pos]
        adapter, raw = self.adapter_at(pos)
        return adapter.name(raw)

    def kind_at(self, pos: int) -> SpanKind:
        """The kind of the span at ``pos``."""
        adapter, raw = self.adapter_at(pos)
        return SpanKind.from_otlp(adapter.kind(raw))

    def status_at(self, pos: int) -> tuple[StatusCode, str]:
        """The status code and message of the span at ``pos``."""
        adapter, raw = self.adapter_at(pos)
        code, message = adapter.status(raw)
        return StatusCode.from_otlp(code), message

    def duration_at(self, pos: int) -> int:
        """``tracetest.span.duration`` of the span at ``pos`` (ns)."""
        return duration_ns(self.start_ns[pos], self.end_ns[pos])

    def parent_id_at(self, pos: int) -> bytes | None:
        """The span id of the parent of the span at ``pos`` (``None`` for the root)."""
        par = self.parent[pos]
        return self.span_ids[par] if par >= 0 else None

    def events_at(self, pos: int) -> tuple[Event, ...]:
        """The events of the span at ``pos``."""
        adapter, raw = self.adapter_at(pos)
        return adapter.events(raw)

    def merged_attributes(self, pos: int) -> dict[str, AttrValue]:
        """Every attribute of the span at ``pos``, merged and with the meta attributes."""
        adapter, raw = self.adapter_at(pos)
        own = adapter.attributes(raw)
        context = self.contexts()[self.group_of[pos]]
        name = adapter.name(raw)
        event_type = context.get("event_type", own.get("event_type"))
        kind = SpanKind.from_otlp(adapter.kind(raw))
        return merge(own, context, name, kind, self._meta_for(pos, name, event_type))

    def _meta_for(self, pos: int, name: str, event_type: AttrValue | None) -> dict[str, AttrValue]:
        adapter, raw = self.adapter_at(pos)
        code, message = adapter.status(raw)
        meta: dict[str, AttrValue] = {
            "tracetest.span.name": name,
            "tracetest.span.type": self._type_at(pos, name, event_type),
            "tracetest.span.duration": self.duration_at(pos),
            "tracetest.span.start_time": self.start_ns[pos],
            "tracetest.span.end_time": self.end_ns[pos],
            "tracetest.span.parent_id": parent_id_text(self.parent_id_at(pos)),
            "tracetest.span.status_code": status_code_text(code),
            "span.events": events_json(adapter.events(raw)),
        }
        if message:
            meta["tracetest.span.status_description"] = message
        return meta

    def _type_at(self, pos: int, name: str, event_type: AttrValue | None) -> str:
        """``tracetest.span.type`` of one span (the column's value when it is built)."""
        if self._types is not None:
            return self._types[pos]
        g = self.group_of[pos]
        group = self.groups[g]
        rank = min(group.adapter.family_rank_of(self.raws[pos]),
                   context_rank(group.resource, group.scope))
        return span_types([rank], [name], [event_type])[0]

    # -- columns --------------------------------------------------------------------------
    def names(self) -> list[str]:
        """The span name of every position (the selector's ``name``)."""
        if self._names is None:
            out: list[str] = [""] * self.n
            for adapter, positions in self._by_adapter():
                adapter.names(self.raws, positions, out)
            self._names = out
        return self._names

    def kinds(self) -> list[str]:
        """The kind of every position as text (``server``; the selector's ``kind``)."""
        if self._kinds is None:
            from_otlp = SpanKind.from_otlp
            self._kinds = [
                from_otlp(adapter.kind(raw)).value
                for adapter, raw in map(self.adapter_at, range(self.n))
            ]
        return self._kinds

    def types(self) -> list[str]:
        """``tracetest.span.type`` of every position."""
        if self._types is None:
            self.prefetch(("tracetest.span.type",))
            assert self._types is not None
        return self._types

    def _by_adapter(self) -> list[tuple[Adapter, Sequence[int]]]:
        """Every position, bucketed by the adapter that reads it."""
        if len({id(g.adapter) for g in self.groups}) == 1:
            return [(self.groups[0].adapter, range(self.n))]
        buckets: dict[int, list[int]] = {}
        groups = self.groups
        for p, g in enumerate(self.group_of):
            buckets.setdefault(id(groups[g].adapter), []).append(p)
        adapters = {id(g.adapter): g.adapter for g in groups}
        return [(adapters[a], ps) for a, ps in buckets.items()]

    def column(self, key: str) -> Sequence[AttrValue | None]:
        """The value of attribute ``key`` at every position (``None`` where missing).

        Same merge order as :meth:`merged_attributes`; built once per key, then cached (a
        list, or for the meta times an array of integers).
        """
        col = self._columns.get(key)
        if col is None:
            self.prefetch((key,))
            col = self._columns[key]
        return col

    def prefetch(self, keys: Iterable[str]) -> None:
        """Build the columns of ``keys`` (attribute and meta keys) not built yet, reading each
        span at most once for all of them: a query engine that knows every key a run reads
        asks for them together, so no span is decoded twice."""
        columns = self._columns
        wanted = [k for k in dict.fromkeys(keys) if k not in columns]
        if not wanted:
            return
        with self._lock:
            wanted = [k for k in wanted if k not in columns]
            types = "tracetest.span.type" in wanted and self._types is None
            scan = [k for k in wanted if k not in META_KEYS]
            if types and "event_type" not in self._columns and "event_type" not in scan:
                scan.append("event_type")  # a browser span is of type general
            if scan or types:
                self._scan(scan, types)
            for key in wanted:
                if key in META_KEYS and key not in self._columns:
                    self._columns[key] = _META_COLUMNS[key](self)

    def _scan(self, keys: list[str], types: bool) -> None:
        """The columns of attribute ``keys``, and the span types when ``types``: one pass of
        each adapter over its spans.  Context values win, as in the merge order: a key every
        group's context defines needs no pass at all."""
        n, gof = self.n, self.group_of
        contexts = self.contexts()
        columns: list[tuple[str, list[AttrValue | None], list[AttrValue | None]]] = []
        read_keys: list[str] = []
        read_outs: list[list[AttrValue | None]] = []
        for key in keys:
            out: list[AttrValue | None] = [None] * n
            by_group = [context.get(key) for context in contexts]
            if any(v is None for v in by_group):
                read_keys.append(key)
                read_outs.append(out)
            columns.append((key, out, by_group))
        ranks = [NO_FAMILY] * n if types else None
        if read_keys or ranks is not None:
            for adapter, positions in self._by_adapter():
                adapter.fill(self.raws, positions, read_keys, read_outs, ranks)
        for key, out, by_group in columns:
            if any(v is not None for v in by_group):
                for p, g in enumerate(gof):
                    v = by_group[g]
                    if v is not None:
                        out[p] = v
            if key in ("name", "kind"):  # the span's own name and kind, unless an attribute says
                own = self.names() if key == "name" else self.kinds()
                for p, v in enumerate(out):
                    if v is None:
                        out[p] = own[p]
            self._columns[key] = out
        if ranks is not None:
            group_rank = [context_rank(g.resource, g.scope) for g in self.groups]
            if any(r < NO_FAMILY for r in group_rank):
                ranks = [min(r, group_rank[gof[p]]) for p, r in enumerate(ranks)]
            self._types = span_types(ranks, self.names(), self._columns["event_type"])

    def _statuses(self) -> list[tuple[int, str]]:
        return [adapter.status(raw) for adapter, raw in map(self.adapter_at, range(self.n))]

    def text_index(self, key: str) -> dict[str, list[int]]:
        """Text form of attribute ``key`` → positions holding it, ascending (built lazily)."""
        idx = self._text_indexes.get(key)
        if idx is None:
            col = self.column(key)
            built: dict[str, list[int]] = {}
            for p, v in enumerate(col):
                if v is not None:
                    t = v if type(v) is str else text_form(v)
                    lst = built.get(t)
                    if lst is None:
                        built[t] = [p]
                    else:
                        lst.append(p)
            with self._lock:
                idx = self._text_indexes.setdefault(key, built)
        return idx

    def name_index(self) -> dict[str, list[int]]:
        """Span name → positions (the selector's ``name``), built lazily."""
        return self._field_index("\0name", self.names())

    def kind_index(self) -> dict[str, list[int]]:
        """Span kind text → positions (the selector's ``kind``), built lazily."""
        return self._field_index("\0kind", self.kinds())

    def _field_index(self, cache_key: str, values: list[str]) -> dict[str, list[int]]:
        idx = self._text_indexes.get(cache_key)
        if idx is None:
            built: dict[str, list[int]] = {}
            for p, v in enumerate(values):
                lst = built.get(v)
                if lst is None:
                    built[v] = [p]
                else:
                    lst.append(p)
            with self._lock:
                idx = self._text_indexes.setdefault(cache_key, built)
        return idx

    def memo(self, tag: str, key: object, build: Callable[[], _T]) -> _T:
        """A structure a query engine derives from this trace, built once and then cached.

        ``(tag, key)`` names it (e.g. ``("selector.numbers", "http.status_code")``); ``build``
        makes it on first use.  Engines keep their derived indexes here instead of rebuilding
        them per query; they live as long as the trace.
        """
        try:
            return self._memo[(tag, key)]  # type: ignore[no-any-return]
        except KeyError:
            pass
        value = build()
        with self._lock:
            return self._memo.setdefault((tag, key), value)  # type: ignore[no-any-return]


def _parent_ids(ix: TraceIndex) -> list[AttrValue | None]:
    ids = ix.span_ids
    return [parent_id_text(ids[q] if q >= 0 else None) for q in ix.parent]


def _events(ix: TraceIndex) -> list[AttrValue | None]:
    return [events_json(adapter.events(raw)) for adapter, raw in map(ix.adapter_at, range(ix.n))]


#: How each meta attribute's column is built (the per-span values are in ``_meta_for``).
_META_COLUMNS: dict[str, Callable[[TraceIndex], Sequence[AttrValue | None]]] = {
    "tracetest.span.name": lambda ix: list(ix.names()),
    "tracetest.span.type": lambda ix: list(ix.types()),
    # (the times as arrays of 64-bit integers: no Python object per span)
    "tracetest.span.duration": lambda ix: array("q", map(duration_ns, ix.start_ns, ix.end_ns)),
    "tracetest.span.start_time": lambda ix: ix.start_ns,
    "tracetest.span.end_time": lambda ix: ix.end_ns,
    "tracetest.span.parent_id": _parent_ids,
    "tracetest.span.status_code": lambda ix: [status_code_text(c) for c, _ in ix._statuses()],
    "tracetest.span.status_description": lambda ix: [m or None for _, m in ix._statuses()],
    "span.events": _events,
}
