"""The fast parse of assertions: a hand-written tokenizer and recursive-descent parser of
``grammar/assertion.lark`` that builds the same :mod:`ast` nodes, spans included, as the lark
parse in :mod:`.lalr`, without importing lark.

It only ever accepts: on anything it is not sure of (a syntax error, a strict-mode extension,
deep nesting, a token lark's contextual lexer could read otherwise) it gives up and
:func:`parse` returns ``None``, and the caller parses the text with :mod:`.lalr`, which gives
the exact error (or the tree).  The tokenizer is lark's lexer without the context: the
grammar's terminal regexes, tried in lark's order (priority first).  Where it reads a token the
parser expects, lark's contextual lexer reads the same, since that token matches first among
all terminals and so among those lark's state accepts.
"""

from __future__ import annotations

import re

from . import ast

__all__ = ["TERMINALS", "parse"]

#: The grammar's terminals as (lark name, regex), in the order lark's lexer tries them (priority
#: first; terminals of one priority never start with the same character).  The single
#: characters are grouped under ``PUNCT``, the ignored whitespace is ``WS``.
#: tests/assertions/test_descent.py checks these against the grammar.
TERMINALS: tuple[tuple[str, str], ...] = (
    ("COMPARATOR", r"(?:not\-contains|contains|!=|<=|>=|=|<|>)"),
    ("DURATION", r"[0-9]+(\.[0-9]+)? ?(ns|us|ms|s|m|h)"),
    ("NUMBER", r"[0-9]+(\.[0-9]+)?"),
    ("ATTRIBUTE", r"attr:[A-Za-z0-9_][A-Za-z0-9_.\-]*"),
    ("ENVIRONMENT", r"env:[A-Za-z0-9_][A-Za-z0-9_.]*"),
    ("VARIABLE", r"var:[A-Za-z0-9_][A-Za-z0-9_.]*"),
    ("DOUBLE_STRING", r'"(\\"|[^"])*"'),
    ("SINGLE_STRING", r"'(\\'|[^'])*'"),
    ("IDENT", r"[A-Za-z][A-Za-z0-9_]*"),
    ("PUNCT", r"[|()\[\],+\-*/]"),
    ("WS", r"\s+"),  # lark's %ignore
)
_TOKEN = re.compile("|".join(f"(?P<{name}>{regex})" for name, regex in TERMINALS))
_INTERPOLATION = re.compile(r"\$\{[^}]+\}")  # as lalr's: Tracetest's rule

_DURATION = "DURATION"
_NUMBER = "NUMBER"
_IDENT = "IDENT"
_COMPARATOR = "COMPARATOR"
_END = "$END"
#: What can start an argument of a function, an item of an array or an argument of a filter.
_ARG_START = frozenset({
    "IDENT", "[", "DURATION", "NUMBER", "ATTRIBUTE", "ENVIRONMENT", "VARIABLE",
    "DOUBLE_STRING", "SINGLE_STRING", "-",
})
_OPERATORS = {"+": ast.Operator.ADD, "-": ast.Operator.SUB, "*": ast.Operator.MUL,
              "/": ast.Operator.DIV}
_COMPARATORS = {c.value: c for c in ast.Comparator}


class _GiveUp(Exception):
    """Raised anywhere in the descent: the text is one for the lark parse."""


def _tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """The kinds, starts and ends of the tokens of ``text`` (whitespace dropped, ``$END`` last;
    a single character's kind is itself)."""
    kinds: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    match = _TOKEN.match
    pos = 0
    size = len(text)
    while pos < size:
        m = match(text, pos)
        if m is None:
            raise _GiveUp
        kind = m.lastgroup
        end = m.end()
        if kind != "WS":
            kinds.append(text[pos] if kind == "PUNCT" else kind)  # type: ignore[arg-type]
            starts.append(pos)
            ends.append(end)
        pos = end
    kinds.append(_END)
    starts.append(size)
    ends.append(size)
    return kinds, starts, ends


