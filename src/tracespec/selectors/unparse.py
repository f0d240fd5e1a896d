"""Selector syntax trees → canonical text (the one printer: repr, errors, explain, tests).

Canonical form: ``span[`` filters separated by one space ``]``, symbol operators written tight
(``a="x"``, ``a>=2``), word operators spaced (``a contains "x"``), names unquoted when the
grammar reads them back as the same name, strings with Go escapes, numbers by value (``0x10``
prints ``16``), chains joined by a space or `` > ``, alternatives by ``, ``.  Parsing the output
gives back an equal tree: ``parse_selector(unparse(node)) == node``.
"""

from __future__ import annotations

import re

from . import ast

__all__ = ["quote", "unparse_selector_node"]

_PLAIN_KEY = re.compile(r"[^\W\d][\w-]*(?:\.[\w-]+)*")
_WORD_OPERATORS = frozenset({"contains", "not-contains"})
_ESCAPES = {
    "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
    "\\": "\\\\", '"': '\\"',
}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]|[^\x00-\x7f]')


def quote(text: str) -> str:
    """``text`` as a Go double-quoted string that the selector parser decodes back to it."""
    if not _NEEDS_ESCAPE.search(text):
        return f'"{text}"'
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x80 or ch.isprintable():
            out.append(ch)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) else quote(key)


def _number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    return repr(abs(value)) if value == 0 else repr(value)  # there is no -0.0 literal


def _literal(node: ast.Literal) -> str:
    if isinstance(node, ast.String):
        return quote(node.value)
    if isinstance(node, ast.Bool):
        return "true" if node.value else "false"
    return _number(node.value)


def _filter(node: ast.Filter) -> str:
    if isinstance(node, ast.Exists):
        return ("!" if node.negated else "") + _key(node.key)
    op = node.op.value
    if op in _WORD_OPERATORS:
        return f"{_key(node.key)} {op} {_literal(node.value)}"
    return f"{_key(node.key)}{op}{_literal(node.value)}"


def _pseudo(node: ast.Pseudo) -> str:
    if isinstance(node, ast.First):
        return ":first"
    if isinstance(node, ast.Last):
        return ":last"
    if isinstance(node, ast.NthChild):
        return f":nth_child({node.n})"
    if isinstance(node, ast.Root):
        return ":root"
    if isinstance(node, ast.Leaf):
        return ":leaf"
    if isinstance(node, ast.Has):
        return f":has({_selector(node.selector)})"
    return f":not({_selector(node.selector)})"


def _compound(node: ast.Compound) -> str:
    parts = []
    prev: ast.Filter | None = None
    for f in node.filters:
        if prev is not None:
            # A comma where a space would read differently: a bare name spelled like a word
            # operator after another bare name (`span[a contains]`), and a quoted name alone,
            # which must follow '[' or ',' (`span[a "x"]` is a missing-operator error).
            bare = isinstance(f, ast.Exists) and not f.negated
            key = _key(f.key)
            needs_comma = (isinstance(prev, ast.Exists) and not (
                isinstance(f, ast.Exists) and f.negated) and key in _WORD_OPERATORS) or (
                bare and key.startswith('"'))
            parts.append(", " if needs_comma else " ")
        parts.append(_filter(f))
        prev = f
    return "span[" + "".join(parts) + "]" + "".join(_pseudo(p) for p in node.pseudos)


def _chain(node: ast.Chain) -> str:
    out = [_compound(node.compounds[0])]
    for comb, comp in zip(node.combinators, node.compounds[1:], strict=True):
        out.append(" > " if comb is ast.Combinator.CHILD else " ")
        out.append(_compound(comp))
    return "".join(out)


def _selector(node: ast.Selector) -> str:
    return ", ".join(_chain(c) for c in node.alternatives)


def unparse_selector_node(node: ast.SelectorNode) -> str:
    """Canonical text of any selector node (a whole selector, a chain, a filter, a literal...)."""
    if isinstance(node, ast.Selector):
        return _selector(node)
    if isinstance(node, ast.Chain):
        return _chain(node)
    if isinstance(node, ast.Compound):
        return _compound(node)
    if isinstance(node, ast.Comparison | ast.Exists):
        return _filter(node)
    if isinstance(node, ast.String | ast.Number | ast.Bool):
        return _literal(node)
    if isinstance(node, ast.First | ast.Last | ast.NthChild | ast.Root | ast.Leaf | ast.Has
                  | ast.Not):
        return _pseudo(node)
    raise TypeError(f"not a selector node: {node!r}")
