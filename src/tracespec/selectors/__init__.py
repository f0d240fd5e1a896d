"""The Tracetest Selector Language: parse, compile to an indexed plan, evaluate.

``parser`` (text → :mod:`ast`), ``unparse`` (ast → canonical text), ``compiler`` (ast →
:mod:`plan`: checks, normalisation, access paths), ``evaluate`` (plan × trace index → positions)
and ``query`` (the cached, immutable :class:`Query` users hold) are separate pure phases, each
callable and timeable alone.  ``tracespec/__init__.py`` re-exports the public names.
"""

from __future__ import annotations

from .query import Query, compile_selector, purge, select

__all__ = ["Query", "compile_selector", "purge", "select"]
