"""``explain``: a plan told in words, step by step, naming the index that finds each step's spans;
and, run on a trace, how many spans each step found and kept, so that "why does my selector
select nothing" has an answer.

It sits beside the executor and reads the executor's own thresholds (:data:`~.evaluate.
BISECT_RATIO`, :data:`~.evaluate.VALUES_IN_REGION`), so what it tells is what runs; the
figures come from the executor too, through its observer (:class:`~.counts.Counts`).  The
front end's text for each part comes from the plan's labels.  :func:`hints` says which
attributes a plan asks for that no span of the trace has, and when some spans have them under
their other name in the OpenTelemetry semantic conventions (:mod:`tracespec.trace.semconv`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..trace import TraceIndex, semconv
from .counts import Counts, StepCounts
from .evaluate import BISECT_RATIO, VALUES_IN_REGION, run
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
    RootTest,
    SelectorPlan,
    SpanTest,
    StepPlan,
)

__all__ = ["explain", "explain_run", "hints"]


def explain(plan: SelectorPlan, counts: Counts | None = None) -> str:
    """A readable account of ``plan``, one line per decision; with the ``counts`` of a run
    (``evaluate.run(plan, index, counts)``), each line ends with what it found or kept."""
    lines: list[str] = []
    _Explainer(lines, counts).selector(plan, "")
    return "\n".join(lines)


def explain_run(plan: SelectorPlan, index: TraceIndex) -> str:
    """``plan`` run on the trace of ``index`` and told with its figures: every step's spans,
    then how many spans it selects of the trace's, then :func:`hints` when it selects none."""
    counts = Counts()
    found = run(plan, index, counts)
    text = explain(plan, counts)
    text += f"\nselected: {_spans(len(found))} of {index.n}"
    if not found:
        text += "".join(f"\n{hint}" for hint in hints(plan, index))
    return text


def hints(plan: SelectorPlan, index: TraceIndex) -> list[str]:
    """For each attribute a condition of ``plan`` needs present (not under ``:not()``, not an
    absence or "missing or empty" test) that no span of the trace has: ``no span has "KEY"``,
    with the spans that have it under another name of the semantic conventions."""
    out: list[str] = []
    for key in dict.fromkeys(_needed_keys(plan)):
        if _count(index, key):
            continue
        line = f'no span has "{key}"'
        others = []
        for rename in semconv.renames_of(key):
            n = _count(index, rename.other(key))
            if n:
                have = "span has" if n == 1 else "spans have"
                others.append(f"{n} {have} {semconv.described(rename, key)}")
        out.append(line + ("; " + "; ".join(others) if others else ""))
    return out


def _needed_keys(plan: SelectorPlan) -> Iterator[str]:
    for chain in plan.chains:
        for step in chain.steps:
            for cond in (*step.seeds, *step.checks):
                if cond.field is Field.ATTRIBUTE and cond.kind not in (CondKind.ABSENT,
                                                                       CondKind.EQ_EMPTY):
                    yield cond.key
            for test in step.tests:
                if isinstance(test, HasTest):
                    yield from _needed_keys(test.plan)


def _count(index: TraceIndex, key: str) -> int:
    """How many spans have attribute ``key`` (from its memoised text index)."""
    return sum(map(len, index.text_index(key).values()))


def _spans(n: int) -> str:
    return f"{n} span" if n == 1 else f"{n} spans"


def _source(cond: Cond) -> str:
    if cond.field is Field.NAME:
        return "the name index"
    if cond.field is Field.KIND:
        return "the kind index"
    return f"the value index of {cond.key!r}"


def _seed(cond: Cond) -> str:
    if cond.kind is CondKind.EQ_TEXT:
        return f"{_source(cond)}, entry {cond.text!r}"
    if cond.kind is CondKind.EQ_NUMBER:
        return (f"{_source(cond)} read as numbers, entry {cond.number!r} "
                "(every text reading as that number)")
    if cond.kind is CondKind.EXISTS:
        return f"the presence list of {cond.key!r}"
    return f"the absence list of {cond.key!r}"


