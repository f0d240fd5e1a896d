"""The compiled objects users hold: :class:`Check` (an assertion) and :class:`Expression`.

Both are immutable, hashable (by syntax tree, as a :class:`~tracespec.Query` is: spacing does not
count, literal texts do) and picklable (they pickle as their text and are
compiled again on load, so no closure is ever pickled).  :func:`compile_assertion` and
:func:`compile_expression` parse, check what can be checked before any trace is seen (RE2
patterns written as literals), build the closures and keep the last 512 of each; :func:`purge`
forgets them.  A check evaluates each selected span through the fast path when the assertion
has its shape and spans are selected (:mod:`.fastpath`), else through the general closures
(:mod:`.compiler`); either way every span result carries its outcome.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .._frozen import FieldsRepr
from .._gc import paused as gc_paused
from ..errors import CompileError, EvalError
from ..results import AssertionResult, Outcome, SpanResult
from ..trace import Span, Trace
from . import ast, fastpath
from .compare import comparison, verdict
from .compiler import Builder, Context, build, is_constant, is_meta, keys_read
from .fastpath import SpanOutcome
from .parser import parse_assertion, parse_expression
from .values import INT64_MIN, Value, dehumanize, unescape

__all__ = ["Check", "Expression", "compile_assertion", "compile_expression", "purge"]


@attrs.frozen(eq=False, repr=False)
class Check(FieldsRepr):
    """A compiled assertion: immutable, hashable (by syntax tree) and picklable (as its text).

    ``evaluate(trace, spans)`` checks it on spans of a trace; :func:`tracespec.check` is the
    usual way in.  The closures are built lazily and are not part of the object's identity.
    """

    source: str
    ast: ast.Assertion
    _left: Builder = attrs.field(repr=False, alias="left")
    _right: Builder = attrs.field(repr=False, alias="right")
    #: The span attributes the assertion reads (their columns are built together).
    keys: frozenset[str] = attrs.field(
        repr=False, default=attrs.Factory(lambda self: keys_read(self.ast), takes_self=True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Check) and other.ast == self.ast

    def __hash__(self) -> int:
        return hash(self.ast)

    def __reduce__(self) -> tuple[Any, ...]:
        return (compile_assertion, (self.source,))

    # -- evaluation -----------------------------------------------------------------------
    def _fast(self, ctx: Context) -> fastpath.BatchRunner | None:
        """The fast loop when the assertion is ``attr:KEY <op> constant`` of a shape
        :mod:`.fastpath` knows, on a trace."""
        left_node, right_node = self.ast.left, self.ast.right
        if (
            not isinstance(left_node, ast.Attribute)
            or is_meta(left_node.name)
            or ctx.index is None
            or not is_constant(right_node)
        ):
            return None
        try:
            right_value = self._right(ctx)(None)
        except EvalError:
            return None
        name = left_node.name
        return fastpath.batch(self.ast.comparator, name, ctx.index.column(name), right_value,
                              ctx.index)

    def bound(self, ctx: Context) -> Callable[[int | None], SpanOutcome]:
        """The per-span function ``pos -> (observed, outcome, error)`` for one context (the
        general closures)."""
        op = self.ast.comparator
        left_ev, right_ev = self._left(ctx), self._right(ctx)
        passed = Outcome.PASSED

        def run(pos: int | None) -> SpanOutcome:
            try:
                left = left_ev(pos)
                right = right_ev(pos)
            except EvalError as exc:
                return "", Outcome.ERROR, exc.message
            observed, err, _ = comparison(op, left, right)
            return observed, passed if err is None else verdict(err), err

        return run

    def evaluate(
        self,
        trace: Trace | None,
        spans: Sequence[Span] | None = None,
        *,
        variables: Mapping[str, str] | None = None,
        selected_count: int | None = None,
    ) -> AssertionResult:
        """Check the assertion on every span of ``spans`` (all must pass); with no span, once
        without one.  ``selected_count`` is ``tracetest.selected_spans.count`` (defaults to
        the number of spans)."""
        positions = [s.position for s in spans] if spans else []
        return self.run_positions(trace, positions, variables=variables,
                                  selected_count=selected_count)

    def run_positions(
        self,
        trace: Trace | None,
        positions: Sequence[int],
        *,
        variables: Mapping[str, str] | None = None,
        selected_count: int | None = None,
        fast: bool = True,
    ) -> AssertionResult:
        """:meth:`evaluate` on span positions (the engine's form).  ``fast=False`` evaluates
        every span through the general closures: the fast paths must give the same results
        (the property tests compare the two)."""
        index = trace.index if trace is not None else None
        if index is not None and positions and self.keys:
            index.prefetch(self.keys)
        count = len(positions) if selected_count is None else selected_count
        ctx = Context(index, variables or {}, count)
        if not positions or index is None:
            observed, outcome, error = self.bound(ctx)(None)
            span_result = SpanResult(None, observed, outcome, error)
            return AssertionResult(self.source, span_result.passed, (span_result,))
        loop = self._fast(ctx) if fast else None
        with gc_paused(len(positions)):
            if loop is not None:
                results, all_passed = loop(positions, index.span_ids)
                return AssertionResult(self.source, all_passed, tuple(results))
            run = self.bound(ctx)
            ids = index.span_ids
            results = []
            all_passed = True
            passed = Outcome.PASSED
            for p in positions:
                observed, outcome, error = run(p)
                if outcome is not passed:
                    all_passed = False
                results.append(SpanResult(ids[p].hex(), observed, outcome, error))
            return AssertionResult(self.source, all_passed, tuple(results))


@attrs.frozen(eq=False, repr=False)
class Expression(FieldsRepr):
    """A compiled expression (an output's value): :meth:`value` evaluates it on a span."""

    source: str
    ast: ast.Expr
    _builder: Builder = attrs.field(repr=False, alias="builder")
    #: The span attributes the expression reads.
    keys: frozenset[str] = attrs.field(
        repr=False, default=attrs.Factory(lambda self: keys_read(self.ast), takes_self=True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.ast == self.ast

    def __hash__(self) -> int:
        return hash(("Expression", self.ast))

    def __reduce__(self) -> tuple[Any, ...]:
        return (compile_expression, (self.source,))

    def value(self, trace: Trace | None, pos: int | None, *,
              variables: Mapping[str, str] | None = None, selected_count: int = 0) -> Value:
        """The value on the span at ``pos`` (``None``: no span); raises
        :class:`~tracespec.EvalError` when it cannot be evaluated there."""
        ctx = Context(trace.index if trace is not None else None, variables or {},
                      selected_count)
        return self._builder(ctx)(pos)


def _check_regexes(node: ast.AssertionNode, source: str) -> None:
    """RE2 patterns written as literals are compiled now: a bad one is an error with a place."""
    for n, _ in ast.walk(node):
        if isinstance(n, ast.Filter) and n.name in ("regex", "regex_group"):
            for arg in n.args:
                if isinstance(arg, ast.String) and all(isinstance(p, str) for p in arg.parts):
                    from .filters import compile_regex

                    pattern = unescape("".join(arg.parts))  # type: ignore[arg-type]
                    try:
                        compile_regex(pattern)
                    except Exception as exc:  # re2.error
                        raise CompileError(
                            f"invalid regex (RE2 syntax): {exc}", source=source,
                            span=arg.span if arg.span != ast.NO_SPAN else (0, len(source)),
                            language="assertion",
                        ) from None


def _check_durations(node: ast.AssertionNode, source: str) -> None:
    """A duration literal beyond int64 nanoseconds (about 292 years) is an error with a place:
    Tracetest reads it as the smallest int64, and every comparison with it goes wrong."""
    for n, _ in ast.walk(node):
        if isinstance(n, ast.Duration) and dehumanize(n.text.lstrip("-")) == INT64_MIN:
            raise CompileError(
                f"duration {n.text} is out of range (at most 2562047h47m16s, int64 nanoseconds)",
                source=source, span=n.span if n.span != ast.NO_SPAN else (0, len(source)),
                language="assertion",
            )


def _check_literals(node: ast.AssertionNode, source: str) -> None:
    _check_regexes(node, source)
    _check_durations(node, source)


@functools.lru_cache(maxsize=512)
def _compile_assertion(text: str, strict: bool) -> Check:
    node = parse_assertion(text, strict=strict)
    _check_literals(node, text)
    return Check(text, node, left=build(node.left), right=build(node.right))


@functools.lru_cache(maxsize=512)
def _compile_expression(text: str, strict: bool) -> Expression:
    node = parse_expression(text, strict=strict)
    _check_literals(node, text)
    return Expression(text, node, builder=build(node))


def compile_assertion(text: str, *, strict: bool = False) -> Check:
    """Parse and compile an assertion (cached).  Raises :class:`~tracespec.ParseError` for
    text that does not parse (with ``strict=True`` also for tracespec's extensions) and
    :class:`~tracespec.CompileError` for a regular expression RE2 refuses."""
    return _compile_assertion(text, strict)


def compile_expression(text: str, *, strict: bool = False) -> Expression:
    """Parse and compile an expression (cached), as :func:`compile_assertion` does."""
    return _compile_expression(text, strict)


def purge() -> None:
    """Forget every compiled assertion and expression (the caches of the two functions)."""
    _compile_assertion.cache_clear()
    _compile_expression.cache_clear()
