"""The trace model: what a loaded trace is, read the way Tracetest reads it.  No I/O, no language.

Bottom-up: ``attrvalue`` (attribute values and their text and number readings), ``model`` (span
kind and status, resource, scope, events, links), ``ids`` (trace and span ids), ``tracetest``
(Tracetest's reading of a span: merge order, meta attributes, span type), ``raw`` (the contract
with loaders: raw span objects and the adapters that read them), ``index`` (the columns and
lazy indexes of one trace), ``views`` (:class:`Trace` and :class:`Span`) and ``assemble`` (the
constructor loaders fill: repairs and layout).  Everything above imports this package; it
imports nothing above it.
"""

from __future__ import annotations

from .assemble import TraceBuilder
from .attrvalue import AttrValue
from .index import TraceIndex
from .model import Event, Link, Resource, Scope, SpanKind, StatusCode
from .raw import RECORD_ADAPTER, Adapter, Group, SpanRecord
from .views import Span, Trace

__all__ = [
    "RECORD_ADAPTER",
    "Adapter",
    "AttrValue",
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
    "TraceBuilder",
    "TraceIndex",
]