class _Descent:
    """One parse of one text: the tokens, the position in them, the nesting so far.

    Each rule method returns the node it built; the span of the parse tree it read (which, for a
    parenthesised group, includes the parentheses the node's own span does not) is
    ``(self.starts[first], self.ends[self.i - 1])`` for the token index it began at.
    """

    __slots__ = ("depth", "ends", "i", "kinds", "max_depth", "starts", "strict", "text")

    def __init__(self, text: str, strict: bool, max_depth: int) -> None:
        self.text = text
        self.strict = strict
        self.max_depth = max_depth
        self.kinds, self.starts, self.ends = _tokens(text)
        self.i = 0
        self.depth = 0

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _GiveUp

    def _span(self, first: int) -> tuple[int, int]:
        return (self.starts[first], self.ends[self.i - 1])

    def _expect(self, kind: str) -> None:
        if self.kinds[self.i] != kind:
            raise _GiveUp
        self.i += 1

    # -- rules ------------------------------------------------------------------------------
    def assertion(self) -> ast.Assertion:
        left = self.expr()
        if self.kinds[self.i] != _COMPARATOR:
            raise _GiveUp
        tok = self.i
        self.i += 1
        comparator = _COMPARATORS[self.text[self.starts[tok] : self.ends[tok]]]
        right = self.expr()
        if self.kinds[self.i] != _END:
            raise _GiveUp
        return ast.Assertion(left, comparator, right, span=self._span(0))

    def expression(self) -> ast.Expr:
        node = self.expr()
        if self.kinds[self.i] != _END:
            raise _GiveUp
        return node

    def expr(self) -> ast.Expr:
        first = self.i
        node = self.sum()
        if self.kinds[self.i] != "|":
            return node
        filters = []
        while self.kinds[self.i] == "|":
            filters.append(self.filter())
        return ast.Pipeline(node, tuple(filters), span=self._span(first))

    def sum(self) -> ast.Expr:
        first = self.i
        node = self.product()
        kinds = self.kinds
        while kinds[self.i] in ("+", "-"):
            op = _OPERATORS[kinds[self.i]]
            self.i += 1
            right = self.product()
            node = ast.BinaryOp(op, node, right, span=self._span(first))
        return node

    def product(self) -> ast.Expr:
        first = self.i
        node = self.unary()
        kinds = self.kinds
        while kinds[self.i] in ("*", "/"):
            op = _OPERATORS[kinds[self.i]]
            self.i += 1
            right = self.unary()
            node = ast.BinaryOp(op, node, right, span=self._span(first))
        return node

    def unary(self) -> ast.Expr:
        kind = self.kinds[self.i]
        if kind == "-":
            if self.strict:
                raise _GiveUp
            first = self.i
            self.i += 1
            self._enter()
            operand = self.unary()
            self.depth -= 1
            span = self._span(first)
            if isinstance(operand, ast.Number | ast.Duration) and not operand.text.startswith("-"):
                return type(operand)("-" + operand.text, span=span)
            return ast.Negate(operand, span=span)
        if kind == "(":
            if self.strict:
                raise _GiveUp
            self.i += 1
            self._enter()
            node = self.expr()
            self.depth -= 1
            self._expect(")")
            return node
        return self.term()

    def filter(self) -> ast.Filter:
        first = self.i
        self.i += 1  # the "|"
        if self.kinds[self.i] != _IDENT:
            raise _GiveUp
        name = self.text[self.starts[self.i] : self.ends[self.i]]
        self.i += 1
        args = []
        while self.kinds[self.i] in _ARG_START:
            args.append(self.arg())
        return ast.Filter(name, tuple(args), span=self._span(first))

    def arg(self) -> ast.Term:
        if self.kinds[self.i] != "-":
            return self.term()
        if self.strict:
            raise _GiveUp
        first = self.i
        self.i += 1
        kind = self.kinds[self.i]
        text = self.text[self.starts[self.i] : self.ends[self.i]]
        self.i += 1
        if kind == _NUMBER:
            return ast.Number("-" + text, span=self._span(first))
        if kind == _DURATION:
            return ast.Duration("-" + text.replace(" ", ""), span=self._span(first))
        raise _GiveUp

    def _args(self, close: str) -> tuple[ast.Term, ...]:
        """``[arg (COMMA arg)*] close``, after the opening token."""
        self._enter()
        args = []
        if self.kinds[self.i] != close:
            args.append(self.arg())
            while self.kinds[self.i] == ",":
                self.i += 1
                args.append(self.arg())
        self._expect(close)
        self.depth -= 1
        return tuple(args)

    def term(self) -> ast.Term:
        i = self.i
        kind = self.kinds[i]
        start = self.starts[i]
        end = self.ends[i]
        text = self.text[start:end]
        span = (start, end)
        self.i = i + 1
        if kind == "ATTRIBUTE":
            return ast.Attribute(text[5:], span=span)
        if kind == _NUMBER:
            return ast.Number(text, span=span)
        if kind == "DOUBLE_STRING" or kind == "SINGLE_STRING":
            return self.string(text, start)
        if kind == _DURATION:
            return ast.Duration(text.replace(" ", ""), span=span)
        if kind == "ENVIRONMENT":
            return ast.Environment(text[4:], span=span)
        if kind == "VARIABLE":
            return ast.Variable(text[4:], span=span)
        if kind == _IDENT:
            self._expect("(")
            args = self._args(")")
            return ast.FunctionCall(text, args, span=self._span(i))
        if kind == "[":
            items = self._args("]")
            return ast.Array(items, span=self._span(i))
        raise _GiveUp

    def string(self, raw: str, start: int) -> ast.String:
        body = raw[1:-1]
        if "${" not in body:
            return ast.String(raw[0], (body,) if body else (), span=(start, start + len(raw)))
        parts: list[str | ast.Expr] = []
        last = 0
        for m in _INTERPOLATION.finditer(body):
            if m.start() > last:
                parts.append(body[last : m.start()])
            self._enter()
            inner = _Descent(m.group()[2:-1], self.strict, self.max_depth - self.depth)
            parts.append(inner.expression())
            self.depth -= 1
            last = m.end()
        if last < len(body):
            parts.append(body[last:])
        return ast.String(raw[0], tuple(parts), span=(start, start + len(raw)))


def parse(text: str, *, expression: bool, strict: bool, max_depth: int) -> ast.AssertionNode | None:
    """The tree of ``text`` (an assertion, or one expression if ``expression``), exactly as
    :func:`.lalr.parse` builds it, or ``None`` where this parser gives up.  ``max_depth`` bounds
    the nesting it descends into (deeper text is left to lark and its limit)."""
    try:
        descent = _Descent(text, strict, max_depth)
        return descent.expression() if expression else descent.assertion()
    except (_GiveUp, RecursionError):  # a caller already deep in the stack: lark's turn too
        return None
