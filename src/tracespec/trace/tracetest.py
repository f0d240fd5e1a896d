"""Tracetest's reading of a span: merge order, meta attributes, span type (one copy of each).

**Merge order** (later wins), as Tracetest builds a span's attributes: the span's own
attributes; ``service.name`` = the scope's name (when the source named a scope); the scope's
attributes; the resource's attributes (:func:`context_attributes` is everything after the
span's own); then ``name`` and ``kind`` when nothing above set them; last the meta attributes
(:data:`META_KEYS`).  :func:`merge` applies it to one span; ``TraceIndex.column`` applies the
same order to one key over every span, reading :func:`context_attributes` per group.

**Span type** (``tracetest.span.type``): ``general`` for browser spans (a non-empty
``event_type`` attribute, or the name ``documentLoad``); otherwise the first attribute family
present among the span's, resource's and scope's keys, in the fixed order http, database, rpc,
messaging, faas, exception (:func:`family_rank`); otherwise ``general``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import compress, repeat
from operator import eq

from .attrvalue import AttrValue, dumps_compact, text_form, to_json_compatible
from .model import Event, Resource, Scope, SpanKind, StatusCode

__all__ = [
    "BROWSER_SPAN_NAME",
    "FAMILY_PREFIXES",
    "META_KEYS",
    "NO_FAMILY",
    "NO_PARENT_ID",
    "TEMPORARY_ROOT_NAME",
    "TRIGGER_SPAN_NAME",
    "context_attributes",
    "context_rank",
    "duration_ns",
    "events_json",
    "family_rank",
    "merge",
    "parent_id_text",
    "span_types",
]

#: The root span Tracetest writes when a trace has several roots; dropped when loading.
TEMPORARY_ROOT_NAME = "Temporary Tracetest root span"
#: The span Tracetest's trigger writes around the request it sends.
TRIGGER_SPAN_NAME = "Tracetest trigger"
#: ``tracetest.span.parent_id`` of a root span.
NO_PARENT_ID = "0000000000000000"
#: The name of the browser's page-load span (always of type ``general``).
BROWSER_SPAN_NAME = "documentLoad"

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
#: The attribute-key prefixes of the families, in rank order (``http.`` is rank 0).
FAMILY_PREFIXES = tuple(prefix for prefix, _ in _TYPE_PREFIXES)
_TYPE_BY_RANK = (*(name for _, name in _TYPE_PREFIXES), "general")
#: The rank of a span with no attribute family (its type is ``general``).
NO_FAMILY = len(_TYPE_PREFIXES)


# -- merge order -------------------------------------------------------------------------------


def context_attributes(resource: Resource, scope: Scope) -> dict[str, AttrValue]:
    """What a span's resource and scope add over its own attributes, merged in order."""
    merged: dict[str, AttrValue] = {}
    if scope.present:
        merged["service.name"] = scope.name
    merged.update(scope.attributes)
    merged.update(resource.attributes)
    return merged


def merge(
    own: dict[str, AttrValue],
    context: Mapping[str, AttrValue],
    name: str,
    kind: SpanKind,
    meta: Mapping[str, AttrValue],
) -> dict[str, AttrValue]:
    """A span's attributes in the merge order (``own`` is updated in place and returned)."""
    own.update(context)
    own.setdefault("name", name)
    own.setdefault("kind", kind.value)
    own.update(meta)
    return own


# -- span type ---------------------------------------------------------------------------------


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


def context_rank(resource: Resource, scope: Scope) -> int:
    """:func:`family_rank` of the resource's and the scope's attribute keys (they count too)."""
    return family_rank([*resource.attributes, *scope.attributes])


def span_types(
    ranks: Sequence[int], names: Sequence[str], event_types: Sequence[AttrValue | None]
) -> list[str]:
    """``tracetest.span.type`` of each span, from its family rank (the lower of its own and its
    context's), its name and its ``event_type`` attribute (``None`` when missing)."""
    out = [_TYPE_BY_RANK[r] for r in ranks]
    for p, e in enumerate(event_types):
        if e is not None and text_form(e) != "":
            out[p] = "general"
    for p in compress(range(len(out)), map(eq, names, repeat(BROWSER_SPAN_NAME))):
        out[p] = "general"
    return out


# -- meta attributes ---------------------------------------------------------------------------


def duration_ns(start_ns: int, end_ns: int) -> int:
    """``tracetest.span.duration``: end minus start, 0 when the end precedes the start."""
    return max(0, end_ns - start_ns)


def parent_id_text(parent_id: bytes | None) -> str:
    """``tracetest.span.parent_id``: the parent's hex id, :data:`NO_PARENT_ID` for a root."""
    return parent_id.hex() if parent_id is not None else NO_PARENT_ID


def status_code_text(code: int) -> str:
    """``tracetest.span.status_code``: the OTLP enum name of a status number."""
    return StatusCode.from_otlp(code).otlp_name


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
    return dumps_compact(
        [
            {
                "name": e.name,
                "timestamp": _rfc3339_nano(e.time_ns),
                "attributes": to_json_compatible(e.attributes),
            }
            for e in events
        ]
    )
