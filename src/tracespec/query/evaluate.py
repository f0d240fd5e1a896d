"""The Python executor: a :class:`~tracespec.query.plan.SelectorPlan` over a trace's index →
positions.

Positions are pre-order numbers, so "below ``a``" is the interval ``a+1 .. end[a]-1``: a step
after a descendant combinator keeps the previous step's *maximal* intervals and cuts its
sorted candidate list to them (by bisection, or one merge pass when the intervals are many),
never re-walking a subtree.  A step's candidates come from its shortest seed list (value index
entry, number view, presence list), else from one pass over the distinct values of an index,
else from the region itself; the remaining conditions are checked on those candidates only.
Chains with picks rebuild Tracetest's per-ancestor lists (docs/compatibility.md, Selectors)
from the same sorted lists, bottom-up without recursion.  Derived indexes are kept per trace in
``TraceIndex.memo``; nothing is rebuilt per query.  The final list is in trace order without
duplicates.  The thresholds below are read by :mod:`.explain` too, so what it tells is what
runs; and a run given a :class:`Counts` records how many spans each step found and kept, which
:mod:`.explain` prints next to the plan (without one, a run records nothing).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import chain as iter_chain

from ..errors import EvalError
from ..trace import TraceIndex
from ..trace.attrvalue import AttrValue, number_of
from ._picks import Runs, first_picks, pick_from_runs, picked_per_context
from .counts import Counts, StepCounts
from .plan import (
    ChainMode,
    ChainPlan,
    Combinator,
    Cond,
    CondKind,
    Driver,
    Field,
    HasTest,
    LeafTest,
    NotTest,
    Pick,
    PickKind,
    RootTest,
    SelectorPlan,
    SpanTest,
    StepPlan,
)

__all__ = ["BISECT_RATIO", "PICK_WORK_MIN", "PICK_WORK_PER_SPAN", "VALUES_IN_REGION",
           "has_odd_values", "run"]

#: A sorted candidate list is cut to a step's intervals by bisection when it is more than this
#: many times longer than the list of intervals, else by one merge pass over both.
BISECT_RATIO = 8
#: Within a region (after a combinator), a step driven by the distinct values of an index uses
#: them only when the region holds more than 1/VALUES_IN_REGION of the trace's spans; in a
#: smaller region it tests the region's spans one by one.
VALUES_IN_REGION = 4

#: A chain with picks whose per-ancestor lists are concatenated (the shapes ``_picks.py`` does
#: not answer by intervals) may visit at most this many list entries per span of the trace (and
#: at least PICK_WORK_MIN): on a deep trace those lists grow with the square of the depth, and
#: the selector is refused with an :class:`~tracespec.errors.EvalError` (docs/limits.md).
PICK_WORK_PER_SPAN = 64
PICK_WORK_MIN = 20_000_000

_ROOT_CONTEXT = -1  # the whole trace, the context of a chain's first step
_Lists = dict[int, list[int]] | Runs  # per-context lists: built, or kept as runs (_picks.py)

Ranges = list[tuple[int, int]]


def run(plan: SelectorPlan, index: TraceIndex, counts: Counts | None = None) -> list[int]:
    """The positions ``plan`` selects in the trace of ``index``, ascending, no duplicates;
    ``counts``, when given, records what each part of the plan found and kept.

    Always a new list: the evaluator may hand back an index's own list, which must not leak.
    """
    return list(_Run(index, counts).selector(plan))


# -- per-trace derived indexes (memoised on the TraceIndex) -----------------------------------


def _values(ix: TraceIndex, cond: Cond) -> Sequence[AttrValue | None]:
    if cond.field is Field.NAME:
        return ix.names()
    if cond.field is Field.KIND:
        return ix.kinds()
    return ix.column(cond.key)


def _value_index(ix: TraceIndex, cond: Cond) -> dict[str, list[int]]:
    if cond.field is Field.NAME:
        return ix.name_index()
    if cond.field is Field.KIND:
        return ix.kind_index()
    return ix.text_index(cond.key)


def has_odd_values(ix: TraceIndex, cond: Cond) -> bool:
    """True when some value's text form reads as a number differently from the value itself
    (bytes, whose base64 may look numeric; NaN and infinities): numeric conditions then cannot
    be answered per distinct text."""
    if cond.field is not Field.ATTRIBUTE:
        return False

    def build() -> bool:
        for v in ix.column(cond.key):
            t = type(v)
            if t is bytes or (t is float and not math.isfinite(v)):  # type: ignore[arg-type]
                return True
        return False

    return ix.memo("query.odd", cond.key, build)


def _number_view(ix: TraceIndex, cond: Cond) -> dict[int | float, list[int]]:
    """Number → ascending positions whose value reads as that number (1, 1.0, "1.00" alike)."""

    def build() -> dict[int | float, list[int]]:
        index = _value_index(ix, cond)
        odd = has_odd_values(ix, cond)
        values = _values(ix, cond)
        view: dict[int | float, list[int]] = {}
        merged: set[int | float] = set()
        for text, positions in index.items():
            x = number_of(text)
            if x is None or x != x:
                continue
            if odd:
                positions = [p for p in positions if number_of(values[p]) == x]
            have = view.get(x)
            if have is None:
                view[x] = positions
            else:
                view[x] = have + positions
                merged.add(x)
        for x in merged:
            view[x].sort()
        return view

    return ix.memo("query.numbers", (cond.field, cond.key), build)


def _presence(ix: TraceIndex, key: str, present: bool) -> list[int]:
    def build() -> list[int]:
        col = ix.column(key)
        if present:
            return [p for p, v in enumerate(col) if v is not None]
        return [p for p, v in enumerate(col) if v is None]

    return ix.memo("query.present" if present else "query.absent", key, build)


def _seed(ix: TraceIndex, cond: Cond) -> list[int]:
    kind = cond.kind
    if kind is CondKind.EQ_TEXT:
        return _value_index(ix, cond).get(cond.text, [])
    if kind is CondKind.EQ_NUMBER:
        assert cond.number is not None
        return _number_view(ix, cond).get(cond.number, [])
    return _presence(ix, cond.key, kind is CondKind.EXISTS)


# -- regions -------------------------------------------------------------------------------------


def _ranges(positions: Sequence[int], end: Sequence[int]) -> Ranges:
    """The maximal intervals strictly below the given (ascending) positions."""
    out: Ranges = []
    hi = -1
    for s in positions:
        if s < hi:
            continue  # inside an interval already kept
        e = end[s]
        if e > s + 1:
            out.append((s + 1, e))
        hi = e
    return out


def _cut(sorted_list: Sequence[int], ranges: Ranges) -> list[int]:
    """The elements of ``sorted_list`` inside ``ranges`` (ascending, disjoint)."""
    out: list[int] = []
    if not ranges or not sorted_list:
        return out
    if len(ranges) * BISECT_RATIO < len(sorted_list):
        for lo, hi in ranges:
            i = bisect_left(sorted_list, lo)
            j = bisect_left(sorted_list, hi, i)
            if i < j:
                out += sorted_list[i:j]
        return out
    # many ranges: one merge pass
    k = 0
    nr = len(ranges)
    lo, hi = ranges[0]
    for p in sorted_list:
        while p >= hi:
            k += 1
            if k == nr:
                return out
            lo, hi = ranges[k]
        if p >= lo:
            out.append(p)
    return out


def _expand(ranges: Ranges) -> list[int]:
    out: list[int] = []
    for lo, hi in ranges:
        out += range(lo, hi)
    return out


class _Children:
    """The region "children of these spans" (after a ``>`` combinator)."""

    __slots__ = ("_positions", "parents", "set")

    def __init__(self, parents: list[int]) -> None:
        self.parents = parents
        self.set = set(parents)
        self._positions: list[int] | None = None

    def positions(self, end: Sequence[int]) -> list[int]:
        if self._positions is None:
            out: list[int] = []
            for s in self.parents:
                p = s + 1
                e = end[s]
                while p < e:
                    out.append(p)
                    p = end[p]
            out.sort()
            self._positions = out
        return self._positions


Region = Ranges | _Children | None


def _pick(pick: Pick | None, items: list[int]) -> list[int]:
    if pick is None:
        return items
    i = pick.index(len(items))
    return [items[i]] if i is not None else []


# -- evaluation ----------------------------------------------------------------------------------


class _Run:
    """One evaluation of a plan over one trace (holds the inner selectors' results)."""

    def __init__(self, ix: TraceIndex, counts: Counts | None = None) -> None:
        self.ix = ix
        self.n = ix.n
        self.end = ix.end
        self.parent = ix.parent
        self.counts = counts
        self._inner: dict[int, tuple[SelectorPlan, list[int]]] = {}
        self._inner_sets: dict[int, set[int]] = {}

    # selectors and chains
    def selector(self, plan: SelectorPlan) -> list[int]:
        if plan.all_spans or self.n == 0:
            found = list(range(self.n))
        else:
            results = [self.chain(c) for c in plan.chains]
            found = (results[0] if len(results) == 1
                     else sorted(set(iter_chain.from_iterable(results))))
        if self.counts is not None:
            self.counts.selector(plan, len(found))
        return found

    def inner(self, plan: SelectorPlan) -> list[int]:
        got = self._inner.get(id(plan))
        if got is None:
            got = (plan, self.selector(plan))  # keep plan alive so its id stays unique
            self._inner[id(plan)] = got
        return got[1]

    def chain(self, plan: ChainPlan) -> list[int]:
        found = self.forward(plan)[-1] if plan.mode is ChainMode.SET else _Grouped(self, plan).run()
        if self.counts is not None:
            self.counts.chain(plan, len(found))
        return found

    def forward(self, plan: ChainPlan) -> list[list[int]]:
        """Each step's spans, every step within the region of the previous one (no picks)."""
        levels: list[list[int]] = []
        found = self.step(plan.steps[0], None)
        levels.append(found)
        for k in range(1, len(plan.steps)):
            if not found:
                levels.extend([] for _ in range(len(plan.steps) - k))
                break
            region: Region
            if plan.combinators[k - 1] is Combinator.DESCENDANT:
                region = _ranges(found, self.end)
            else:
                region = _Children(found)
            found = self.step(plan.steps[k], region)
            levels.append(found)
        return levels

    def reach(self, start: list[int], level: int, levels: list[list[int]]) -> list[int]:
        """Spans reachable from ``start`` through the (descendant-only, pick-free) levels
        after ``level``: in trace order, which is also the reference's grouped order there."""
        found = start
        for j in range(level + 1, len(levels)):
            if not found:
                return []
            found = _cut(levels[j], _ranges(found, self.end))
        return found

    # one step
    def step(self, step: StepPlan, region: Region) -> list[int]:
        seen = None if self.counts is None else self.counts.step(step, self._size(region))
        if step.never is not None or self.n == 0:
            return []
        checks: list[Cond] = list(step.checks)
        driver = self._driver(step, checks, seen)
        cand: Sequence[int]
        if driver is not None:
            cand = self._within(driver, region)
        else:
            cand = self._scan(step, region, checks)
        if seen is not None:
            seen.candidates = len(cand)
        for cond in checks:
            if not cand:
                return []
            values = _values(self.ix, cond)
            test = cond.test
            cand = [p for p in cand if test(values[p])]
            if seen is not None:
                seen.kept[id(cond)] = len(cand)
        for span_test in step.tests:
            if not cand:
                return []
            if step.driver is Driver.ROOT and isinstance(span_test, RootTest):
                continue
            cand = self._apply_test(span_test, cand)
            if seen is not None:
                seen.kept[id(span_test)] = len(cand)
        return cand if isinstance(cand, list) else list(cand)

    def _size(self, region: Region) -> int:
        """The spans of a region (explain's figure; never asked without :class:`Counts`)."""
        if region is None:
            return self.n
        if isinstance(region, _Children):
            return len(region.positions(self.end))
        return sum(hi - lo for lo, hi in region)

    def _driver(
        self, step: StepPlan, checks: list[Cond], seen: StepCounts | None
    ) -> list[int] | None:
        """The step's first candidates when an index gives them (the shortest seed list: the
        other seeds join ``checks``), the root, or the ancestors of a has-test's result."""
        how = step.driver
        if how is Driver.SEEDS:
            seeds = sorted(((_seed(self.ix, c), c) for c in step.seeds), key=lambda sc: len(sc[0]))
            checks[:0] = [c for _, c in seeds[1:]]
            if seen is not None:
                seen.seeds.update((id(c), len(found)) for found, c in seeds)
            return seeds[0][0]
        if how is Driver.ROOT:
            return [0]
        if how is Driver.HAS:
            has = next(t for t in step.tests if isinstance(t, HasTest))
            return self._ancestors(self.inner(has.plan))
        return None

    def _within(self, driver: list[int], region: Region) -> list[int]:
        if region is None:
            return driver
        if isinstance(region, _Children):
            parents, parent = region.set, self.parent
            return [p for p in driver if parent[p] in parents]
        return _cut(driver, region)

    def _scan(self, step: StepPlan, region: Region, checks: list[Cond]) -> Sequence[int]:
        """Candidates with no index to drive: a pass over the distinct values of the value
        scan's index (its check then done), else every span of the region."""
        scan = self._value_scan(step)
        if isinstance(region, _Children):
            return region.positions(self.end)
        if region is None:
            if scan is None:
                return range(self.n)
            checks.remove(scan)
            return self._scan_values(scan)
        size = sum(hi - lo for lo, hi in region)
        if scan is not None and size * VALUES_IN_REGION > self.n:
            checks.remove(scan)
            return _cut(self._scan_values(scan), region)
        return _expand(region)

    def _value_scan(self, step: StepPlan) -> Cond | None:
        cond = step.value_scan
        if cond is None:
            return None
        if cond.kind.numeric and has_odd_values(self.ix, cond):
            return None
        return cond

    def _scan_values(self, cond: Cond) -> list[int]:
        """Positions whose value passes ``cond``, deciding once per distinct value."""
        text_test = cond.text_test
        assert text_test is not None
        hits = [ps for text, ps in _value_index(self.ix, cond).items() if text_test(text)]
        if not hits:
            return []
        if len(hits) == 1:
            return hits[0]
        return sorted(iter_chain.from_iterable(hits))

    def _ancestors(self, positions: list[int]) -> list[int]:
        parent = self.parent
        seen = bytearray(self.n)
        out: list[int] = []
        for x in positions:
            p = parent[x]
            while p >= 0 and not seen[p]:
                seen[p] = 1
                out.append(p)
                p = parent[p]
        out.sort()
        return out

    def _apply_test(self, test: SpanTest, cand: Sequence[int]) -> list[int]:
        end = self.end
        if isinstance(test, RootTest):
            return [p for p in cand if p == 0]
        if isinstance(test, LeafTest):
            return [p for p in cand if end[p] == p + 1]
        if isinstance(test, HasTest):
            below = self.inner(test.plan)
            nb = len(below)
            out = []
            for p in cand:
                i = bisect_right(below, p)
                if i < nb and below[i] < end[p]:
                    out.append(p)
            return out
        assert isinstance(test, NotTest)
        key = id(test.plan)
        excluded = self._inner_sets.get(key)
        if excluded is None:
            excluded = self._inner_sets[key] = set(self.inner(test.plan))
        return [p for p in cand if p not in excluded]


class _Grouped:
    """A chain with picks: Tracetest's per-ancestor lists, which picks see.

    Picks act on result lists and never narrow the next step's candidates, so the plain forward
    pass gives every level's candidates.  From ``plan.list_level`` down, the lists are the
    spans reached in trace order; above it they are built bottom-up, per context span (an
    ancestor's match, or the whole trace for the first step), by concatenating the lists of
    its candidates, first occurrences kept, and picking from that.
    """

    def __init__(self, run: _Run, plan: ChainPlan) -> None:
        self.run_ = run
        self.plan = plan
        self.levels = run.forward(plan)
        self.end = run.end
        self._by_parent: dict[int, dict[int, list[int]]] = {}
        self._work = 0
        self._budget = max(PICK_WORK_MIN, PICK_WORK_PER_SPAN * run.n)

    def _spend(self, work: int) -> None:
        """Count list entries visited; refuse the selector past the budget."""
        self._work += work
        if self._work > self._budget:
            raise EvalError(
                "selector too costly on this trace: its "
                f"picks (:first, :last, :nth_child) on a chain of {len(self.plan.steps)} "
                f"compounds would visit more than {self._budget:,} list entries on "
                f"{self.run_.n:,} spans (a deep trace; the limit is "
                "tracespec.query.evaluate.PICK_WORK_PER_SPAN, docs/limits.md)"
            )

    def run(self) -> list[int]:
        """The final set, sorted."""
        steps = self.plan.steps
        level = self.plan.list_level
        top = min(k for k, s in enumerate(steps) if s.pick is not None)
        combs = self.plan.combinators
        sliced = top == level == len(steps) - 1 and (level == 0 or combs[level - 1] is
                                                     Combinator.DESCENDANT)
        if not sliced and all(s.pick is None or s.pick.kind is PickKind.FIRST
                              for s in steps[top:level + 1]):
            child = [False, *(c is Combinator.CHILD for c in combs)]
            return first_picks(self.levels, child, level, top, self.end, self.run_.parent)
        lists: _Lists = self._bottom(level, steps[level].pick)
        for k in range(level - 1, top - 1, -1):
            lists = self._up(k, lists, steps[k].pick)
        # above the first pick nothing is picked: every context there is reached (the forward
        # pass's levels), so the result is what their lists hold, united
        assert not isinstance(lists, Runs)  # (the first pick's level picked: lists, built)
        return sorted(set(iter_chain.from_iterable(lists.values())))

    def _contexts(self, k: int) -> list[int]:
        return [_ROOT_CONTEXT] if k == 0 else self.levels[k - 1]

    def _candidates(self, k: int, t: int) -> list[int]:
        """Level ``k``'s spans in the context of span ``t`` (below it, or its children)."""
        found = self.levels[k]
        if k == 0:
            return found
        if self.plan.combinators[k - 1] is Combinator.DESCENDANT:
            i = bisect_right(found, t)
            return found[i : bisect_left(found, self.end[t], i)]
        groups = self._by_parent.get(k)
        if groups is None:
            groups = {}
            parent = self.run_.parent
            for p in found:
                groups.setdefault(parent[p], []).append(p)
            self._by_parent[k] = groups
        return groups.get(t, [])

    def _bottom(self, level: int, pick: Pick | None) -> dict[int, list[int]]:
        """The lists at ``list_level``, per context span."""
        combs = self.plan.combinators
        last = level == len(self.plan.steps) - 1
        descendant = level == 0 or combs[level - 1] is Combinator.DESCENDANT
        if last and pick is not None and descendant:
            return self._picked_slices(level, pick)
        if pick is not None and descendant:
            return picked_per_context(self._contexts(level), self.levels, level, self.end, pick)
        lists: dict[int, list[int]] = {}
        for t in self._contexts(level):
            candidates = self._candidates(level, t)
            reached = self.run_.reach(candidates, level, self.levels)
            self._spend(len(candidates) + len(reached))
            picked = _pick(pick, reached)
            if picked:
                lists[t] = picked
        return lists

    def _picked_slices(self, level: int, pick: Pick) -> dict[int, list[int]]:
        """The last step picks from each context's slice of its sorted spans directly."""
        found = self.levels[level]
        lists: dict[int, list[int]] = {}
        for t in self._contexts(level):
            if level == 0:
                i, j = 0, len(found)
            else:
                i = bisect_right(found, t)
                j = bisect_left(found, self.end[t], i)
            k = pick.index(j - i) if i < j else None
            if k is not None:
                lists[t] = [found[i + k]]
        return lists

    def _up(self, k: int, lists: _Lists, pick: Pick | None) -> _Lists:
        """The lists of level ``k`` from those of level ``k + 1``."""
        if k == 0 or self.plan.combinators[k - 1] is Combinator.DESCENDANT:
            runs = lists.up(self.levels[k], self.end) if isinstance(lists, Runs) else \
                Runs.of(lists)
            if runs is not None:  # (disjoint lists: each context's list is a run of them)
                return runs if pick is None else \
                    pick_from_runs(runs, self._contexts(k), self.end, pick)
        above: dict[int, list[int]] = {}
        for t in self._contexts(k):
            out: list[int] = []
            seen: set[int] = set()
            candidates = self._candidates(k, t)
            work = len(candidates)
            for u in candidates:
                got = lists.list_of(u, self.end) if isinstance(lists, Runs) else lists.get(u)
                if got:
                    work += len(got)
                    for x in got:
                        if x not in seen:
                            seen.add(x)
                            out.append(x)
            self._spend(work)
            picked = _pick(pick, out)
            if picked:
                above[t] = picked
        return above
