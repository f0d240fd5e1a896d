"""``unparse(node)``: the canonical text of any tracespec syntax node (selector or assertion).

One public entry point over each language's printer, so reprs, error messages and the
round-trip tests share a single printer per language.
"""

from __future__ import annotations

from .assertions.ast import AssertionNode
from .assertions.unparse import unparse_assertion_node
from .selectors.ast import SelectorNode
from .selectors.unparse import unparse_selector_node

__all__ = ["unparse"]


def unparse(node: SelectorNode | AssertionNode) -> str:
    """The canonical text of a syntax node; parsing it gives back an equal node."""
    if isinstance(node, SelectorNode):
        return unparse_selector_node(node)
    if isinstance(node, AssertionNode):
        return unparse_assertion_node(node)
    raise TypeError(f"not a tracespec syntax node: {node!r}")
