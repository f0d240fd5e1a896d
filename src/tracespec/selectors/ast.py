"""The selector language's syntax tree: frozen attrs nodes, tuples and enums, no behaviour.

``parse_selector`` builds these from text and ``unparse`` prints them back in canonical form;
the compiler reads them.  Every node carries ``loc``, the 0-based half-open character range it
came from, which is left out of equality, hashing and repr: two selectors that differ only in
spacing, comments or quoting parse to equal trees (this is what lets the round-trip tests
compare ``parse(unparse(node)) == node``).  Nodes built by hand get ``loc=(0, 0)``.
Structural rules that the grammar guarantees are checked by validators, so a tree built by hand
always prints to text that parses back to it.
"""

from __future__ import annotations

import enum
import math
from typing import TypeAlias

import attrs

from .._frozen import FieldsRepr

__all__ = [
    "NO_LOC",
    "Bool",
    "Chain",
    "Combinator",
    "Comparison",
    "Compound",
    "Exists",
    "Filter",
    "First",
    "Has",
    "Last",
    "Leaf",
    "Literal",
    "Loc",
    "Not",
    "NthChild",
    "Number",
    "Operator",
    "Pseudo",
    "Root",
    "Selector",
    "SelectorNode",
    "String",
]

Loc: TypeAlias = tuple[int, int]
NO_LOC: Loc = (0, 0)


class SelectorNode(FieldsRepr):
    """Base class of every selector syntax node (``tracespec.unparse`` dispatches on it)."""

    __slots__ = ()


class Operator(enum.Enum):
    """A filter's comparison operator; the value is its text."""

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

    @property
    def is_extension(self) -> bool:
        """True for the operators Tracetest's selectors do not have (all but ``=``, contains)."""
        return self not in (Operator.EQ, Operator.CONTAINS)


class Combinator(enum.Enum):
    """How a compound relates to the one before it in a chain."""

    DESCENDANT = " "
    CHILD = ">"


# -- literals -----------------------------------------------------------------------------------


@attrs.frozen(cache_hash=True, repr=False)
class String(SelectorNode):
    """A double-quoted string literal (``value`` is the decoded text)."""

    value: str
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


def _check_number(_: object, __: attrs.Attribute[int | float], value: int | float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"a number literal holds an int or a float, not {value!r}")
    if value < 0 or (isinstance(value, float) and not math.isfinite(value)):
        raise ValueError(f"a number literal is finite and not negative, not {value!r}")


@attrs.frozen(cache_hash=True, repr=False)
class Number(SelectorNode):
    """A number literal: an ``int`` or a finite ``float``, never negative (there is no sign)."""

    value: int | float = attrs.field(validator=_check_number)
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


@attrs.frozen(cache_hash=True, repr=False)
class Bool(SelectorNode):
    """``true`` or ``false``."""

    value: bool
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


Literal: TypeAlias = String | Number | Bool


# -- filters -------------------------------------------------------------------------------------


def _check_pattern(node: Comparison, _: attrs.Attribute[Literal], value: Literal) -> None:
    if node.op in (Operator.MATCHES, Operator.NOT_MATCHES) and not isinstance(value, String):
        raise ValueError(f"{node.op.value!r} takes a regular expression string, not {value!r}")


@attrs.frozen(cache_hash=True, repr=False)
class Comparison(SelectorNode):
    """``key op value``, e.g. ``http.status_code=200`` or ``name contains "users"``.

    ``key`` is the whole attribute name (``name`` and ``kind`` read the span's own fields).
    The regular-expression operators take a :class:`String`.
    """

    key: str
    op: Operator
    value: Literal = attrs.field(validator=_check_pattern)
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


@attrs.frozen(cache_hash=True, repr=False)
class Exists(SelectorNode):
    """A bare attribute name (``span[http.route]``), or its absence with ``negated``
    (``span[!http.route]``).  A tracespec extension."""

    key: str
    negated: bool = False
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


Filter: TypeAlias = Comparison | Exists


# -- pseudo-classes ------------------------------------------------------------------------------


@attrs.frozen(cache_hash=True, repr=False)
class First(SelectorNode):
    """``:first`` (Tracetest ignores arguments, ``:first(3)``; so does tracespec)."""

    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


@attrs.frozen(cache_hash=True, repr=False)
class Last(SelectorNode):
    """``:last``."""

    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


def _check_nth(_: object, __: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f":nth_child takes a non-negative integer, not {value!r}")


@attrs.frozen(cache_hash=True, repr=False)
class NthChild(SelectorNode):
    """``:nth_child(n)``: the n-th (1-based) span of the list, nothing when out of range."""

    n: int = attrs.field(validator=_check_nth)
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


@attrs.frozen(cache_hash=True, repr=False)
class Root(SelectorNode):
    """``:root``: the trace's root span (extension)."""

    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


@attrs.frozen(cache_hash=True, repr=False)
class Leaf(SelectorNode):
    """``:leaf``: spans without children (extension)."""

    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


def _check_inner(_: object, __: attrs.Attribute[Selector], value: Selector) -> None:
    if not value.alternatives:
        raise ValueError("the selector inside :has() or :not() cannot be empty")


@attrs.frozen(cache_hash=True, repr=False)
class Has(SelectorNode):
    """``:has(S)``: spans with a span of ``S`` strictly below them (extension)."""

    selector: Selector = attrs.field(validator=_check_inner)
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


@attrs.frozen(cache_hash=True, repr=False)
class Not(SelectorNode):
    """``:not(S)``: spans that ``S`` does not select (extension)."""

    selector: Selector = attrs.field(validator=_check_inner)
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


Pseudo: TypeAlias = First | Last | NthChild | Root | Leaf | Has | Not

# -- structure -----------------------------------------------------------------------------------


@attrs.frozen(cache_hash=True, repr=False)
class Compound(SelectorNode):
    """``span[filters]`` followed by pseudo-classes, in the order written."""

    filters: tuple[Filter, ...] = ()
    pseudos: tuple[Pseudo, ...] = ()
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


def _check_chain(chain: Chain, _: attrs.Attribute[tuple[Combinator, ...]],
                 value: tuple[Combinator, ...]) -> None:
    if not chain.compounds:
        raise ValueError("a chain has at least one compound")
    if len(value) != len(chain.compounds) - 1:
        raise ValueError("a chain has one combinator between each two compounds")


@attrs.frozen(cache_hash=True, repr=False)
class Chain(SelectorNode):
    """Compounds joined by combinators: ``combinators[i]`` stands between ``compounds[i]``
    and ``compounds[i + 1]``.  The chain selects spans of its last compound."""

    compounds: tuple[Compound, ...]
    combinators: tuple[Combinator, ...] = attrs.field(default=(), validator=_check_chain)
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)


@attrs.frozen(cache_hash=True, repr=False)
class Selector(SelectorNode):
    """A comma list of chains (their union); no chain at all selects every span."""

    alternatives: tuple[Chain, ...] = ()
    loc: Loc = attrs.field(default=NO_LOC, eq=False, repr=False, kw_only=True)
