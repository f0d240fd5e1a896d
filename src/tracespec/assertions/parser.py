"""Text → assertion AST: the public ``parse_assertion`` and ``parse_expression``, and their limits.

``parse_assertion`` reads ``left COMPARATOR right``; ``parse_expression`` reads one expression
(outputs, and the inside of ``${...}``).  A text is read by the hand-written :mod:`.descent`
parser; the texts it gives up on (every syntax error among them) are read by the lark parse in
:mod:`.lalr`, imported then, which builds the same trees and raises every
:class:`~tracespec.ParseError`, so lark is loaded only for those.  ``strict=True`` rejects
tracespec's extensions (parentheses, negative numbers, unary minus) for specs that must stay
portable to Tracetest.
"""

from __future__ import annotations

from typing import Any

from ..errors import ParseError
from . import ast, descent

__all__ = ["parse_assertion", "parse_expression"]

MAX_LENGTH = 100_000
MAX_DEPTH = 100  # nesting of the tree; keeps compiling and evaluating far from Python's stack limit


def _too_deep(text: str) -> ParseError:
    return ParseError(
        f"expression nested too deeply (at most {MAX_DEPTH} levels of operators, parentheses, "
        "brackets and filters)", source=text, span=(0, len(text)), language="assertion",
    )


def _parse(text: str, start: str, strict: bool) -> Any:
    if not isinstance(text, str):
        raise TypeError(f"expected assertion text (str), got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(
            f"text too long ({len(text)} characters; at most {MAX_LENGTH})",
            source=text[:200], span=(0, 1), language="assertion",
        )
    node = descent.parse(
        text, expression=start == "expression", strict=strict, max_depth=MAX_DEPTH
    )
    if node is None:
        from . import lalr  # only here: lark is loaded for the texts the descent gives up on

        try:
            node = lalr.parse(text, start, strict)
        except RecursionError:
            raise _too_deep(text) from None
    if max(depth for _, depth in ast.walk(node)) > MAX_DEPTH:
        raise _too_deep(text)
    return node


def parse_assertion(text: str, *, strict: bool = False) -> ast.Assertion:
    """Parse ``left COMPARATOR right`` (e.g. ``attr:http.status_code = 200``).

    Raises :class:`~tracespec.ParseError` (with line, column and caret) for text that does not
    parse.  ``strict=True`` also rejects tracespec's syntax extensions.
    """
    node = _parse(text, "assertion", strict)
    assert isinstance(node, ast.Assertion)
    return node


def parse_expression(text: str, *, strict: bool = False) -> ast.Expr:
    """Parse one expression (an output's value, e.g. ``attr:body | json_path '$.id'``)."""
    return _parse(text, "expression", strict)  # type: ignore[no-any-return]
