"""The trace model: :class:`Trace`, the read-only :class:`Span` view, and the trace's indexes.

A loaded trace is a set of compact columns in *trace order* (pre-order from the single root,
children by start time then span id): span ids, parent positions, subtree ends, depths, start and
end times.  A span's *position* is its index in that order, so "B is below A" is
``A < B < end[A]``.  Everything else (name, attributes, events, ...) stays in the decoded source
message and is materialised only when asked, through the format's :class:`Adapter`; per
attribute key, :class:`TraceIndex` builds a value column and a text → positions index lazily, the
first time a query needs that key.

Attribute merge order for a span (later wins), as Tracetest does: span attributes,
``service.name`` = scope name, scope attributes, resource attributes, then the meta attributes
``tracetest.span.*`` and ``span.events``.  ``name`` and ``kind`` read the span's own name and
kind when the span has no attribute of that name.
"""

from __future__ import annotations

import enum
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar, overload

import attrs
import orjson

from .attrvalue import AttrValue, text_form, to_json_compatible

__all__ = [
    "META_KEYS",
    "Adapter",
    "Event",
    "Group",
    "Link",
    "Resource",
    "Scope",
    "Span",
    "SpanKind",
    "SpanRecord",
    "StatusCode",
    "Trace",
    "TraceIndex",
    "family_rank",
    "span_type",
]

_T = TypeVar("_T")

TEMPORARY_ROOT_NAME = "Temporary Tracetest root span"
TRIGGER_SPAN_NAME = "Tracetest trigger"
NO_PARENT_ID = "0000000000000000"


class SpanKind(enum.StrEnum):
    """The span kind, as Tracetest spells it (``kind`` in selectors)."""

    UNSPECIFIED = "unspecified"
    INTERNAL = "internal"
    SERVER = "server"
    CLIENT = "client"
    PRODUCER = "producer"
    CONSUMER = "consumer"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def from_otlp(cls, value: int) -> SpanKind:
        """The kind of an OTLP ``SpanKind`` enum number (unknown numbers → unspecified)."""
        return _KIND_BY_NUMBER[value] if 0 <= value < len(_KIND_BY_NUMBER) else cls.UNSPECIFIED


_KIND_BY_NUMBER = (
    SpanKind.UNSPECIFIED,
    SpanKind.INTERNAL,
    SpanKind.SERVER,
    SpanKind.CLIENT,
    SpanKind.PRODUCER,
    SpanKind.CONSUMER,
)


class StatusCode(enum.StrEnum):
    """The span status code."""

    UNSET = "unset"
    OK = "ok"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value

    @property
    def otlp_name(self) -> str:
        """The OTLP enum name Tracetest exposes (``STATUS_CODE_ERROR``)."""
        return "STATUS_CODE_" + self.name

    @classmethod
    def from_otlp(cls, value: int) -> StatusCode:
        """The status of an OTLP ``StatusCode`` number (unknown numbers → unset)."""
        return _STATUS_BY_NUMBER[value] if 0 <= value < 3 else cls.UNSET


_STATUS_BY_NUMBER = (StatusCode.UNSET, StatusCode.OK, StatusCode.ERROR)

_EMPTY_ATTRS: Mapping[str, AttrValue] = MappingProxyType({})


@attrs.frozen
class Resource:
    """The resource a span belongs to (``service.name`` and friends)."""

    attributes: Mapping[str, AttrValue] = _EMPTY_ATTRS
    schema_url: str = ""


@attrs.frozen
class Scope:
    """The instrumentation scope (library) that produced a span."""

    name: str = ""
    version: str = ""
    attributes: Mapping[str, AttrValue] = _EMPTY_ATTRS
    present: bool = attrs.field(default=True, eq=False, repr=False)


@attrs.frozen
class Event:
    """A span event (an OTLP event, a Jaeger log, a Zipkin annotation)."""

    name: str
    time_ns: int
    attributes: Mapping[str, AttrValue] = _EMPTY_ATTRS


@attrs.frozen
class Link:
    """A link from a span to another span, possibly in another trace."""

    trace_id: str
    span_id: str
    trace_state: str = ""
    attributes: Mapping[str, AttrValue] = _EMPTY_ATTRS


@attrs.define(slots=True)
class SpanRecord:
    """A span already normalised by a loader (Jaeger, Zipkin, the OTel SDK, ...).

    Loaders of formats that are not read lazily build these; the record adapter serves them.
    """

    name: str = ""
    kind: int = 0
    attributes: dict[str, AttrValue] = attrs.Factory(dict)
    status_code: int = 0
    status_message: str = ""
    events: tuple[Event, ...] = ()
    links: tuple[Link, ...] = ()
    trace_state: str = ""
    flags: int = 0


