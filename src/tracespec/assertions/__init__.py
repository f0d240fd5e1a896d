"""Tracetest's assertion (expression) language: parse, compile to closures, check on spans.

``parser`` (text → ``ast``), ``unparse`` (``ast`` → text), ``values`` (texts typed by content,
durations), ``filters``, ``functions``, ``compare`` (comparators), ``compiler`` (closures and the
compiled :class:`Check`), ``check`` (specs and outputs on a trace).  The public names are
re-exported by :mod:`tracespec`.
"""

from __future__ import annotations

from .check import check, resolve_output
from .compiler import Check, Expression, compile_assertion, compile_expression
from .parser import parse_assertion, parse_expression

__all__ = [
    "Check",
    "Expression",
    "check",
    "compile_assertion",
    "compile_expression",
    "parse_assertion",
    "parse_expression",
    "resolve_output",
]
