"""The bytes of a trace source: reading (mapped when big), decompressing, framing, text.

A source is a path, bytes, a binary file object or an already parsed JSON object.  Its bytes
are read once (files from 8 MiB on are mapped, not copied: the parsers read the pages), gzip and
zstd are undone by their magic numbers, the collector's length-prefixed records are split, and
text is cut into JSON documents: one, one per line of JSON Lines (parsed one line at a time), or
objects spanning lines, with any other lines between them (an application's captured output:
log lines) skipped and counted.  Text is told from binary data by its bytes, and described in
the error when it holds no trace.  Every failure is a :class:`~tracespec.errors.TraceLoadError`
naming the source and the place.
"""

from __future__ import annotations

import gzip
import io
import json
import mmap
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ..errors import TraceFileNotFoundError, TraceLoadError

__all__ = [
    "ZSTD_MAGIC",
    "Data",
    "LoadWarning",
    "TextDocuments",
    "decompress",
    "first_byte",
    "framed",
    "is_text",
    "json_documents",
    "json_records",
    "read_source",
    "text_summary",
]

Data = bytes | mmap.mmap  # the source's bytes, maybe a read-only map of the file
_GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

# Files from this size on are mapped rather than read: no copy of the file in memory, and the
# parsers (upb, orjson) read the mapped pages directly.
_MMAP_MIN = 8 << 20
# Of a mapped JSON Lines file, the pages already parsed are handed back every this many bytes.
_RELEASE_STEP = 32 << 20


def _read_path(path: Path) -> Data:
    with path.open("rb") as f:
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


def decompress(data: Data, name: str) -> Data:
    """``data`` without its gzip or zstd layers (as many as there are)."""
    if data[:2] == _GZIP_MAGIC:
        try:
            return decompress(gzip.decompress(data), name)
        except (OSError, EOFError, zlib.error) as exc:
            raise TraceLoadError(f"corrupt or truncated gzip data: {exc}", source=name) from None
    if data[:4] == ZSTD_MAGIC:
        import zstandard

        try:
            reader = zstandard.ZstdDecompressor().stream_reader(
                io.BytesIO(data), read_across_frames=True
            )
            out = reader.read()
        except zstandard.ZstdError as exc:
            raise TraceLoadError(f"corrupt or truncated zstd data: {exc}", source=name) from None
        return decompress(out, name)
    return data


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
    first = decompress(bytes(records[0]), name)
    if first_byte(first) != ord("{"):
        return data
    out = bytearray()
    for rec in records:
        out += decompress(bytes(rec), name)
        out += b"\n"
    del records
    return bytes(out)


