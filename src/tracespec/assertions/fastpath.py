"""The fast path for the commonest assertion, ``attr:KEY <op> constant``, over many spans.

Three shapes need no :class:`~.values.Value` for most spans: a duration on the right with an
ordering or equality comparator (both sides become integers rounded to their display unit),
``=``/``!=`` against a text that is not a duration, JSON or array, and an ordering against a
number on integer attributes.  For those, :func:`batch` gives one loop
that reads the attribute's column and builds the span results directly (no call per span).
Everything else, and a check with no span selected, takes the general closures of
:mod:`.compiler`; the property tests check that both give the same results.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import cast

from ..results import Outcome, SpanResult
from ..trace import TraceIndex
from ..trace.attrvalue import AttrValue, text_form
from . import ast
from .compare import NO_MATCH, comparison, read_number, verdict
from .compiler import not_found
from .values import (
    DURATION,
    INT64_MAX,
    INT64_MIN,
    NUMBER,
    Value,
    duration_ns,
    humanize_signed,
    round_duration,
    unescape,
)

__all__ = ["BatchRunner", "SpanOutcome", "batch"]

#: (observed value, outcome, error message or ``None``) of an assertion on one span.
SpanOutcome = tuple[str, Outcome, "str | None"]
#: Span results of many positions, and whether all passed.
BatchRunner = Callable[[Sequence[int], list[bytes]], tuple[list[SpanResult], bool]]

_ORDER: dict[ast.Comparator, Callable[[int, int], bool]] = {
    ast.Comparator.EQ: operator.eq,
    ast.Comparator.NE: operator.ne,
    ast.Comparator.LT: operator.lt,
    ast.Comparator.LE: operator.le,
    ast.Comparator.GT: operator.gt,
    ast.Comparator.GE: operator.ge,
}
_PASSED = Outcome.PASSED
_FAILED = Outcome.FAILED
_ERROR = Outcome.ERROR


#: The message for the attribute missing on the span at a position (:func:`.compiler.not_found`).
Missing = Callable[[int], str]


def batch(
    op: ast.Comparator, name: str, col: Sequence[AttrValue | None], right: Value,
    index: TraceIndex | None = None,
) -> BatchRunner | None:
    """The loop for ``attr:name op right`` over the column ``col`` (of ``index``, whose other
    columns the not-found messages read), or ``None`` when the general path is needed (an array
    on the right, ``contains``, ordering against a text)."""
    if right.is_array:
        return None
    if right.type == DURATION and op in _ORDER:
        return _durations(op, not_found(name, index), col, right)
    if op in (ast.Comparator.EQ, ast.Comparator.NE):
        return _equality(op, not_found(name, index), col, right)
    if right.type == NUMBER and op in _ORDER:
        return _numbers(op, not_found(name, index), col, right)
    return None


def _durations(
    op: ast.Comparator, missing: Missing, col: Sequence[AttrValue | None], right: Value
) -> BatchRunner:
    """Both sides as nanoseconds rounded to their display unit; the left shown that way."""
    rns = round_duration(duration_ns(right.text))
    test = _ORDER[op]
    shown: dict[int, str] = {}  # display text per rounded duration

    def run(positions: Sequence[int], ids: list[bytes]) -> tuple[list[SpanResult], bool]:
        out: list[SpanResult] = []
        append = out.append
        all_passed = True
        for p in positions:
            v = col[p]
            if v is None:
                append(SpanResult(ids[p].hex(), "", _ERROR, missing(p)))
                all_passed = False
                continue
            if type(v) is int:
                ns = v if INT64_MIN <= v <= INT64_MAX else 0
            else:
                ns = duration_ns(v if type(v) is str else text_form(v))
            lns = round_duration(ns)
            observed = shown.get(lns)
            if observed is None:
                observed = shown[lns] = humanize_signed(lns)
            if test(lns, rns):
                append(SpanResult(ids[p].hex(), observed, _PASSED, None))
            else:
                append(SpanResult(ids[p].hex(), observed, _FAILED, NO_MATCH))
                all_passed = False
        return out, all_passed

    return run


def _general(op: ast.Comparator, right: Value) -> Callable[[str], SpanOutcome]:
    """The general comparison of a value's text with ``right``, for the values a loop's own
    rule does not cover."""

    def general(text: str) -> SpanOutcome:
        observed, err, _ = comparison(op, Value.of(text), right)
        return observed, verdict(err), err

    return general


def _numbers(
    op: ast.Comparator, missing: Missing, col: Sequence[AttrValue | None], right: Value
) -> BatchRunner:
    """An ordering against a number: an integer attribute compares as itself (shown in
    decimal); any other value by the general comparison (texts read as numbers, durations)."""
    expected = read_number(unescape(right.text))
    test = _ORDER[op]

    general = _general(op, right)

    def run(positions: Sequence[int], ids: list[bytes]) -> tuple[list[SpanResult], bool]:
        out: list[SpanResult] = []
        append = out.append
        all_passed = True
        shown: dict[int, str] = {}  # one text per distinct value (status codes repeat)
        for p in positions:
            v = col[p]
            if type(v) is int:
                text = shown.get(v)
                if text is None:
                    text = shown[v] = str(v)
                if test(v, expected):  # type: ignore[arg-type]
                    append(SpanResult(ids[p].hex(), text, _PASSED, None))
                else:
                    append(SpanResult(ids[p].hex(), text, _FAILED, NO_MATCH))
                    all_passed = False
                continue
            if v is None:
                append(SpanResult(ids[p].hex(), "", _ERROR, missing(p)))
                all_passed = False
                continue
            observed, outcome, error = general(v if type(v) is str else text_form(v))
            append(SpanResult(ids[p].hex(), observed, outcome, error))
            all_passed = all_passed and outcome is _PASSED
        return out, all_passed

    return run


def _equality(
    op: ast.Comparator, missing: Missing, col: Sequence[AttrValue | None], right: Value
) -> BatchRunner:
    """Texts compared after unescaping; a value that reads as a duration is compared as one,
    by the general comparison."""
    expected = unescape(right.text)
    want_equal = op is ast.Comparator.EQ

    general = _general(op, right)

    def run(positions: Sequence[int], ids: list[bytes]) -> tuple[list[SpanResult], bool]:
        out: list[SpanResult] = []
        append = out.append
        all_passed = True
        shown: dict[int, str] = {}  # one text per distinct integer (status codes repeat)
        for p in positions:
            v = col[p]
            tv = type(v)
            if tv is int:
                iv = cast(int, v)
                text = shown.get(iv)
                if text is None:
                    text = shown[iv] = str(iv)
            elif tv is str and (
                cast(str, v)[-1:] not in ("s", "m", "h") or Value.of(cast(str, v)).type != DURATION
            ):
                text = cast(str, v)
            elif v is None:
                append(SpanResult(ids[p].hex(), "", _ERROR, missing(p)))
                all_passed = False
                continue
            else:  # a value whose text reads as a duration, or of another type
                text = cast(str, v) if tv is str else text_form(v)
                if Value.of(text).type == DURATION:
                    observed, outcome, error = general(text)
                    append(SpanResult(ids[p].hex(), observed, outcome, error))
                    all_passed = all_passed and outcome is _PASSED
                    continue
            if ((text if "\\" not in text else unescape(text)) == expected) is want_equal:
                append(SpanResult(ids[p].hex(), text, _PASSED, None))
            else:
                append(SpanResult(ids[p].hex(), text, _FAILED, NO_MATCH))
                all_passed = False
        return out, all_passed

    return run
