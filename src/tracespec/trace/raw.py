"""The contract between loaders and the model: a span's lazily kept *raw* object and the
:class:`Adapter` that reads it, :class:`SpanRecord` for formats read up front, :class:`Group`.

A loader hands the model a few columns per span (ids, parent id, times; see
:class:`~tracespec.trace.assemble.TraceBuilder`) and one raw object: a lite protobuf message, a
compact JSON record, or a :class:`SpanRecord`.  Everything else about the span (name, kind,
status, attributes, events, links, trace state, flags) is read from the raw object through its
group's adapter, only when a query or a view asks.  Adapters never raise because of what is in
the data: malformed entries are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from .._frozen import FieldsRepr
from .attrvalue import AttrValue
from .model import Event, Link, Resource, Scope
from .tracetest import family_rank

__all__ = ["RECORD_ADAPTER", "Adapter", "Group", "SpanRecord"]


@attrs.define(slots=True, repr=False)
class SpanRecord(FieldsRepr):
    """A span already normalised by a loader (Jaeger, Zipkin, the OTel SDK, ...), with OTLP's
    vocabulary: kind and status as OTLP numbers, typed attributes."""

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
    """How to read the raw objects of one source format.

    The base implementation serves :class:`SpanRecord` raws; format modules subclass it.  The
    batch methods (:meth:`scan`, :meth:`fill`, :meth:`names`, :meth:`family_ranks`) fill
    columns for many positions at once, so a format can use a faster path than one call per
    span (and :meth:`fill` one pass for several columns).
    """

    def name(self, raw: Any) -> str:
        """The span's name."""
        return str(raw.name)

    def kind(self, raw: Any) -> int:
        """The span's kind as an OTLP number."""
        return int(raw.kind)

    def status(self, raw: Any) -> tuple[int, str]:
        """The span's status: OTLP code number and message."""
        return int(raw.status_code), str(raw.status_message)

    def attributes(self, raw: Any) -> dict[str, AttrValue]:
        """The span's own attributes (a new dict the caller may change)."""
        return dict(raw.attributes)

    def attribute_keys(self, raw: Any) -> Iterable[str]:
        """The keys of the span's own attributes."""
        return raw.attributes.keys()  # type: ignore[no-any-return]

    def events(self, raw: Any) -> tuple[Event, ...]:
        """The span's events."""
        return tuple(raw.events)

    def links(self, raw: Any) -> tuple[Link, ...]:
        """The span's links."""
        return tuple(raw.links)

    def trace_state(self, raw: Any) -> str:
        """The span's W3C trace state (``""`` when none)."""
        return str(raw.trace_state)

    def flags(self, raw: Any) -> int:
        """The span's W3C trace flags (``1``: sampled)."""
        return int(raw.flags)

    def scan(
        self, raws: Sequence[Any], positions: Iterable[int], key: str, out: list[AttrValue | None]
    ) -> None:
        """Set ``out[p]`` to the span attribute ``key`` of every span at ``positions``."""
        for p in positions:
            value = raws[p].attributes.get(key)
            if value is not None:
                out[p] = value

    def fill(
        self,
        raws: Sequence[Any],
        positions: Sequence[int],
        keys: Sequence[str],
        outs: Sequence[list[AttrValue | None]],
        ranks: list[int] | None,
    ) -> None:
        """For every span at ``positions``: ``outs[i][p]`` = its attribute ``keys[i]``, and
        when ``ranks`` is given ``ranks[p]`` = its :meth:`family_rank_of`.  Formats whose spans
        are costly to read override this with one pass that reads each span once."""
        for key, out in zip(keys, outs, strict=True):
            self.scan(raws, positions, key, out)
        if ranks is not None:
            self.family_ranks(raws, positions, ranks)

    def names(self, raws: Sequence[Any], positions: Iterable[int], out: list[str]) -> None:
        """Set ``out[p]`` to the name of every span at ``positions``."""
        for p in positions:
            out[p] = raws[p].name

    def family_rank_of(self, raw: Any) -> int:
        """:func:`~tracespec.trace.tracetest.family_rank` of the span's attribute keys."""
        return family_rank(self.attribute_keys(raw))

    def family_ranks(self, raws: Sequence[Any], positions: Iterable[int], out: list[int]) -> None:
        """Set ``out[p]`` to :meth:`family_rank_of` the span at every position."""
        rank_of = self.family_rank_of
        for p in positions:
            out[p] = rank_of(raws[p])


RECORD_ADAPTER = Adapter()


@attrs.frozen(repr=False)
class Group(FieldsRepr):
    """Spans that share a resource, a scope and a source format (its adapter)."""

    resource: Resource
    scope: Scope
    adapter: Adapter = attrs.field(eq=False, repr=False)
