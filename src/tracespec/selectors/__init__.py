"""The Tracetest Selector Language, the first front end of the query engine.

``parser`` (text → :mod:`ast`), ``unparse`` (ast → canonical text), ``compiler`` (ast →
:mod:`tracespec.query.plan`: checks, normalisation, access paths) and ``query`` (the cached,
immutable :class:`Query` users hold, run by :mod:`tracespec.query.evaluate`) are separate pure
phases, each callable and timeable alone.  ``tracespec/__init__.py`` re-exports the public names.
``suggest`` (a selector for a span, for the CLI's ``show`` and the UI) is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .parser import parse_selector
from .query import Query, compile_selector, purge, select

if TYPE_CHECKING:
    from .suggest import suggest_selector


def __getattr__(name: str) -> Any:
    if name == "suggest_selector":
        from .suggest import suggest_selector

        return suggest_selector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["Query", "compile_selector", "parse_selector", "purge", "select", "suggest_selector"]
