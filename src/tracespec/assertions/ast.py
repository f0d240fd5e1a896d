"""The syntax tree of the assertion language: frozen attrs nodes, no behaviour but :func:`walk`.

An :class:`Assertion` is ``left COMPARATOR right``; each side is an :data:`Expr`: a term (a
reference ``attr:``/``env:``/``var:``, a number, a duration, a string with ``${...}`` parts, an
array, a function call), an arithmetic :class:`BinaryOp` or :class:`Negate`, or a
:class:`Pipeline` of filters applied to an expression.  Every node carries the ``span`` of the
text it came from (0-based, half-open); spans are excluded from equality and hashing, so
``parse(unparse(node)) == node`` compares structure only.  Literal texts are kept exactly as
written (``01``, ``1.50``, string contents with their backslashes), because Tracetest compares
their texts.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import TypeAlias

import attrs

from .._frozen import FieldsRepr

__all__ = [
    "NO_SPAN",
    "Array",
    "Assertion",
    "AssertionNode",
    "Attribute",
    "BinaryOp",
    "Comparator",
    "Duration",
    "Environment",
    "Expr",
    "Filter",
    "FunctionCall",
    "Negate",
    "Number",
    "Operator",
    "Pipeline",
    "String",
    "Term",
    "Variable",
    "walk",
]

NO_SPAN: tuple[int, int] = (0, 0)


class AssertionNode(FieldsRepr):
    """Base class of every assertion syntax node (``tracespec.unparse`` dispatches on it)."""

    __slots__ = ()


def _span() -> tuple[int, int]:
    return attrs.field(default=NO_SPAN, eq=False, repr=False)


class Comparator(enum.StrEnum):
    """The comparators of an assertion, spelled as written."""

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    CONTAINS = "contains"
    NOT_CONTAINS = "not-contains"

    def __str__(self) -> str:
        return self.value


class Operator(enum.StrEnum):
    """Arithmetic operators."""

    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"

    def __str__(self) -> str:
        return self.value


@attrs.frozen(repr=False)
class Attribute(AssertionNode):
    """``attr:NAME``: an attribute of the current span (or ``tracetest.selected_spans.count``)."""

    name: str
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class Environment(AssertionNode):
    """``env:NAME``: a variable (the same store as ``var:``)."""

    name: str
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class Variable(AssertionNode):
    """``var:NAME``: a variable (the same store as ``env:``)."""

    name: str
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class Number(AssertionNode):
    """A number literal, its text as written (``01``, ``1.50``, ``-3``)."""

    text: str
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class Duration(AssertionNode):
    """A duration literal, its text without the optional space (``100ms``, ``1.5s``, ``-2m``)."""

    text: str
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class String(AssertionNode):
    """A quoted string: ``quote`` is ``"`` or ``'``; ``parts`` alternate raw text (backslashes
    kept) and interpolated expressions ``${...}``.  Adjacent texts are merged, empty texts
    dropped, so ``parts == ()`` is the empty string."""

    quote: str
    parts: tuple[str | Expr, ...]
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class Array(AssertionNode):
    """``[item, item, ...]``; items are terms."""

    items: tuple[Term, ...]
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class FunctionCall(AssertionNode):
    """``name(arg, ...)``: one of the generator functions; args are terms."""

    name: str
    args: tuple[Term, ...]
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class BinaryOp(AssertionNode):
    """``left OP right`` (usual precedence; the parser nests the tree accordingly)."""

    op: Operator
    left: Expr
    right: Expr
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class Negate(AssertionNode):
    """``-operand`` for an operand that is not a number or duration literal (those carry the
    minus in their text)."""

    operand: Expr
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class Filter(AssertionNode):
    """``| name arg arg``; args are terms, passed to the filter as text."""

    name: str
    args: tuple[Term, ...]
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class Pipeline(AssertionNode):
    """An expression followed by one or more filters, applied left to right."""

    input: Expr
    filters: tuple[Filter, ...]
    span: tuple[int, int] = _span()


@attrs.frozen(repr=False)
class Assertion(AssertionNode):
    """``left comparator right``: the unit a test spec checks on every selected span."""

    left: Expr
    comparator: Comparator
    right: Expr
    span: tuple[int, int] = _span()


Term: TypeAlias = (
    "Attribute | Environment | Variable | Number | Duration | String | Array | FunctionCall"
)
Expr: TypeAlias = "Term | BinaryOp | Negate | Pipeline"


def walk(root: AssertionNode) -> Iterator[tuple[AssertionNode, int]]:
    """Every node of a tree with its depth (the root is 1), parents first; no recursion."""
    stack: list[tuple[AssertionNode, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        for field in attrs.fields(type(node)):  # type: ignore[arg-type]
            value = getattr(node, field.name)
            for child in reversed(value) if isinstance(value, tuple) else (value,):
                if isinstance(child, AssertionNode):
                    stack.append((child, depth + 1))
