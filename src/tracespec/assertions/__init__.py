"""Tracetest's assertion (expression) language: parse, compile to closures, check on spans.

``ast`` (the syntax tree), ``parser`` (text → ``ast``), ``unparse`` (``ast`` → text),
``values`` (texts typed by content, durations), ``arith`` (Tracetest's arithmetic),
``compare`` (comparators and outcomes), ``filters``, ``functions``, ``json_path``,
``compiler`` (closures, the general path), ``fastpath`` (``attr:KEY <op> constant`` from the
column) and ``compiled`` (:class:`Check` and :class:`Expression`, cached).  This package knows
nothing of selectors: a spec, which joins the two languages, is ``tracespec.spec``.  The public
names are re-exported by :mod:`tracespec`.
"""

from __future__ import annotations

from .compiled import Check, Expression, compile_assertion, compile_expression, purge
from .parser import parse_assertion, parse_expression

__all__ = [
    "Check",
    "Expression",
    "compile_assertion",
    "compile_expression",
    "parse_assertion",
    "parse_expression",
    "purge",
]
