"""The compiled selector users hold: :class:`Query`, :func:`compile_selector`, :func:`select`.

A :class:`Query` is immutable, hashable (by its syntax tree, so spacing and comments do not
matter) and picklable (it pickles as its source text and is compiled again on load, so no
closure is ever pickled).  :func:`compile_selector` keeps the last 512 compiled texts, as
soupsieve and jmespath do; :func:`purge` empties that cache.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs

from ..query import SelectorPlan, explain, run
from ..query.plan import keys_read
from ..trace import Span, Trace
from .ast import Selector
from .compiler import compile_plan
from .parser import parse_selector
from .unparse import unparse_selector_node

__all__ = ["Query", "compile_selector", "purge", "select"]


@attrs.frozen(eq=False)
class Query:
    """A compiled selector: ``select(trace)`` gives the spans it picks, ``explain()`` the plan."""

    source: str
    ast: Selector
    plan: SelectorPlan = attrs.field(repr=False)
    #: The attribute keys (meta keys included) the query reads: their columns are built
    #: together, in one pass over the spans, before the query runs.
    keys: frozenset[str] = attrs.field(
        repr=False, default=attrs.Factory(lambda self: keys_read(self.plan), takes_self=True))

    def positions(self, trace: Trace) -> list[int]:
        """The positions (``span.position``) of the selected spans, ascending."""
        if self.keys:
            trace.index.prefetch(self.keys)
        return run(self.plan, trace.index)

    def select(self, trace: Trace) -> tuple[Span, ...]:
        """The selected spans, in trace order, without duplicates."""
        return trace.spans_at(self.positions(trace))

    def explain(self) -> str:
        """The plan in words: for each step, which index finds its spans."""
        return f"selector: {unparse_selector_node(self.ast) or '(empty)'}\n" + explain(self.plan)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Query) and other.ast == self.ast

    def __hash__(self) -> int:
        return hash(self.ast)  # (syntax trees cache their hash)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (compile_selector, (self.source,))

    def __repr__(self) -> str:
        return f"Query({self.source!r})"


def _build(source: str, tree: Selector) -> Query:
    return Query(source, tree, compile_plan(tree, source))


@functools.lru_cache(maxsize=512)
def _compile_text(text: str, strict: bool) -> Query:
    return _build(text, parse_selector(text, strict=strict))


@functools.lru_cache(maxsize=512)
def _compile_tree(tree: Selector) -> Query:
    text = unparse_selector_node(tree)
    return _build(text, tree)


def compile_selector(selector: str | Selector, *, strict: bool = False) -> Query:
    """Compile selector text (or a parsed :class:`~tracespec.selectors.ast.Selector`).

    Cached: compiling the same text again returns the same :class:`Query`.  Raises
    :class:`~tracespec.ParseError` for text that does not parse (with ``strict=True`` also for
    tracespec's extensions) and :class:`~tracespec.CompileError` for a regular expression RE2
    refuses.
    """
    if type(selector) is str:
        return _compile_text(selector, strict)
    if isinstance(selector, Selector):
        return _compile_tree(selector)
    if isinstance(selector, str):
        return _compile_text(str(selector), strict)
    raise TypeError(f"a selector is text or a parsed Selector, not {type(selector).__name__}")


def purge() -> None:
    """Forget every compiled selector (the cache of :func:`compile_selector`)."""
    _compile_text.cache_clear()
    _compile_tree.cache_clear()


def select(selector: str | Selector | Query, trace: Trace) -> tuple[Span, ...]:
    """The spans of ``trace`` that ``selector`` picks, in trace order, without duplicates."""
    query = selector if isinstance(selector, Query) else compile_selector(selector)
    return query.select(trace)
