"""Assertion AST → canonical text (the one printer; ``tracespec.unparse`` dispatches here).

The text parses back to an equal AST: arithmetic gets the parentheses its tree needs under the
usual precedence (``*`` ``/`` before ``+`` ``-``, left associative), a filtered expression used as
an operand is parenthesised, literals print exactly as written.  Canonical spacing: one space
around comparators, operators and ``|``; ``", "`` between items.
"""

from __future__ import annotations

from . import ast

__all__ = ["unparse_assertion_node"]

_PREC = {ast.Operator.ADD: 1, ast.Operator.SUB: 1, ast.Operator.MUL: 2, ast.Operator.DIV: 2}


def _prec(node: object) -> int:
    if isinstance(node, ast.Pipeline):
        return 0
    if isinstance(node, ast.BinaryOp):
        return _PREC[node.op]
    if isinstance(node, ast.Negate):
        return 3
    return 4


def _operand(node: ast.Expr, min_prec: int) -> str:
    text = _expr(node)
    return f"({text})" if _prec(node) < min_prec else text


def _expr(node: ast.Expr) -> str:
    if isinstance(node, ast.Attribute):
        return "attr:" + node.name
    if isinstance(node, ast.Environment):
        return "env:" + node.name
    if isinstance(node, ast.Variable):
        return "var:" + node.name
    if isinstance(node, ast.Number | ast.Duration):
        return node.text
    if isinstance(node, ast.String):
        body = "".join(p if isinstance(p, str) else "${" + _expr(p) + "}" for p in node.parts)
        return node.quote + body + node.quote
    if isinstance(node, ast.Array):
        return "[" + ", ".join(_expr(i) for i in node.items) + "]"
    if isinstance(node, ast.FunctionCall):
        return node.name + "(" + ", ".join(_expr(a) for a in node.args) + ")"
    if isinstance(node, ast.BinaryOp):
        p = _PREC[node.op]
        return f"{_operand(node.left, p)} {node.op.value} {_operand(node.right, p + 1)}"
    if isinstance(node, ast.Negate):
        return "-" + _operand(node.operand, 3)
    if isinstance(node, ast.Pipeline):
        head = _operand(node.input, 1)
        return head + "".join(" | " + _filter(f) for f in node.filters)
    raise TypeError(f"not an assertion AST node: {node!r}")


def _filter(f: ast.Filter) -> str:
    return " ".join([f.name, *(_expr(a) for a in f.args)])


def unparse_assertion_node(node: object) -> str:
    """The canonical text of an assertion, an expression or a filter."""
    if isinstance(node, ast.Assertion):
        return f"{_expr(node.left)} {node.comparator.value} {_expr(node.right)}"
    if isinstance(node, ast.Filter):
        return _filter(node)
    return _expr(node)  # type: ignore[arg-type]
