"""The selector for one span: the shortest selector on stable attributes that selects exactly it.

Tracetest's UI offers a span's selector ("Current span") when a span is clicked; this is ours.
The suggestion is in the Tracetest language and reads only attributes that stay the same from
one run to the next (:func:`stable_pairs`): the span's name, kind, service, span type, status
and the other attributes, but never ids, timestamps, durations, addresses, ports, hosts or
processes, response bodies, or values that look like ids (16+ hex digits, UUIDs).

**The family searched**: a selector of one step, ``span[c1 c2 ...]``, or of two, ``span[a1
...] span[c1 ...]`` (a descendant) or ``span[a1 ...] > span[c1 ...]`` (a child), every
condition an equality ``key=value`` (the only operator Tracetest's UI writes besides
``contains``).  **Length** is the number of conditions plus the number of steps
(``span[name="x"]`` is 2, ``span[a="1"] > span[name="x"]`` is 4); among selectors of one
length, one step before two, a descendant before a child, the conditions in the order of
:data:`PREFERRED` and then of their keys.  :func:`suggest_selector` returns the first
selector of least length, in that order, that selects exactly the span (each candidate is
counted on bit sets of the spans each condition matches, and the one returned is checked by
running it), or ``None`` when no selector of the family does: two spans alike in every stable
attribute and in their ancestors' cannot be told apart without ``:nth_child``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Sequence

from ..trace import AttrValue, Span, Trace
from . import ast
from .query import compile_selector
from .unparse import unparse_selector_node

__all__ = ["PREFERRED", "stable_pairs", "suggest_selector"]

#: Keys tried first, in this order (ties between selectors of one length go to these).
PREFERRED = ("name", "service.name", "tracetest.span.type", "kind", "http.route",
             "http.request.method", "http.method", "db.system", "db.operation",
             "rpc.method", "messaging.operation", "tracetest.span.status_code")

#: Keys never used: the meta attributes that vary (times, duration, parent), what varies per
#: process or machine, and what a response carries.
_UNSTABLE_KEYS = frozenset({
    "tracetest.span.name",  # (the same as name)
    "tracetest.span.duration", "tracetest.span.start_time", "tracetest.span.end_time",
    "tracetest.span.parent_id", "tracetest.span.status_description", "span.events",
    "tracetest.selected_spans.count",
})
_UNSTABLE_PREFIXES = ("host.", "container.", "k8s.pod.", "process.", "service.instance.",
                      "tracetest.response.", "thread.")
_UNSTABLE_KEY = re.compile(
    r"(?:^|[._])(?:ids?|uuid|guid|time|timestamp|date|duration|elapsed|latency|pid|port|"
    r"address|addr|ip|peer\.\w+|session|token|nonce)$|_id$|Id$|(?:^|\.)(?:client|peer|sock|"
    r"source)\.",
    re.IGNORECASE)
_ID_LIKE = re.compile(
    r"[0-9a-fA-F]{16,}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{12}")
#: Strings longer than this are left out (bodies, stack traces).
MAX_VALUE_LENGTH = 120
#: How many candidate selectors are counted at most before the search gives up.
MAX_CANDIDATES = 20_000


def _stable_key(key: str) -> bool:
    if key in ("name", "kind"):
        return True
    return (key not in _UNSTABLE_KEYS and not key.startswith(_UNSTABLE_PREFIXES)
            and _UNSTABLE_KEY.search(key) is None)


def _literal(value: AttrValue) -> ast.Literal | None:
    """The selector literal equal to ``value``, or ``None`` when none is, or it is unstable."""
    if isinstance(value, bool):
        return ast.Bool(value)
    if isinstance(value, int):
        return ast.Number(value) if value >= 0 else None
    if isinstance(value, float):
        return ast.Number(value) if math.isfinite(value) and value >= 0 else None
    if isinstance(value, str):
        if not value or len(value) > MAX_VALUE_LENGTH or _ID_LIKE.search(value):
            return None
        return ast.String(value)
    return None  # arrays, bytes, maps: no literal


def _order(key: str) -> tuple[int, str]:
    return (PREFERRED.index(key) if key in PREFERRED else len(PREFERRED), key)


def stable_pairs(span: Span) -> list[ast.Comparison]:
    """The conditions ``key=value`` a suggestion may use for ``span``: its stable attributes
    (merged, as selectors read them), in the order ties are broken in."""
    out = []
    for key in sorted(span.attributes, key=_order):
        if not _stable_key(key):
            continue
        literal = _literal(span.attributes[key])
        if literal is not None:
            out.append(ast.Comparison(key, ast.Operator.EQ, literal))
    return out


class _Masks:
    """The spans each condition matches, as a bit set (bit ``p``: the span at position ``p``),
    found by the engine (so a number matches as the language compares it)."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._cache: dict[ast.Comparison, int] = {}
        self._below: dict[tuple[int, bool], int] = {}
        self.all = (1 << len(trace)) - 1

    def of(self, cond: ast.Comparison) -> int:
        found = self._cache.get(cond)
        if found is None:
            tree = _selector([(cond,)])
            mask = 0
            for p in compile_selector(tree).positions(self.trace):
                mask |= 1 << p
            found = self._cache[cond] = mask
        return found

    def both(self, conds: Sequence[ast.Comparison]) -> int:
        mask = self.all
        for cond in conds:
            mask &= self.of(cond)
            if not mask:
                break
        return mask

    def below(self, ancestors: int, child: bool) -> int:
        """The spans with an ancestor (``child``: a parent) in ``ancestors``."""
        key = (ancestors, child)
        found = self._below.get(key)
        if found is not None:
            return found
        index = self.trace.index
        out = 0
        bits = bin(ancestors)[:1:-1]  # bit p is character p
        p = bits.find("1")
        while p >= 0:
            end = index.end[p]
            if child:
                q = p + 1
                while q < end:
                    out |= 1 << q
                    q = index.end[q]
                p = bits.find("1", p + 1)
            else:
                out |= ((1 << (end - p - 1)) - 1) << (p + 1)
                p = bits.find("1", end)  # (spans below p are below it already)
        self._below[key] = out
        return out


