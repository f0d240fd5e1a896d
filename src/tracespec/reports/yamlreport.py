"""The YAML report: ``tracespec run -o yaml``, the JSON report's documents written as YAML.

Tracetest's CLI lists ``yaml`` among its ``-o`` formats, but for a run it prints an empty line
(its run formatters only know ``pretty`` and ``json``); tracespec prints the very data of
``-o json`` (:mod:`.jsonreport` builds it; there is one shape) in YAML's block style, as
Tracetest writes its resources: two-space indentation, lists not indented under their key.
Loading the text with any YAML 1.1 or 1.2 loader gives the JSON report's value exactly: a
string is written plain only where no loader could read it as something else (a number, a
boolean, null, a date, ...), else single-quoted, else double-quoted with escapes.  (The one
exception: a lone surrogate, which only a Python string can hold and YAML cannot, becomes
U+FFFD.)

Like the JSON report it streams: the documents' arrays are :class:`~._json.Lazy`, read when the
writer reaches them, one span result at a time, and handed out in chunks (``._stream``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..testfiles.results import SuiteResult, TestResult
from ._json import Lazy
from ._stream import chunked
from .jsonreport import streamed_document

__all__ = ["iter_yaml", "iter_yaml_report", "yaml_scalar"]

_INDENT = "  "

# A string that may be written plain: printable ASCII, not starting with a YAML indicator or a
# space, not ending with a space or ':', with no ': ' or ' #' (which end a plain scalar).
_PLAIN = re.compile(r"[A-Za-z_/(][\x20-\x7e]*")
# Plain text a YAML 1.1 or 1.2 loader would read as another type (or as a merge key): the
# keywords, and anything starting like a number (digits, a sign or a dot then a digit) or
# ``.inf``/``.nan``.
_NOT_TEXT = frozenset(
    word
    for base in ("y", "yes", "n", "no", "true", "false", "on", "off", "null")
    for word in (base, base.capitalize(), base.upper())
)
# The characters YAML allows as they are (printable), without the line breaks it also reads
# (NEL, LS, PS) and the byte order mark.
_PRINTABLE = re.compile(
    "[\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
)
_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
    "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N",
    "\u2028": "\\L", "\u2029": "\\P",
}
_TO_ESCAPE = re.compile(
    '["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]'
)


def _escape(match: re.Match[str]) -> str:
    c = match.group()
    known = _ESCAPES.get(c)
    if known is not None:
        return known
    code = ord(c)
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate is no character: YAML cannot hold it
        return "\\ufffd"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _is_plain(text: str) -> bool:
    return (
        _PLAIN.fullmatch(text) is not None
        and text not in _NOT_TEXT
        and not text.endswith((" ", ":"))
        and ": " not in text
        and " #" not in text
    )


def _string(text: str) -> str:
    if _is_plain(text):
        return text
    if "\t" not in text and _PRINTABLE.fullmatch(text) is not None:
        return "'" + text.replace("'", "''") + "'"
    return '"' + _TO_ESCAPE.sub(_escape, text) + '"'


def _float(value: float) -> str:
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = float.__repr__(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:  # YAML 1.1 reads 1e+20 as text; 1.0e+20 is a float
        text = f"{mantissa}.0e{exponent}"
    return text


def yaml_scalar(value: object) -> str | None:
    """The YAML text of a scalar (``str``, ``int``, ``float``, ``bool``, ``None``); ``None`` for a
    container."""
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return None


def _items(value: Any) -> Iterator[Any] | None:
    """The items of an array (``list``, ``tuple`` or :class:`Lazy`), ``None`` for another value."""
    if isinstance(value, Lazy):
        return iter(value.items)
    if isinstance(value, list | tuple):
        return iter(value)
    return None


def _flat_mapping(obj: dict[str, Any], first: str, rest: str) -> str | None:
    """A mapping of scalars as one piece (its first line prefixed ``first``, the others
    ``rest``), ``None`` when a value is a container."""
    lines = []
    prefix = first
    for key, value in obj.items():
        text = yaml_scalar(value)
        if text is None:
            return None
        lines.append(f"{prefix}{_key(key)}: {text}\n")
        prefix = rest
    return "".join(lines)


def _key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"YAML mapping keys must be str here, not {type(key).__name__}")
    return _string(key)


def iter_yaml(value: Any, indent: int = 0) -> Iterator[str]:
    """The pieces of ``value`` as a YAML block (each line ending with a newline), at indentation
    level ``indent``.  Values are what the reports hold: ``dict`` with ``str`` keys, ``list``,
    ``tuple``, :class:`Lazy`, ``str``, ``int``, ``float``, ``bool`` and ``None``."""
    yield from _node(value, _INDENT * indent, _INDENT * indent)


def _node(value: Any, first: str, rest: str) -> Iterator[str]:
    """``value`` as a block whose first line starts with ``first`` (an indentation, or one that
    ends in ``- ``) and whose other lines start with ``rest``."""
    text = yaml_scalar(value)
    if text is not None:
        yield f"{first}{text}\n"
    elif isinstance(value, dict):
        yield from _mapping(value, first, rest)
    else:
        items = _items(value)
        if items is None:
            raise TypeError(f"Object of type {type(value).__name__} is not YAML serializable")
        yield from _sequence(items, first, rest)


def _mapping(obj: dict[str, Any], first: str, rest: str) -> Iterator[str]:
    if not obj:
        yield f"{first}{{}}\n"
        return
    flat = _flat_mapping(obj, first, rest)
    if flat is not None:
        yield flat
        return
    prefix = first
    for key, value in obj.items():
        head = f"{prefix}{_key(key)}:"
        prefix = rest
        text = yaml_scalar(value)
        if text is not None:
            yield f"{head} {text}\n"
        elif isinstance(value, dict):
            if value:
                yield head + "\n"
                yield from _mapping(value, rest + _INDENT, rest + _INDENT)
            else:
                yield head + " {}\n"
        else:
            items = _items(value)
            if items is None:
                raise TypeError(f"Object of type {type(value).__name__} is not YAML serializable")
            yield from _keyed_sequence(head, items, rest)


def _keyed_sequence(head: str, items: Iterator[Any], indent: str) -> Iterator[str]:
    """``key:`` and a sequence, its ``- `` at the key's own indentation (``[]`` when empty)."""
    marker = object()
    item = next(items, marker)
    if item is marker:
        yield head + " []\n"
        return
    yield head + "\n"
    yield from _item(item, indent)
    for item in items:
        yield from _item(item, indent)


