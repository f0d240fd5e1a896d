"""JSON text as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it, made piece by piece.

With an indent, the standard library encodes in pure Python, a few microseconds per value, and
hands back one string.  :func:`iter_json` writes the same bytes as pieces, so a report of a
million span results can be written as it is made; arrays may be :class:`Lazy` (any iterable,
read once, when the encoder reaches it), so the document itself never exists whole either.  An
object whose values are all scalars (a span result) is written as one piece, which is most of
the speed.  Values are what the reports hold: ``dict`` with ``str`` keys, ``list``, ``tuple``,
:class:`Lazy`, ``str``, ``int``, ``float``, ``bool`` and ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any

__all__ = ["Lazy", "iter_json"]

_INDENT = "  "
_NEWLINES = ["\n" + _INDENT * level for level in range(16)]


class Lazy:
    """A JSON array whose items come from ``items`` when the encoder gets there (read once)."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


def _newline(level: int) -> str:
    return _NEWLINES[level] if level < len(_NEWLINES) else "\n" + _INDENT * level


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def _scalar(value: object) -> str | None:
    """The text of a scalar, ``None`` for a container."""
    if isinstance(value, str):
        return encode_basestring(value)
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


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _null(value: None) -> str:
    return "null"


#: The scalars' writers by exact type (subclasses go the long way, through ``_scalar``).
_WRITERS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    bool: _bool,
    type(None): _null,
    int: int.__repr__,
    float: _float,
}


#: Per indentation level, the text before a key's value (newline, indent, key, ``: ``): the
#: reports' objects have few distinct keys, each written a million times.
_KEY_TEXTS: list[dict[str, str]] = [{} for _ in range(16)]
_KEYS_KEPT = 256  # keys kept per level (a report has a few dozen)


def _key_texts(level: int) -> dict[str, str]:
    return _KEY_TEXTS[level] if level < len(_KEY_TEXTS) else {}


def _flat_object(obj: dict[str, Any], level: int) -> str | None:
    """A non-empty object of scalars as one piece, ``None`` when a value is a container."""
    parts = []
    writer = _WRITERS.get
    known = _key_texts(level + 1)
    for key, value in obj.items():
        write = writer(type(value))
        text = write(value) if write is not None else _scalar(value)
        if text is None:
            return None
        head = known.get(key) if type(key) is str else None
        if head is None:
            head = f"{_newline(level + 1)}{_key(key)}: "
            if len(known) < _KEYS_KEPT:
                known[key] = head
        parts.append(head + text)
    return "{" + ",".join(parts) + _newline(level) + "}"


def _key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"JSON object keys must be str, not {type(key).__name__}")
    return encode_basestring(key)


def iter_json(value: Any, level: int = 0) -> Iterator[str]:
    """The pieces of ``value`` as JSON text, starting at indentation ``level`` (the text of
    ``json.dumps(value, indent=2, ensure_ascii=False)`` when level is 0)."""
    text = _scalar(value)
    if text is not None:
        yield text
    elif isinstance(value, dict):
        yield from _object(value, level)
    elif isinstance(value, list | tuple | Lazy):
        yield from _array(value.items if isinstance(value, Lazy) else value, level)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _object(obj: dict[str, Any], level: int) -> Iterator[str]:
    if not obj:
        yield "{}"
        return
    flat = _flat_object(obj, level)
    if flat is not None:
        yield flat
        return
    inner = _newline(level + 1)
    separator = "{" + inner
    for key, value in obj.items():
        yield f"{separator}{_key(key)}: "
        separator = "," + inner
        yield from iter_json(value, level + 1)
    yield _newline(level) + "}"


def _array(items: Iterable[Any], level: int) -> Iterator[str]:
    inner = _newline(level + 1)
    separator = "[" + inner
    scalar = _scalar
    for item in items:
        text = scalar(item)
        if text is None and isinstance(item, dict) and item:
            text = _flat_object(item, level + 1)
        if text is not None:
            yield separator + text
        else:
            yield separator
            yield from iter_json(item, level + 1)
        separator = "," + inner
    if separator[0] == "[":  # no item
        yield "[]"
    else:
        yield _newline(level) + "]"
