"""The value model of the assertion language: texts typed by their content, and durations.

Tracetest keeps every value as text and gives it a type from what the text looks like
(:func:`get_type`: ``"200"`` is a number, ``"25ms"`` a duration, ``'{"a":1}'`` json, ``[1, 2]``
an "array" text).  A :class:`Value` is *nil*, *single* (one typed item) or an *array* of typed
items; its :meth:`Value.text` is what comparisons and observed values show.  Durations compare
after Tracetest's normalisation: nanoseconds → :func:`humanize` (``35ms``, ``1.2s``, ``27.5m``) →
:func:`dehumanize`, so both sides are rounded to their display unit.  These functions reproduce
Tracetest's Go code to the last digit (``%.0f`` rounds half to even on the binary value, as Go).
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any

import orjson

__all__ = [
    "ARRAY",
    "DURATION",
    "INT64_MAX",
    "INT64_MIN",
    "JSON",
    "MAX_JSON_DEPTH",
    "NIL",
    "NIL_VALUE",
    "NUMBER",
    "STRING",
    "TYPE_NAMES",
    "Value",
    "atoi",
    "dehumanize",
    "get_type",
    "humanize",
    "humanize_signed",
    "loads_json",
    "round_duration",
    "unescape",
    "utf8_safe",
]

# Item types, numbered as Tracetest numbers them (attribute and variable types are unused).
NIL, STRING, NUMBER, ATTRIBUTE, DURATION, VARIABLE, ARRAY, JSON = range(8)
TYPE_NAMES = ("nil", "string", "number", "attribute", "duration", "variable", "array", "json")

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)")
_ATOI = re.compile(r"[+-]?[0-9]+")
_UNIT_NS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000,
            "h": 3_600_000_000_000}
_UNITS = ("ns", "us", "ms", "s", "m", "h")
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


@functools.cache
def _array_like() -> Any:
    """Tracetest's test for array-like text: unanchored, as in Tracetest; RE2 keeps it linear on
    hostile text.  Compiled on first use (only text with a '[' needs it)."""
    import re2

    return re2.compile(r"\[[^,]*(,[^\],]+)*\]")


#: JSON nested deeper than this is refused (``ValueError``) by :func:`loads_json`: the
#: comparisons, ``json_path`` and the writers that read JSON values are recursive.
MAX_JSON_DEPTH = 128


_SURROGATES = re.compile("[\ud800-\udfff]")


def utf8_safe(text: str) -> str:
    """``text`` as RE2 can be given it: a lone surrogate (which no UTF-8 holds) replaced by
    U+FFFD, the replacement character."""
    return text if text.isascii() else _SURROGATES.sub("\ufffd", text)


def loads_json(text: str) -> Any:
    """Decode JSON as Go's ``encoding/json`` accepts it (orjson, with a fallback for numbers
    beyond 64 bits); raise ``ValueError`` for anything else (NaN, trailing commas, numbers of
    more than 4,300 digits, nesting deeper than :data:`MAX_JSON_DEPTH`, ...)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "recursion" in str(exc):
            raise _too_deep() from None

        def reject(name: str) -> Any:
            raise ValueError(f"invalid JSON constant {name}")

        try:
            value = json.loads(text, parse_constant=reject)
        except RecursionError:
            raise _too_deep() from None
    if type(value) in (list, dict) and text.count("[") + text.count("{") > MAX_JSON_DEPTH \
            and _depth_over(value, MAX_JSON_DEPTH):
        raise _too_deep()
    return value


def _too_deep() -> ValueError:
    return ValueError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")


def _depth_over(value: Any, limit: int) -> bool:
    """Whether lists and objects nest in ``value`` more than ``limit`` levels (no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        items = node.values() if type(node) is dict else node
        stack.extend((v, depth + 1) for v in items if type(v) in (list, dict))
    return False


def get_type(text: str) -> int:
    """The type Tracetest gives a text (see :func:`_get_type`); short texts are cached."""
    if len(text) <= 200:
        return _get_type_cached(text)
    return _get_type(text)


def _get_type(text: str) -> int:
    """The type Tracetest gives a text: number, duration, json, array or string.

    1. ``^[0-9]+(\\.[0-9]+)?$`` → number (so ``-1``, ``1e3``, ``.5`` are strings);
    2. the same followed by a unit → duration;
    3. a JSON object (or the text ``null``) → json;
    4. text containing something like ``[a, b]`` → json if it is a JSON array of objects
       (``[]`` included), else array;
    5. anything else → string.
    """
    if _NUMBER.fullmatch(text):
        return NUMBER
    if _DURATION.fullmatch(text):
        return DURATION
    stripped = text.strip(" \t\r\n")
    if stripped[:1] == "{" or stripped == "null":
        try:
            if isinstance(loads_json(text), dict | None):
                return JSON
        except (ValueError, TypeError):
            pass
    if "[" in text and _array_like().search(utf8_safe(text)):
        if stripped[:1] == "[":
            try:
                decoded = loads_json(text)
            except (ValueError, TypeError):
                decoded = None
            if isinstance(decoded, list) and all(
                isinstance(x, dict) or x is None for x in decoded
            ):
                return JSON
        return ARRAY
    return STRING


_get_type_cached = functools.lru_cache(maxsize=4096)(_get_type)


def unescape(text: str) -> str:
    """Tracetest's "unescaped string": only ``\\'`` → ``'`` and ``\\"`` → ``"``."""
    if "\\" not in text:
        return text
    return text.replace("\\'", "'").replace('\\"', '"')


