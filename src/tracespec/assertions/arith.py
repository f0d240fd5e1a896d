"""Tracetest's arithmetic on values: ``+ - * /`` and negation, to the last digit of its Go code.

Both operands must be numbers or both durations (durations are nanoseconds); the math is done
on floats; the result is printed with ``%.2f`` when an operand is written with a decimal point,
else as Go's ``int64(float)`` (which gives the smallest int64 for what does not fit).
Problems are :class:`~tracespec.errors.EvalError` s, which become failed span results.
"""

from __future__ import annotations

import math

from ..errors import EvalError
from . import ast
from .values import DURATION, INT64_MIN, NUMBER, Value, dehumanize

__all__ = ["arithmetic", "negate"]


def _int64_text(result: float) -> str:
    if not math.isfinite(result) or abs(result) >= 2.0**63:
        return str(INT64_MIN)  # Go's int64(float) on amd64
    return str(int(result))


def _go_float2(result: float) -> str:
    if math.isnan(result):
        return "NaN"
    if math.isinf(result):
        return "+Inf" if result > 0 else "-Inf"
    return f"{result:.2f}"


def _operand(text: str, type_: int) -> tuple[str, float]:
    if type_ == DURATION:
        text = str(dehumanize(text))
    try:
        return text, float(text)
    except ValueError:
        return text, 0.0


def arithmetic(op: ast.Operator, left: Value, right: Value) -> Value:
    """``left op right`` as Tracetest computes it: on the first item of the left value;
    both sides numbers or both durations; float math; ``%.2f`` when an operand has a ``.``."""
    ltext, ltype = left.first
    rtype = right.type
    if ltype != rtype:
        raise EvalError("types mismatch")
    if ltype not in (NUMBER, DURATION):
        raise EvalError("operation is only allowed on numbers and duration fields")
    a_text, a = _operand(ltext, ltype)
    b_text, b = _operand(right.first[0], rtype)
    if op is ast.Operator.ADD:
        result = a + b
    elif op is ast.Operator.SUB:
        result = a - b
    elif op is ast.Operator.MUL:
        result = a * b
    else:
        if b == 0:
            raise EvalError("division by zero")
        result = a / b
    if "." in a_text or "." in b_text:
        text = _go_float2(result)
    else:
        text = _int64_text(result)
    return Value.typed(text, ltype)


def negate(value: Value) -> Value:
    """``-value`` for a number or duration (texts keep their form: ``-1.50``)."""
    text, type_ = value.first
    if type_ not in (NUMBER, DURATION):
        raise EvalError("operation is only allowed on numbers and duration fields")
    if type_ == DURATION:
        text = str(dehumanize(text))
    if text.startswith("-"):
        return Value.typed(text[1:], type_)
    return Value.typed(text if text.strip("0.") == "" else "-" + text, type_)
