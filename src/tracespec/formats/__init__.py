"""Loading traces: one front door (:func:`load_trace`, :func:`load_traces`) over every format.

What the caller gives is first turned into single sources (:mod:`._many`: a list, a directory
or a glob pattern stands for several).  Each is read once into bytes (or taken as an already
parsed JSON object, or as SDK spans) and decompressed (:mod:`._source`), then *sniffed* on its
own: JSON shapes are told apart by their keys, text is cut into the JSON documents it holds
(:mod:`._text`: the lines between them skipped, with a warning), and anything else is OTLP
protobuf (plain or as the collector's length-prefixed records).  Every format module appends to
one :class:`~tracespec.trace.TraceBuilder`, so spans of one trace from several sources are
assembled together; the builder assembles the traces.  Every failure is a
:class:`~tracespec.errors.TraceLoadError` naming the single source and the place.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import IO, Any, Literal, get_args

from ..errors import TraceLoadError
from ..trace import Trace, TraceBuilder
from ..trace.ids import id_listing, match_traces, trace_id_query
from ._cut import worth_cutting
from ._many import Part, expand, otel_part, trace_paths
from ._source import decompress, first_byte, json_documents, json_records, read_source
from ._text import LoadWarning, TextDocuments, is_text

__all__ = [
    "FORMATS",
    "Format",
    "LoadWarning",
    "load_otel_spans",
    "load_trace",
    "load_traces",
    "pick_trace",
    "sniff_json",
    "trace_paths",
]

Format = Literal[
    "otlp-proto",
    "otlp-json",
    "tempo",
    "jaeger",
    "jaeger-v3",
    "zipkin",
    "opensearch",
    "otel-console",
]
FORMATS: tuple[str, ...] = get_args(Format)

Source = (
    str
    | os.PathLike[str]
    | bytes
    | bytearray
    | memoryview
    | IO[bytes]
    | dict[str, Any]
    | list[Any]
    | Iterable[Any]  # SDK spans, or a list of sources
)


def sniff_json(obj: Any) -> str | None:
    """Name the format of a parsed JSON document, or ``None`` when it is none we know.

    Looks only at the envelope and the first span-like object, by their keys.
    """
    if isinstance(obj, dict):
        return _sniff_object(obj)
    if isinstance(obj, list):
        return _sniff_array(obj)
    return None


def _sniff_object(obj: dict[str, Any]) -> str | None:
    """A JSON object: the envelope families in order, else a lone span."""
    if _is_otlp_json(obj):
        return "otlp-json"
    if _is_tempo(obj):
        return "tempo"
    if _is_jaeger_v3(obj):
        return "jaeger-v3"
    if _is_jaeger(obj):
        return "jaeger"
    if _is_opensearch(obj):
        return "opensearch"
    if _is_otel_console(obj):
        return "otel-console"
    return _sniff_span(obj)


def _sniff_array(items: list[Any]) -> str | None:
    """A JSON array, by its first item: Zipkin spans or traces, OpenSearch hits, OTLP documents,
    console spans."""
    if not items:
        return "zipkin"
    first = items[0]
    if isinstance(first, list):
        return "zipkin" if not first or _sniff_span(first[0]) == "zipkin" else None
    if isinstance(first, dict):
        if "_source" in first:
            return "opensearch"
        if _is_otlp_json(first):
            return "otlp-json"
        if _is_otel_console(first):
            return "otel-console"
        return _sniff_span(first)
    return None


def _is_otlp_json(obj: dict[str, Any]) -> bool:
    return "resourceSpans" in obj or "resource_spans" in obj


def _is_tempo(obj: dict[str, Any]) -> bool:
    """Tempo's ``{"batches": ...}``, or a ``trace`` holding OTLP or batches (Tempo v2 API)."""
    if "batches" in obj:
        return True
    trace = obj.get("trace")
    return isinstance(trace, dict) and ("resourceSpans" in trace or "batches" in trace)


