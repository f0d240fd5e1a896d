"""Text: told from binary data, described for messages, and cut into the JSON documents it holds.

A trace file that is text may be one JSON document, JSON Lines, or objects spanning lines (the
Python SDK's console exporter prints pretty-printed spans one after another), maybe with other
lines between them: an application's captured stdout has its log lines there.
:class:`TextDocuments` reads such text in one pass, skipping and counting what is no trace
document, with linear work whatever the text holds; :func:`is_text` and :func:`text_summary`
tell text from protobuf and describe it when it holds no trace.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Iterator
from typing import Any

import orjson

from ..errors import TraceLoadError
from ._cut import CUT_KEY, MAX_MISSED, Cut, cut_document

__all__ = [
    "UTF8_BOM",
    "UTF16_BOMS",
    "LoadWarning",
    "Text",
    "TextDocuments",
    "from_utf16",
    "is_text",
    "text_summary",
]

Text = bytes | mmap.mmap  # the bytes of a text, maybe a read-only map of the file
# Of a mapped file, the pages already read are handed back every this many bytes.
_RELEASE_STEP = 32 << 20

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
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
_MAX_INDENT = 64  # objects indented deeper are found by counting braces only
_OUTDENTS: dict[int, re.Pattern[bytes]] = {}


def _outdent(col: int) -> re.Pattern[bytes]:
    """The next line that is not blank and is indented by ``col`` or fewer spaces or tabs (the
    match ends before its first character)."""
    pattern = _OUTDENTS.get(col)
    if pattern is None:
        pattern = _OUTDENTS[col] = re.compile(rb"\n[ \t]{0,%d}(?=[^ \t\r\n])" % col)
    return pattern


class LoadWarning(str):
    """A line of ``Trace.repairs`` that warns about the input (lines skipped) rather than
    telling a repair of the trace; the command line prints it on stderr."""

    __slots__ = ()


def is_text(data: Text) -> bool:
    """Whether ``data`` reads as text: a UTF-16 byte-order mark, or no control byte (but tab,
    newline, form feed, carriage return and escape) in its first 64 KiB."""
    if data[:2] in UTF16_BOMS:
        return True
    return _CONTROL.search(data, 0, _TEXT_PROBE) is None


def text_summary(
    data: Text, *, encoding: str | None = None, lines: int | None = None
) -> tuple[str, str]:
    """What a text looks like, for messages: ``("text (UTF-8, 3 lines)", "line 1 starts with
    '...'")`` (the encoding and line count when known)."""
    head = bytes(memoryview(data)[:_TEXT_PROBE])
    if encoding is None:
        encoding = "UTF-16" if head[:2] in UTF16_BOMS else _encoding(head, len(data) > len(head))
    count = f", {lines} line{'s' if lines != 1 else ''}" if lines is not None else ""
    m = _NON_SPACE.search(head, 3 if head[:3] == UTF8_BOM else 0)
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


def _snippet(data: Text, at: int) -> str:
    """The text of the line at ``at``, cut to 60 characters."""
    nl = data.find(b"\n", at, at + 400)
    raw = bytes(memoryview(data)[at : nl if nl >= 0 else at + 400])
    text = raw.decode("utf-8", "replace").strip()
    return text if len(text) <= 60 else text[:59] + "…"


def from_utf16(data: Text, name: str) -> bytes:
    try:
        return bytes(data).decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise TraceLoadError(f"text in UTF-16 that does not decode: {exc.reason}",
                             source=name) from None


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
        data: Text,
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
        self.cut_lines = False  # OTLP JSON lines: cut their attribute lists out (._cut)
        self._cut: Cut | None = None  # the last line's, until it is read
        self._missed = 0  # lines cut for nothing
        self._last = (0, 0, 0)  # the last document: its first and last line, its start
        self._scanned = 0  # braces are counted up to here
        self._ends: dict[int, int] = {}  # brace → the brace closing it, counted on the way
        self._tried = 0  # objects as written (_as_written) are not looked for before this
        self._docs = self._documents(head)

    def __next__(self) -> tuple[Any, str]:
        return next(self._docs)

    @property
    def size(self) -> int:
        """The text's size in bytes."""
        return len(self._data) - self._start

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

    def _line(self, data: Text, start: int, end: int) -> Any:
        """The document of one line (its attribute lists cut out when :attr:`cut_lines`)."""
        if self.cut_lines:
            doc = cut_document(data, start, end)
            if doc is not None:
                self._cut = doc[CUT_KEY]
                return doc
        return _loads(data, start, end)

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
                    doc = self._line(data, s, nl)
                except orjson.JSONDecodeError as exc:
                    line_error = exc
                else:
                    self._last = (no, no, s)
                    yield doc, f"line {no}"
                    del doc
                    if self._cut is not None:
                        self._missed += self._cut.missed
                        self._cut = None
                        if self._missed >= MAX_MISSED:  # (lines with events: not worth it)
                            self.cut_lines = False
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
        written = self._as_written(s, no, col)
        if written is not None:
            return written
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

    def _as_written(self, s: int, no: int, col: int) -> tuple[Any, int, int] | None:
        """The object at ``s`` (line ``no``) as writers indent it, without counting braces: up
        to the first line indented no deeper than ``col``, when that line starts with its
        closing brace and the text up to it is JSON (a JSON value ends where it ends: no shorter
        object starts at ``s``).  Text searched or parsed in vain is not tried again, so this
        adds linear work."""
        data = self._data
        if s < self._tried or col > _MAX_INDENT:
            return None
        m = _outdent(col).search(data, s)
        if m is None:
            self._tried = len(data)
            return None
        e = m.end()
        if data[e] != ord("}"):
            self._tried = e
            return None
        try:
            doc = _loads(data, s, e + 1)
        except orjson.JSONDecodeError:
            self._tried = e
            return None
        return doc, e, no + _newlines(data, s, e)

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


def _loads(data: Text, start: int, end: int) -> Any:
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
        except (ValueError, RecursionError):  # (JSONDecodeError, text not UTF-8, too deep)
            pass
        raise


def _newlines(data: Text, start: int, end: int) -> int:
    """The number of newlines in ``data[start:end]``."""
    if isinstance(data, bytes):
        return data.count(b"\n", start, end)
    n = 0
    i = data.find(b"\n", start, end)
    while i >= 0:
        n += 1
        i = data.find(b"\n", i + 1, end)
    return n