def _selector(steps: Sequence[Sequence[ast.Comparison]], child: bool = False) -> ast.Selector:
    compounds = tuple(ast.Compound(tuple(conds)) for conds in steps)
    combinators = (ast.Combinator.CHILD if child else ast.Combinator.DESCENDANT,) * (
        len(compounds) - 1)
    return ast.Selector((ast.Chain(compounds, combinators),))


def _splits(length: int) -> Iterator[tuple[int, int]]:
    """(ancestor conditions, span conditions) of two-step selectors of this length."""
    for mine in range(length - 2, -1, -1):
        yield length - 2 - mine, mine


def suggest_selector(trace: Trace, span: Span | str) -> str | None:
    """The shortest selector in the Tracetest language, on attributes stable across runs, that
    selects exactly ``span`` (a span of ``trace`` or its id) in ``trace``; ``None`` when no
    selector of the family this module describes does.  ``KeyError`` for an id not in the
    trace."""
    if isinstance(span, str):
        span = trace.span(span.strip().removeprefix("#"))
    elif span.trace is not trace:
        span = trace.span(span.span_id)
    found = _Search(trace, span).run()
    return None if found is None else unparse_selector_node(found)


class _Search:
    """The search of :func:`suggest_selector`, by length."""

    def __init__(self, trace: Trace, span: Span) -> None:
        self.masks = _Masks(trace)
        self.span = span
        self.target = 1 << span.position
        self.mine = stable_pairs(span)
        ancestors = []
        up = span.parent
        while up is not None:
            ancestors.append(up)
            up = up.parent
        self.ancestors = ancestors
        self.theirs = [stable_pairs(a) for a in ancestors]
        self.budget = MAX_CANDIDATES

    def _runs(self, tree: ast.Selector) -> bool:
        """Whether the engine, run on the trace, selects exactly the span (what the bit sets
        said: the suggestion is checked as a user would run it)."""
        return compile_selector(tree).positions(self.masks.trace) == [self.span.position]

    def _spend(self) -> bool:
        self.budget -= 1
        return self.budget >= 0

    def run(self) -> ast.Selector | None:
        masks = self.masks
        one_step = masks.both(self.mine) == self.target
        # the ancestors with which some two-step selector can work, nearest first
        usable = [(k, child) for child in (False, True)
                  for k in range(len(self.ancestors)) if (not child or k == 0)
                  and self._two(k, self.theirs[k], self.mine, child)]
        if not one_step and not usable:
            return None
        longest = len(self.mine) + 1 + max(
            (len(self.theirs[k]) + 1 for k, _ in usable), default=0)
        for length in range(1, longest + 1):
            if one_step and length - 1 <= len(self.mine):
                for conds in itertools.combinations(self.mine, length - 1):
                    if not self._spend():
                        return None
                    if masks.both(conds) == self.target and self._runs(_selector([conds])):
                        return _selector([conds])
            found = self._two_steps(length, usable)
            if found is not None or self.budget < 0:
                return found
        return None

    def _two(self, k: int, theirs: Sequence[ast.Comparison], mine: Sequence[ast.Comparison],
             child: bool) -> bool:
        masks = self.masks
        return masks.both(mine) & masks.below(masks.both(theirs), child) == self.target

    def _two_steps(self, length: int, usable: list[tuple[int, bool]]) -> ast.Selector | None:
        for child in (False, True):
            for n_theirs, n_mine in _splits(length):
                if n_mine > len(self.mine):
                    continue
                for conds in itertools.combinations(self.mine, n_mine):
                    found = self._with_ancestor(conds, n_theirs, child, usable)
                    if found is not None or self.budget < 0:
                        return found
        return None

    def _with_ancestor(self, conds: tuple[ast.Comparison, ...], n_theirs: int, child: bool,
                       usable: list[tuple[int, bool]]) -> ast.Selector | None:
        masks = self.masks
        spans = masks.both(conds)
        for k, k_child in usable:
            if k_child != child or n_theirs > len(self.theirs[k]):
                continue
            for up in itertools.combinations(self.theirs[k], n_theirs):
                if not self._spend():
                    return None
                if spans & masks.below(masks.both(up), child) == self.target and self._runs(
                        _selector([up, conds], child)):
                    return _selector([up, conds], child)
        return None
