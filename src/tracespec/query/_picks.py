"""A pick from every context's per-ancestor list at once, in O(n log n).

In a chain such as ``A B:first C D``, Tracetest's list for a context span ``t`` (a match of
``A``) is every ``D`` reached from the ``B`` spans below ``t`` through ``C``, in trace order,
and ``:first`` keeps one of them.  Built context by context, those lists cost O(n²) on a deep
trace (each context's list holds nearly every span below it).  Here the lists are never built:

* ``reached`` is every span of the last level reached from *some* span of the pick's level;
* for each of them, ``z(x)`` is the deepest span of the pick's level from which ``x`` is reached
  (found level by level, the deepest ancestor in each level, by one sweep over pre-order);
* ``x`` is in ``t``'s list exactly when ``z(x)`` is strictly below ``t`` (``x`` then is too): a
  deeper starting span leaves more room above it, so the deepest is the one to test.

Contexts are taken from the deepest position up, the spans ``x`` with ``z(x) > t`` added to a
Fenwick tree over ``reached`` as ``t`` falls, so that each context's list is the tree's entries
in the interval below ``t``: its length is two prefix sums, and the span a pick keeps is found
by descending the tree.  Only for descendant combinators below the pick's level (what
:class:`~tracespec.query.plan.ChainPlan.list_level` guarantees) and a descendant combinator
above it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import chain as iter_chain

import attrs

from .._frozen import FieldsRepr
from .plan import Pick, PickKind

__all__ = [
    "Runs",
    "deepest_ancestors",
    "first_picks",
    "pick_from_runs",
    "picked_per_context",
]


def deepest_ancestors(queries: Sequence[int], spans: Sequence[int],
                      end: Sequence[int]) -> dict[int, int]:
    """For each query position, the deepest of ``spans`` (ascending) strictly above it;
    queries with none are left out."""
    out: dict[int, int] = {}
    stack: list[int] = []
    i = 0
    n = len(spans)
    for q in sorted(set(queries)):
        while i < n and spans[i] < q:
            s = spans[i]
            while stack and end[stack[-1]] <= s:
                stack.pop()
            stack.append(s)
            i += 1
        while stack and end[stack[-1]] <= q:
            stack.pop()
        if stack:
            out[q] = stack[-1]
    return out


class _Fenwick:
    __slots__ = ("size", "top", "tree")

    def __init__(self, size: int) -> None:
        self.size = size
        self.tree = [0] * (size + 1)
        self.top = 1 << max(0, size.bit_length() - 1) if size else 0

    def add(self, i: int) -> None:
        i += 1
        tree = self.tree
        while i <= self.size:
            tree[i] += 1
            i += i & -i

    def prefix(self, i: int) -> int:
        """How many entries among the first ``i``."""
        total = 0
        tree = self.tree
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def find(self, k: int) -> int:
        """The 0-based index of the ``k``-th entry (1-based ``k``)."""
        pos = 0
        step = self.top
        tree = self.tree
        while step:
            nxt = pos + step
            if nxt <= self.size and tree[nxt] < k:
                pos = nxt
                k -= tree[nxt]
            step >>= 1
        return pos


def picked_per_context(
    contexts: Sequence[int], levels: Sequence[Sequence[int]], level: int,
    end: Sequence[int], pick: Pick,
) -> dict[int, list[int]]:
    """For each context span (ascending; -1 for the whole trace), the one span ``pick`` keeps
    from its list (contexts whose list is empty, or too short for the pick, are left out).
    ``levels`` are the forward pass's sorted spans per step; steps from ``level`` on are
    joined by descendant combinators, and so is ``level`` to the contexts."""
    # reached[i]: last-level spans reached from level `level`; low[i]: z(reached[i])
    reached = list(levels[-1])
    low = reached
    for j in range(len(levels) - 2, level - 1, -1):
        deepest = deepest_ancestors(low, levels[j], end)
        keep = [i for i, q in enumerate(low) if q in deepest]
        reached = [reached[i] for i in keep]
        low = [deepest[low[i]] for i in keep]
    return pick_from_runs(Runs(reached, reached, low), contexts, end, pick)


@attrs.frozen(repr=False)
class Runs(FieldsRepr):
    """Per-ancestor lists kept as one sequence, never built context by context.

    ``seq`` is the concatenation of disjoint lists in the order of their keys, ``anchors[s]``
    the key ``seq[s]`` came from (ascending), ``low[s]`` a span on the path from that key up:
    the list of a context span ``t`` is every ``seq[s]``, in order, with ``t < low[s] <
    end[t]`` (the whole trace, ``t = -1``: every ``s``).  Going up a descendant combinator to
    the level above, ``low`` becomes the deepest span of the level in between that is strictly
    above it (:meth:`up`); a pick is :func:`pick_from_runs`.
    """

    seq: list[int]
    anchors: list[int]
    low: list[int]

    @classmethod
    def of(cls, lists: dict[int, list[int]]) -> Runs | None:
        """The lists of a level's spans (keys), when no span is in two of them, else ``None``:
        the list of a context above them is the run of its keys' lists."""
        keys = sorted(lists)
        seq = list(iter_chain.from_iterable(lists[u] for u in keys))
        if len(set(seq)) != len(seq):
            return None
        anchors = list(iter_chain.from_iterable([u] * len(lists[u]) for u in keys))
        return cls(seq, anchors, anchors)

    def up(self, level: Sequence[int], end: Sequence[int]) -> Runs:
        """The lists one descendant combinator further up, through the (sorted) spans of the
        level in between: an entry stays when some span of it is strictly above ``low``."""
        deepest = deepest_ancestors(self.low, level, end)
        keep = [s for s, q in enumerate(self.low) if q in deepest]
        return Runs([self.seq[s] for s in keep], [self.anchors[s] for s in keep],
                    [deepest[self.low[s]] for s in keep])

    def list_of(self, t: int, end: Sequence[int]) -> list[int]:
        """One context's list, built (what the caller pays for: its length is the work)."""
        lo = bisect_right(self.anchors, t)
        hi = bisect_left(self.anchors, end[t], lo)
        low = self.low
        return [self.seq[s] for s in range(lo, hi) if low[s] > t]


