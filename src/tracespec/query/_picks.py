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

from .plan import Pick

__all__ = ["deepest_ancestors", "picked_per_context"]


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
    order = sorted(range(len(reached)), key=low.__getitem__, reverse=True)
    tree = _Fenwick(len(reached))
    added = 0
    lists: dict[int, list[int]] = {}
    for t in sorted(contexts, reverse=True):
        while added < len(order) and low[order[added]] > t:
            tree.add(order[added])
            added += 1
        lo = bisect_right(reached, t)  # (a negative t, the whole trace, keeps all)
        hi = bisect_left(reached, end[t], lo) if t >= 0 else len(reached)
        if lo >= hi:
            continue
        before = tree.prefix(lo)
        size = tree.prefix(hi) - before
        k = pick.index(size)
        if k is not None:
            lists[t] = [reached[tree.find(before + k + 1)]]
    return lists
