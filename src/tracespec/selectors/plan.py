"""The compiled form of a selector: frozen plan steps the evaluator runs, and ``explain()``.

A :class:`SelectorPlan` is a union of :class:`ChainPlan` s; a chain is a list of
:class:`StepPlan` s (one per compound) joined by combinators.  A step says how its spans are
found: *seeds* (conditions answered by a per-trace index: value → positions, number views,
presence lists; at run time the shortest list drives), *checks* (conditions tested per
candidate span on the attribute's column, cheapest first), span *tests* (``:root``,
``:leaf``, ``:has()``, ``:not()``) and an optional *pick* (``:first``, ``:last``,
``:nth_child``).  Closures and compiled regexes sit in fields left out of equality, so plans
compare and print by what they mean.  Nothing here touches a trace.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeAlias

import attrs

from ..trace.attrvalue import AttrValue
from . import ast
from .ast import Combinator, Operator
from .unparse import unparse_selector_node

__all__ = [
    "ChainMode",
    "ChainPlan",
    "Cond",
    "CondKind",
    "Driver",
    "Field",
    "HasTest",
    "LeafTest",
    "NotTest",
    "Pick",
    "PickKind",
    "RootTest",
    "SelectorPlan",
    "SpanTest",
    "StepPlan",
]


class Field(enum.Enum):
    """Where a condition reads its value."""

    NAME = "the span's name"
    KIND = "the span's kind"
    ATTRIBUTE = "an attribute"


class CondKind(enum.Enum):
    """What a condition tests, after normalisation (the literal's type decides text/number)."""

    EQ_TEXT = "text equals"
    EQ_NUMBER = "number equals"
    EQ_EMPTY = "missing or empty"
    NE_TEXT = "text differs"
    NE_NUMBER = "number differs"
    ORDER_TEXT = "text order"
    ORDER_NUMBER = "number order"
    CONTAINS = "contains"
    NOT_CONTAINS = "does not contain"
    MATCHES = "matches"
    NOT_MATCHES = "does not match"
    EXISTS = "exists"
    ABSENT = "is absent"

    @property
    def numeric(self) -> bool:
        """True when the attribute's number reading decides (numbers compare by value)."""
        return self in (CondKind.EQ_NUMBER, CondKind.NE_NUMBER, CondKind.ORDER_NUMBER)

    @property
    def seedable(self) -> bool:
        """True when a per-trace index answers the condition directly."""
        return self in (CondKind.EQ_TEXT, CondKind.EQ_NUMBER, CondKind.EXISTS, CondKind.ABSENT)


@attrs.frozen
class Cond:
    """One filter of a compound, normalised.

    ``test`` takes the span's value (``None`` when missing) and says whether it passes;
    ``text_test`` (when not ``None``) takes the text form of a *present* value and gives the
    same verdict, so the condition can be answered once per distinct value of an index.
    """

    node: ast.Filter
    field: Field
    key: str
    kind: CondKind
    op: Operator | None = None
    text: str = ""
    number: int | float | None = None
    test: Callable[[AttrValue | None], bool] = attrs.field(eq=False, repr=False, kw_only=True)
    text_test: Callable[[str], bool] | None = attrs.field(
        default=None, eq=False, repr=False, kw_only=True
    )

    @property
    def source(self) -> str:
        """The filter's canonical text."""
        return unparse_selector_node(self.node)

    @property
    def rank(self) -> int:
        """Relative cost of testing one span (lower runs first)."""
        return _RANK[self.kind]


_RANK = {
    CondKind.EXISTS: 0,
    CondKind.ABSENT: 0,
    CondKind.EQ_TEXT: 1,
    CondKind.EQ_EMPTY: 1,
    CondKind.EQ_NUMBER: 2,
    CondKind.NE_TEXT: 2,
    CondKind.ORDER_TEXT: 2,
    CondKind.NE_NUMBER: 3,
    CondKind.ORDER_NUMBER: 3,
    CondKind.CONTAINS: 4,
    CondKind.NOT_CONTAINS: 4,
    CondKind.MATCHES: 6,
    CondKind.NOT_MATCHES: 6,
}


@attrs.frozen
class RootTest:
    """``:root``: position 0."""


@attrs.frozen
class LeafTest:
    """``:leaf``: no span below."""


@attrs.frozen
class HasTest:
    """``:has(S)``: a span of ``S``'s result lies strictly below."""

    plan: SelectorPlan

    @property
    def source(self) -> str:
        return self.plan.source


@attrs.frozen
class NotTest:
    """``:not(S)``: not in ``S``'s result."""

    plan: SelectorPlan

    @property
    def source(self) -> str:
        return self.plan.source


SpanTest: TypeAlias = RootTest | LeafTest | HasTest | NotTest


class PickKind(enum.Enum):
    FIRST = "first"
    LAST = "last"
    NTH = "nth_child"


@attrs.frozen
class Pick:
    """The pseudo-class that picks one span from a list (the last one written wins)."""

    kind: PickKind
    n: int = 0

    def __str__(self) -> str:
        return f":nth_child({self.n})" if self.kind is PickKind.NTH else f":{self.kind.value}"


class Driver(enum.Enum):
    """What gives a step its first candidates (chosen at compile time, in this order)."""

    SEEDS = "the shortest seed list"
    ROOT = "the root (:root)"
    HAS = "the ancestors of the :has() result"
    VALUES = "one pass over the distinct values of an index"
    SCAN = "every span of the region"


@attrs.frozen
class StepPlan:
    """One compound: how to find its spans within a region of the trace."""

    node: ast.Compound
    seeds: tuple[Cond, ...] = ()
    checks: tuple[Cond, ...] = ()
    tests: tuple[SpanTest, ...] = ()
    pick: Pick | None = None
    never: str | None = None  # why the compound can match nothing, when it cannot
    driver: Driver = Driver.SCAN
    value_scan: Cond | None = None  # with Driver.VALUES: the check answered per distinct value

    @property
    def source(self) -> str:
        """The compound's canonical text."""
        return unparse_selector_node(self.node)


class ChainMode(enum.Enum):
    SET = "set"
    GROUPED = "grouped"


@attrs.frozen
class ChainPlan:
    """Steps joined by combinators.

    ``SET`` (no pick anywhere): the result is the set of spans reachable through the steps,
    found by pre-order interval arithmetic.  ``GROUPED``: picks see Tracetest's per-ancestor
    lists; from level ``list_level`` down the lists are in trace order and are found by
    intervals too, above it they are concatenated per ancestor as the reference does.
    """

    steps: tuple[StepPlan, ...]
    combinators: tuple[Combinator, ...]
    mode: ChainMode
    list_level: int = 0


@attrs.frozen
class SelectorPlan:
    """A whole selector: the union of its chains, in trace order; no chain = every span."""

    node: ast.Selector
    chains: tuple[ChainPlan, ...]

    @property
    def source(self) -> str:
        """The selector's canonical text."""
        return unparse_selector_node(self.node)

    @property
    def all_spans(self) -> bool:
        return not self.chains

    def explain(self) -> str:
        """A readable account of the plan, naming the index each step uses."""
        lines: list[str] = []
        _explain_selector(self, lines, "")
        return "\n".join(lines)


# -- explain -------------------------------------------------------------------------------------


def _describe_source(cond: Cond) -> str:
    if cond.field is Field.NAME:
        return "the name index"
    if cond.field is Field.KIND:
        return "the kind index"
    return f"the value index of {cond.key!r}"


def _describe_seed(cond: Cond) -> str:
    if cond.kind is CondKind.EQ_TEXT:
        return f"{_describe_source(cond)}, entry {cond.text!r}"
    if cond.kind is CondKind.EQ_NUMBER:
        return (f"{_describe_source(cond)} read as numbers, entry {cond.number!r} "
                "(every text reading as that number)")
    if cond.kind is CondKind.EXISTS:
        return f"the presence list of {cond.key!r}"
    return f"the absence list of {cond.key!r}"


def _explain_selector(plan: SelectorPlan, lines: list[str], pad: str) -> None:
    if plan.all_spans:
        lines.append(f"{pad}every span, in trace order (empty selector)")
        return
    if len(plan.chains) > 1:
        lines.append(f"{pad}union of {len(plan.chains)} alternatives, without duplicates, "
                     "in trace order")
    for i, chain in enumerate(plan.chains, 1):
        head = f"alternative {i}: " if len(plan.chains) > 1 else ""
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
            lines.append(f"{pad}  step {k + 1}{rel}: {step.source}")
            _explain_step(step, lines, pad + "    ", k > 0)


def _explain_step(step: StepPlan, lines: list[str], pad: str, restricted: bool) -> None:
    if step.never is not None:
        lines.append(f"{pad}matches nothing: {step.never}")
        return
    cut = " (cut to the region by bisection)" if restricted else ""
    if step.driver is Driver.SEEDS:
        if len(step.seeds) > 1:
            lines.append(f"{pad}seeds (the shortest list drives{cut}; the others are checked "
                         "per candidate):")
            for cond in step.seeds:
                lines.append(f"{pad}  {cond.source}: {_describe_seed(cond)}")
        else:
            cond = step.seeds[0]
            lines.append(f"{pad}seed {cond.source}: {_describe_seed(cond)}{cut}")
    elif step.driver is Driver.ROOT:
        lines.append(f"{pad}seed :root: position 0")
    elif step.driver is Driver.HAS:
        lines.append(f"{pad}seed :has(): the ancestors of its result{cut}")
    elif step.driver is Driver.VALUES:
        scanned = step.value_scan
        assert scanned is not None
        small = "the region's spans if the region is small, else " if restricted else ""
        odd = (" (every span instead when the column holds bytes, NaN or infinities)"
               if scanned.kind.numeric else "")
        lines.append(f"{pad}scan {small}each distinct value of {_describe_source(scanned)} "
                     f"once for {scanned.source}{odd}")
    else:
        lines.append(f"{pad}scan {'the region' if restricted else 'every span'}")
    for cond in step.checks:
        if cond is step.value_scan and not restricted:
            continue
        lines.append(f"{pad}check {cond.source} per candidate")
    for test in step.tests:
        if isinstance(test, RootTest):
            lines.append(f"{pad}test :root (position 0)")
        elif isinstance(test, LeafTest):
            lines.append(f"{pad}test :leaf (no span below)")
        elif isinstance(test, HasTest):
            lines.append(f"{pad}test :has({test.source}): a span of its result strictly below "
                         "(bisection)")
            _explain_selector(test.plan, lines, pad + "  ")
        else:
            lines.append(f"{pad}test :not({test.source}): not in its result")
            _explain_selector(test.plan, lines, pad + "  ")
    if step.pick is not None:
        lines.append(f"{pad}pick {step.pick}")
