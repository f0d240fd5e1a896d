"""Selector text → :mod:`tracespec.selectors.ast` with lark: the exact, labelled error messages.

``grammar/selector.lark`` says what is well formed; the inline transformer ``_ToAst`` builds the
AST on each LALR reduction and checks what a context-free grammar cannot: Go string escapes and
number literals (decoded by ``literals``), ``:nth_child`` arguments, filters glued together
without a separator, the chain cap, and ``strict`` mode, which rejects every tracespec extension
with a message saying so.  lark's own errors are translated in ``_grammar`` with the display
names and labels below.  ``parser`` imports this module only for texts the hand parser
(``descent``) gives up on, so a process that parses only good selectors never imports lark.
"""

from __future__ import annotations

import re
from typing import Any

import lark
from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .._grammar import parse_with
from . import ast
from .limits import MAX_CHAIN
from .literals import LANGUAGE, LEADING_ZERO_89, Problem, number_value, unquote

__all__ = ["DISPLAY", "GRAMMAR", "parse"]

GRAMMAR = "selector.lark"

DISPLAY = {
    "$END": "end of input",
    "SPAN": "'span'",
    "_LBRACKET": "'['",
    "RBRACKET": "']'",
    "_LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "COLON": "':'",
    "_DOT": "'.'",
    "GT": "'>'",
    "EQ": "'='",
    "NE": "'!='",
    "LT": "'<'",
    "LE": "'<='",
    "GE": "'>='",
    "MATCH": "'=~'",
    "NOT_MATCH": "'!~'",
    "BANG": "'!'",
    "CONTAINS": "'contains'",
    "NOT_CONTAINS": "'not-contains'",
    "NAME": "a name",
    "SEGMENT": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "TRUE": "'true'",
    "FALSE": "'false'",
    "FIRST": "'first'",
    "LAST": "'last'",
    "NTH_CHILD": "'nth_child'",
    "ROOT": "'root'",
    "LEAF": "'leaf'",
    "HAS": "'has'",
    "NOT": "'not'",
}

_VALUE_TOKENS = {"STRING", "NUMBER", "TRUE", "FALSE"}
_PSEUDO_NAMES = ("first", "last", "nth_child", "root", "leaf", "has", "not")


def _label(exc: UnexpectedInput, text: str) -> str | tuple[str, tuple[int, int]] | None:
    """Friendlier messages for the mistakes people make most."""
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        ch = text[pos] if pos < len(text) else ""
        if ch == "'":
            return "strings are written in double quotes, not single quotes"
        if ch == '"':
            return "this string has no closing quote (a string cannot span lines)"
        if ch == "`":
            return "strings are written in double quotes, not back quotes"
        if ch == "-" and text[pos + 1:pos + 2].isdigit():
            return "numbers have no sign in a selector"
        return None
    if not isinstance(exc, UnexpectedToken):
        return None
    tok = exc.token
    expected = set(exc.accepts or exc.expected)
    history = getattr(exc, "token_history", None) or []
    prev = history[-1] if history else None
    if prev is not None and prev.type == "NAME" and _after_colon(text, prev.start_pos):
        return _unknown_pseudo(prev.value), (prev.start_pos, prev.end_pos)
    before = text[:len(text) if tok.type == "$END" else tok.start_pos or 0].rstrip()
    if tok.type in ("RBRACKET", "$END", "RPAR") and before.endswith(","):
        return "a trailing ',' is not allowed: expected another filter or selector after it"
    if tok.type == "NUMBER" and prev is not None and prev.type == "NAME" and re.search(
        r"[\w\]]\s*$", text[:prev.start_pos or 0]
    ):
        return (f"{str(prev)!r} is not an operator; the operators are {_OPERATOR_LIST}",
                (prev.start_pos or 0, prev.end_pos or 0))
    if tok.type == "RPAR" and "SPAN" in expected and text[:tok.start_pos or 0].rstrip(
    ).endswith("("):
        return "empty parentheses: :has() and :not() take a selector, as in :has(span[a=\"x\"])"
    if expected >= _VALUE_TOKENS:
        if tok.type == "EQ" and prev is not None and prev.type == "EQ":
            return "'==' is not an operator: compare with '='"
        if re.fullmatch(r"-[0-9.]\S*", str(tok)):
            return "numbers have no sign in a selector"
        got = "end of input" if tok.type == "$END" else repr(str(tok))
        return f"expected a value (a double-quoted string, a number, true or false); got {got}"
    return None


