"""Selector text → :mod:`tracespec.selectors.ast`: the hand parser first, lark for the rest.

``parse_selector`` refuses text over ``MAX_LENGTH``, then asks ``descent`` (a hand-written
recursive-descent parser, fast, no lark) for the tree.  That parser only ever accepts: whatever
it is not sure of, every error included, it gives up on, and the text is parsed again by
``lalr`` (lark with ``grammar/selector.lark``), imported then and only then, whose ParseError
(message, range, expected tokens) is the one the user reads, or whose tree is returned.  Both
build the same trees, ``loc`` included (``tests/selectors/test_descent.py``).
"""

from __future__ import annotations

from ..errors import ParseError
from . import ast, descent
from .limits import MAX_CHAIN, MAX_LENGTH, MAX_NESTING
from .literals import LANGUAGE, Problem

__all__ = ["MAX_CHAIN", "MAX_LENGTH", "MAX_NESTING", "parse_selector"]


def _error(message: str, source: str, start: int, end: int) -> ParseError:
    return ParseError(message, source=source, span=(start, max(end, start + 1)),
                      language=LANGUAGE)


def _nesting_depth(node: ast.Selector) -> tuple[int, ast.Has | ast.Not | None]:
    """Deepest :has()/:not() nesting in ``node`` and the node that reaches it (no recursion)."""
    deepest: int = 0
    where: ast.Has | ast.Not | None = None
    stack: list[tuple[ast.Selector, int]] = [(node, 0)]
    while stack:
        sel, depth = stack.pop()
        for chain in sel.alternatives:
            for comp in chain.compounds:
                for p in comp.pseudos:
                    if isinstance(p, ast.Has | ast.Not):
                        if depth + 1 > deepest:
                            deepest, where = depth + 1, p
                        stack.append((p.selector, depth + 1))
    return deepest, where


def _parse_with_lark(text: str, strict: bool) -> ast.Selector:
    """The exact path: lark's tree, or the ParseError the user reads."""
    from . import lalr  # lazily: lark is imported only for the texts the hand parser gives up on

    try:
        result = lalr.parse(text, strict=strict)
    except Problem as problem:
        raise _error(problem.message, text, *problem.loc) from None
    if text.count("(") > MAX_NESTING:
        depth, where = _nesting_depth(result)
        if depth > MAX_NESTING and where is not None:
            raise _error(f":has() and :not() nest more than {MAX_NESTING} deep", text, *where.loc)
    return result


def parse_selector(text: str, *, strict: bool = False) -> ast.Selector:
    """Parse selector text into its syntax tree.

    With ``strict=True`` every tracespec extension (new operators, existence tests, ``>``,
    ``:has()``, ``:not()``, ``:root``, ``:leaf``, dashed, digit-leading or quoted names, ``08``)
    is a :class:`ParseError` saying so, for specs that must stay portable to Tracetest.
    """
    if not isinstance(text, str):
        raise TypeError(f"a selector is text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise _error(f"selector is longer than {MAX_LENGTH} characters", text, MAX_LENGTH,
                     len(text))
    strict = bool(strict)
    try:
        return descent.parse(text, strict=strict)
    except descent.Unsure:
        return _parse_with_lark(text, strict)
