"""Attribute values as tracespec keeps them, and their text and number readings.

Attributes keep their OTLP types: ``str``, ``int``, ``float``, ``bool``, ``bytes``, arrays as
tuples and key/value lists as read-only mappings.  Both languages compare against a value's
*text form* (``200`` → ``"200"``, ``True`` → ``"true"``, ``0.5`` → ``"0.5"``, arrays and maps as
compact JSON) and, where a rule says "reads as a number", against its *number reading*.  Those two
readings live here so the selector engine, the assertion engine and the test oracles agree.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

import orjson

__all__ = [
    "MAX_DIGITS",
    "MAX_VALUE_DEPTH",
    "AttrValue",
    "ValueTooDeepError",
    "dumps_compact",
    "freeze_value",
    "number_of",
    "text_form",
    "to_json_compatible",
]

#: Arrays and maps in an attribute value nest at most this deep (every reader of a value, and
#: every writer, is recursive): a loader refuses a deeper value, naming the attribute.
MAX_VALUE_DEPTH = 64
#: A string of more digits than this does not read as a number (Python's int-text limit).
MAX_DIGITS = 4300


class ValueTooDeepError(ValueError):
    """A JSON value nested deeper than :data:`MAX_VALUE_DEPTH` (a loader names the place)."""

AttrValue: TypeAlias = (
    "str | int | float | bool | bytes | tuple[AttrValue, ...] | Mapping[str, AttrValue]"
)

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def freeze_value(value: Any, depth: int = 0) -> AttrValue:
    """Turn a decoded JSON-like value into an attribute value (lists → tuples, dicts →
    mappings); :class:`ValueTooDeepError` past :data:`MAX_VALUE_DEPTH` levels."""
    if isinstance(value, list | tuple):
        if depth >= MAX_VALUE_DEPTH:
            raise ValueTooDeepError(f"nested more than {MAX_VALUE_DEPTH} levels deep")
        return tuple(freeze_value(v, depth + 1) for v in value)
    if isinstance(value, dict):
        if depth >= MAX_VALUE_DEPTH:
            raise ValueTooDeepError(f"nested more than {MAX_VALUE_DEPTH} levels deep")
        return MappingProxyType({str(k): freeze_value(v, depth + 1) for k, v in value.items()})
    return value  # type: ignore[no-any-return]


def dumps_compact(value: Any) -> str:
    """Compact JSON text of JSON-compatible data (orjson; integers beyond 64 bits, which it
    cannot write, through the standard library)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        import json

        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def to_json_compatible(value: AttrValue | None) -> Any:
    """Return a value orjson can serialise: tuples → lists, mappings → dicts, bytes → base64."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, tuple):
        return [to_json_compatible(v) for v in value]
    if isinstance(value, Mapping):
        return {k: to_json_compatible(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return text_form(value)
    return value


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    return text


def text_form(value: AttrValue | None) -> str:
    """The text a value compares as: strings as they are, ints in decimal, ``true``/``false``,
    floats in their shortest form (``0.5``, whole floats without ``.0``), bytes as base64,
    arrays and maps as compact JSON.  ``None`` (a missing attribute) reads as ``""``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return dumps_compact(to_json_compatible(value))


def number_of(value: AttrValue | None) -> int | float | None:
    """The number a value reads as, or ``None``.

    Ints and floats read as themselves (never bools); strings read as a number when they are a
    decimal number (``"1e2"``, ``"-1"``, ``"0.50"``, ``"08"``).  Everything else is ``None``.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text and len(text) <= MAX_DIGITS and _DECIMAL.fullmatch(text):
            if "." in text or "e" in text or "E" in text:
                return float(text)
            return int(text)
    return None
