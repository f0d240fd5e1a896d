"""The bytes of a trace source: reading (mapped when big), decompressing, framing, text.

A source is a path, bytes, a binary file object or an already parsed JSON object.  Its bytes
are read once (files from 8 MiB on are mapped, not copied: the parsers read the pages), gzip and
zstd are undone by their magic numbers, the collector's length-prefixed records are split, and
JSON text is one document, or the documents :class:`~._text.TextDocuments` cuts out of it (JSON
Lines, parsed one line at a time; objects spanning lines; other lines between them skipped).
Every failure is a :class:`~tracespec.errors.TraceLoadError` naming the source and the place.
"""

from __future__ import annotations

import io
import mmap
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from .._files import open_regular, read_stream
from ..errors import TraceFileNotFoundError, TraceLoadError
from ._text import UTF8_BOM, UTF16_BOMS, TextDocuments, from_utf16

__all__ = [
    "INFLATE_MIN",
    "INFLATE_RATIO",
    "MAX_LAYERS",
    "ZSTD_MAGIC",
    "Data",
    "decompress",
    "first_byte",
    "framed",
    "inflate_limit",
    "json_documents",
    "json_records",
    "read_source",
]

Data = bytes | mmap.mmap  # the source's bytes, maybe a read-only map of the file
_GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

# Files from this size on are mapped rather than read: no copy of the file in memory, and the
# parsers (upb, orjson) read the mapped pages directly.
_MMAP_MIN = 8 << 20


def _read_path(path: Path) -> Data:
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size >= _MMAP_MIN:
            try:
                return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # pragma: no cover - a file system without mmap
                pass
        return f.read()


def read_source(source: Any) -> tuple[Data | None, Any, str]:
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
        try:
            data = read_stream(source)
        except OSError as exc:
            raise TraceLoadError(f"cannot read: {exc.strerror or exc}", source=name) from None
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, bytes | bytearray):
            raise TraceLoadError("file object did not return bytes", source=name)
        return bytes(data), None, name
    raise TypeError(
        "load_trace() takes a path, bytes, a binary file object or a parsed JSON object, "
        f"not {type(source).__name__}"
    )


#: At most this many compression layers are undone (a trace zstd'ed once more by a transport,
#: say); a third is refused, so that thousands of nested layers cannot recurse.
MAX_LAYERS = 2
#: Decompression stops with an error beyond ``max(INFLATE_MIN, INFLATE_RATIO × compressed
#: size)`` bytes (both layers together); ``$TRACESPEC_MAX_INFLATE`` (bytes) replaces the bound.
INFLATE_MIN = 512 << 20
INFLATE_RATIO = 64
_CHUNK = 16 << 20


def inflate_limit(size: int) -> int:
    """The most bytes the decompression of ``size`` compressed bytes may produce."""
    env = os.environ.get("TRACESPEC_MAX_INFLATE", "").strip()
    if env:
        try:
            return max(0, int(env.replace("_", "")))
        except ValueError:
            raise TraceLoadError(
                f"$TRACESPEC_MAX_INFLATE={env!r} is not a number of bytes"
            ) from None
    return max(INFLATE_MIN, INFLATE_RATIO * size)


def _compression(data: Data) -> str | None:
    if data[:2] == _GZIP_MAGIC:
        return "gzip"
    if data[:4] == ZSTD_MAGIC:
        return "zstd"
    return None


def decompress(data: Data, name: str, limit: int | None = None) -> Data:
    """``data`` without its gzip or zstd layers (at most :data:`MAX_LAYERS`), decompressed a
    chunk at a time and refused once it passes ``limit`` bytes (default :func:`inflate_limit`
    of the compressed size): a decompression bomb stops at the bound, not at memory's end."""
    kind = _compression(data)
    if kind is None:
        return data
    limit = inflate_limit(len(data)) if limit is None else max(0, limit)
    for _ in range(MAX_LAYERS):
        data = _inflate(data, kind, name, limit)
        kind = _compression(data)
        if kind is None:
            return data
    raise TraceLoadError(
        f"more than {MAX_LAYERS} layers of compression (a decompression bomb?)", source=name
    )