def _after_colon(text: str, pos: int | None) -> bool:
    if pos is None:
        return False
    before = text[:pos].rstrip()
    return before.endswith(":")


def _unknown_pseudo(name: str) -> str:
    hint = ""
    if name.replace("-", "_") in _PSEUDO_NAMES:
        hint = f"; did you mean ':{name.replace('-', '_')}'?"
    elif name.lower() in _PSEUDO_NAMES:
        hint = f"; did you mean ':{name.lower()}'? (pseudo-classes are lower case)"
    shown = ", ".join(":" + n for n in _PSEUDO_NAMES)
    return f"unknown pseudo-class ':{name}' (known: {shown}){hint}"


# -- the transformer ------------------------------------------------------------------------------


def _tloc(tok: Token) -> tuple[int, int]:
    return (tok.start_pos or 0, tok.end_pos or 0)


class _ToAst(lark.Transformer[Token, ast.Selector]):
    """Builds AST nodes on each LALR reduction (lark's inline transformer: no parse tree).

    Stateless apart from ``strict``, so one instance per mode is shared by every parse.
    Positions come from the tokens the grammar keeps (``span``, ``]``, ``:``, ``)``...).
    """

    def __init__(self, strict: bool) -> None:
        super().__init__(visit_tokens=False)
        self.strict = strict

    def _extension(self, what: str, loc: tuple[int, int]) -> None:
        if self.strict:
            raise Problem(
                f"{what} is a tracespec extension, not part of Tracetest's selector language "
                "(strict mode)", loc)

    # structure
    def start(self, children: list[ast.Selector]) -> ast.Selector:
        return children[0]

    def selector(self, children: list[Any]) -> ast.Selector:
        chains = [c for c in children if not isinstance(c, Token)]
        if not chains:
            return ast.Selector()
        return ast.Selector(tuple(chains), loc=(chains[0].loc[0], chains[-1].loc[1]))

    inner = selector

    def chain(self, children: list[Any]) -> ast.Chain:
        compounds: list[ast.Compound] = []
        combinators: list[ast.Combinator] = []
        pending = ast.Combinator.DESCENDANT
        for child in children:
            if isinstance(child, Token):
                self._extension("the child combinator '>'", _tloc(child))
                pending = ast.Combinator.CHILD
                continue
            if compounds:
                combinators.append(pending)
            pending = ast.Combinator.DESCENDANT
            compounds.append(child)
        if len(compounds) > MAX_CHAIN:
            raise Problem(f"a chain has more than {MAX_CHAIN} compounds",
                           compounds[MAX_CHAIN].loc)
        return ast.Chain(tuple(compounds), tuple(combinators),
                         loc=(compounds[0].loc[0], compounds[-1].loc[1]))

    def compound(self, children: list[Any]) -> ast.Compound:
        span_tok, filters, rbracket, *pseudos = children
        end = pseudos[-1].loc[1] if pseudos else rbracket.end_pos
        return ast.Compound(filters, tuple(pseudos), loc=(span_tok.start_pos, end))

    def filters(self, items: list[Any]) -> tuple[ast.Filter, ...]:
        out: list[ast.Filter] = []
        quoted: list[bool] = []
        comma_before: list[bool] = []
        comma = False
        for item in items:
            if isinstance(item, Token):
                comma = True
                continue
            if isinstance(item, tuple):  # an existence test: (node, key was quoted)
                node, was_quoted = item
            else:
                node, was_quoted = item, False
            out.append(node)
            quoted.append(was_quoted)
            comma_before.append(comma)
            comma = False
        for i in range(1, len(out)):
            before, after = out[i - 1], out[i]
            if before.loc[1] == after.loc[0] and (
                isinstance(before, ast.Exists) or isinstance(after, ast.Exists)
            ):
                raise Problem("expected a space, ',' or ']' here: separate filters", after.loc)
            if quoted[i] and isinstance(after, ast.Exists) and not after.negated and not (
                comma_before[i]
            ):
                # `span[a startsWith "x"]`, `span[a "x"]`: a mistyped or missing operator, not
                # three (two) existence tests; a quoted name alone must follow '[' or ','.
                if (i >= 2 and _plain_exists(before) and _plain_exists(out[i - 2])
                        and not quoted[i - 1] and not comma_before[i - 1]):
                    raise Problem(f"{before.key!r} is not an operator; the operators are "
                                   f"{_OPERATOR_LIST}", before.loc)
                raise Problem(
                    "missing operator before this string (to test that a quoted name exists, "
                    "put a ',' before it)", after.loc)
        return tuple(out)

    # filters
    def comparison(self, children: list[Any]) -> ast.Comparison:
        (key, key_loc, _quoted), (op, op_loc), value = children
        if op.is_extension:
            self._extension(f"the operator {op.value!r}", op_loc)
        if op in (ast.Operator.MATCHES, ast.Operator.NOT_MATCHES) and not isinstance(
            value, ast.String
        ):
            raise Problem(f"{op.value!r} needs a regular expression in double quotes",
                           value.loc)
        return ast.Comparison(key, op, value, loc=(key_loc[0], value.loc[1]))

    def exists(self, children: list[Any]) -> tuple[ast.Exists, bool]:
        (key, loc, quoted), = children
        self._extension("an existence test (a name without an operator)", loc)
        return ast.Exists(key, loc=loc), quoted

    def not_exists(self, children: list[Any]) -> ast.Exists:
        bang, (key, key_loc, _quoted) = children
        loc = (bang.start_pos, key_loc[1])
        self._extension("an absence test '!name'", loc)
        return ast.Exists(key, negated=True, loc=loc)

    def dotted_key(self, tokens: list[Token]) -> tuple[str, tuple[int, int], bool]:
        key = ".".join(tokens)
        if self.strict:
            for i, t in enumerate(tokens):
                if "-" in t:
                    self._extension(f"a dash in the name {key!r}", _tloc(t))
                if i and t[0].isdecimal():
                    self._extension(f"a name segment starting with a digit ({t!s})", _tloc(t))
        return key, (tokens[0].start_pos or 0, tokens[-1].end_pos or 0), False

    def quoted_key(self, tokens: list[Token]) -> tuple[str, tuple[int, int], bool]:
        tok = tokens[0]
        loc = _tloc(tok)
        self._extension("a quoted attribute name", loc)
        return unquote(str(tok), loc[0]), loc, True

    def op(self, tokens: list[Token]) -> tuple[ast.Operator, tuple[int, int]]:
        tok = tokens[0]
        return _OPERATORS[tok.type], _tloc(tok)

    # values
    def string(self, tokens: list[Token]) -> ast.String:
        tok = tokens[0]
        loc = _tloc(tok)
        return ast.String(unquote(str(tok), loc[0]), loc=loc)

    def number(self, tokens: list[Token]) -> ast.Number:
        tok = tokens[0]
        loc = _tloc(tok)
        text = str(tok)
        if self.strict and LEADING_ZERO_89.fullmatch(text):
            self._extension(f"the integer {text} (a leading zero with 8 or 9 in it)", loc)
        return ast.Number(number_value(text, loc[0]), loc=loc)

    def true(self, tokens: list[Token]) -> ast.Bool:
        return ast.Bool(True, loc=_tloc(tokens[0]))

    def false(self, tokens: list[Token]) -> ast.Bool:
        return ast.Bool(False, loc=_tloc(tokens[0]))

    def bare_word(self, tokens: list[Token]) -> ast.Literal:
        tok = tokens[0]
        raise Problem(
            f"unquoted text {str(tok)!r}: write a string in double quotes (\"{tok!s}\")",
            _tloc(tok))

    # pseudo-classes: children are COLON, the name token, then args or (inner, RPAR)
    def args(self, children: list[Token]) -> tuple[list[ast.Literal], int]:
        values: list[ast.Literal] = []
        for tok in children[:-1]:
            kind = tok.type
            if kind == "NUMBER":
                values.append(self.number([tok]))
            elif kind == "STRING":
                values.append(self.string([tok]))
            elif kind == "TRUE":
                values.append(self.true([tok]))
            elif kind == "FALSE":
                values.append(self.false([tok]))
            else:
                self.bare_word([tok])
        return values, children[-1].end_pos or 0

    @staticmethod
    def _ploc(children: list[Any]) -> tuple[int, int]:
        last = children[-1]
        end = last[1] if isinstance(last, tuple) else last.end_pos
        return (children[0].start_pos, end)

    def first(self, children: list[Any]) -> ast.First:
        return ast.First(loc=self._ploc(children))

    def last(self, children: list[Any]) -> ast.Last:
        return ast.Last(loc=self._ploc(children))

    def nth_child(self, children: list[Any]) -> ast.NthChild:
        loc = self._ploc(children)
        values = [v for group, _end in children[2:] for v in group]
        if not values:
            raise Problem(":nth_child needs an integer argument, as in :nth_child(2)", loc)
        for v in values:
            if not isinstance(v, ast.Number) or not isinstance(v.value, int):
                raise Problem(":nth_child takes an integer", v.loc)
        last = values[-1]
        assert isinstance(last, ast.Number) and isinstance(last.value, int)
        return ast.NthChild(last.value, loc=loc)

    def root(self, children: list[Any]) -> ast.Root:
        loc = self._ploc(children)
        self._extension("the pseudo-class ':root'", loc)
        return ast.Root(loc=loc)

    def leaf(self, children: list[Any]) -> ast.Leaf:
        loc = self._ploc(children)
        self._extension("the pseudo-class ':leaf'", loc)
        return ast.Leaf(loc=loc)

    def has(self, children: list[Any]) -> ast.Has:
        loc = self._ploc(children)
        self._extension("the pseudo-class ':has()'", loc)
        return ast.Has(children[2], loc=loc)

    def not_(self, children: list[Any]) -> ast.Not:
        loc = self._ploc(children)
        self._extension("the pseudo-class ':not()'", loc)
        return ast.Not(children[2], loc=loc)

    def unknown_pseudo(self, children: list[Any]) -> None:
        tok = children[1]
        raise Problem(_unknown_pseudo(str(tok)), _tloc(tok))


def _plain_exists(node: ast.Filter) -> bool:
    return isinstance(node, ast.Exists) and not node.negated


_OPERATOR_LIST = " ".join(op.value for op in ast.Operator)
_OPERATORS = {
    "EQ": ast.Operator.EQ, "NE": ast.Operator.NE, "LT": ast.Operator.LT,
    "LE": ast.Operator.LE, "GT": ast.Operator.GT, "GE": ast.Operator.GE,
    "CONTAINS": ast.Operator.CONTAINS, "NOT_CONTAINS": ast.Operator.NOT_CONTAINS,
    "MATCH": ast.Operator.MATCHES, "NOT_MATCH": ast.Operator.NOT_MATCHES,
}
_TRANSFORMERS = {False: _ToAst(strict=False), True: _ToAst(strict=True)}


def parse(text: str, *, strict: bool) -> ast.Selector:
    """Parse ``text`` with lark; a syntax error is a ParseError, a failed check a Problem."""
    result: ast.Selector = parse_with(
        GRAMMAR, text, start="start", language=LANGUAGE, display=DISPLAY, label=_label,
        transformer=_TRANSFORMERS[bool(strict)])
    return result
