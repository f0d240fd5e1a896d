"""The fast path of ``parse_selector``: a hand-written tokenizer and recursive-descent parser.

It reads the language of ``grammar/selector.lark`` as lark's LALR parser with its contextual
lexer reads it (a keyword is a keyword only where the grammar expects one: ``span[contains="x"]``
names the attribute "contains"; ``//`` and ``/* */`` comments wherever whitespace may be) and
builds the same :mod:`tracespec.selectors.ast` nodes with the same ``loc``, decoding literals
with ``literals`` as the lark path does.  It only ever accepts: on anything that would be an
error (a syntax error, a bad escape or number, a strict-mode extension, a cap of ``limits``
exceeded) or that it is not sure about, it raises :class:`Unsure`, and ``parser`` parses the text
again with lark (``lalr``), whose ParseError is the one the user reads.  No lark here, so a
process that parses only good selectors never imports it.
"""

from __future__ import annotations

import re

from . import ast
from .limits import MAX_CHAIN, MAX_NESTING
from .literals import LEADING_ZERO_89, Problem, number_value, unquote

__all__ = ["COMMENT", "NAME", "NUMBER", "SEGMENT", "STRING", "WS", "Unsure", "parse"]


class Unsure(Exception):
    """The hand parser cannot vouch for this text: parse it with lark instead."""


# The terminals of grammar/selector.lark, to the character (tests/selectors/test_descent.py
# compares them with the grammar's).
NAME = r"[^\W\d][\w-]*"
SEGMENT = r"[\w-]+"
STRING = r'"(?:[^"\\\n]|\\[^\n])*"'
NUMBER = (
    r"0[xX](?:_?[0-9a-fA-F])*(?:\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?(?:[pP][+-]?[0-9](?:_?[0-9])*)?"
    r"|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+"
    r"|(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)"
    r"(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
)
WS = r"[ \t\r\n]+"
COMMENT = r"\/\/[^\n]*|\/\*[\s\S]*?\*\/"

_skip = re.compile(f"(?:{WS}|{COMMENT})*").match
_name = re.compile(NAME).match
_segment = re.compile(SEGMENT).match
_string = re.compile(STRING).match
_number = re.compile(NUMBER).match

_NUMBER_START = frozenset("0123456789.")
_GAP_START = frozenset(" \t\r\n/")  # what may start whitespace or a comment
_MATCHING = (ast.Operator.MATCHES, ast.Operator.NOT_MATCHES)
_WORD_OPERATORS = {"contains": ast.Operator.CONTAINS, "not-contains": ast.Operator.NOT_CONTAINS}
# Operators by their first character: (second character, operator) tried first, then the
# one-character operator (None: the character alone is no operator here).
_SYMBOL_OPERATORS: dict[str, tuple[tuple[tuple[str, ast.Operator], ...], ast.Operator | None]] = {
    "=": ((("~", ast.Operator.MATCHES),), ast.Operator.EQ),
    "!": ((("=", ast.Operator.NE), ("~", ast.Operator.NOT_MATCHES)), None),
    "<": ((("=", ast.Operator.LE),), ast.Operator.LT),
    ">": ((("=", ast.Operator.GE),), ast.Operator.GT),
}


def parse(text: str, *, strict: bool) -> ast.Selector:
    """The syntax tree of ``text``, equal (``loc`` included) to the one lark's path builds;
    :class:`Unsure` whenever that path might raise a ParseError, or the text is beyond this
    parser."""
    return _Parser(text, strict).top()


