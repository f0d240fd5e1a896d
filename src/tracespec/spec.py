"""Specs: a selector joined with assertions, checked on a trace; and outputs.

A spec is Tracetest's "test spec", the one concept above both languages, so it is the one
module that imports both.  :func:`check` selects the spans, then evaluates every assertion on
every selected span (all must pass; with no span selected, once without one).  Everything that
can be wrong with the *text* (selector, assertions, RE2 patterns) is found before anything runs:
raised as :class:`~tracespec.ParseError`/:class:`~tracespec.CompileError`, or with
``errors="report"`` written into the result so a test run can go on.  Problems that show only
on the data are failed span results.  :func:`resolve_output` evaluates an expression on the first
selected span, as Tracetest's outputs do; :func:`prefetch` builds, in one pass over the spans,
everything a run will read; :func:`purge` empties both languages' caches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from . import assertions, selectors
from .assertions import Check, compile_assertion, compile_expression
from .errors import CompileError, EvalError, ParseError
from .results import AssertionResult, OutputResult, SpecResult
from .selectors import Query, compile_selector
from .selectors.ast import Selector
from .trace import Trace

__all__ = ["check", "prefetch", "purge", "resolve_output"]

_NOT_RUN = "not run: the selector is invalid"


def _assertion(item: str | Check) -> Check:
    return item if isinstance(item, Check) else compile_assertion(item)


def _text(item: str | Check) -> str:
    return item.source if isinstance(item, Check) else item


def _selector_text(selector: str | Selector | Query) -> str:
    if isinstance(selector, str):
        return selector
    return (selector if isinstance(selector, Query) else compile_selector(selector)).source


def check(
    selector: str | Selector | Query,
    assertions: Sequence[str | Check] | str | Check,
    trace: Trace,
    *,
    variables: Mapping[str, str] | None = None,
    errors: Literal["raise", "report"] = "raise",
    name: str | None = None,
) -> SpecResult:
    """Check a spec: every assertion on every span the selector picks.

    ``selector`` is text, a parsed selector or a compiled :class:`~tracespec.Query`;
    ``assertions`` texts or compiled :class:`~tracespec.Check` s.  ``variables`` feed
    ``env:NAME`` and ``var:NAME``.  With ``errors="raise"`` (the default) a selector or
    assertion that does not parse raises before anything runs; with ``errors="report"`` the
    problem is written into the result (``SpecResult.error`` for the selector,
    ``AssertionResult.error`` for an assertion) and the rest still runs.
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")
    items = [assertions] if isinstance(assertions, str | Check) else list(assertions)
    texts = [_text(a) for a in items]
    selector_text = _selector_text(selector)
    selector_error: str | None = None
    query: Query | None = None
    try:
        query = selector if isinstance(selector, Query) else compile_selector(selector)
    except (ParseError, CompileError) as exc:
        if errors == "raise":
            raise
        selector_error = str(exc)
    compiled: list[Check | str] = []
    for item in items:
        try:
            compiled.append(_assertion(item))
        except (ParseError, CompileError) as exc:
            if errors == "raise":
                raise
            compiled.append(str(exc))
    if query is not None:
        checks = [c for c in compiled if isinstance(c, Check)]
        trace.index.prefetch(query.keys.union(*(c.keys for c in checks)))
        try:
            positions = query.positions(trace)
        except EvalError as exc:  # (a selector too costly on this trace: docs/limits.md)
            if errors == "raise":
                raise
            selector_error = str(exc)
            query = None
    if query is None:
        not_run = tuple(
            AssertionResult(t, False, (), c if isinstance(c, str) else _NOT_RUN)
            for t, c in zip(texts, compiled, strict=True)
        )
        return SpecResult(selector_text, not_run, (), name, selector_error, trace=trace)
    ids = trace.index.span_ids
    results = []
    for text, c in zip(texts, compiled, strict=True):
        if isinstance(c, str):
            results.append(AssertionResult(text, False, (), c))
        else:
            results.append(c.run_positions(trace, positions, variables=variables))
    return SpecResult(selector_text, tuple(results), tuple(ids[p].hex() for p in positions), name,
                      trace=trace)


def resolve_output(
    selector: str | Selector | Query,
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
    query = selector if isinstance(selector, Query) else compile_selector(selector)
    selector_text = _selector_text(selector)
    compiled = compile_expression(expression)
    trace.index.prefetch(query.keys | compiled.keys)
    positions = query.positions(trace)
    if not positions:
        try:
            value = compiled.value(trace, None, variables=variables).text
        except EvalError:
            value = ""
        return OutputResult(name, selector_text, expression, value, False, None,
                            f'cannot find matching spans for output "{name}"')
    pos = positions[0]
    span_id = trace.index.span_ids[pos].hex()
    try:
        text = compiled.value(trace, pos, variables=variables,
                              selected_count=len(positions)).text
    except EvalError as exc:
        return OutputResult(name, selector_text, expression, "", True, span_id, exc.message)
    return OutputResult(name, selector_text, expression, text, True, span_id)


def prefetch(
    trace: Trace,
    *,
    selectors: Iterable[str | Selector | Query] = (),
    assertions: Iterable[str | Check] = (),
    expressions: Iterable[str] = (),
) -> None:
    """Build, in one pass over the spans, the columns that all these selectors, assertions and
    expressions read, so that running them later decodes no span again (a test run calls this
    once with everything it will run).  Text that does not compile is skipped here: it is
    reported where it runs."""
    keys: set[str] = set()
    for selector in selectors:
        with contextlib.suppress(ParseError, CompileError):
            keys |= (selector if isinstance(selector, Query) else compile_selector(selector)).keys
    for assertion in assertions:
        with contextlib.suppress(ParseError, CompileError):
            keys |= _assertion(assertion).keys
    for expression in expressions:
        with contextlib.suppress(ParseError, CompileError):
            keys |= compile_expression(expression).keys
    trace.index.prefetch(keys)


def purge() -> None:
    """Forget every compiled selector, assertion and expression (the caches of
    :func:`~tracespec.compile_selector`, :func:`~tracespec.compile_assertion` and
    :func:`~tracespec.compile_expression`)."""
    selectors.purge()
    assertions.purge()
