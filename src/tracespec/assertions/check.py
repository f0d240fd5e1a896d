"""Checking a spec (selector + assertions) on a trace, and resolving outputs.

:func:`check` is Tracetest's "test spec": select the spans, then evaluate every assertion on
every selected span (all must pass; with no span selected, once without one).  Everything that
can be wrong with the *text* (selector, assertions, RE2 patterns) is found before anything runs:
raised as :class:`~tracespec.ParseError`/:class:`~tracespec.CompileError`, or with
``errors="report"`` written into the result so a test run can go on.  Problems that show only
on the data are failed span results.  :func:`resolve_output` evaluates an expression on the first
selected span, as Tracetest's outputs do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from ..errors import CompileError, ParseError
from ..results import AssertionResult, OutputResult, SpecResult
from ..selectors.query import Query, compile_selector
from ..trace import Trace
from .compiler import Check, EvalError, compile_assertion, compile_expression, index_of

__all__ = ["check", "resolve_output"]

_NOT_RUN = "not run: the selector is invalid"


def _ids(trace: Trace) -> list[bytes]:
    index = index_of(trace)
    assert index is not None
    return index.span_ids


def check(
    selector: str,
    assertions: Sequence[str] | str,
    trace: Trace,
    *,
    variables: Mapping[str, str] | None = None,
    errors: Literal["raise", "report"] = "raise",
    name: str | None = None,
) -> SpecResult:
    """Check a spec: every assertion on every span the selector picks.

    ``variables`` feed ``env:NAME`` and ``var:NAME``.  With ``errors="raise"`` (the default) a
    selector or assertion that does not parse raises before anything runs; with
    ``errors="report"`` the problem is written into the result (``SpecResult.error`` for the
    selector, ``AssertionResult.error`` for an assertion) and the rest still runs.
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")
    texts = [assertions] if isinstance(assertions, str) else list(assertions)
    selector_error: str | None = None
    query: Query | None = None
    try:
        query = compile_selector(selector)
    except (ParseError, CompileError) as exc:
        if errors == "raise":
            raise
        selector_error = str(exc)
    compiled: list[Check | str] = []
    for text in texts:
        try:
            compiled.append(compile_assertion(text))
        except (ParseError, CompileError) as exc:
            if errors == "raise":
                raise
            compiled.append(str(exc))
    if query is None:
        not_run = tuple(
            AssertionResult(t, False, (), c if isinstance(c, str) else _NOT_RUN)
            for t, c in zip(texts, compiled, strict=True)
        )
        return SpecResult(selector, not_run, (), name, selector_error)
    positions = query.positions(trace)
    ids = _ids(trace)
    results = []
    for text, c in zip(texts, compiled, strict=True):
        if isinstance(c, str):
            results.append(AssertionResult(text, False, (), c))
        else:
            results.append(c.run_positions(trace, positions, variables=variables))
    return SpecResult(selector, tuple(results), tuple(ids[p].hex() for p in positions), name)


def resolve_output(
    selector: str,
    expression: str,
    trace: Trace,
    *,
    variables: Mapping[str, str] | None = None,
    name: str = "",
) -> OutputResult:
    """Evaluate ``expression`` on the first span ``selector`` picks (Tracetest's outputs).

    A selector or expression that does not parse raises.  When no span is selected the output
    is unresolved with the error ``cannot find matching spans for output "NAME"``; an
    evaluation error leaves the value empty and carries the message.
    """
    query = compile_selector(selector)
    compiled = compile_expression(expression)
    positions = query.positions(trace)
    if not positions:
        try:
            value = compiled.value(trace, None, variables=variables).text
        except EvalError:
            value = ""
        return OutputResult(name, selector, expression, value, False, None,
                            f'cannot find matching spans for output "{name}"')
    pos = positions[0]
    span_id = _ids(trace)[pos].hex()
    try:
        text = compiled.value(trace, pos, variables=variables,
                              selected_count=len(positions)).text
    except EvalError as exc:
        return OutputResult(name, selector, expression, "", True, span_id, exc.message)
    return OutputResult(name, selector, expression, text, True, span_id)