class _Explainer:
    """The lines of one account; with counts, each decision with its figure."""

    def __init__(self, lines: list[str], counts: Counts | None) -> None:
        self.lines = lines
        self.counts = counts

    def _found(self, part: object, table: dict[int, int]) -> str:
        if self.counts is None:
            return ""
        n = table.get(id(part))
        return " (not run)" if n is None else f" → {_spans(n)}"

    def selector(self, plan: SelectorPlan, pad: str) -> None:
        counts = self.counts
        if plan.all_spans:
            found = self._found(plan, counts.selectors) if counts is not None else ""
            self.lines.append(f"{pad}every span, in trace order (empty selector){found}")
            return
        if len(plan.chains) > 1:
            found = self._found(plan, counts.selectors) if counts is not None else ""
            self.lines.append(f"{pad}union of {len(plan.chains)} alternatives, without "
                              f"duplicates, in trace order{found}")
        for i, chain in enumerate(plan.chains, 1):
            head = f"alternative {i}: " if len(plan.chains) > 1 else ""
            self.chain(chain, pad, head)

    def chain(self, chain: ChainPlan, pad: str, head: str) -> None:
        found = self._found(chain, self.counts.chains) if self.counts is not None else ""
        if chain.mode is ChainMode.SET:
            how = ("one compound" if len(chain.steps) == 1 else
                   "each step within the pre-order intervals of the previous step's spans")
            self.lines.append(f"{pad}{head}chain ({how}); result in trace order{found}")
        else:
            self.lines.append(
                f"{pad}{head}chain with picks: per-ancestor lists as Tracetest builds them "
                f"(levels {chain.list_level + 1}.. by intervals, above by concatenation); "
                f"result in trace order{found}")
        for k, step in enumerate(chain.steps):
            rel = ""
            if k:
                rel = (" (children of step %d)" if chain.combinators[k - 1] is Combinator.CHILD
                       else " (strictly below step %d)") % k
            seen = self.counts.steps.get(id(step)) if self.counts is not None else None
            figure = ""
            if self.counts is not None:
                figure = (f" (not run: step {k} found no span)" if seen is None
                          else f" → {_spans(seen.result)}")
            self.lines.append(f"{pad}  step {k + 1}{rel}: {step.label}{figure}")
            self.step(step, pad + "    ", k > 0, seen)

    def step(self, step: StepPlan, pad: str, restricted: bool, seen: StepCounts | None) -> None:
        lines = self.lines
        if step.never is not None:
            lines.append(f"{pad}matches nothing: {step.never}")
            return
        lines.extend(pad + line for line in _driver(step, restricted, seen))
        for cond in step.checks:
            if cond is step.value_scan and not restricted:
                continue
            lines.append(f"{pad}check {cond.label} per candidate{_kept(seen, cond)}")
        for test in step.tests:
            answered = step.driver is Driver.ROOT and isinstance(test, RootTest)
            self.test(test, pad, None if answered else seen)  # (the seed answered it)
        if step.pick is not None:
            lines.append(f"{pad}pick {step.pick.label}")

    def test(self, test: SpanTest, pad: str, seen: StepCounts | None) -> None:
        kept = _kept(seen, test)
        if isinstance(test, RootTest):
            self.lines.append(f"{pad}test {test.label} (position 0){kept}")
        elif isinstance(test, LeafTest):
            self.lines.append(f"{pad}test {test.label} (no span below){kept}")
        elif isinstance(test, HasTest):
            self.lines.append(
                f"{pad}test {test.label}: a span of its result strictly below (bisection){kept}")
            self.selector(test.plan, pad + "  ")
        else:
            assert isinstance(test, NotTest)
            self.lines.append(f"{pad}test {test.label}: not in its result{kept}")
            self.selector(test.plan, pad + "  ")


def _kept(seen: StepCounts | None, part: object) -> str:
    """`` → N kept`` after a check or test of a step that ran ("" without counts)."""
    if seen is None:
        return ""
    n = seen.kept.get(id(part))
    return " (not run: no candidate left)" if n is None else f" → {n} kept"


def _candidates(seen: StepCounts | None, restricted: bool) -> str:
    if seen is None:
        return ""
    where = f" in a region of {_spans(seen.region)}" if restricted else ""
    return f" → {seen.candidates} candidate{'' if seen.candidates == 1 else 's'}{where}"


def _driver(step: StepPlan, restricted: bool, seen: StepCounts | None) -> list[str]:
    """How the step's first candidates are found."""
    cut = (f" (cut to the region by bisection; by one merge pass when it has more than "
           f"1/{BISECT_RATIO} as many intervals as candidates)") if restricted else ""
    found = _candidates(seen, restricted)
    if step.driver is Driver.SEEDS:
        if len(step.seeds) == 1:
            cond = step.seeds[0]
            return [f"seed {cond.label}: {_seed(cond)}{cut}{found}"]
        return [f"seeds (the shortest list drives{cut}; the others are checked per "
                f"candidate){found}:",
                *(f"  {cond.label}: {_seed(cond)}{_listed(seen, cond)}" for cond in step.seeds)]
    if step.driver is Driver.ROOT:
        root = next(t for t in step.tests if isinstance(t, RootTest))
        return [f"seed {root.label}: position 0{found}"]
    if step.driver is Driver.HAS:
        has = next(t for t in step.tests if isinstance(t, HasTest))
        return [f"seed {has.label}: the ancestors of its result{cut}{found}"]
    if step.driver is Driver.VALUES:
        scanned = step.value_scan
        assert scanned is not None
        small = (f"the region's spans if the region holds at most 1/{VALUES_IN_REGION} of the "
                 "trace, else ") if restricted else ""
        odd = (" (every span instead when the column holds bytes, NaN or infinities)"
               if scanned.kind.numeric else "")
        return [f"scan {small}each distinct value of {_source(scanned)} once for "
                f"{scanned.label}{odd}{found}"]
    return [f"scan {'the region' if restricted else 'every span'}{found}"]


def _listed(seen: StepCounts | None, cond: Cond) -> str:
    if seen is None:
        return ""
    n = seen.seeds.get(id(cond))
    if n is None:
        return ""
    kept = seen.kept.get(id(cond))  # a seed that did not drive was checked per candidate
    return f" ({_spans(n)} in the list)" + ("" if kept is None else f" → {kept} kept")