# ----------------------------------------------------------------------------------------------
# Text: one JSON document, JSON Lines, or objects (pretty-printed, concatenated), maybe with other
# lines between them (an application's captured output)

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# The control bytes no text holds: C0 but tab, newline, form feed, carriage return and escape
# (terminal colours).  OTLP protobuf has some in its first bytes: field tags such as 0x12 and
# lengths below 32 (a trace id's is 0x10, a span id's 0x08).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_TEXT_PROBE = 64 << 10  # how much of the data is looked at to tell text
_NON_SPACE = re.compile(rb"\S")
_NOT_BLANK_IN_LINE = re.compile(rb"[^ \t\r\n]")
_INDENT = re.compile(rb"[ \t]*")
# What brace counting sees of JSON text: a string (it ends with its line if it is not closed:
# JSON strings never hold a raw newline), a brace, a newline.
_TOKENS = re.compile(rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?|[{}\n]')
_OTLP_START = re.compile(rb'\{\s*"(?:resourceSpans|resource_spans)"')
# A first line that reads as the start of JSON (not as a log line that starts with a bracket)
_JSON_START = re.compile(rb'\s*(?:\{[ \t\r]*(?:["}]|\n|$)|\[[ \t\r]*(?:[\[{"\]]|\n|$))')
_MAX_DEPTH = 1024  # orjson's limit: an object nested deeper cannot be read anyway
_MAX_KEPT = 1 << 16  # the ends of braces met while counting that are kept for later lines


class LoadWarning(str):
    """A line of ``Trace.repairs`` that warns about the input (lines skipped) rather than
    telling a repair of the trace; the command line prints it on stderr."""

    __slots__ = ()


def is_text(data: Data) -> bool:
    """Whether ``data`` reads as text: a UTF-16 byte-order mark, or no control byte (but tab,
    newline, form feed, carriage return and escape) in its first 64 KiB."""
    if data[:2] in _UTF16_BOMS:
        return True
    return _CONTROL.search(data, 0, _TEXT_PROBE) is None


def text_summary(
    data: Data, *, encoding: str | None = None, lines: int | None = None
) -> tuple[str, str]:
    """What a text looks like, for messages: ``("text (UTF-8, 3 lines)", "line 1 starts with
    '...'")`` (the encoding and line count when known)."""
    head = bytes(memoryview(data)[:_TEXT_PROBE])
    if encoding is None:
        encoding = "UTF-16" if head[:2] in _UTF16_BOMS else _encoding(head, len(data) > len(head))
    count = f", {lines} line{'s' if lines != 1 else ''}" if lines is not None else ""
    m = _NON_SPACE.search(head, 3 if head[:3] == _UTF8_BOM else 0)
    if m is None:
        return f"text ({encoding}{count})", "blank"
    no = head.count(b"\n", 0, m.start()) + 1
    return f"text ({encoding}{count})", f"line {no} starts with {_snippet(head, m.start())!r}"


def _encoding(head: bytes, cut: bool) -> str:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # (a character cut by the probe's end is no error)
        if not (cut and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"):
            return "not UTF-8"
    return "UTF-8"


def _snippet(data: Data, at: int) -> str:
    """The text of the line at ``at``, cut to 60 characters."""
    nl = data.find(b"\n", at, at + 400)
    raw = bytes(memoryview(data)[at : nl if nl >= 0 else at + 400])
    text = raw.decode("utf-8", "replace").strip()
    return text if len(text) <= 60 else text[:59] + "…"


def _from_utf16(data: Data, name: str) -> bytes:
    try:
        return bytes(data).decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise TraceLoadError(f"text in UTF-16 that does not decode: {exc.reason}",
                             source=name) from None


def json_documents(data: Data, name: str, fmt: str | None) -> Iterator[tuple[Any, str]]:
    """The JSON documents of a text, as (doc, place) pairs.

    A text that is one JSON document (its first line alone, or all of it) is that document;
    anything else is read as :class:`TextDocuments`: JSON Lines, or objects spanning lines,
    either with other lines between them.  UTF-16 text (with its byte-order mark) is read
    as UTF-8, a UTF-8 byte-order mark is passed over.
    """
    encoding = None  # (told from the bytes when needed)
    if data[:2] in _UTF16_BOMS:
        data, encoding = _from_utf16(data, name), "UTF-16"
    start = 3 if data[:3] == _UTF8_BOM else 0
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


class TextDocuments(Iterator[tuple[Any, str]]):
    """The JSON documents of a text, and the lines between them that are not, in one pass.

    Iterating yields (document, ``"line N"``) pairs in order: a line that is JSON (JSON Lines),
    or an object that starts a line and spans lines (pretty-printed, as the Python SDK's
    console exporter prints spans), cut out by counting braces (:meth:`_match`).  Any other
    line is skipped and counted, and so is a document the reader rejects (:meth:`reject`:
    JSON that is no trace, e.g. a structured log line).  A line that starts like an OTLP JSON
    document but is not valid JSON is an error (the file is truncated or corrupt), not a
    skipped line.
    Every byte is read a bounded number of times, whatever the text holds.
    """

    def __init__(
        self,
        data: Data,
        name: str,
        fmt: str | None,
        start: int,
        encoding: str | None,
        json_error: TraceLoadError | None = None,
        *,
        head: tuple[list[Any], int, int] | None = None,
    ) -> None:
        self._data = data
        self._name = name
        self._fmt = fmt
        self._start = start
        self._encoding = encoding
        self._json_error = json_error  # the error of reading it all as one document
        self.skipped = 0  # lines that hold no trace document
        self._first_skipped: tuple[int, str] | None = None
        self.first_rejected: str | None = None  # the place of the first rejected document
        self.lines = 0  # lines read
        self._last = (0, 0, 0)  # the last document: its first and last line, its start
        self._scanned = 0  # braces are counted up to here
        self._ends: dict[int, int] = {}  # brace → the brace closing it, counted on the way
        self._docs = self._documents(head)

    def __next__(self) -> tuple[Any, str]:
        return next(self._docs)

    def reject(self) -> None:
        """The document last yielded holds no trace: its lines count as skipped."""
        first, last, at = self._last
        if self.first_rejected is None:
            self.first_rejected = f"line {first}"
        self._skip(first, at, last - first + 1)

    def warning(self, name: str) -> LoadWarning | None:
        """The warning telling the lines skipped (``None`` when none were)."""
        n = self.skipped
        if not n or self._first_skipped is None:
            return None
        no, text = self._first_skipped
        what = "line that is" if n == 1 else "lines that are"
        more = ", ..." if n > 1 else ""
        return LoadWarning(
            f"{name}: skipped {n} {what} not trace data (line {no}: {text!r}{more})"
        )

    def nothing_found(self) -> TraceLoadError | None:
        """Why no document was found: the error to raise, or ``None`` when the documents found
        were all rejected (the reader says they are of no known format)."""
        if self.first_rejected is not None:
            return None
        if self.lines == 0:
            return TraceLoadError("empty input: no trace data", source=self._name, format=self._fmt)
        if self._json_error is not None and _JSON_START.match(self._data, self._start):
            return self._json_error
        what, where = text_summary(self._data, encoding=self._encoding, lines=self.lines)
        return TraceLoadError(
            f"{what}, not OTLP protobuf nor a JSON trace document tracespec knows: {where}",
            source=self._name,
            format=self._fmt,
        )

    def _skip(self, no: int, at: int, n: int) -> None:
        self.skipped += n
        if self._first_skipped is None:
            self._first_skipped = (no, _snippet(self._data, at))

    def _documents(self, head: tuple[list[Any], int, int] | None) -> Iterator[tuple[Any, str]]:
        """The documents; ``head`` is the first line's, already parsed: ([document], where it
        starts, where its line ends)."""
        data = self._data
        end = len(data)
        pos = line_start = self._start
        no = 0
        if head is not None:  # the first line is a document: JSON Lines
            box, first, nl = head
            del head
            no = _newlines(data, pos, first) + 1
            self._last = (no, no, first)
            yield box.pop(), f"line {no}"
            pos = nl + 1
        text_until = 0  # lines up to this one are text (an object that did not parse)
        mid = False  # pos is within a line, after a document that ended there
        released = 0
        can_release = isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED")
        while pos < end:
            if can_release and pos - released >= _RELEASE_STEP:
                # of a mapped file, the pages already read are handed back as it goes
                upto = pos - pos % mmap.PAGESIZE
                data.madvise(mmap.MADV_DONTNEED, released, upto - released)  # type: ignore[union-attr]
                released = upto
            nl = data.find(b"\n", pos)
            if nl < 0:
                nl = end
            if mid:
                mid = False
            else:
                no += 1
                line_start = pos
            m = _NOT_BLANK_IN_LINE.search(data, pos, nl)
            if m is None:
                pos = nl + 1
                continue
            s = m.start()
            c = data[s]
            if no > text_until and c in b"{[":
                try:
                    doc = _loads(data, s, nl)
                except orjson.JSONDecodeError as exc:
                    line_error = exc
                else:
                    self._last = (no, no, s)
                    yield doc, f"line {no}"
                    del doc
                    pos = nl + 1
                    continue
                if c == ord("{"):
                    got = self._object(s, no, s - line_start, nl, line_error)
                    del line_error
                    if isinstance(got, int):
                        text_until = got
                    else:
                        doc, e, last = got
                        del got
                        self._last = (no, last, s)
                        yield doc, f"line {no}"
                        del doc
                        pos, no, mid = e + 1, last, True
                        continue
            self._skip(no, s, 1)
            pos = nl + 1
        self.lines = no
        if self._last[0]:  # documents were found: the bytes are not needed any more (a mapped
            self._data = b""  # file is unmapped before the traces are assembled)

    def _object(
        self, s: int, no: int, col: int, nl: int, line_error: orjson.JSONDecodeError
    ) -> tuple[Any, int, int] | int:
        """The object that starts at ``s`` (line ``no``, column ``col``) and goes on past its
        line (which ends at ``nl``): (the object, its last byte, its last line), or the number
        of the last line that is text when there is none there."""
        data = self._data
        otlp = _OTLP_START.match(data, s) is not None
        line = bytes(memoryview(data)[s:nl]).decode("utf-8", "replace")
        if line_error.pos < len(line.rstrip()):  # the line itself is not JSON
            if otlp:
                raise self._error(line_error, no, col)
            return no
        e = self._match(s, col)
        if e < 0:  # no brace closes it
            if otlp:
                raise self._error_from(s, no, col)
            return no
        last = no + _newlines(data, s, e)
        try:
            doc = _loads(data, s, e + 1)
        except orjson.JSONDecodeError as exc:
            if otlp:
                raise self._error(exc, no, col) from None
            return last
        return doc, e, last

    def _error(self, exc: orjson.JSONDecodeError, no: int, col: int) -> TraceLoadError:
        """``exc`` of a document that starts at line ``no``, column ``col`` + 1."""
        column = exc.colno + (col if exc.lineno == 1 else 0)
        return TraceLoadError(
            f"invalid JSON: {exc.msg}",
            source=self._name,
            place=f"line {no + exc.lineno - 1}, column {column}",
            format=self._fmt,
        )

    def _error_from(self, s: int, no: int, col: int) -> TraceLoadError:
        """The error of reading the rest of the text, from ``s``, as one document."""
        try:
            orjson.loads(memoryview(self._data)[s:])
        except orjson.JSONDecodeError as exc:
            return self._error(exc, no, col)
        return TraceLoadError(  # pragma: no cover - unbalanced braces are never valid JSON
            "invalid JSON: unbalanced braces", source=self._name, place=f"line {no}",
            format=self._fmt,
        )

    def _match(self, s: int, col: int) -> int:
        """Where the brace closing the one at ``s`` (in column ``col``) is, or ``-1``.

        Braces are counted outside JSON strings, from ``s`` on.  The count stops, with no
        match, at a line indented no deeper than ``col`` that does not start with a closing
        bracket (a writer indents what is inside an object, so the object ended without its
        brace: a truncated object, a log line), or deeper than orjson reads.  The braces
        closed on the way are kept, for the lines the caller reads next: no byte is counted
        twice, so cutting a text into objects takes linear time whatever it holds.
        """
        if s < self._scanned:
            return self._ends.pop(s, -1)
        ends = self._ends
        ends.clear()
        data = self._data
        size = len(data)
        stack: list[int] = []
        for m in _TOKENS.finditer(data, s):
            at = m.start()
            t = data[at]
            if t == 0x7B:  # {
                if len(stack) >= _MAX_DEPTH:
                    self._scanned = at
                    return -1
                stack.append(at)
            elif t == 0x7D:  # }
                opened = stack.pop()
                if opened == s:
                    self._scanned = at + 1
                    return at
                if len(ends) < _MAX_KEPT:
                    ends[opened] = at
            elif t == 0x0A:  # a new line: does the object go on?
                i = _INDENT.match(data, at + 1).end()  # type: ignore[union-attr]
                if i - at - 1 <= col and i < size and data[i] not in b"}]\r\n":
                    self._scanned = at + 1
                    return -1
        self._scanned = size
        return -1


def _loads(data: Data, start: int, end: int) -> Any:
    """The JSON of ``data[start:end]``; also with ``NaN`` and ``Infinity``, which Python's
    ``json.dumps`` writes for such floats (the SDK's console exporter uses it) and orjson
    does not read."""
    try:
        return orjson.loads(memoryview(data)[start:end])
    except orjson.JSONDecodeError:
        if data.find(b"NaN", start, end) < 0 and data.find(b"Infinity", start, end) < 0:
            raise
        try:
            return json.loads(bytes(memoryview(data)[start:end]))
        except ValueError:  # (JSONDecodeError, or text that is not UTF-8)
            pass
        raise


def _newlines(data: Data, start: int, end: int) -> int:
    """The number of newlines in ``data[start:end]``."""
    if isinstance(data, bytes):
        return data.count(b"\n", start, end)
    n = 0
    i = data.find(b"\n", start, end)
    while i >= 0:
        n += 1
        i = data.find(b"\n", i + 1, end)
    return n


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