def _sequence(items: Iterator[Any], first: str, rest: str) -> Iterator[str]:
    marker = object()
    item = next(items, marker)
    if item is marker:
        yield f"{first}[]\n"
        return
    yield from _node(item, first + "- ", rest + _INDENT)
    for item in items:
        yield from _item(item, rest)


def _item(item: Any, indent: str) -> Iterator[str]:
    """One ``- item`` of a sequence at ``indent``."""
    return _node(item, indent + "- ", indent + _INDENT)


def iter_yaml_report(
    results: Iterable[TestResult | SuiteResult], *, as_list: bool
) -> Iterator[str]:
    """What ``tracespec run -o yaml`` prints, in chunks: the document of each result (the one
    ``-o json`` prints), as a YAML sequence when ``as_list``, else of the one result.  Each
    result is read when the text reaches it, so ``results`` may be a generator running them."""
    documents = (streamed_document(r) for r in results)
    if as_list:
        return chunked(iter_yaml(Lazy(documents)))
    return chunked(_one(documents))


def _one(documents: Iterator[dict[str, Any]]) -> Iterator[str]:
    document = next(documents, None)
    if document is None:
        raise ValueError("as_list=False needs exactly one result, got none")
    yield from iter_yaml(document)
    if next(documents, None) is not None:
        raise ValueError("as_list=False needs exactly one result, got more")
