"""Property tests of the assertion language (hypothesis).

1. AST round trip: generated ASTs print and parse back equal, and the printer is canonical.
2. Only our own errors: strings drawn from the grammar parse or raise ParseError with a position
   inside the text; those that parse print back to an equal tree, compile and evaluate on a span
   without raising.
3. Arithmetic and comparison agree with a plain Python model of the rules.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import lark
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from tests.assertion_support import make_trace
from tracespec import (
    CompileError,
    Outcome,
    ParseError,
    compile_assertion,
    parse_assertion,
    unparse,
)
from tracespec._grammar import grammar_text
from tracespec.assertions import ast

# -- strategies -------------------------------------------------------------------------------

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


# -- 1. round trip ----------------------------------------------------------------------------


@given(assertions)
def test_ast_round_trip(node: ast.Assertion) -> None:
    text = unparse(node)
    parsed = parse_assertion(text)
    assert parsed == node, text
    assert unparse(parsed) == text


# -- 2. only our own errors -------------------------------------------------------------------

GRAMMAR = lark.Lark(grammar_text("assertion.lark"), parser="lalr", start=["assertion"])
SPAN = make_trace([{"attributes": {"a": "1", "b": '{"x": [1, 2]}', "c": 5}}])


@given(st.one_of(from_lark(GRAMMAR, start="assertion"), st.text(max_size=30)))
def test_only_our_errors(text: str) -> None:
    try:
        check = compile_assertion(text)
    except ParseError as exc:
        assert 0 <= exc.span[0] <= len(text)
        assert exc.line >= 1 and exc.column >= 1
        return
    except CompileError:
        return
    assert parse_assertion(unparse(check.ast)) == check.ast
    result = check.run_positions(SPAN, [0], variables={"a": "1"})
    assert len(result.spans) == 1
    assert result.passed is (result.spans[0].error is None)


# -- 3. models --------------------------------------------------------------------------------


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


@given(arithmetic())
def test_arithmetic_model(case: tuple[ast.Expr, str]) -> None:
    expr, expected = case
    text = f"{unparse(expr)} = {expected}"
    result = compile_assertion(text).run_positions(None, [])
    assert result.passed, (text, result.spans[0])


number_texts = st.one_of(
    st.integers(-10**20, 10**20).map(str),
    st.decimals(-1000, 1000, places=3, allow_nan=False, allow_infinity=False).map(str),
)


@given(number_texts, st.sampled_from(["<", "<=", ">", ">=", "=", "!="]), number_texts)
def test_comparison_model(left: str, op: str, right: str) -> None:
    a, b = Decimal(left), Decimal(right)
    expected = {
        "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b,
        "=": left == right, "!=": left != right,  # = and != compare texts
    }[op]
    text = f"'{left}' {op} '{right}'"
    result = compile_assertion(text).run_positions(None, [])
    assert result.passed is expected, (text, result.spans[0])


# -- 4. fast paths agree with the general evaluator -------------------------------------------

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


@given(st.lists(attribute_values, min_size=1, max_size=8),
       st.sampled_from(["=", "!=", "<", "<=", ">", ">=", "contains", "not-contains"]),
       constants)
def test_fast_paths_match_general_evaluation(values: list[object], op: str, right: str) -> None:
    trace = make_trace([{"attributes": {"x": v} if v is not None else {}} for v in values])
    check = compile_assertion(f"attr:x {op} {right}")
    variables = {"V": "200"}
    positions = list(range(len(values)))
    fast = check.run_positions(trace, positions, variables=variables)
    general = check.run_positions(trace, positions, variables=variables, fast=False)
    assert fast == general, values
    for got in general.spans:  # the outcome follows the message, as Tracetest classifies
        want = (Outcome.PASSED if got.error is None else
                Outcome.FAILED if got.error == "no match" else Outcome.ERROR)
        assert got.outcome is want