def _is_jaeger_v3(obj: dict[str, Any]) -> bool:
    """Jaeger's API v3: a ``result`` object, or an ``error`` with an ``httpCode``."""
    result = obj.get("result")
    error = obj.get("error")
    return isinstance(result, dict) or (isinstance(error, dict) and "httpCode" in error)


def _is_jaeger(obj: dict[str, Any]) -> bool:
    """Jaeger v1: ``{"data": [trace, ...]}`` (or ``null`` with ``errors``), or one trace."""
    if "data" in obj:
        data = obj["data"]
        if data is None and "errors" in obj:
            return True
        if isinstance(data, list) and (
            not data or (isinstance(data[0], dict) and "spans" in data[0])
        ):
            return True
    return "spans" in obj and "traceID" in obj


def _is_opensearch(obj: dict[str, Any]) -> bool:
    """An OpenSearch search response: ``{"hits": {"hits": [...]}}``."""
    hits = obj.get("hits")
    return isinstance(hits, dict) and "hits" in hits


def _is_otel_console(obj: dict[str, Any]) -> bool:
    """A span as the Python SDK's console exporter prints it: a ``context`` with ``trace_id``
    and ``span_id``."""
    context = obj.get("context")
    return isinstance(context, dict) and "trace_id" in context and "span_id" in context