def pick_from_runs(runs: Runs, contexts: Sequence[int], end: Sequence[int],
                   pick: Pick) -> dict[int, list[int]]:
    """For each context span (-1: the whole trace), the one span ``pick`` keeps from its list
    in ``runs`` (contexts whose list is too short left out): contexts taken deepest first,
    entries with ``low > t`` added to a Fenwick tree over ``seq`` as ``t`` falls."""
    seq, anchors, low = runs.seq, runs.anchors, runs.low
    order = sorted(range(len(seq)), key=low.__getitem__, reverse=True)
    tree = _Fenwick(len(seq))
    added = 0
    lists: dict[int, list[int]] = {}
    for t in sorted(contexts, reverse=True):
        while added < len(order) and low[order[added]] > t:
            tree.add(order[added])
            added += 1
        lo = bisect_right(anchors, t)  # (a negative t, the whole trace, keeps all)
        hi = bisect_left(anchors, end[t], lo) if t >= 0 else len(seq)
        if lo >= hi:
            continue
        before = tree.prefix(lo)
        size = tree.prefix(hi) - before
        k = pick.index(size)
        if k is not None:
            lists[t] = [seq[tree.find(before + k + 1)]]
    return lists


def first_picks(
    levels: Sequence[Sequence[int]], child: Sequence[bool], level: int, top: int,
    end: Sequence[int], parent: Sequence[int],
) -> list[int]:
    """The result of a chain whose picks, from step ``top`` (the first pick) to ``level`` (the
    list level), are all ``:first`` (or none): only the first span of each list is ever
    needed, so no list is built.  ``child[k]`` tells whether step ``k`` follows its context by
    a child combinator.  The first span of a context's list is the first span of the list of
    its first candidate that has one (lists below a span are in trace order), found by
    bisection (descendant) or by the children in order (child), level by level up."""
    last = len(levels) - 1
    firsts: dict[int, int]
    if level == last:
        firsts = {b: b for b in levels[level]}
    else:
        firsts = {b: got[0] for b, got in picked_per_context(
            levels[level], levels, level + 1, end, Pick(PickKind.FIRST)).items()}
    for k in range(level, top - 1, -1):
        firsts = _first_of_contexts(levels, child, k, firsts, end, parent)
    return sorted(set(firsts.values()))


def _first_of_contexts(
    levels: Sequence[Sequence[int]], child: Sequence[bool], k: int, firsts: dict[int, int],
    end: Sequence[int], parent: Sequence[int],
) -> dict[int, int]:
    """Per context span of step ``k`` (-1 for the whole trace), the first span of the list of
    its first candidate (a span of step ``k``) found in ``firsts``."""
    out: dict[int, int] = {}
    if k == 0:
        for u in levels[0]:
            if u in firsts:
                out[-1] = firsts[u]
                break
        return out
    if child[k]:
        contexts = set(levels[k - 1])
        for u in levels[k]:  # (in trace order: a context's first child comes first)
            got = firsts.get(u)
            if got is not None and parent[u] in contexts and parent[u] not in out:
                out[parent[u]] = got
        return out
    keys = sorted(firsts)
    for t in levels[k - 1]:
        i = bisect_right(keys, t)
        if i < len(keys) and keys[i] < end[t]:
            out[t] = firsts[keys[i]]
    return out
