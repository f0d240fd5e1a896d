"""OTLP JSON Lines parsed with their spans' attribute lists cut out of the bytes first.

Most of a span's JSON is its attributes, and most of a parse's cost is the Python objects it
makes for them (and frees again once the span's record is made).  A line of the collector's
compact JSON is cut at each ``,"attributes":[``; where what follows up to its ``}}]`` is a list
of flat key/values (the shape the collector writes: a string, int, bool, double or bytes value,
keys without escapes, nothing nested) in valid JSON, that list's bytes become the span's record
as they are, and the line is parsed with a placeholder in their place: far fewer objects, and no
writing them back.  Anything else (another shape, whitespace, a nested value, non-ASCII text
that is not UTF-8, a string holding ``}}]``) leaves the line to the plain parse.

The placeholder is the string ``"\\u0000"``: no string of a line without the bytes ``\\u0000``
holds a NUL, so a span whose attributes are that string had its list cut.  The reader takes the
cut lists in order, one per such span, and reads the line as written when the count is off (a
list cut from an event or a link); after a few such lines, the others of the text are not cut.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from itertools import repeat
from operator import itemgetter, methodcaller
from typing import Any

import orjson

__all__ = [
    "CUT_KEY", "CUT_MIN_BYTES", "MAX_MISSED", "PLACEHOLDER", "Cut", "cut_document", "worth_cutting",
]

#: The key of a cut document that holds its :class:`Cut` (no JSON value is a ``Cut``).
CUT_KEY = "\0cut"
#: What a span's ``attributes`` reads in a cut document when its list was cut out.
PLACEHOLDER = "\0"

_PREFIX = b'{"resourceSpans":['
_SEP = b',"attributes":['
_HOLE = b',"attributes":"\\u0000"'
_MIN_CUTS = 16  # fewer lists are not worth the cutting
#: Lines cut for nothing (read as written after all) before a text's other lines are not cut.
MAX_MISSED = 2
#: The size of text from which cutting pays for importing RE2 (~3.5 ms; the cut saves ~0.65 µs
#: a span, the collector writes ~750 bytes a span): smaller texts are cut only once RE2 is in.
CUT_MIN_BYTES = 4_000_000


def worth_cutting(size: int) -> bool:
    """Whether to cut the lines of a text of ``size`` bytes (see :data:`CUT_MIN_BYTES`)."""
    return size >= CUT_MIN_BYTES or "re2" in sys.modules

_KEY = rb'"[^"\\\x00-\x1f]*"'
_STR = rb'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt])*"'
_NUM = rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
_VALUE = (rb'\{"(?:stringValue|intValue|boolValue|doubleValue|bytesValue)":(?:' + _STR + rb"|"
          + _NUM + rb"|true|false)\}")
_KV = rb'\{"key":' + _KEY + rb',"value":' + _VALUE + rb"\}"
_LIST = _KV + rb"(?:," + _KV + rb")*"


@functools.cache
def _lists_pattern() -> Any:
    """The cut lists, one a line: RE2 checks them all in one linear pass (imported on first
    use, as ``import tracespec`` imports no regular expression engine)."""
    import re2

    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # (bytes as they are: UTF-8 checked apart)
    return re2.compile(_LIST + rb"(?:\n" + _LIST + rb")*", options=options)

_partition = methodcaller("partition", b"}}]")
_close: Callable[[bytes, bytes], bytes] = bytes.__add__
_head = itemgetter(0)
_found = itemgetter(1)
_tail = itemgetter(2)


class Cut:
    """The attribute lists cut out of one line (each its JSON without the brackets: ``b""`` for
    an empty one), how many
    the reader has taken, and where the line is, to read it as written if need be."""

    __slots__ = ("_data", "_end", "_start", "lists", "missed", "used")

    def __init__(self, lists: list[bytes], data: Any, start: int, end: int) -> None:
        self.lists = lists
        self.used = 0
        self.missed = False  # the reader read the line as written
        self._data = data
        self._start = start
        self._end = end

    def take(self) -> bytes:
        """The next list (``b""`` when none is left: the count is off, the line is read as
        written)."""
        if self.used >= len(self.lists):
            self.used += 1
            return b""
        self.used += 1
        return self.lists[self.used - 1]

    def whole(self) -> Any:
        """The line's document, parsed as written."""
        self.missed = True
        return orjson.loads(memoryview(self._data)[self._start : self._end])


def cut_document(data: Any, start: int, end: int) -> dict[str, Any] | None:
    """The document of the line ``data[start:end]`` with its attribute lists cut out and its
    :class:`Cut` under :data:`CUT_KEY`, or ``None`` when the line is not one to cut."""
    if data[start : start + len(_PREFIX)] != _PREFIX:
        return None
    line = data[start:end]
    pieces = line.split(_SEP)
    n = len(pieces) - 1
    if n < _MIN_CUTS:
        return None
    rest = pieces[1:]
    parts = list(map(_partition, rest))
    lists: list[bytes] | None = None
    joined: bytes | None = None
    if all(map(_found, parts)):
        lists = list(map(_close, map(_head, parts), repeat(b"}}", n)))
        joined = b"\n".join(lists)
        if _lists_pattern().fullmatch(joined) is None:
            lists = joined = None
    if lists is None or joined is None:
        # (an empty list, ``[]``, fails the above: its piece has no ``}}]`` of its own)
        if b',"attributes":[]' not in line:
            return None
        parts = [(b"", b"]", p[1:]) if p[:1] == b"]" else _partition(p) for p in rest]
        if not all(map(_found, parts)):
            return None
        lists = [h + b"}}" if f == b"}}]" else b"" for h, f, _ in parts]
        joined = b"\n".join(x for x in lists if x)
        if joined and _lists_pattern().fullmatch(joined) is None:
            return None
    del line, rest
    if not joined.isascii():
        try:
            joined.decode("utf-8")  # (strict: no surrogates, nothing beyond U+10FFFF)
        except UnicodeDecodeError:
            return None
    del joined
    tails = [pieces[0], *map(_tail, parts)]
    del pieces, parts
    text = _HOLE.join(tails)
    del tails
    if text.count(b"\\u0000") != n:  # (the lists hold none: one was in the line)
        return None
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict):  # pragma: no cover - the line starts with an object
        return None
    doc[CUT_KEY] = Cut(lists, data, start, end)
    return doc