def _inflate(data: Data, kind: str, name: str, limit: int) -> bytes:
    if kind == "gzip":
        import gzip  # imported when a file is gzip-compressed

        stream: Any = gzip.GzipFile(fileobj=io.BytesIO(data) if isinstance(data, bytes) else data)
        errors: tuple[type[Exception], ...] = (OSError, EOFError, zlib.error)
    else:
        import zstandard

        stream = zstandard.ZstdDecompressor().stream_reader(
            memoryview(data), read_across_frames=True
        )
        errors = (zstandard.ZstdError,)
    try:
        with stream:
            return _read_capped(stream, limit, kind, name)
    except errors as exc:
        raise TraceLoadError(f"corrupt or truncated {kind} data: {exc}", source=name) from None


def _read_capped(stream: Any, limit: int, kind: str, name: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(min(_CHUNK, limit + 1 - total)):
        total += len(chunk)
        if total > limit:
            raise TraceLoadError(
                f"{kind} data inflates past {_size_text(limit)} (a decompression bomb?); "
                "raise the bound with $TRACESPEC_MAX_INFLATE (bytes), see docs/limits.md",
                source=name,
            )
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _size_text(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.4g} {unit}"
    return f"{n} bytes"


_NOT_BLANK = re.compile(rb"[^ \t\r\n]")


def first_byte(data: Data) -> int | None:
    """The first byte that is not white space (``None`` for blank data)."""
    m = _NOT_BLANK.search(data)
    return data[m.start()] if m else None


def framed(data: Any) -> list[memoryview] | None:
    """The payloads of length-prefixed records (4-byte big-endian length, then the payload)
    when they cover ``data`` exactly, else ``None``."""
    view = memoryview(data)
    records = []
    pos = 0
    end = len(data)
    while pos < end:
        if pos + 4 > end:
            return None
        size = int.from_bytes(view[pos : pos + 4], "big")
        pos += 4
        if size == 0 or pos + size > end:
            return None
        records.append(view[pos : pos + size])
        pos += size
    return records


def json_records(data: Data, name: str) -> Data:
    """Length-prefixed records holding JSON, each maybe zstd-compressed (the collector's JSON
    with legacy zstd), as JSON Lines; ``data`` itself when the records hold something else."""
    records = framed(data)
    if not records:
        return data
    limit = inflate_limit(len(data))
    first = decompress(bytes(records[0]), name, limit)
    if first_byte(first) != ord("{"):
        return data
    out = bytearray()
    for rec in records:
        out += decompress(bytes(rec), name, limit - len(out))
        out += b"\n"
    del records
    return bytes(out)


_NON_SPACE = re.compile(rb"\S")


def json_documents(data: Data, name: str, fmt: str | None) -> Iterator[tuple[Any, str]]:
    """The JSON documents of a text, as (doc, place) pairs.

    A text that is one JSON document (its first line alone, or all of it) is that document;
    anything else is read as :class:`TextDocuments`: JSON Lines, or objects spanning lines,
    either with other lines between them.  UTF-16 text (with its byte-order mark) is read
    as UTF-8, a UTF-8 byte-order mark is passed over.
    """
    encoding = None  # (told from the bytes when needed)
    if data[:2] in UTF16_BOMS:
        data, encoding = from_utf16(data, name), "UTF-16"
    start = 3 if data[:3] == UTF8_BOM else 0
    m = _NON_SPACE.search(data, start)
    if m is None:
        return iter(())
    first = m.start()
    nl = data.find(b"\n", first)
    nl = len(data) if nl < 0 else nl
    try:
        doc = orjson.loads(memoryview(data)[first:nl])
    except orjson.JSONDecodeError:
        pass
    else:
        if _NON_SPACE.search(data, nl) is None:
            return iter([(doc, "")])
        box = [doc]  # (the documents free it once it is read)
        del doc
        return TextDocuments(data, name, fmt, start, encoding, head=(box, first, nl))
    json_error = None
    if data[first] in b"{[":
        try:
            return iter([(_whole_document(data, name, fmt, start), "")])
        except TraceLoadError as exc:
            json_error = exc
    return TextDocuments(data, name, fmt, start, encoding, json_error)


def _whole_document(data: Data, name: str, fmt: str | None, start: int = 0) -> Any:
    try:
        return orjson.loads(memoryview(data)[start:])
    except orjson.JSONDecodeError as exc:  # (its .doc is a copy of the whole input)
        msg, at = exc.msg, exc.pos
        del exc
        raise TraceLoadError(
            f"invalid JSON: {msg}", source=name, place=_json_place(data, start + at), format=fmt
        ) from None


def _json_place(data: Data, pos: int) -> str:
    head = bytes(memoryview(data)[:pos])
    line = head.count(b"\n") + 1
    col = pos - (head.rfind(b"\n") + 1) + 1
    return f"line {line}, column {col}"
