"""OTLP JSON values: ``AnyValue`` objects, key/value lists and ids, as the proto3 JSON mapping
writes them, with the traps of each writer: ids in hex (OTLP) or base64 (Tempo's gogo jsonpb),
64-bit integers as strings or numbers, camelCase or snake_case field names.  Nothing here
raises on malformed input: what cannot be read is left out (``None``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from ..trace.attrvalue import MAX_DIGITS, AttrValue
from ..trace.ids import pad_trace_id

__all__ = ["decode_id", "field", "json_any_value", "json_key_values"]

_HEX = frozenset("0123456789abcdefABCDEF")
_DECIMAL = re.compile(r"-?[0-9]+")


def field(obj: Any, camel: str, snake: str) -> Any:
    """``obj[camel]``, else ``obj[snake]`` (``None`` when neither, or not an object)."""
    if not isinstance(obj, dict):
        return None
    v = obj.get(camel)
    if v is None:
        v = obj.get(snake)
    return v


def decode_id(text: Any, size: int) -> bytes | None:
    """An id given as hex (OTLP) or base64 (Tempo): ``size`` is 16 for trace ids, 8 for spans.

    Hex of the expected length (or of half of it, for 64-bit trace ids) wins over base64;
    returns ``None`` for text that is neither.
    """
    if not isinstance(text, str) or not text:
        return None
    n = len(text)
    # a span id is 8 bytes, a trace id 16 (or 8, a 64-bit id, padded); anything else is
    # refused, as the OTLP spec refuses it
    lengths = (16, 8) if size == 16 else (8,)
    if n in (2 * size, 16) and _HEX.issuperset(text):
        raw = bytes.fromhex(text)
        return pad_trace_id(raw) if size == 16 else raw
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) not in lengths:
        return None
    return pad_trace_id(raw) if size == 16 else raw


def _string_value(s: Any) -> AttrValue | None:
    return s if isinstance(s, str) else None


def _int_value(i: Any) -> AttrValue | None:
    if isinstance(i, bool):
        return None
    if isinstance(i, str):
        # proto3 JSON writes an int64 as decimal ASCII digits with an optional sign (``int()``
        # would also read "1_000", " 17" and "١٢٣": those are left out).  Beyond 64 bits the
        # value is kept exact, where Tracetest refuses the whole trace (docs/compatibility.md).
        return int(i) if _DECIMAL.fullmatch(i) and len(i) <= MAX_DIGITS else None
    if isinstance(i, int):
        return i
    if isinstance(i, float) and i.is_integer():
        return int(i)
    return None


def _bool_value(b: Any) -> AttrValue | None:
    return b if isinstance(b, bool) else None


def _double_value(d: Any) -> AttrValue | None:
    if isinstance(d, bool):
        return None
    if isinstance(d, int | float):
        return float(d)
    if isinstance(d, str):
        try:
            return float(d)
        except ValueError:
            return None
    return None


def _array_value(arr: Any) -> AttrValue | None:
    values = arr.get("values") if isinstance(arr, dict) else None
    if not isinstance(values, list):
        return ()
    return tuple(x for x in (json_any_value(item) for item in values) if x is not None)


def _kvlist_value(kvl: Any) -> AttrValue | None:
    values = kvl.get("values") if isinstance(kvl, dict) else None
    return MappingProxyType(json_key_values(values))


def _bytes_value(b64: Any) -> AttrValue | None:
    if not isinstance(b64, str):
        return None
    try:
        return base64.b64decode(b64)
    except (binascii.Error, ValueError):
        return None


# The AnyValue fields, in the order they are looked for (then their snake_case spellings).
_VALUE_READERS: dict[str, Callable[[Any], AttrValue | None]] = {
    "stringValue": _string_value,
    "intValue": _int_value,
    "boolValue": _bool_value,
    "doubleValue": _double_value,
    "arrayValue": _array_value,
    "kvlistValue": _kvlist_value,
    "bytesValue": _bytes_value,
}
_SNAKE_READERS = {
    "".join("_" + c.lower() if c.isupper() else c for c in camel): read
    for camel, read in _VALUE_READERS.items()
}


def json_any_value(v: Any) -> AttrValue | None:
    """An OTLP JSON ``AnyValue`` object as an attribute value (``None`` when empty/invalid)."""
    if not isinstance(v, dict):
        return None
    for key, read in _VALUE_READERS.items():
        if key in v:
            return read(v[key])
    for key, read in _SNAKE_READERS.items():
        if key in v:
            return read(v[key])
    return None


def json_key_values(items: Any) -> dict[str, AttrValue]:
    """A JSON list of ``{"key", "value"}`` as a dict (malformed entries skipped)."""
    out: dict[str, AttrValue] = {}
    if not isinstance(items, list):
        return out
    for kv in items:
        if isinstance(kv, dict):
            key = kv.get("key")
            if isinstance(key, str):
                val = json_any_value(kv.get("value"))
                if val is not None:
                    out[key] = val
    return out
