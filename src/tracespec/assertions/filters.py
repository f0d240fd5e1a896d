"""The filters of the assertion language: ``json_path regex regex_group get_index length type``.

A filter maps a :class:`~.values.Value` and its arguments (texts) to a new value, or raises
:class:`FilterError` with the message Tracetest gives.  Differences from Tracetest, all decided
in the project README: ``json_path`` renders objects and arrays as JSON text so filters chain;
``length`` counts characters and is also spelled ``count``; regexes are RE2 (google-re2),
compiled once per pattern (re2 is imported by the first regex).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from . import json_path as jp
from .values import NIL, NIL_VALUE, STRING, TYPE_NAMES, Value, atoi, loads_json, utf8_safe

__all__ = ["FILTERS", "FilterError", "compile_regex"]


class FilterError(Exception):
    """A filter that cannot produce a value for this input (the message says why)."""


def _arity(args: Sequence[str], n: int) -> None:
    if len(args) != n:
        raise FilterError(f"wrong number of args. Expected {n}, got {len(args)}")


def _single_input(value: Value) -> str:
    if value.is_array:
        raise FilterError("cannot process array of json objects")
    return value.first[0]


@functools.lru_cache(maxsize=1024)
def compile_regex(pattern: str) -> Any:
    """The compiled RE2 pattern (cached); ``re2.error`` when RE2 rejects it."""
    import re2

    return re2.compile(pattern)


def _regex(pattern: str) -> Any:
    import re2

    try:
        return compile_regex(utf8_safe(pattern))
    except re2.error as exc:
        raise FilterError(f"invalid regex: {exc}") from None


def json_path(value: Value, args: Sequence[str]) -> Value:
    _arity(args, 1)
    if value.is_array:
        raise FilterError("cannot process array of json objects")
    try:
        path = jp.compile_path(args[0])
    except jp.JSONPathError as exc:
        raise FilterError(f"invalid json_path: {exc}") from None
    try:
        document = loads_json(value.first[0])
    except (ValueError, TypeError) as exc:
        raise FilterError(f"invalid JSON input: {exc}") from None
    try:
        results = jp.query(path, document)
    except jp.JSONPathError as exc:
        raise FilterError(f"invalid json_path: {exc}") from None
    if not results:
        return NIL_VALUE
    if len(results) == 1:
        return Value.of(jp.render(results[0]))
    return Value.array_of([jp.render(r) for r in results])


def regex(value: Value, args: Sequence[str]) -> Value:
    _arity(args, 1)
    text = _single_input(value)
    compiled = _regex(args[0])
    found = [m.group(0) for m in compiled.finditer(utf8_safe(text))]
    if not found:
        return Value((), True)
    if len(found) == 1:
        return Value.of(found[0])
    return Value.array_of(found)


def regex_group(value: Value, args: Sequence[str]) -> Value:
    _arity(args, 1)
    text = _single_input(value)
    compiled = _regex(args[0])
    groups: list[str] = []
    for m in compiled.finditer(utf8_safe(text)):
        groups.extend(g if g is not None else "" for g in m.groups())
    if not groups:
        return Value((), True)
    if len(groups) == 1:
        return Value.of(groups[0])
    return Value.array_of(groups)


def get_index(value: Value, args: Sequence[str]) -> Value:
    _arity(args, 1)
    size = len(value)
    if args[0] == "last":
        index = size - 1
    else:
        parsed = atoi(args[0])
        if parsed is None:
            raise FilterError("index must be an integer")
        index = parsed
    if index < 0 or index >= size:
        raise FilterError(f"index out of boundaries: {index} out of {size}")
    return Value((value.items[index],))


def length(value: Value, args: Sequence[str]) -> Value:
    _arity(args, 0)
    if value.is_array:
        n = len(value)
    elif not value.items:
        n = 0
    else:
        text, type_ = value.items[0]
        if type_ != STRING:
            raise FilterError(
                f"unsupported type: expected array or string, got {TYPE_NAMES[type_]}"
            )
        n = len(text)
    return Value.of(str(n))


def type_(value: Value, args: Sequence[str]) -> Value:
    _arity(args, 0)
    if value.is_array:
        return Value.of("array")
    if not value.items:
        return Value.of(TYPE_NAMES[NIL])
    return Value.of(TYPE_NAMES[value.items[0][1]])


FILTERS: dict[str, Callable[[Value, Sequence[str]], Value]] = {
    "json_path": json_path,
    "regex": regex,
    "regex_group": regex_group,
    "get_index": get_index,
    "length": length,
    "count": length,
    "type": type_,
}
