"""Comparators: ``= != < <= > >= contains not-contains``, JSON-subset and array ``contains``.

:func:`compare` gets both sides as :class:`~.values.Value` (after duration normalisation) and
returns ``None`` when the assertion holds, else the message Tracetest gives (``no match``, ...).
Kept from Tracetest: ``=``/``!=`` compare texts (``"10" = 10`` passes, ``1.0 = 1`` does not);
``contains`` is a substring test, element membership when the left side is an array, and a
JSON-subset test when the right side is JSON.  Fixed: ``< <= > >=`` compare any two values that
read as numbers, decimals and negative numbers included (exactly, with ``Decimal``); JSON-subset
checks every key, in the order the right side writes them, so the verdict never depends on chance.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..results import Outcome
from .ast import Comparator
from .values import (
    ARRAY,
    DURATION,
    JSON,
    Value,
    duration_ns,
    humanize_signed,
    loads_json,
    round_duration,
    unescape,
)

if TYPE_CHECKING:
    from decimal import Decimal

__all__ = [
    "NO_MATCH",
    "compare",
    "compare_texts",
    "comparison",
    "json_contains",
    "read_number",
    "verdict",
]

#: The message of a comparison that did not hold (anything else went wrong).
NO_MATCH = "no match"
_PASSED, _FAILED, _ERROR = Outcome.PASSED, Outcome.FAILED, Outcome.ERROR


def verdict(message: str | None) -> Outcome:
    """The outcome of a comparison that gave ``message``: passed (``None``), failed
    (:data:`NO_MATCH`), or an error (any other message), as Tracetest classifies results."""
    if message is None:
        return _PASSED
    return _FAILED if message == NO_MATCH else _ERROR


def comparison(op: Comparator, left: Value, right: Value) -> tuple[str, str | None, str]:
    """(observed, failure message or ``None``, expected) of ``left op right``: when a side is a
    duration both are rounded to their display unit first, and shown that way."""
    if left.type == DURATION or right.type == DURATION:
        lns = round_duration(duration_ns(left.text))
        rns = round_duration(duration_ns(right.text))
        err = compare(op, Value.typed(str(lns), DURATION), Value.typed(str(rns), DURATION))
        return humanize_signed(lns), err, humanize_signed(rns)
    return left.text, compare(op, left, right), right.text

_NUMERIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def read_number(text: str) -> int | Decimal | None:
    """The number a text reads as (``-1``, ``1.5``, ``1e3``, ``007``), or ``None``."""
    if not _NUMERIC.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:
        from decimal import Decimal, InvalidOperation  # (imported for the first decimal)

        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex admits only decimals
            return None


def _order(op: Comparator, expected: str, actual: str) -> str | None:
    e = read_number(expected)
    if e is None:
        return f'cannot parse "{expected}" as a number'
    a = read_number(actual)
    if a is None:
        return f'cannot parse "{actual}" as a number'
    if op is Comparator.LT:
        ok = a < e
    elif op is Comparator.LE:
        ok = a <= e
    elif op is Comparator.GT:
        ok = a > e
    else:
        ok = a >= e
    return None if ok else NO_MATCH


def compare_texts(op: Comparator, expected: str, actual: str) -> str | None:
    """A comparator on two unescaped texts (no JSON or array rules)."""
    if op is Comparator.EQ:
        return None if actual == expected else NO_MATCH
    if op is Comparator.NE:
        return None if actual != expected else NO_MATCH
    if op is Comparator.CONTAINS:
        return None if expected in actual else NO_MATCH
    if op is Comparator.NOT_CONTAINS:
        return NO_MATCH if expected in actual else None
    return _order(op, expected, actual)


def compare(op: Comparator, left: Value, right: Value) -> str | None:
    """Apply the comparator; ``None`` when it holds, else the failure message."""
    if op is Comparator.CONTAINS:
        if right.first[1] == JSON and left.first[1] in (JSON, ARRAY):
            return json_contains(left.text, right.text)
        if left.is_array:
            wanted = unescape(right.text)
            return None if any(t == wanted for t, _ in left.items) else NO_MATCH
    return compare_texts(op, unescape(right.text), unescape(left.text))


# -- JSON subset ------------------------------------------------------------------------------


def _objects(text: str, side: str) -> list[dict[str, Any]] | str:
    try:
        decoded = loads_json(text)
    except (ValueError, TypeError):
        decoded = ...
    if text.startswith("[") and text.endswith("]"):
        if isinstance(decoded, list) and all(isinstance(x, dict) or x is None for x in decoded):
            return [x if x is not None else {} for x in decoded]
        return f"{side} side is not a JSON object"
    if isinstance(decoded, dict):
        return [decoded]
    if decoded is None:
        return [{}]
    return f"{side} side is not a JSON object"


def _same_json(a: Any, b: Any) -> bool:
    """Equality after Go's JSON round trip: numbers as float64 (``1`` equals ``1.0``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _object_matches(left: dict[str, Any], right: dict[str, Any]) -> bool:
    for key, expected in right.items():
        if key not in left:
            return False
        actual = left[key]
        if isinstance(actual, dict):
            if not isinstance(expected, dict) or not _object_matches(actual, expected):
                return False
        elif not _same_json(actual, expected):
            return False
    return True


def json_contains(left_text: str, right_text: str) -> str | None:
    """Every object on the right is matched by some object on the left (Jest's
    ``toMatchObject``): its keys exist on the left with equal values, nested objects matched
    the same way, arrays equal in order and length."""
    left = _objects(left_text, "left")
    if isinstance(left, str):
        return left
    right = _objects(right_text, "right")
    if isinstance(right, str):
        return right
    for i, expected in enumerate(right):
        if not any(_object_matches(candidate, expected) for candidate in left):
            return f"left side array doesn't match item {i} of right side: {NO_MATCH}"
    return None
