"""The reference parse of assertions: lark's LALR parser of ``grammar/assertion.lark`` and its
transformer to :mod:`ast` nodes, and the source of every assertion :class:`~tracespec.ParseError`.

:mod:`.parser` imports this module only for the texts its hand-written :mod:`.descent` parser
gives up on (a syntax error, or something unusual), so lark is not loaded for well-formed
assertions.  Lark errors become ParseError only through ``_grammar.parse_with``.  String
literals are split here into raw text and interpolated expressions (Tracetest's
``\\$\\{[^}]+\\}`` rule: an interpolation that does not parse makes the whole assertion a syntax
error, reported at its place inside the string).  ``strict=True`` rejects tracespec's extensions
(parentheses, negative numbers, unary minus) for specs that must stay portable to Tracetest.
"""

from __future__ import annotations

import re
from typing import Any

import lark
from lark import Token, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .._grammar import parse_with
from ..errors import ParseError
from . import ast

__all__ = ["DISPLAY", "GRAMMAR", "parse"]

GRAMMAR = "assertion.lark"
_STARTS = ("assertion", "expression")

DISPLAY = {
    "COMPARATOR": "comparator (= != < <= > >= contains not-contains)",
    "PIPE": "'|'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LBRACKET": "'['",
    "RBRACKET": "']'",
    "COMMA": "','",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "DURATION": "duration",
    "NUMBER": "number",
    "ATTRIBUTE": "attr:NAME",
    "ENVIRONMENT": "env:NAME",
    "VARIABLE": "var:NAME",
    "DOUBLE_STRING": "string",
    "SINGLE_STRING": "string",
    "IDENT": "name",
    "$END": "end of input",
}

_INTERPOLATION = re.compile(r"\$\{[^}]+\}")
_TRAILING_NAME = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*)\s*$")
_NAME_TAIL = re.compile(r"[A-Za-z0-9_.\-]*")


def _bare_word(word: str) -> str:
    return (
        f"bare word {word!r} is not a value: quote text ('{word}'), read an attribute "
        f"with attr:{word}, or call a function ({word}())"
    )


def _bare_attribute(word: str) -> str:
    """A dotted (or dashed) name written without ``attr:``: Tracetest's legacy assertions
    (``tracetest.span.duration <= 100ms``, still in its repository) read attributes so."""
    return (
        f"bare word {word!r} is not a value: write attr:{word} to read the attribute "
        "(a name without attr: is Tracetest's legacy syntax)"
    )


_PREFIXES = ("attr", "env", "var")
_SPACED_NAME = re.compile(r":\s+([A-Za-z0-9_][A-Za-z0-9_.\-]*)")

_Labelled = str | tuple[str, tuple[int, int]] | None


def _word_label(text: str, start: int, pos: int) -> _Labelled:
    """The message for a name at ``start`` that the lexer could not go on with at ``pos`` (on
    one of ``.:-``), with the span of the whole word, so the caret is at its start."""
    word = text[start:pos]
    if word in _PREFIXES and text[pos] == ":":
        spaced = _SPACED_NAME.match(text, pos)
        if spaced:
            name = spaced.group(1)
            return (f"no space after '{word}:': write {word}:{name}", (start, spaced.end()))
        return (f"'{word}:' must be followed by a name ({word}:NAME)", (start, pos + 1))
    tail = _NAME_TAIL.match(text, pos)
    end = tail.end() if tail else pos
    whole = text[start:end]
    if text[pos] in ".-" and end > pos + 1 and not text[:start].rstrip().endswith("|"):
        return _bare_attribute(whole), (start, end)
    return _bare_word(word), (start, pos)


