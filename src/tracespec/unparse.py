"""``unparse(node)``: the canonical text of any tracespec AST node (selector or assertion).

One public entry point dispatching to each language's printer, so reprs, error messages and the
round-trip tests share a single printer per language.  Printers register by AST module.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["unparse"]


def _assertion_printer() -> tuple[str, Callable[[object], str]]:
    from .assertions.unparse import unparse_assertion_node

    return "tracespec.assertions.ast", unparse_assertion_node


def _selector_printer() -> tuple[str, Callable[[object], str]]:
    from .selectors.unparse import unparse_selector_node

    return "tracespec.selectors.ast", unparse_selector_node  # type: ignore[return-value]


_PRINTER_FACTORIES: tuple[Callable[[], tuple[str, Callable[[object], str]]], ...] = (
    _selector_printer,
    _assertion_printer,
)


def unparse(node: object) -> str:
    """The canonical text of an AST node; parsing it gives back an equal node."""
    module = type(node).__module__
    for factory in _PRINTER_FACTORIES:
        prefix, printer = factory()
        if module == prefix:
            return printer(node)
    raise TypeError(f"not a tracespec AST node: {node!r}")
