"""Hypothesis strategies for assertions: syntax trees, text from the grammar, model cases.

``assertions`` draws any valid syntax tree (for the round trip); ``grammar_texts()`` draws text
from ``grammar/assertion.lark``; ``written_assertions()`` and ``written_expressions()`` draw
text as people write it (every kind of token, any spacing); ``arithmetic()`` draws an
arithmetic tree with its value by a plain Python model; ``number_texts``, ``attribute_values``
and ``constants`` are the vocabulary of the comparison model and of the fast-path test.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import lark
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from tracespec.assertions import ast

# -- any syntax tree --------------------------------------------------------------------------

_NAME_HEAD = "abcdefgijklopqrtvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"  # no unit letters n s u m h
idents = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True)
function_names = st.from_regex(rf"[{_NAME_HEAD}][A-Za-z0-9_]{{0,6}}", fullmatch=True).filter(
    lambda s: not s.startswith("contains")
)
attr_names = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,10}", fullmatch=True)
var_names = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.]{0,8}", fullmatch=True)
unsigned = st.from_regex(r"[0-9]{1,4}(\.[0-9]{1,3})?", fullmatch=True)
numbers = st.builds(lambda sign, n: ast.Number(sign + n), st.sampled_from(["", "-"]), unsigned)
durations = st.builds(
    lambda sign, n, u: ast.Duration(sign + n + u),
    st.sampled_from(["", "-"]), unsigned, st.sampled_from(["ns", "us", "ms", "s", "m", "h"]),
)
_TEXT_ALPHABET = st.characters(
    blacklist_characters="\\\"'${}", blacklist_categories=("Cs",)
)
text_pieces = st.one_of(
    st.text(_TEXT_ALPHABET, max_size=6),
    st.sampled_from(["\\n", "\\'", '\\"', "\\t", "%", "% d"]),
)


def _merge(parts: list[str | ast.Expr]) -> tuple[str | ast.Expr, ...]:
    out: list[str | ast.Expr] = []
    for p in parts:
        if isinstance(p, str):
            if not p:
                continue
            if out and isinstance(out[-1], str):
                out[-1] = out[-1] + p
                continue
        out.append(p)
    return tuple(out)


def _no_interpolated_strings(node: object) -> bool:
    if isinstance(node, ast.String):
        return all(isinstance(p, str) for p in node.parts)
    if attrs.has(type(node)):
        for f in attrs.fields(type(node)):
            value = getattr(node, f.name)
            for child in value if isinstance(value, tuple) else (value,):
                if attrs.has(type(child)) and not _no_interpolated_strings(child):
                    return False
    return True


def _uses_quote(node: object, quote: str) -> bool:
    if isinstance(node, ast.String):
        return node.quote == quote or any(quote in p for p in node.parts if isinstance(p, str))
    if attrs.has(type(node)):
        for f in attrs.fields(type(node)):
            value = getattr(node, f.name)
            for child in value if isinstance(value, tuple) else (value,):
                if attrs.has(type(child)) and _uses_quote(child, quote):
                    return True
    return False


def strings(inner: st.SearchStrategy[ast.Expr] | None) -> st.SearchStrategy[ast.String]:
    @st.composite
    def build(draw: st.DrawFn) -> ast.String:
        quote = draw(st.sampled_from(['"', "'"]))
        parts: list[str | ast.Expr] = []
        for _ in range(draw(st.integers(0, 3))):
            parts.append(draw(text_pieces))
            if inner is not None and draw(st.booleans()):
                e = draw(inner)
                # The inside of ${...} cannot hold "}" nor the outer quote nor a nested ${}.
                assume(_no_interpolated_strings(e) and not _uses_quote(e, quote))
                parts.append(e)
        return ast.String(quote, _merge(parts))

    return build()


def terms(inner: st.SearchStrategy[ast.Expr] | None = None) -> st.SearchStrategy[ast.Expr]:
    base = st.one_of(
        st.builds(ast.Attribute, attr_names),
        st.builds(ast.Environment, var_names),
        st.builds(ast.Variable, var_names),
        numbers,
        durations,
        strings(inner),
    )
    return st.recursive(
        base,
        lambda children: st.one_of(
            st.builds(ast.Array, st.lists(children, max_size=3).map(tuple)),
            st.builds(ast.FunctionCall, function_names,
                      st.lists(children, max_size=3).map(tuple)),
        ),
        max_leaves=4,
    )


def _negatable(e: ast.Expr) -> bool:
    return not (isinstance(e, ast.Number | ast.Duration) and not e.text.startswith("-"))


def expressions() -> st.SearchStrategy[ast.Expr]:
    def extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
        filters = st.builds(ast.Filter, idents, st.lists(terms(), max_size=2).map(tuple))
        return st.one_of(
            st.builds(ast.BinaryOp, st.sampled_from(list(ast.Operator)), children, children),
            st.builds(ast.Negate, children.filter(_negatable)),
            st.builds(ast.Pipeline, children, st.lists(filters, min_size=1, max_size=2)
                      .map(tuple)),
        )

    plain = st.recursive(terms(), extend, max_leaves=5)
    return st.recursive(terms(plain), extend, max_leaves=6)


assertions = st.builds(
    ast.Assertion, expressions(), st.sampled_from(list(ast.Comparator)), expressions()
)


# -- text from the grammar --------------------------------------------------------------------

# Read from the source tree's grammar/ (which the package ships and parses with), not through
# the private tracespec._grammar.
GRAMMAR_FILE = Path(__file__).resolve().parents[3] / "grammar" / "assertion.lark"
GRAMMAR = lark.Lark(GRAMMAR_FILE.read_text(encoding="utf-8"), parser="lalr", start=["assertion"])


def grammar_texts() -> st.SearchStrategy[str]:
    """Strings drawn from ``grammar/assertion.lark``: well formed as far as the grammar says."""
    return from_lark(GRAMMAR, start="assertion")


# -- models -----------------------------------------------------------------------------------


@st.composite
def arithmetic(draw: st.DrawFn, depth: int = 0) -> tuple[ast.Expr, str]:
    """An arithmetic AST and its value by the model: float math on the operands' texts, the
    result printed with two decimals when an operand text has a '.', else truncated."""
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        n = draw(st.one_of(st.integers(-99, 99).map(str),
                           st.decimals(-99, 99, places=2).map(str)))
        return ast.Number(n), n
    left, ltext = draw(arithmetic(depth + 1))
    right, rtext = draw(arithmetic(depth + 1))
    op = draw(st.sampled_from(list(ast.Operator)))
    a, b = float(ltext), float(rtext)
    if op is ast.Operator.DIV:
        assume(b != 0)
    result = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else 0.0}[op.value]
    text = f"{result:.2f}" if "." in ltext or "." in rtext else str(int(result))
    return ast.BinaryOp(op, left, right), text


number_texts = st.one_of(
    st.integers(-10**20, 10**20).map(str),
    st.decimals(-1000, 1000, places=3, allow_nan=False, allow_infinity=False).map(str),
)


# -- the fast-path test -----------------------------------------------------------------------

attribute_values = st.one_of(
    st.none(), st.integers(-10**12, 10**19), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "200", "abc", "100ms", "1.5s", "-1", "a\\'b", '{"a":1}', "[1, 2]",
                     "25ms", "0", "007"]),
    st.text(max_size=5),
)
constants = st.sampled_from([
    "200", "0", "-1", "1.5", "500ms", "25ms", "1s", "0ns", '"abc"', "'100ms'", "\"a'b\"",
    "'{\"a\":1}'", '""', "[1, 2]", "var:V", "'${var:V}'",
])


# -- written text, spaced as people write it ----------------------------------------------------

_SPACES = st.sampled_from(["", " ", " ", " ", "  ", "\t", "\n", " \n  "])
_UNITS = ("ns", "us", "ms", "s", "m", "h")
_FUNCTION_NAMES = ("uuid", "firstName", "fullName", "randomInt", "date", "dateTime", "email",
                   "phoneNumber", "creditCard", "myFunc", "f", "X1")
_FILTER_NAMES = ("json_path", "regex", "regex_group", "get_index", "length", "count", "type",
                 "unknown_filter", "x")
_STRING_PIECES = st.one_of(
    st.text(_TEXT_ALPHABET, max_size=5),
    st.sampled_from(["\\n", "\\'", '\\"', "\\\\", "\\t", "$", "${", "{}", "}", "$.a[0]",
                     "%d", "a b", "contains", "-", "|"]),
)


def _spaced(draw: st.DrawFn, pieces: list[str]) -> str:
    out = pieces[0]
    for piece in pieces[1:]:
        out += draw(_SPACES) + piece
    return out


@st.composite
def _number_text(draw: st.DrawFn) -> str:
    return draw(unsigned)


@st.composite
def _duration_text(draw: st.DrawFn) -> str:
    return draw(unsigned) + draw(st.sampled_from(["", "", " "])) + draw(st.sampled_from(_UNITS))


@st.composite
def _string_text(draw: st.DrawFn, depth: int) -> str:
    quote = draw(st.sampled_from(['"', "'"]))
    body = ""
    for _ in range(draw(st.integers(0, 3))):
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            inner = draw(_expr_text(depth + 1))
            if quote in inner or "}" in inner:  # it would end the string or the ${...}
                inner = "attr:a"
            body += "${" + inner + "}"
        else:
            body += draw(_STRING_PIECES)
    return quote + body.replace(quote, "\\" + quote) + quote


@st.composite
def _term_text(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 9 if depth < 3 else 7))
    if kind == 0:
        return draw(_number_text())
    if kind == 1:
        return draw(_duration_text())
    if kind == 2:
        return "attr:" + draw(attr_names)
    if kind == 3:
        return "env:" + draw(var_names)
    if kind == 4:
        return "var:" + draw(var_names)
    if kind in (5, 6, 7):
        return draw(_string_text(depth))
    items = [draw(_arg_text(depth + 1)) for _ in range(draw(st.integers(0, 3)))]
    inside = _spaced(draw, [item + "," for item in items[:-1]] + items[-1:]) if items else ""
    if kind == 8:
        return _spaced(draw, [draw(st.sampled_from(_FUNCTION_NAMES)), "(", inside, ")"])
    return _spaced(draw, ["[", inside, "]"])


@st.composite
def _arg_text(draw: st.DrawFn, depth: int) -> str:
    if draw(st.integers(0, 4)) == 0:
        literal = draw(st.one_of(_number_text(), _duration_text()))
        return _spaced(draw, ["-", literal])
    return draw(_term_text(depth))


@st.composite
def _unary_text(draw: st.DrawFn, depth: int) -> str:
    kind = draw(st.integers(0, 9 if depth < 3 else 6))
    if kind == 7:
        return _spaced(draw, ["-", draw(_unary_text(depth + 1))])
    if kind >= 8:
        return _spaced(draw, ["(", draw(_expr_text(depth + 1)), ")"])
    return draw(_term_text(depth))


@st.composite
def _expr_text(draw: st.DrawFn, depth: int = 0) -> str:
    pieces = [draw(_unary_text(depth))]
    for _ in range(draw(st.integers(0, 3 if depth < 2 else 1))):
        pieces += [draw(st.sampled_from("+-*/")), draw(_unary_text(depth))]
    for _ in range(draw(st.integers(0, 2))):
        pieces += ["|", draw(st.sampled_from(_FILTER_NAMES))]
        pieces += [draw(_arg_text(depth + 1)) for _ in range(draw(st.integers(0, 2)))]
    return _spaced(draw, pieces)


def written_expressions() -> st.SearchStrategy[str]:
    """Expression texts as written: every literal kind, unit, prefix, function and filter,
    arithmetic, groups, minus signs and ``${...}``, with any spacing (none, tabs, newlines)
    between tokens.  Most are well formed; some spacings join tokens into one that is not."""
    return _spaced_outer(_expr_text())


def written_assertions() -> st.SearchStrategy[str]:
    """``written_expressions`` on both sides of any comparator."""
    comparators = st.sampled_from([c.value for c in ast.Comparator])
    return st.tuples(_SPACES, _expr_text(), _SPACES, comparators, _SPACES, _expr_text(),
                     _SPACES).map("".join)


def _spaced_outer(texts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(_SPACES, texts, _SPACES).map("".join)