class Value:
    """A nil, single or array value: ``items`` are ``(text, type)`` pairs."""

    __slots__ = ("is_array", "items")

    def __init__(self, items: tuple[tuple[str, int], ...], is_array: bool = False) -> None:
        self.items = items
        self.is_array = is_array

    @staticmethod
    def of(text: str) -> Value:
        """A single value typed by its content."""
        return Value(((text, get_type(text)),))

    @staticmethod
    def typed(text: str, type_: int) -> Value:
        """One item of the given type (no typing by content)."""
        return Value(((text, type_),))

    @staticmethod
    def array_of(texts: list[str]) -> Value:
        """An array of texts, each typed by its content."""
        return Value(tuple((t, get_type(t)) for t in texts), True)

    @property
    def first(self) -> tuple[str, int]:
        """The first item (Tracetest's ``Value()``), ``("", nil)`` when there is none."""
        return self.items[0] if self.items else ("", NIL)

    @property
    def type(self) -> int:
        """``array`` for an array value, else the type of its item (nil when empty)."""
        if self.is_array:
            return ARRAY
        return self.items[0][1] if self.items else NIL

    @property
    def text(self) -> str:
        """Tracetest's ``String()``: the item's text; an array as ``[a, "b"]`` (string items
        quoted without escaping); ``""`` for nil."""
        if self.is_array:
            return "[" + ", ".join(
                f'"{t}"' if ty == STRING else t for t, ty in self.items
            ) + "]"
        return self.items[0][0] if self.items else ""

    def __len__(self) -> int:
        return len(self.items)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Value)
            and self.items == other.items
            and self.is_array == other.is_array
        )

    def __hash__(self) -> int:
        return hash((self.items, self.is_array))

    def __repr__(self) -> str:
        kind = "array" if self.is_array else ("nil" if not self.items else "single")
        return f"Value({kind}, {[(t, TYPE_NAMES[ty]) for t, ty in self.items]!r})"


NIL_VALUE = Value(())


def atoi(text: str) -> int | None:
    """Go's ``strconv.Atoi``: an optionally signed decimal int64, else ``None``."""
    if not _ATOI.fullmatch(text):
        return None
    n = int(text)
    return n if INT64_MIN <= n <= INT64_MAX else None


def humanize(ns: int) -> str:
    """Nanoseconds as Tracetest displays them: ``0ns``, ``38ns``, ``93us``, ``27ms``, ``1.2s``,
    ``27.5m``, ``2h`` (hours are the largest unit).

    Tracetest picks the unit with ``floor(log(v) / log(1000))`` capped at seconds; for integers
    that is exactly the comparison with 10^3, 10^6 and 10^9 done here (the logarithm is never
    within float precision of an integer for the integers around those thresholds).
    Negative durations display as ``0ns``, as in Tracetest (:func:`humanize_signed` keeps the
    sign)."""
    if ns <= 0:
        return "0ns"
    if ns < 1_000:
        return f"{ns}ns"
    if ns < 1_000_000:
        return f"{ns / 1e3:.0f}us"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.0f}ms"
    number = ns / 1e9
    unit = 3
    if number >= 60:
        number /= 60
        unit = 4
    if number >= 60:
        number /= 60
        unit = 5
    if math.fmod(number, 1.0) == 0:
        return f"{number:.0f}{_UNITS[unit]}"
    return f"{number:.1f}{_UNITS[unit]}"


def dehumanize(text: str) -> int:
    """A duration text (``68.35ms``) or a plain integer (nanoseconds) → nanoseconds; 0 for
    anything else.  Fractions are truncated (``120.5ns`` → 120)."""
    m = _DURATION.fullmatch(text)
    if m is None:
        n = atoi(text)
        return 0 if n is None else n
    product = float(m.group(1)) * _UNIT_NS[m.group(2)]
    if not math.isfinite(product) or abs(product) >= 2.0**63:
        return INT64_MIN  # Go's int(float) on amd64 for values out of range
    return int(product)


def humanize_signed(ns: int) -> str:
    """:func:`humanize`, a negative duration shown as its size with a minus (``-1.5s``): the
    observed value of a comparison, where tracespec keeps the sign (docs/compatibility.md)."""
    return "-" + humanize(-ns) if ns < 0 else humanize(ns)


def round_duration(ns: int) -> int:
    """Tracetest's duration normalisation: rounded to the unit it displays in
    (``dehumanize(humanize(ns))``).  Below a second that is rounding half to even to the
    unit, as ``%.0f`` does; from a second on, humanize's own text is read back.  A negative
    duration is rounded as its size is, so that ``-1s < -500ms`` holds."""
    if ns < 0:
        return -round_duration(-ns)
    if ns < 1_000_000_000:
        if ns < 1_000:
            return ns if ns > 0 else 0
        if ns < 1_000_000:
            return round(ns / 1e3) * 1_000
        return round(ns / 1e6) * 1_000_000
    text = humanize(ns)
    if text[-2:] in ("ns", "us", "ms"):
        number, unit = text[:-2], text[-2:]
    else:
        number, unit = text[:-1], text[-1]
    product = float(number) * _UNIT_NS[unit]
    if not math.isfinite(product) or abs(product) >= 2.0**63:
        return INT64_MIN
    return int(product)


def duration_ns(text: str) -> int:
    """The nanoseconds of a duration item's text: its integer, or 0 (Go ``Atoi`` failure)."""
    n = atoi(text)
    return 0 if n is None else n
