"""The span-query plan every front end compiles to: frozen steps, with its own vocabulary.

A :class:`SelectorPlan` is a union of :class:`ChainPlan` s; a chain is a list of
:class:`StepPlan` s joined by :class:`Combinator` s.  A step says how its spans are found:
*seeds* (conditions answered by a per-trace index: value → positions, number views, presence
lists), *checks* (conditions tested per candidate span, cheapest first), span *tests*
(:class:`RootTest`, :class:`LeafTest`, :class:`HasTest`, :class:`NotTest`) and an optional
*pick* (first, last, nth).  Conditions are declarative (:class:`CondKind`, :class:`CompareOp`,
the literal's text and number), so an executor other than Python's can translate them; the
closures that test one value sit in fields left out of equality, so plans compare by what they
mean.  Nothing here knows a front end's syntax: each part carries a :class:`Label`, the front
end's text for it, printed only when asked (``explain()``, messages).  Nothing here touches a
trace: see :mod:`.evaluate`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeAlias

import attrs

from .._frozen import FieldsRepr
from ..trace.attrvalue import AttrValue

__all__ = [
    "ChainMode",
    "ChainPlan",
    "Combinator",
    "CompareOp",
    "Cond",
    "CondKind",
    "Driver",
    "Field",
    "HasTest",
    "Label",
    "LeafTest",
    "NotTest",
    "Pick",
    "PickKind",
    "RootTest",
    "SelectorPlan",
    "SpanTest",
    "StepPlan",
    "keys_read",
]


class Label:
    """The front end's text for a part of a plan, made when first printed (most are never)."""

    __slots__ = ("_make", "_text")

    def __init__(self, text: str | Callable[[], str]) -> None:
        self._text = text if isinstance(text, str) else None
        self._make = None if isinstance(text, str) else text

    def __str__(self) -> str:
        if self._text is None:
            assert self._make is not None
            self._text = self._make()
            self._make = None
        return self._text

    def __repr__(self) -> str:
        return repr(str(self))


def _as_label(value: str | Callable[[], str] | Label) -> Label:
    return value if isinstance(value, Label) else Label(value)


class Field(enum.Enum):
    """Where a condition reads its value."""

    NAME = "the span's name"
    KIND = "the span's kind"
    ATTRIBUTE = "an attribute"


class CompareOp(enum.Enum):
    """The comparison a condition was written with (its :class:`CondKind` says how it runs)."""

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    CONTAINS = "contains"
    NOT_CONTAINS = "not-contains"
    MATCHES = "=~"
    NOT_MATCHES = "!~"


class Combinator(enum.Enum):
    """How a step's spans relate to the previous step's."""

    DESCENDANT = "descendant"
    CHILD = "child"


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


@attrs.frozen(repr=False)
class Cond(FieldsRepr):
    """One condition on one value of a span, normalised.

    ``test`` takes the span's value (``None`` when missing) and says whether it passes;
    ``text_test`` (when not ``None``) takes the text form of a *present* value and gives the
    same verdict, so the condition can be answered once per distinct value of an index.
    """

    label: Label = attrs.field(eq=False, converter=_as_label)
    field: Field
    key: str
    kind: CondKind
    op: CompareOp | None = None
    text: str = ""
    number: int | float | None = None
    test: Callable[[AttrValue | None], bool] = attrs.field(eq=False, repr=False, kw_only=True)
    text_test: Callable[[str], bool] | None = attrs.field(
        default=None, eq=False, repr=False, kw_only=True
    )

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


@attrs.frozen(repr=False)
class RootTest(FieldsRepr):
    """The span is the root (position 0)."""

    label: Label = attrs.field(
        eq=False, converter=_as_label, default=Label("root"), kw_only=True
    )


@attrs.frozen(repr=False)
class LeafTest(FieldsRepr):
    """No span lies below the span."""

    label: Label = attrs.field(
        eq=False, converter=_as_label, default=Label("leaf"), kw_only=True
    )


@attrs.frozen(repr=False)
class HasTest(FieldsRepr):
    """A span of ``plan``'s result lies strictly below the span."""

    plan: SelectorPlan
    label: Label = attrs.field(
        eq=False, converter=_as_label, default=Label("has"), kw_only=True
    )


@attrs.frozen(repr=False)
class NotTest(FieldsRepr):
    """The span is not in ``plan``'s result."""

    plan: SelectorPlan
    label: Label = attrs.field(
        eq=False, converter=_as_label, default=Label("not"), kw_only=True
    )


SpanTest: TypeAlias = RootTest | LeafTest | HasTest | NotTest


class PickKind(enum.Enum):
    """Which span of a list a :class:`Pick` keeps."""

    FIRST = "first"
    LAST = "last"
    NTH = "nth"


@attrs.frozen(repr=False)
class Pick(FieldsRepr):
    """Keep one span of a list: the first, the last, or the ``n``-th (1-based)."""

    kind: PickKind
    n: int = 0
    label: Label = attrs.field(
        eq=False, converter=_as_label, default=Label("pick"), kw_only=True
    )

    def index(self, size: int) -> int | None:
        """The 0-based index this pick keeps in a list of ``size`` spans (``None``: none)."""
        if size == 0:
            return None
        if self.kind is PickKind.FIRST:
            return 0
        if self.kind is PickKind.LAST:
            return size - 1
        return self.n - 1 if 1 <= self.n <= size else None


class Driver(enum.Enum):
    """What gives a step its first candidates (chosen at compile time, in this order)."""

    SEEDS = "the shortest seed list"
    ROOT = "the root"
    HAS = "the ancestors of the has-test's result"
    VALUES = "one pass over the distinct values of an index"
    SCAN = "every span of the region"


@attrs.frozen(repr=False)
class StepPlan(FieldsRepr):
    """One step (a compound of the selector language): how to find its spans in a region."""

    label: Label = attrs.field(eq=False, converter=_as_label)
    seeds: tuple[Cond, ...] = ()
    checks: tuple[Cond, ...] = ()
    tests: tuple[SpanTest, ...] = ()
    pick: Pick | None = None
    never: str | None = None  # why the step can match nothing, when it cannot
    driver: Driver = Driver.SCAN
    value_scan: Cond | None = None  # with Driver.VALUES: the check answered per distinct value


class ChainMode(enum.Enum):
    """How a chain is evaluated (see :class:`ChainPlan`)."""

    SET = "set"
    GROUPED = "grouped"


@attrs.frozen(repr=False)
class ChainPlan(FieldsRepr):
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


@attrs.frozen(repr=False)
class SelectorPlan(FieldsRepr):
    """A whole query: the union of its chains, in trace order; no chain = every span."""

    label: Label = attrs.field(eq=False, converter=_as_label)
    chains: tuple[ChainPlan, ...] = ()

    @property
    def all_spans(self) -> bool:
        """True when the plan selects every span (an empty selector)."""
        return not self.chains


def keys_read(plan: SelectorPlan) -> frozenset[str]:
    """The attribute keys (meta keys included) whose columns running ``plan`` reads."""
    keys: set[str] = set()
    stack = [plan]
    while stack:
        for chain in stack.pop().chains:
            for step in chain.steps:
                keys.update(c.key for c in (*step.seeds, *step.checks)
                            if c.field is Field.ATTRIBUTE)
                stack.extend(t.plan for t in step.tests if isinstance(t, HasTest | NotTest))
    return frozenset(keys)
