"""Loading traces: one front door (:func:`load_trace`, :func:`load_traces`) over every format.

The source is read once into bytes (or taken as an already parsed JSON object), decompressed
when it starts with a gzip or zstd magic number, then *sniffed*: JSON shapes are told apart by
their keys, anything else is OTLP protobuf (plain or as the collector's length-prefixed
records).  Each format module fills a :class:`~tracespec._build.TraceBuilder`; the builder
assembles the traces.  Every failure is a :class:`~tracespec.errors.TraceLoadError` naming the
source and the place.
"""

from __future__ import annotations

import gc
import gzip
import io
import mmap
import os
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import IO, Any, Literal, get_args

import orjson

from .._build import TraceBuilder
from ..errors import TraceFileNotFoundError, TraceLoadError
from ..trace import Trace

__all__ = ["FORMATS", "Format", "load_trace", "load_traces", "pick_trace", "sniff_json"]

Format = Literal[
    "otlp-proto",
    "otlp-json",
    "tempo",
    "jaeger",
    "jaeger-v3",
    "zipkin",
    "opensearch",
]
FORMATS: tuple[str, ...] = get_args(Format)

Source = (
    str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes] | dict[str, Any] | list[Any]
)

Data = bytes | mmap.mmap  # the source's bytes, maybe a read-only map of the file
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


# Files from this size on are mapped rather than read: no copy of the file in memory, and the
# parsers (upb, orjson) read the mapped pages directly.
_MMAP_MIN = 8 << 20


def _read_path(path: Path) -> Data:
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size >= _MMAP_MIN:
            try:
                return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # pragma: no cover - a file system without mmap
                pass
        return f.read()


def _read_source(source: Any) -> tuple[Data | None, Any, str]:
    """Return (bytes or None, parsed JSON object or None, display name)."""
    if isinstance(source, dict | list):
        return None, source, "<json>"
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), None, "<bytes>"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        name = str(source)
        try:
            return _read_path(path), None, name
        except FileNotFoundError:
            raise TraceFileNotFoundError("file not found", source=name) from None
        except IsADirectoryError:
            raise TraceLoadError("is a directory, not a trace file", source=name) from None
        except OSError as exc:
            raise TraceLoadError(f"cannot read: {exc.strerror or exc}", source=name) from None
    read = getattr(source, "read", None)
    if callable(read):
        name = str(getattr(source, "name", "<file>"))
        data = read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, bytes | bytearray):
            raise TraceLoadError("file object did not return bytes", source=name)
        return bytes(data), None, name
    raise TypeError(
        "load_trace() takes a path, bytes, a binary file object or a parsed JSON object, "
        f"not {type(source).__name__}"
    )


def _decompress(data: Data, name: str) -> Data:
    if data[:2] == _GZIP_MAGIC:
        try:
            return _decompress(gzip.decompress(data), name)
        except (OSError, EOFError, zlib.error) as exc:
            raise TraceLoadError(f"corrupt or truncated gzip data: {exc}", source=name) from None
    if data[:4] == _ZSTD_MAGIC:
        try:
            import zstandard
        except ImportError:  # pragma: no cover - zstandard is a dependency
            raise TraceLoadError(
                "zstd-compressed data needs the 'zstandard' package", source=name
            ) from None
        try:
            reader = zstandard.ZstdDecompressor().stream_reader(
                io.BytesIO(data), read_across_frames=True
            )
            out = reader.read()
        except zstandard.ZstdError as exc:
            raise TraceLoadError(f"corrupt or truncated zstd data: {exc}", source=name) from None
        return _decompress(out, name)
    return data


_NOT_BLANK = re.compile(rb"[^ \t\r\n]")


def _first_byte(data: Data) -> int | None:
    m = _NOT_BLANK.search(data)
    return data[m.start()] if m else None


def sniff_json(obj: Any) -> str | None:
    """Name the format of a parsed JSON document, or ``None`` when it is none we know.

    Looks only at the envelope and the first span-like object, by their keys.
    """
    if isinstance(obj, dict):
        if "resourceSpans" in obj or "resource_spans" in obj:
            return "otlp-json"
        if "batches" in obj:
            return "tempo"
        trace = obj.get("trace")
        if isinstance(trace, dict) and ("resourceSpans" in trace or "batches" in trace):
            return "tempo"
        result = obj.get("result")
        error = obj.get("error")
        if isinstance(result, dict) or (isinstance(error, dict) and "httpCode" in error):
            return "jaeger-v3"
        if "data" in obj:
            data = obj["data"]
            if data is None and "errors" in obj:
                return "jaeger"
            if isinstance(data, list) and (
                not data or (isinstance(data[0], dict) and "spans" in data[0])
            ):
                return "jaeger"
        if "spans" in obj and "traceID" in obj:
            return "jaeger"
        hits = obj.get("hits")
        if isinstance(hits, dict) and "hits" in hits:
            return "opensearch"
        return _sniff_span(obj)
    if isinstance(obj, list):
        if not obj:
            return "zipkin"
        first = obj[0]
        if isinstance(first, list):
            return "zipkin" if not first or _sniff_span(first[0]) == "zipkin" else None
        if isinstance(first, dict):
            if "_source" in first:
                return "opensearch"
            if "resourceSpans" in first or "resource_spans" in first:
                return "otlp-json"
            return _sniff_span(first)
    return None