class _Parser:
    """One parse: the text, the position of the next unread character, the nesting depth."""

    __slots__ = ("depth", "pos", "strict", "text")

    def __init__(self, text: str, strict: bool) -> None:
        self.text = text
        self.pos = 0
        self.strict = strict
        self.depth = 0

    # -- tokens ------------------------------------------------------------------------------

    def peek(self) -> str:
        """Skip whitespace and comments; the next character ('' at the end)."""
        pos = self.pos
        c = self.text[pos:pos + 1]
        if c in _GAP_START:
            m = _skip(self.text, pos)
            assert m is not None  # the pattern matches the empty string
            pos = self.pos = m.end()
            c = self.text[pos:pos + 1]
        return c

    def string(self) -> ast.String:
        m = _string(self.text, self.pos)
        if m is None:
            raise Unsure
        start, end = self.pos, m.end()
        self.pos = end
        try:
            return ast.String(unquote(m.group(), start), loc=(start, end))
        except Problem:
            raise Unsure from None

    def number(self) -> ast.Number:
        m = _number(self.text, self.pos)
        if m is None:
            raise Unsure
        token = m.group()
        start, end = self.pos, m.end()
        self.pos = end
        if self.strict and LEADING_ZERO_89.fullmatch(token):
            raise Unsure
        try:
            return ast.Number(number_value(token, start), loc=(start, end))
        except Problem:
            raise Unsure from None

    def literal(self, c: str) -> ast.Literal:
        """A filter value or a pseudo-class argument starting with ``c`` (already peeked)."""
        if c == '"':
            return self.string()
        if c in _NUMBER_START:
            return self.number()
        m = _name(self.text, self.pos)
        if m is None:
            raise Unsure
        word = m.group()
        if word == "true" or word == "false":
            start = self.pos
            self.pos = m.end()
            return ast.Bool(word == "true", loc=(start, self.pos))
        raise Unsure  # an unquoted word: an error, with advice, from lark

    def operator(self) -> ast.Operator | None:
        """The operator after a key, consumed; None (nothing consumed) when there is none."""
        c = self.peek()
        text, pos = self.text, self.pos
        symbol = _SYMBOL_OPERATORS.get(c)
        if symbol is not None:
            longer, single = symbol
            second = text[pos + 1:pos + 2]
            for follow, op in longer:
                if second == follow:
                    self.pos = pos + 2
                    return op
            if single is not None:
                self.pos = pos + 1
            return single
        m = _name(text, pos)
        if m is not None:
            word = _WORD_OPERATORS.get(m.group())
            if word is not None:
                self.pos = m.end()
            return word
        return None

    # -- filters -------------------------------------------------------------------------------

    def key(self, c: str) -> tuple[str, tuple[int, int], bool]:
        """A filter's key starting with ``c`` (peeked): (name, loc, was quoted)."""
        text = self.text
        start = self.pos
        if c == '"':
            if self.strict:
                raise Unsure
            node = self.string()
            return node.value, node.loc, True
        m = _name(text, start)
        if m is None:
            raise Unsure
        key = m.group()
        end = self.pos = m.end()
        strict = self.strict
        if strict and "-" in key:
            raise Unsure
        if self.peek() != ".":
            return key, (start, end), False
        parts = [key]
        while self.peek() == ".":
            self.pos += 1
            self.peek()
            m = _segment(text, self.pos)
            if m is None:
                raise Unsure
            part = m.group()
            if strict and ("-" in part or part[0].isdecimal()):
                raise Unsure
            parts.append(part)
            end = self.pos = m.end()
        return ".".join(parts), (start, end), False

    def filters(self) -> tuple[ast.Filter, ...]:
        """The filters after ``[``, and the ``]`` (consumed)."""
        out: list[ast.Filter] = []
        c = self.peek()
        comma = False
        if c == ",":
            comma = True
            self.pos += 1
            c = self.peek()
            if c == "]":
                raise Unsure  # `span[,]`: a comma is followed by a filter
        while c != "]":
            start = self.pos
            node: ast.Filter
            if c == "!":
                if self.text[start + 1:start + 2] in ("=", "~") or self.strict:
                    raise Unsure
                self.pos += 1
                key, loc, _quoted = self.key(self.peek())
                if self.operator() is not None:  # lark reads `!a = 1` as an operator, an error
                    raise Unsure
                node = ast.Exists(key, negated=True, loc=(start, loc[1]))
            else:
                key, loc, quoted = self.key(c)
                op = self.operator()
                if op is None:
                    if self.strict or (quoted and out and not comma):
                        raise Unsure  # `span[a "x"]`: a missing operator
                    node = ast.Exists(key, loc=loc)
                else:
                    if self.strict and op.is_extension:
                        raise Unsure
                    value = self.literal(self.peek())
                    if op in _MATCHING and type(value) is not ast.String:
                        raise Unsure
                    node = ast.Comparison(key, op, value, loc=(loc[0], value.loc[1]))
            if out:
                before = out[-1]
                if before.loc[1] == node.loc[0] and (
                    type(before) is ast.Exists or type(node) is ast.Exists
                ):
                    raise Unsure  # glued filters, as `span[a="x"b]`
            out.append(node)
            c = self.peek()
            comma = c == ","
            if comma:
                self.pos += 1
                c = self.peek()
                if c == "]":
                    raise Unsure  # a trailing comma
        self.pos += 1
        return tuple(out)

    # -- pseudo-classes -------------------------------------------------------------------------

    def args(self) -> tuple[list[ast.Literal], int]:
        """One ``(...)`` of literal arguments (at its ``(``): the values and the end of ``)``."""
        self.pos += 1
        values: list[ast.Literal] = []
        while True:
            c = self.peek()
            if c == ")":
                self.pos += 1
                return values, self.pos
            if not c:
                raise Unsure
            values.append(self.literal(c))

    def pseudo(self) -> ast.Pseudo:
        """A pseudo-class, at its ``:``."""
        start = self.pos
        self.pos += 1
        self.peek()
        m = _name(self.text, self.pos)
        if m is None:
            raise Unsure
        name = m.group()
        end = self.pos = m.end()
        if name == "first" or name == "last":
            while self.peek() == "(":
                _values, end = self.args()
            return ast.First(loc=(start, end)) if name == "first" else ast.Last(loc=(start, end))
        if name == "nth_child":
            return self.nth_child(start, end)
        if self.strict:
            raise Unsure
        if name == "root":
            return ast.Root(loc=(start, end))
        if name == "leaf":
            return ast.Leaf(loc=(start, end))
        if name == "has" or name == "not":
            inner = self.nested()
            loc = (start, self.pos)
            return ast.Has(inner, loc=loc) if name == "has" else ast.Not(inner, loc=loc)
        raise Unsure  # an unknown pseudo-class

    def nth_child(self, start: int, end: int) -> ast.NthChild:
        """``:nth_child`` from ``start``, after its name (ending at ``end``): the last integer
        of its arguments wins, and every one must be an integer."""
        values: list[ast.Literal] = []
        while self.peek() == "(":
            group, end = self.args()
            values += group
        if not values:
            raise Unsure
        for v in values:
            if type(v) is not ast.Number or type(v.value) is not int:
                raise Unsure
        last = values[-1]
        assert isinstance(last, ast.Number) and isinstance(last.value, int)
        return ast.NthChild(last.value, loc=(start, end))

    def nested(self) -> ast.Selector:
        """The ``(selector)`` of ``:has`` or ``:not``, parentheses consumed."""
        if self.peek() != "(":
            raise Unsure
        self.pos += 1
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise Unsure
        inner = self.alternatives()
        if self.peek() != ")":
            raise Unsure
        self.pos += 1
        self.depth -= 1
        return inner

    # -- structure ---------------------------------------------------------------------------------

    def compound(self) -> ast.Compound:
        """``span[...]`` and its pseudo-classes, at ``span``."""
        start = self.pos
        if not self.text.startswith("span", start):
            raise Unsure
        self.pos = start + 4
        if self.peek() != "[":
            raise Unsure
        self.pos += 1
        filters = self.filters()
        end = self.pos
        pseudos: list[ast.Pseudo] = []
        while self.peek() == ":":
            pseudo = self.pseudo()
            pseudos.append(pseudo)
            end = pseudo.loc[1]
        return ast.Compound(filters, tuple(pseudos), loc=(start, end))

    def chain(self) -> ast.Chain:
        compounds = [self.compound()]
        combinators: list[ast.Combinator] = []
        text = self.text
        while True:
            c = self.peek()
            if c == ">":
                if self.strict:
                    raise Unsure
                self.pos += 1
                self.peek()
                combinators.append(ast.Combinator.CHILD)
            elif c == "s" and text.startswith("span", self.pos):
                combinators.append(ast.Combinator.DESCENDANT)
            else:
                break
            compounds.append(self.compound())
            if len(compounds) > MAX_CHAIN:
                raise Unsure
        return ast.Chain(tuple(compounds), tuple(combinators),
                         loc=(compounds[0].loc[0], compounds[-1].loc[1]))

    def alternatives(self) -> ast.Selector:
        """Chains separated by commas (one leading comma allowed); at least one."""
        if self.peek() == ",":
            self.pos += 1
            self.peek()
        chains = [self.chain()]
        while self.peek() == ",":
            self.pos += 1
            self.peek()
            chains.append(self.chain())
        return ast.Selector(tuple(chains), loc=(chains[0].loc[0], chains[-1].loc[1]))

    def top(self) -> ast.Selector:
        if not self.peek():
            return ast.Selector()
        selector = self.alternatives()
        if self.peek():
            raise Unsure
        return selector
