"""``explain``: a plan told in words, step by step, naming the index that finds each step's spans.

It sits beside the executor and reads the executor's own thresholds (:data:`~.evaluate.
BISECT_RATIO`, :data:`~.evaluate.VALUES_IN_REGION`), so what it tells is what runs.  The
front end's text for each part comes from the plan's labels.
"""

from __future__ import annotations

from .evaluate import BISECT_RATIO, VALUES_IN_REGION
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
    RootTest,
    SelectorPlan,
    SpanTest,
    StepPlan,
)

__all__ = ["explain"]


def explain(plan: SelectorPlan) -> str:
    """A readable account of ``plan``, one line per decision."""
    lines: list[str] = []
    _selector(plan, lines, "")
    return "\n".join(lines)


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


def _selector(plan: SelectorPlan, lines: list[str], pad: str) -> None:
    if plan.all_spans:
        lines.append(f"{pad}every span, in trace order (empty selector)")
        return
    if len(plan.chains) > 1:
        lines.append(f"{pad}union of {len(plan.chains)} alternatives, without duplicates, "
                     "in trace order")
    for i, chain in enumerate(plan.chains, 1):
        head = f"alternative {i}: " if len(plan.chains) > 1 else ""
        _chain(chain, lines, pad, head)


def _chain(chain: ChainPlan, lines: list[str], pad: str, head: str) -> None:
    if chain.mode is ChainMode.SET:
        how = ("one compound" if len(chain.steps) == 1 else
               "each step within the pre-order intervals of the previous step's spans")
        lines.append(f"{pad}{head}chain ({how}); result in trace order")
    else:
        lines.append(
            f"{pad}{head}chain with picks: per-ancestor lists as Tracetest builds them "
            f"(levels {chain.list_level + 1}.. by intervals, above by concatenation); "
            "result in trace order")
    for k, step in enumerate(chain.steps):
        rel = ""
        if k:
            rel = (" (children of step %d)" if chain.combinators[k - 1] is Combinator.CHILD
                   else " (strictly below step %d)") % k
        lines.append(f"{pad}  step {k + 1}{rel}: {step.label}")
        _step(step, lines, pad + "    ", k > 0)


def _step(step: StepPlan, lines: list[str], pad: str, restricted: bool) -> None:
    if step.never is not None:
        lines.append(f"{pad}matches nothing: {step.never}")
        return
    lines.extend(pad + line for line in _driver(step, restricted))
    for cond in step.checks:
        if cond is step.value_scan and not restricted:
            continue
        lines.append(f"{pad}check {cond.label} per candidate")
    for test in step.tests:
        _test(test, lines, pad)
    if step.pick is not None:
        lines.append(f"{pad}pick {step.pick.label}")


def _driver(step: StepPlan, restricted: bool) -> list[str]:
    """How the step's first candidates are found."""
    cut = (f" (cut to the region by bisection; by one merge pass when it has more than "
           f"1/{BISECT_RATIO} as many intervals as candidates)") if restricted else ""
    if step.driver is Driver.SEEDS:
        if len(step.seeds) == 1:
            cond = step.seeds[0]
            return [f"seed {cond.label}: {_seed(cond)}{cut}"]
        return [f"seeds (the shortest list drives{cut}; the others are checked per candidate):",
                *(f"  {cond.label}: {_seed(cond)}" for cond in step.seeds)]
    if step.driver is Driver.ROOT:
        root = next(t for t in step.tests if isinstance(t, RootTest))
        return [f"seed {root.label}: position 0"]
    if step.driver is Driver.HAS:
        has = next(t for t in step.tests if isinstance(t, HasTest))
        return [f"seed {has.label}: the ancestors of its result{cut}"]
    if step.driver is Driver.VALUES:
        scanned = step.value_scan
        assert scanned is not None
        small = (f"the region's spans if the region holds at most 1/{VALUES_IN_REGION} of the "
                 "trace, else ") if restricted else ""
        odd = (" (every span instead when the column holds bytes, NaN or infinities)"
               if scanned.kind.numeric else "")
        return [f"scan {small}each distinct value of {_source(scanned)} once for "
                f"{scanned.label}{odd}"]
    return [f"scan {'the region' if restricted else 'every span'}"]


def _test(test: SpanTest, lines: list[str], pad: str) -> None:
    if isinstance(test, RootTest):
        lines.append(f"{pad}test {test.label} (position 0)")
    elif isinstance(test, LeafTest):
        lines.append(f"{pad}test {test.label} (no span below)")
    elif isinstance(test, HasTest):
        lines.append(f"{pad}test {test.label}: a span of its result strictly below (bisection)")
        _selector(test.plan, lines, pad + "  ")
    else:
        lines.append(f"{pad}test {test.label}: not in its result")
        _selector(test.plan, lines, pad + "  ")