def _label(exc: UnexpectedInput, text: str) -> _Labelled:
    """Friendlier messages for the mistakes people make most."""
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        m = _TRAILING_NAME.search(text[:pos])
        if m and pos < len(text) and text[pos] in ".:-" and not text[:pos].endswith(" "):
            start = m.start(1)
            if start >= 5 and text[start - 5 : start] in ("attr:",):
                return None
            return _word_label(text, start, pos)
        return None
    if not isinstance(exc, UnexpectedToken):
        return None
    tok = exc.token
    expected = set(exc.accepts or exc.expected)
    if tok.type == "COMPARATOR" and tok.start_pos is not None:
        before = text[: tok.start_pos].rstrip()
        if before.endswith(("=", "<", ">")) and str(tok) in ("=", ">", "<"):
            return f"{before[-1:] + str(tok)!r} is not a comparator; use one of = != < <= > >="
    if expected == {"LPAR"}:
        pos = tok.start_pos if tok.type != "$END" and tok.start_pos is not None else len(text)
        m = _TRAILING_NAME.search(text[:pos])
        if m:
            return _bare_word(m.group(1)), (m.start(1), m.end(1))
    return None


class _ToAst(lark.Transformer[Token, Any]):
    """Parse tree → :mod:`ast` nodes.  One instance per parse (it knows the source text)."""

    def __init__(self, text: str, strict: bool) -> None:
        super().__init__()
        self.text = text
        self.strict = strict

    # -- helpers ----------------------------------------------------------------------------
    def _span_of(self, meta: Any) -> tuple[int, int]:
        if getattr(meta, "empty", True):
            return ast.NO_SPAN
        return (meta.start_pos, meta.end_pos)

    def _tok_span(self, tok: Token) -> tuple[int, int]:
        start = tok.start_pos or 0
        return (start, start + len(tok))

    def _extension(self, what: str, span: tuple[int, int]) -> None:
        if self.strict:
            raise ParseError(
                f"{what} is a tracespec extension (strict mode accepts only Tracetest syntax)",
                source=self.text, span=span, language="assertion",
            )

    # -- rules ------------------------------------------------------------------------------
    @v_args(meta=True)
    def assertion(self, meta: Any, children: list[Any]) -> ast.Assertion:
        left, comp, right = children
        return ast.Assertion(left, ast.Comparator(str(comp)), right, span=self._span_of(meta))

    def expression(self, children: list[Any]) -> Any:
        return children[0]

    @v_args(meta=True)
    def pipeline(self, meta: Any, children: list[Any]) -> ast.Pipeline:
        inp, *filters = children
        return ast.Pipeline(inp, tuple(filters), span=self._span_of(meta))

    @v_args(meta=True)
    def binary(self, meta: Any, children: list[Any]) -> ast.BinaryOp:
        left, op, right = children
        return ast.BinaryOp(ast.Operator(str(op)), left, right, span=self._span_of(meta))

    @v_args(meta=True)
    def negate(self, meta: Any, children: list[Any]) -> Any:
        _, operand = children
        span = self._span_of(meta)
        self._extension("a minus sign before a term", span)
        if isinstance(operand, ast.Number | ast.Duration) and not operand.text.startswith("-"):
            # "- 5" is the number -5, exactly as "-5" is.
            return type(operand)("-" + operand.text, span=span)
        return ast.Negate(operand, span=span)

    @v_args(meta=True)
    def group(self, meta: Any, children: list[Any]) -> Any:
        self._extension("parentheses", self._span_of(meta))
        return children[1]

    @v_args(meta=True)
    def filter(self, meta: Any, children: list[Any]) -> ast.Filter:
        _, name, *args = children
        return ast.Filter(str(name), tuple(args), span=self._span_of(meta))

    @v_args(meta=True)
    def function_call(self, meta: Any, children: list[Any]) -> ast.FunctionCall:
        name = children[0]
        args = tuple(c for c in children[2:-1] if not isinstance(c, Token))
        return ast.FunctionCall(str(name), args, span=self._span_of(meta))

    @v_args(meta=True)
    def array(self, meta: Any, children: list[Any]) -> ast.Array:
        items = tuple(c for c in children[1:-1] if not isinstance(c, Token))
        return ast.Array(items, span=self._span_of(meta))

    def _number_like(self, tok: Token, cls: type[Any]) -> Any:
        return cls(str(tok).replace(" ", ""), span=self._tok_span(tok))

    @v_args(meta=True)
    def negative_number(self, meta: Any, children: list[Token]) -> ast.Number:
        span = self._span_of(meta)
        self._extension("a negative number", span)
        return ast.Number("-" + str(children[1]), span=span)

    @v_args(meta=True)
    def negative_duration(self, meta: Any, children: list[Token]) -> ast.Duration:
        span = self._span_of(meta)
        self._extension("a negative duration", span)
        return ast.Duration("-" + str(children[1]).replace(" ", ""), span=span)

    def duration(self, children: list[Token]) -> ast.Duration:
        return self._number_like(children[0], ast.Duration)  # type: ignore[no-any-return]

    def number(self, children: list[Token]) -> ast.Number:
        return self._number_like(children[0], ast.Number)  # type: ignore[no-any-return]

    def attribute(self, children: list[Token]) -> ast.Attribute:
        tok = children[0]
        return ast.Attribute(str(tok)[5:], span=self._tok_span(tok))

    def environment(self, children: list[Token]) -> ast.Environment:
        tok = children[0]
        return ast.Environment(str(tok)[4:], span=self._tok_span(tok))

    def variable(self, children: list[Token]) -> ast.Variable:
        tok = children[0]
        return ast.Variable(str(tok)[4:], span=self._tok_span(tok))

    def string(self, children: list[Token]) -> ast.String:
        tok = children[0]
        raw = str(tok)
        quote, body = raw[0], raw[1:-1]
        span = self._tok_span(tok)
        body_offset = span[0] + 1
        parts: list[str | ast.Expr] = []
        last = 0
        for m in _INTERPOLATION.finditer(body):
            if m.start() > last:
                parts.append(body[last : m.start()])
            inner = m.group()[2:-1]
            inner_offset = body_offset + m.start() + 2
            parts.append(self._parse_inner(inner, inner_offset))
            last = m.end()
        if last < len(body):
            parts.append(body[last:])
        return ast.String(quote, tuple(parts), span=span)

    def _parse_inner(self, inner: str, offset: int) -> ast.Expr:
        full = self.text
        try:
            tree = parse_with(
                GRAMMAR, inner, start="expression", language="assertion", display=DISPLAY,
                label=_label, all_starts=_STARTS,
            )
            return _transform(tree, inner, self.strict)  # type: ignore[no-any-return]
        except ParseError as exc:
            start = offset + exc.span[0]
            end = offset + exc.span[1]
            raise ParseError(
                f"in ${{...}}: {exc.message}", source=full, span=(start, max(end, start + 1)),
                language="assertion", expected=exc.expected,
            ) from None


def parse(text: str, start: str, strict: bool) -> Any:
    """The tree of ``text`` from rule ``start`` (``"assertion"`` or ``"expression"``).

    Raises ParseError for text that does not parse (or uses an extension in strict mode), and
    RecursionError for a tree too deep to transform (the caller reports it with its limit).
    """
    tree = parse_with(
        GRAMMAR, text, start=start, language="assertion", display=DISPLAY, label=_label,
        all_starts=_STARTS,
    )
    return _transform(tree, text, strict)


def _transform(tree: lark.Tree[Token], text: str, strict: bool) -> Any:
    """``tree`` as :mod:`ast` nodes; the ParseError or RecursionError of the transformer comes
    out as itself, not wrapped in lark's VisitError (also from the inside of ``${...}``, which
    is transformed while its string is)."""
    try:
        return _ToAst(text, strict).transform(tree)
    except lark.exceptions.VisitError as exc:
        inner = exc.orig_exc
        if isinstance(inner, ParseError | RecursionError):
            raise inner from None
        raise  # pragma: no cover - a bug in the transformer