def _sniff_span(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    if "traceId" in obj and "id" in obj:
        return "zipkin"
    if "traceId" in obj and "spanId" in obj:
        return "opensearch"
    return None


def _loader(fmt: str) -> Callable[[Any, TraceBuilder], None]:
    """The module that reads ``fmt`` (imported on first use: a load needs one or two)."""
    if fmt == "otlp-proto":
        from . import otlp_proto

        return otlp_proto.load_bytes
    if fmt in ("otlp-json", "tempo", "jaeger-v3"):
        from . import otlp_json

        return otlp_json.load_document
    if fmt == "jaeger":
        from . import jaeger

        return jaeger.load_document
    if fmt == "zipkin":
        from . import zipkin

        return zipkin.load_document
    if fmt == "otel-console":
        from . import console

        return console.load_document
    from . import opensearch

    return opensearch.load_document


def _load(parts: list[Part], name: str, format: str | None) -> list[Trace]:
    """The traces of every single source, their spans merged by trace id."""
    # Loading allocates millions of small objects and no cycles: the cyclic GC would only
    # rescan them over and over (it more than doubles the load time of a large trace).  When
    # it is back on, the objects of the load are moved to the oldest generation in one step
    # (freeze + unfreeze is two list splices), so that the first young collection after the
    # load does not traverse all of them either.  Skipped if the user froze objects himself.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_parts(parts, name, format)
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _load_parts(parts: list[Part], name: str, format: str | None) -> list[Trace]:
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown trace format {format!r}; known: {', '.join(FORMATS)}")
    builder = TraceBuilder(source=name, format=format or "")
    formats: list[str] = []
    parts.reverse()
    while parts:  # each part is dropped once read: its bytes can go
        part = parts.pop()
        if part.kind == "otel":
            from .otel_sdk import add_otel_spans  # (for OpenTelemetry SDK span objects)

            add_otel_spans(part.value, builder)
        else:
            _fill(part.value, format, builder)
        del part
        if builder.format not in formats:
            formats.append(builder.format)
    builder.source, builder.format, builder.document = name, "+".join(formats), None
    return builder.build()


def _fill(source: Any, format: str | None, builder: TraceBuilder) -> None:
    """Append the spans of one single source to ``builder`` (its format sniffed unless named)."""
    data, obj, name = read_source(source)
    builder.source, builder.format, builder.document = name, format or "", None
    if data is None:
        if format == "otlp-proto":
            raise TraceLoadError(
                "OTLP protobuf is read from bytes, a file or a path, not from parsed JSON",
                source=name,
                format=format,
            )
        _load_documents(iter([(obj, "")]), name, format, builder)
        return
    data = decompress(data, name)
    if data[:1] == b"\x00" and format != "otlp-proto":
        data = json_records(data, name)  # the collector's JSON with legacy zstd
    if format is None and data[:1] == b"\n" and data[1:2] in (b"{", b"["):
        # a newline then JSON, or protobuf's field 1 of 123 or 91 bytes: try protobuf first
        mark = _mark(builder)
        try:
            _load_protobuf([data], builder)
            return
        except TraceLoadError:
            _rollback(builder, mark)
            builder.source, builder.format = name, ""
    if _is_protobuf(data, name, format):
        box = [data]
        del data  # the loader frees the bytes once they are parsed
        _load_protobuf(box, builder)
        return
    docs = json_documents(data, name, format)
    del data
    _load_documents(docs, name, format, builder)


def _mark(builder: TraceBuilder) -> tuple[int, int, int]:
    return len(builder.span_ids), len(builder.groups), len(builder.repairs)


def _rollback(builder: TraceBuilder, mark: tuple[int, int, int]) -> None:
    """Forget what a failed attempt appended to ``builder`` after ``mark``."""
    spans, groups, repairs = mark
    for column in (builder.trace_ids, builder.span_ids, builder.parent_ids, builder.starts,
                   builder.ends, builder.raws, builder.group_of):
        del column[spans:]
    del builder.groups[groups:]
    del builder.repairs[repairs:]


def _load_protobuf(box: list[Any], builder: TraceBuilder) -> None:
    """Append the spans of OTLP protobuf bytes (``box`` is emptied: the bytes are freed once
    parsed)."""
    builder.format = "otlp-proto"
    _loader("otlp-proto")(box, builder)


def _is_protobuf(data: Any, name: str, format: str | None) -> bool:
    """Whether ``data`` is read as protobuf: so named, or neither starting like JSON nor text
    (OTLP protobuf always holds control bytes in its first bytes)."""
    first = first_byte(data)
    if first is None:
        raise TraceLoadError("empty input: no trace data", source=name, format=format)
    if format == "otlp-proto":
        return True
    if first in (ord("{"), ord("[")) or is_text(data):
        return False
    if format is None:
        return True
    raise TraceLoadError(
        "expected a JSON document (it does not start with '{' or '[')",
        source=name,
        format=format,
    )


_UNKNOWN_FORMAT = (
    "unknown trace format: not OTLP JSON, Tempo, Jaeger, Zipkin, OpenSearch or the console "
    "output of the OpenTelemetry SDK (pass format= to say which)"
)


def _load_documents(
    docs: Iterator[tuple[Any, str]], name: str, format: str | None, builder: TraceBuilder
) -> None:
    """Append the spans of JSON documents to ``builder`` (one format, sniffed from the first
    unless named).

    Of the documents of a text (:class:`TextDocuments`), those of no known shape are skipped
    like the text lines between them; a warning counting the lines skipped joins the traces'
    ``repairs``.
    """
    text = docs if isinstance(docs, TextDocuments) else None
    if text is not None:
        docs = _trace_documents(text)
    first_doc = next(docs, None)
    if first_doc is None:
        raise _no_document(text, name, format)
    fmt = format
    if fmt is None:
        fmt = sniff_json(first_doc[0])
        if fmt is None:
            raise TraceLoadError(_UNKNOWN_FORMAT, source=name, place=first_doc[1] or None)
    builder.format = fmt
    load = _loader(fmt)
    if text is not None and fmt == "otlp-json":
        text.cut_lines = worth_cutting(text.size)  # (the reader takes cut documents: ._cut)
    for doc, place in chain([first_doc], docs):
        builder.document = place or None
        load(doc, builder)
        del doc
    del first_doc, docs
    warning = text.warning(name) if text is not None else None
    if warning is not None:
        builder.repairs.append(warning)
    del text


def _trace_documents(text: TextDocuments) -> Iterator[tuple[Any, str]]:
    """The documents of ``text`` of a known trace format; the others are rejected (skipped)."""
    for doc, place in text:
        if sniff_json(doc) is None:
            text.reject()
        else:
            yield doc, place
        del doc  # (the loader frees each document once it is read)


def _no_document(text: TextDocuments | None, name: str, format: str | None) -> TraceLoadError:
    """The error for a source with no trace document: empty, text of no trace, or JSON of no
    known format."""
    if text is None:
        return TraceLoadError("empty JSON input", source=name, format=format)
    error = text.nothing_found()
    if error is not None:
        return error
    return TraceLoadError(_UNKNOWN_FORMAT, source=name, place=text.first_rejected)


def load_traces(source: Source, *, format: Format | None = None) -> list[Trace]:
    """Every trace in ``source``, grouped by trace id, in order of first appearance.

    ``source`` is a path (a file, a directory: its files, or a glob pattern), ``bytes``, a
    binary file object, an already parsed JSON object, OpenTelemetry SDK spans, or a list of
    these: the spans of all of them are merged by trace id.  ``format`` is one of
    :data:`FORMATS`; when omitted it is sniffed from each source on its own.
    """
    parts, name = expand(source)
    traces = _load(parts, name, format)
    if not traces:
        raise TraceLoadError("no spans found", source=name, format=format)
    return traces


def pick_trace(traces: Sequence[Trace], trace_id: str | None, name: str) -> Trace:
    """The trace ``trace_id`` names (its id, or a unique prefix of at least 8 hex digits), or
    the only trace; a clear error otherwise (a ``ValueError`` for a ``trace_id`` that is no
    trace id)."""
    if trace_id is not None:
        trace_id_query(trace_id)  # a wrong argument says so before anything else
    if not traces:
        raise TraceLoadError("no spans found", source=name)
    if trace_id is not None:
        found = match_traces(traces, trace_id)
        if len(found) > 1:
            raise TraceLoadError(
                f"trace id prefix {trace_id!r} is ambiguous: {len(found)} traces start with "
                f"it ({id_listing(found, 10)}); pass more of the id",
                source=name,
            )
        if not found:
            raise TraceLoadError(
                f"no trace with id {trace_id} (found: {id_listing(traces)})", source=name
            )
        return found[0]
    if len(traces) > 1:
        raise TraceLoadError(
            f"holds {len(traces)} traces ({id_listing(traces)}); pass trace_id= (the id, or "
            "a unique prefix of 8 hex digits or more) to choose one, or use load_traces()",
            source=name,
        )
    return traces[0]


def load_trace(
    source: Source, *, format: Format | None = None, trace_id: str | None = None
) -> Trace:
    """Load one trace from ``source`` (anything :func:`load_traces` reads, a list too).

    The format is sniffed unless ``format`` names it.  When the source holds several traces,
    ``trace_id`` picks one: the id (a 16-character id is left-padded with zeros) or a unique
    prefix of at least 8 hex digits.
    """
    if trace_id is not None:
        trace_id_query(trace_id)
    parts, name = expand(source)
    return pick_trace(_load(parts, name, format), trace_id, name)


def load_otel_spans(spans: Iterable[Any], *, trace_id: str | None = None) -> Trace:
    """One trace from OpenTelemetry SDK ``ReadableSpan`` objects (e.g. the finished spans of an
    in-memory exporter); ``load_trace(spans)`` does the same.  With spans of several traces,
    ``trace_id`` picks one."""
    if trace_id is not None:
        trace_id_query(trace_id)
    parts, name = otel_part(spans)
    return pick_trace(_load(parts, name, None), trace_id, name)


Trace.otel_loader = load_otel_spans  # behind the alias Trace.from_otel_spans
