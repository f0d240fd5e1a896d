"""The Tracetest Selector Language, the first front end of the query engine.

``parser`` (text → :mod:`ast`), ``unparse`` (ast → canonical text), ``compiler`` (ast →
:mod:`tracespec.query.plan`: checks, normalisation, access paths) and ``query`` (the cached,
immutable :class:`Query` users hold, run by :mod:`tracespec.query.evaluate`) are separate pure
phases, each callable and timeable alone.  ``tracespec/__init__.py`` re-exports the public names.
"""

from __future__ import annotations

from .parser import parse_selector
from .query import Query, compile_selector, purge, select
from .suggest import suggest_selector

__all__ = ["Query", "compile_selector", "parse_selector", "purge", "select", "suggest_selector"]