class Adapter:
    """How to read the lazily kept part of a span (its *raw* object) for one source format.

    The base implementation serves :class:`SpanRecord` raws; format modules subclass it.
    Methods never raise because of what is in the data: malformed entries are skipped.
    """

    format_name: ClassVar[str] = "record"

    def name(self, raw: Any) -> str:
        return str(raw.name)

    def kind(self, raw: Any) -> int:
        return int(raw.kind)

    def status(self, raw: Any) -> tuple[int, str]:
        return int(raw.status_code), str(raw.status_message)

    def attributes(self, raw: Any) -> dict[str, AttrValue]:
        return dict(raw.attributes)

    def attribute_keys(self, raw: Any) -> Iterable[str]:
        return raw.attributes.keys()  # type: ignore[no-any-return]

    def events(self, raw: Any) -> tuple[Event, ...]:
        return tuple(raw.events)

    def links(self, raw: Any) -> tuple[Link, ...]:
        return tuple(raw.links)

    def trace_state(self, raw: Any) -> str:
        return str(raw.trace_state)

    def flags(self, raw: Any) -> int:
        return int(raw.flags)

    def scan(
        self, raws: Sequence[Any], positions: Iterable[int], key: str, out: list[AttrValue | None]
    ) -> None:
        """Set ``out[p]`` to the span attribute ``key`` of every span at ``positions``."""
        for p in positions:
            value = raws[p].attributes.get(key)
            if value is not None:
                out[p] = value

    def names(self, raws: Sequence[Any], positions: Iterable[int], out: list[str]) -> None:
        """Set ``out[p]`` to the name of every span at ``positions``."""
        for p in positions:
            out[p] = raws[p].name

    def family_rank_of(self, raw: Any) -> int:
        """:func:`family_rank` of the span's attribute keys."""
        return family_rank(self.attribute_keys(raw))

    def family_ranks(self, raws: Sequence[Any], positions: Iterable[int], out: list[int]) -> None:
        """Set ``out[p]`` to :meth:`family_rank_of` the span at every position."""
        rank_of = self.family_rank_of
        for p in positions:
            out[p] = rank_of(raws[p])


RECORD_ADAPTER = Adapter()


@attrs.frozen
class Group:
    """Spans that share a resource, a scope and a source format."""

    resource: Resource
    scope: Scope
    adapter: Adapter = attrs.field(eq=False, repr=False)


# --------------------------------------------------------------------------------------------
# Meta attributes and span type

META_KEYS = frozenset(
    {
        "tracetest.span.name",
        "tracetest.span.type",
        "tracetest.span.duration",
        "tracetest.span.start_time",
        "tracetest.span.end_time",
        "tracetest.span.parent_id",
        "tracetest.span.status_code",
        "tracetest.span.status_description",
        "span.events",
    }
)

_TYPE_PREFIXES = (
    ("http.", "http"),
    ("db.", "database"),
    ("rpc.", "rpc"),
    ("messaging.", "messaging"),
    ("faas.", "faas"),
    ("exception.", "exception"),
)


_FAMILY_RANK = {prefix[:-1]: i for i, (prefix, _) in enumerate(_TYPE_PREFIXES)}
_TYPE_BY_RANK = (*(name for _, name in _TYPE_PREFIXES), "general")
NO_FAMILY = len(_TYPE_PREFIXES)


def family_rank(keys: Iterable[str]) -> int:
    """The rank of the first attribute family present among ``keys`` in the fixed order http,
    database, rpc, messaging, faas, exception (0..5), or :data:`NO_FAMILY`."""
    best = NO_FAMILY
    get = _FAMILY_RANK.get
    for k in keys:
        head, dot, _ = k.partition(".")
        if dot:
            r = get(head, NO_FAMILY)
            if r < best:
                if r == 0:
                    return 0
                best = r
    return best


def span_type(keys: Iterable[str], name: str, event_type: AttrValue | None) -> str:
    """``tracetest.span.type`` from a span's attribute keys, name and ``event_type`` attribute.

    Browser spans (a non-empty ``event_type`` or the name ``documentLoad``) are ``general``;
    otherwise the first family present in the fixed order http, database, rpc, messaging, faas,
    exception; otherwise ``general``.
    """
    if (event_type is not None and text_form(event_type) != "") or name == "documentLoad":
        return "general"
    return _TYPE_BY_RANK[family_rank(keys)]


