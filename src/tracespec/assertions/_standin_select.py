"""TEMPORARY stand-in for tracespec.select until the selector engine lands: the empty selector
and ``span[]`` mean all spans; anything else is rejected.  Delete when select exists."""

from __future__ import annotations

from ..errors import ParseError
from ..trace import Trace


def standin_positions(selector: str, trace: Trace) -> list[int]:
    text = selector.strip()
    if text in ("", "span[]"):
        return list(range(len(trace)))
    raise ParseError("selectors are not implemented yet", source=selector, span=(0, 1),
                     language="selector")


def standin_compile(selector: str) -> str:
    text = selector.strip()
    if text not in ("", "span[]"):
        raise ParseError("selectors are not implemented yet", source=selector, span=(0, 1),
                         language="selector")
    return text