def _sniff_span(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    if "traceId" in obj and "id" in obj:
        return "zipkin"
    if "traceId" in obj and "spanId" in obj:
        return "opensearch"
    return None


def _loader(fmt: str) -> Callable[[Any, TraceBuilder], None]:
    if fmt == "otlp-proto":
        from . import otlp_proto

        return otlp_proto.load_bytes
    if fmt in ("otlp-json", "tempo", "jaeger-v3"):
        from . import otlp_json

        return otlp_json.load_document
    if fmt == "jaeger":
        from .jaeger import load_document as load_jaeger

        return load_jaeger
    if fmt == "zipkin":
        from .zipkin import load_document as load_zipkin

        return load_zipkin
    if fmt == "opensearch":
        from .opensearch import load_document as load_opensearch

        return load_opensearch
    raise ValueError(f"unknown trace format {fmt!r}; known: {', '.join(FORMATS)}")


_NON_SPACE = re.compile(rb"\S")
_RELEASE_STEP = 32 << 20


def _json_docs(data: Data, name: str, fmt: str | None) -> Iterator[tuple[Any, str]]:
    """One document, or JSON Lines (one document per line): yields (doc, place) pairs.

    When the first non-empty line is a whole document and more follows, the data is JSON
    Lines: lines are parsed one at a time from a view of the bytes, so only one line's objects
    are alive besides what the loader keeps.  Otherwise the data is one document.
    """
    view = memoryview(data)
    end = len(data)
    pos = 0
    no = 0
    first: Any = None
    while pos < end:  # the first non-empty line
        nl = data.find(b"\n", pos)
        if nl < 0:
            nl = end
        no += 1
        line = view[pos:nl]
        pos = nl + 1
        if line and not (line[0] in b" \t\r" and not bytes(line).strip()):
            try:
                first = orjson.loads(line)
            except orjson.JSONDecodeError:
                first = None
            break
    if first is None or _NON_SPACE.search(data, pos) is None:
        if first is not None and no == 1:
            yield first, ""
            return
        del first
        try:
            doc = orjson.loads(view)
        except orjson.JSONDecodeError as exc:  # (its .doc is a copy of the whole input)
            msg, at = exc.msg, exc.pos
            del exc
            raise TraceLoadError(
                f"invalid JSON: {msg}", source=name, place=_json_place(data, at), format=fmt
            ) from None
        yield doc, ""
        return
    yield first, f"line {no}"
    del first
    released = 0  # of a mapped file, the pages already read are handed back as we go
    can_release = isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED")
    while pos < end:
        if can_release and pos - released >= _RELEASE_STEP:
            upto = pos - pos % mmap.PAGESIZE
            data.madvise(mmap.MADV_DONTNEED, released, upto - released)  # type: ignore[union-attr]
            released = upto
        nl = data.find(b"\n", pos)
        if nl < 0:
            nl = end
        no += 1
        line = view[pos:nl]
        pos = nl + 1
        if not line or (line[0] in b" \t\r" and not bytes(line).strip()):
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise TraceLoadError(
                f"invalid JSON: {exc.msg}",
                source=name,
                place=f"line {no}, column {exc.colno}",
                format=fmt,
            ) from None
        yield doc, f"line {no}"
        del doc


def _json_place(data: Data, pos: int) -> str:
    head = bytes(memoryview(data)[:pos])
    line = head.count(b"\n") + 1
    col = pos - (head.rfind(b"\n") + 1) + 1
    return f"line {line}, column {col}"


def _load(source: Any, format: str | None) -> tuple[list[Trace], str]:
    # Loading allocates millions of small objects and no cycles: the cyclic GC would only
    # rescan them over and over (it more than doubles the load time of a large trace).  When
    # it is back on, the objects of the load are moved to the oldest generation in one step
    # (freeze + unfreeze is two list splices), so that the first young collection after the
    # load does not traverse all of them either.  Skipped if the user froze objects himself.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_inner(source, format)
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _load_inner(source: Any, format: str | None) -> tuple[list[Trace], str]:
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown trace format {format!r}; known: {', '.join(FORMATS)}")
    data, obj, name = _read_source(source)
    docs: Iterator[tuple[Any, str]]
    if data is not None:
        data = _decompress(data, name)
        if data[:1] == b"\x00" and format != "otlp-proto":
            data = _json_records(data, name)  # the collector's JSON with legacy zstd
        first = _first_byte(data)
        if first is None:
            raise TraceLoadError("empty input: no trace data", source=name, format=format)
        is_json = first in (ord("{"), ord("["))
        if format == "otlp-proto" or (format is None and not is_json):
            builder = TraceBuilder(source=name, format="otlp-proto")
            box = [data]
            del data  # the loader frees the bytes once they are parsed
            _loader("otlp-proto")(box, builder)
            return builder.build(), name
        if not is_json:
            raise TraceLoadError(
                "expected a JSON document (it does not start with '{' or '[')",
                source=name,
                format=format,
            )
        docs = _json_docs(data, name, format)
        del data
    else:
        if format == "otlp-proto":
            raise TraceLoadError(
                "OTLP protobuf is read from bytes, a file or a path, not from parsed JSON",
                source=name,
                format=format,
            )
        docs = iter([(obj, "")])
    first_doc = next(docs, None)
    if first_doc is None:
        raise TraceLoadError("empty JSON input", source=name, format=format)
    fmt = format
    if fmt is None:
        fmt = sniff_json(first_doc[0])
        if fmt is None:
            raise TraceLoadError(
                "unknown trace format: not OTLP JSON, Tempo, Jaeger, Zipkin or OpenSearch "
                "(pass format= to say which)",
                source=name,
                place=first_doc[1] or None,
            )
    builder = TraceBuilder(source=name, format=fmt)
    load = _loader(fmt)
    for doc, place in chain([first_doc], docs):
        builder.places = [place] if place else None
        load(doc, builder)
        del doc
    del first_doc, docs
    return builder.build(), name


def _json_records(data: Data, name: str) -> Data:
    """Length-prefixed records (4-byte big-endian length, payload) holding JSON, each maybe
    zstd-compressed, as JSON Lines; ``data`` itself when the records hold something else."""
    from .otlp_proto import _framed

    records = _framed(data)
    if not records:
        return data
    first = _decompress(bytes(records[0]), name)
    if _first_byte(first) != ord("{"):
        return data
    out = bytearray()
    for rec in records:
        out += _decompress(bytes(rec), name)
        out += b"\n"
    del records
    return bytes(out)


def load_traces(source: Source, *, format: Format | None = None) -> list[Trace]:
    """Every trace in ``source``, grouped by trace id, in order of first appearance.

    ``source`` is a path, ``bytes``, a binary file object, or an already parsed JSON object.
    ``format`` is one of :data:`FORMATS`; when omitted it is sniffed from the data.
    """
    traces, name = _load(source, format)
    if not traces:
        raise TraceLoadError("no spans found", source=name, format=format)
    return traces


def pick_trace(traces: Sequence[Trace], trace_id: str | None, name: str) -> Trace:
    """The trace with ``trace_id``, or the only trace; a clear error otherwise."""
    if not traces:
        raise TraceLoadError("no spans found", source=name)
    if trace_id is not None:
        want = trace_id.strip().lower()
        if len(want) == 16:
            want = want.rjust(32, "0")
        for t in traces:
            if t.trace_id == want:
                return t
        ids = ", ".join(t.trace_id for t in traces[:5])
        raise TraceLoadError(
            f"no trace with id {trace_id} (found: {ids}{', ...' if len(traces) > 5 else ''})",
            source=name,
        )
    if len(traces) > 1:
        ids = ", ".join(t.trace_id for t in traces[:5])
        raise TraceLoadError(
            f"holds {len(traces)} traces ({ids}{', ...' if len(traces) > 5 else ''}); "
            "pass trace_id= to choose one, or use load_traces()",
            source=name,
        )
    return traces[0]


def load_trace(
    source: Source, *, format: Format | None = None, trace_id: str | None = None
) -> Trace:
    """Load one trace from ``source`` (a path, bytes, a binary file object or parsed JSON).

    The format is sniffed unless ``format`` names it.  When the source holds several traces,
    ``trace_id`` picks one (a 16-character id is left-padded with zeros).
    """
    traces, name = _load(source, format)
    return pick_trace(traces, trace_id, name)