def _rfc3339_nano(ns: int) -> str:
    secs, frac = divmod(ns, 1_000_000_000)
    try:
        base = datetime.fromtimestamp(secs, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return str(ns)
    if frac:
        return f"{base}.{frac:09d}".rstrip("0") + "Z"
    return base + "Z"


def events_json(events: Sequence[Event]) -> str:
    """The ``span.events`` meta attribute: a JSON array of name, RFC 3339 time, attributes."""
    return orjson.dumps(
        [
            {
                "name": e.name,
                "timestamp": _rfc3339_nano(e.time_ns),
                "attributes": to_json_compatible(e.attributes),
            }
            for e in events
        ]
    ).decode("utf-8")


# --------------------------------------------------------------------------------------------
# The index


class TraceIndex:
    """Columns and lazily built per-key indexes of one trace, all by position (trace order).

    Public to the query engines of tracespec (selectors, assertions), not to users.
    ``parent[p]`` is the parent position or -1; the descendants of ``p`` are the positions
    ``p+1 .. end[p]-1``; ``depth[p]`` is 0 for the root.
    """

    __slots__ = (
        "_columns",
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
    ) -> None:
        self.trace_id = trace_id
        self.n = len(span_ids)
        self.span_ids = span_ids
        self.parent = parent
        self.end = end
        self._depth: array[int] | None = None
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.raws = raws
        self.group_of = group_of
        self.groups = groups
        self.synthetic = synthetic
        self._pos_of: dict[bytes, int] | None = None
        self._columns: dict[str, list[AttrValue | None]] = {}
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

    # -- per-span reads -------------------------------------------------------------------
    def adapter_at(self, pos: int) -> tuple[Adapter, Any]:
        return self.groups[self.group_of[pos]].adapter, self.raws[pos]

    def name_at(self, pos: int) -> str:
        if self._names is not None:
            return self._names[pos]
        adapter, raw = self.adapter_at(pos)
        return adapter.name(raw)

    def kind_at(self, pos: int) -> SpanKind:
        adapter, raw = self.adapter_at(pos)
        return SpanKind.from_otlp(adapter.kind(raw))

    def status_at(self, pos: int) -> tuple[StatusCode, str]:
        adapter, raw = self.adapter_at(pos)
        code, message = adapter.status(raw)
        return StatusCode.from_otlp(code), message

    def duration_at(self, pos: int) -> int:
        return max(0, self.end_ns[pos] - self.start_ns[pos])

    def parent_hex(self, pos: int) -> str:
        par = self.parent[pos]
        return self.span_ids[par].hex() if par >= 0 else NO_PARENT_ID

    def events_at(self, pos: int) -> tuple[Event, ...]:
        adapter, raw = self.adapter_at(pos)
        return adapter.events(raw)

    def merged_attributes(self, pos: int) -> dict[str, AttrValue]:
        """Every attribute of the span at ``pos``, merged and with the meta attributes."""
        group = self.groups[self.group_of[pos]]
        adapter, raw = group.adapter, self.raws[pos]
        merged: dict[str, AttrValue] = adapter.attributes(raw)
        if group.scope.present:
            merged["service.name"] = group.scope.name
        merged.update(group.scope.attributes)
        merged.update(group.resource.attributes)
        name = adapter.name(raw)
        merged.setdefault("name", name)
        merged.setdefault("kind", SpanKind.from_otlp(adapter.kind(raw)).value)
        merged.update(self._meta_for(pos, name, merged))
        return merged

    def _meta_for(
        self, pos: int, name: str, merged: Mapping[str, AttrValue]
    ) -> dict[str, AttrValue]:
        adapter, raw = self.adapter_at(pos)
        code, message = adapter.status(raw)
        meta: dict[str, AttrValue] = {
            "tracetest.span.name": name,
            "tracetest.span.type": self._type_at(pos, name, merged.get("event_type")),
            "tracetest.span.duration": self.duration_at(pos),
            "tracetest.span.start_time": self.start_ns[pos],
            "tracetest.span.end_time": self.end_ns[pos],
            "tracetest.span.parent_id": self.parent_hex(pos),
            "tracetest.span.status_code": StatusCode.from_otlp(code).otlp_name,
            "span.events": events_json(adapter.events(raw)),
        }
        if message:
            meta["tracetest.span.status_description"] = message
        return meta

    def _type_at(self, pos: int, name: str, event_type: AttrValue | None) -> str:
        """``tracetest.span.type`` of one span, by the rules of :meth:`types`."""
        if self._types is not None:
            return self._types[pos]
        if (event_type is not None and text_form(event_type) != "") or name == "documentLoad":
            return "general"
        group = self.groups[self.group_of[pos]]
        rank = min(
            group.adapter.family_rank_of(self.raws[pos]),
            family_rank([*group.resource.attributes, *group.scope.attributes]),
        )
        return _TYPE_BY_RANK[rank]

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
            by_num = [k.value for k in _KIND_BY_NUMBER]
            out = []
            for p in range(self.n):
                adapter, raw = self.adapter_at(p)
                k = adapter.kind(raw)
                out.append(by_num[k] if 0 <= k < 6 else "unspecified")
            self._kinds = out
        return self._kinds

    def _by_adapter(self) -> list[tuple[Adapter, Iterable[int]]]:
        if len({id(g.adapter) for g in self.groups}) == 1:
            return [(self.groups[0].adapter, range(self.n))]
        buckets: dict[int, list[int]] = {}
        for p, g in enumerate(self.group_of):
            buckets.setdefault(id(self.groups[g].adapter), []).append(p)
        adapters = {id(g.adapter): g.adapter for g in self.groups}
        return [(adapters[a], ps) for a, ps in buckets.items()]

    def column(self, key: str) -> list[AttrValue | None]:
        """The value of attribute ``key`` at every position (``None`` where missing).

        Same merge rules as :attr:`Span.attributes`; built once per key, then cached.
        """
        col = self._columns.get(key)
        if col is None:
            with self._lock:
                col = self._columns.get(key)
                if col is None:
                    col = self._build_column(key)
                    self._columns[key] = col
        return col

    def _build_column(self, key: str) -> list[AttrValue | None]:
        n = self.n
        if key in META_KEYS:
            return self._meta_column(key)
        out: list[AttrValue | None] = [None] * n
        # Spans whose resource or scope defines the key take that value (it wins anyway).
        overrides: list[AttrValue | None] = []
        for g in self.groups:
            v = g.resource.attributes.get(key)
            if v is None:
                v = g.scope.attributes.get(key)
            if v is None and key == "service.name" and g.scope.present:
                v = g.scope.name
            overrides.append(v)
        if any(v is not None for v in overrides):
            rest = []
            gof = self.group_of
            for p in range(n):
                v = overrides[gof[p]]
                if v is None:
                    rest.append(p)
                else:
                    out[p] = v
            scan_positions: dict[int, list[int]] = {}
            for p in rest:
                scan_positions.setdefault(id(self.groups[gof[p]].adapter), []).append(p)
            adapters = {id(g.adapter): g.adapter for g in self.groups}
            for aid, ps in scan_positions.items():
                adapters[aid].scan(self.raws, ps, key, out)
        else:
            for adapter, positions in self._by_adapter():
                adapter.scan(self.raws, positions, key, out)
        if key == "name":
            names = self.names()
            for p in range(n):
                if out[p] is None:
                    out[p] = names[p]
        elif key == "kind":
            kinds = self.kinds()
            for p in range(n):
                if out[p] is None:
                    out[p] = kinds[p]
        return out

    def _meta_column(self, key: str) -> list[AttrValue | None]:
        n = self.n
        if key == "tracetest.span.name":
            return list(self.names())
        if key == "tracetest.span.duration":
            s, e = self.start_ns, self.end_ns
            return [max(0, e[p] - s[p]) for p in range(n)]
        if key == "tracetest.span.start_time":
            return list(self.start_ns)
        if key == "tracetest.span.end_time":
            return list(self.end_ns)
        if key == "tracetest.span.parent_id":
            ids, par = self.span_ids, self.parent
            return [ids[par[p]].hex() if par[p] >= 0 else NO_PARENT_ID for p in range(n)]
        if key == "tracetest.span.type":
            return list(self.types())
        if key == "span.events":
            out_e: list[AttrValue | None] = []
            for p in range(n):
                adapter, raw = self.adapter_at(p)
                out_e.append(events_json(adapter.events(raw)))
            return out_e
        if key in ("tracetest.span.status_code", "tracetest.span.status_description"):
            out_s: list[AttrValue | None] = []
            for p in range(n):
                adapter, raw = self.adapter_at(p)
                code, message = adapter.status(raw)
                if key == "tracetest.span.status_code":
                    out_s.append(StatusCode.from_otlp(code).otlp_name)
                else:
                    out_s.append(message or None)
            return out_s
        raise KeyError(key)  # pragma: no cover

    def types(self) -> list[str]:
        """``tracetest.span.type`` of every position."""
        if self._types is None:
            event_type = self.column("event_type")
            ranks = [NO_FAMILY] * self.n
            for adapter, positions in self._by_adapter():
                adapter.family_ranks(self.raws, positions, ranks)
            group_rank = []
            for g in self.groups:  # resource and scope attributes count too
                group_rank.append(family_rank([*g.resource.attributes, *g.scope.attributes]))
            if any(r < NO_FAMILY for r in group_rank):
                gof = self.group_of
                ranks = [min(r, group_rank[gof[p]]) for p, r in enumerate(ranks)]
            by_rank = _TYPE_BY_RANK
            out = [by_rank[r] for r in ranks]
            for p, e in enumerate(event_type):
                if e is not None and text_form(e) != "":
                    out[p] = "general"
            for p in self.name_index().get("documentLoad", ()):
                out[p] = "general"
            self._types = out
        return self._types

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

    def is_descendant(self, pos: int, ancestor: int) -> bool:
        """True when ``pos`` is strictly below ``ancestor``."""
        return ancestor < pos < self.end[ancestor]


# --------------------------------------------------------------------------------------------
# Public views


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

    __slots__ = ("_attrs", "_pos", "_trace")

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
        return self._index.name_at(self._pos)

    @property
    def kind(self) -> SpanKind:
        return self._index.kind_at(self._pos)

    @property
    def status_code(self) -> StatusCode:
        return self._index.status_at(self._pos)[0]

    @property
    def status_message(self) -> str:
        return self._index.status_at(self._pos)[1]

    @property
    def start_time_ns(self) -> int:
        return self._index.start_ns[self._pos]

    @property
    def end_time_ns(self) -> int:
        return self._index.end_ns[self._pos]

    @property
    def duration_ns(self) -> int:
        """End minus start in nanoseconds (0 when the end precedes the start)."""
        return self._index.duration_at(self._pos)

    @property
    def depth(self) -> int:
        return self._index.depth[self._pos]

    @property
    def attributes(self) -> Mapping[str, AttrValue]:
        if self._attrs is None:
            self._attrs = _Attributes(self._index, self._pos)
        return self._attrs

    @property
    def resource(self) -> Resource:
        return self._index.groups[self._index.group_of[self._pos]].resource

    @property
    def scope(self) -> Scope:
        return self._index.groups[self._index.group_of[self._pos]].scope

    @property
    def events(self) -> tuple[Event, ...]:
        return self._index.events_at(self._pos)

    @property
    def links(self) -> tuple[Link, ...]:
        adapter, raw = self._index.adapter_at(self._pos)
        return adapter.links(raw)

    @property
    def trace_state(self) -> str:
        adapter, raw = self._index.adapter_at(self._pos)
        return adapter.trace_state(raw)

    @property
    def is_synthetic(self) -> bool:
        """True for a span tracespec made up (the temporary root adopting several roots)."""
        return self._pos in self._index.synthetic

    @property
    def parent(self) -> Span | None:
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

    Build one with :func:`tracespec.load_trace` or :meth:`Trace.from_otel_spans`.
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
        self._views: list[Span | None] = [None] * index.n

    @classmethod
    def from_otel_spans(cls, spans: Iterable[Any], *, trace_id: str | None = None) -> Trace:
        """A trace from OpenTelemetry SDK ``ReadableSpan`` objects (e.g. from an in-memory
        exporter).  With spans of several traces, pass ``trace_id``."""
        from .formats import pick_trace
        from .formats.otel_sdk import traces_from_otel_spans

        return pick_trace(traces_from_otel_spans(spans), trace_id, "<otel spans>")

    @property
    def trace_id(self) -> str:
        """Lower-case hex trace id (32 characters)."""
        return self.index.trace_id.hex()

    @property
    def root(self) -> Span:
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
        view = self._views[pos]
        if view is None:
            view = self._views[pos] = Span(self, pos)
        return view

    def __iter__(self) -> Iterator[Span]:
        for p in range(self.index.n):
            yield self[p]

    def spans_at(self, positions: Iterable[int]) -> tuple[Span, ...]:
        """The spans at these positions (valid, non-negative), in the order given."""
        views = self._views
        out = []
        for p in positions:
            view = views[p]
            if view is None:
                view = views[p] = Span(self, p)
            out.append(view)
        return tuple(out)

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
