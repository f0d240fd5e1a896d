"""Property tests of the assertion language (hypothesis).

1. AST round trip: generated ASTs print and parse back equal, and the printer is canonical.
2. Only our own errors: strings drawn from the grammar parse or raise ParseError with a position
   inside the text; those that parse print back to an equal tree, compile and evaluate on a span
   without raising.
3. Arithmetic and comparison agree with a plain Python model of the rules.
4. The fast paths agree with the general evaluator.
5. Hostile pieces (huge numbers, deep JSON, control characters, lone surrogates) in an
   assertion or the span it reads give our errors only.

The strategies are in ``tests.support.strategies.assertions``.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.support.strategies.assertions import (
    arithmetic,
    assertions,
    attribute_values,
    constants,
    grammar_texts,
    number_texts,
)
from tests.support.strategies.hostile import big_number_texts, deep_json_texts, nasty_texts
from tests.support.traces import make_trace
from tracespec import (
    CompileError,
    Outcome,
    ParseError,
    compile_assertion,
    parse_assertion,
    unparse,
)
from tracespec.assertions import ast

# -- 1. round trip ----------------------------------------------------------------------------


@given(assertions)
def test_ast_round_trip(node: ast.Assertion) -> None:
    text = unparse(node)
    parsed = parse_assertion(text)
    assert parsed == node, text
    assert unparse(parsed) == text


# -- 2. only our own errors -------------------------------------------------------------------

SPAN = make_trace([{"attributes": {"a": "1", "b": '{"x": [1, 2]}', "c": 5}}])


@given(st.one_of(grammar_texts(), st.text(max_size=30)))
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


@given(arithmetic())  # each drawn tree comes with its value by the model
def test_arithmetic_model(case: tuple[ast.Expr, str]) -> None:
    expr, expected = case
    text = f"{unparse(expr)} = {expected}"
    result = compile_assertion(text).run_positions(None, [])
    assert result.passed, (text, result.spans[0])


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


# -- 5. hostile pieces (issue 11) -------------------------------------------------------------

_HOSTILE_SPAN = make_trace([{"attributes": {
    "big": "9" * 5000, "deep": "[" * 700 + "1" + "]" * 700, "nasty": "a\x1b[31m\ud800\u202e",
    "j": '{"x": "\\ud800", "y": [[[[1]]]]}', "n": 5}}])
_TEMPLATES = [
    "attr:{a} = {v}", "attr:{a} < {v}", "attr:{a} contains {v}", "attr:{a} + {v} > 0",
    "attr:{a} | json_path '$.x' = {v}", "attr:{a} | json_path '$..y' = {v}",
    "attr:tracetest.span.duration < {v}", "{v} = {v}", "attr:{a} = ({v})",
    "attr:{a} | regex {v} = 1", "attr:{a} | regex_group '(.)' = {v}", "attr:{a} matches {v}",
    "attr:{a} | length > {v}",
]


def _literal(text: str) -> st.SearchStrategy[str]:
    quoted = "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return st.sampled_from([text, quoted, text + "ms", text + "h", "-" + text])


@given(st.sampled_from(_TEMPLATES), st.sampled_from(["big", "deep", "nasty", "j", "n", "x"]),
       st.one_of(big_number_texts, deep_json_texts(), nasty_texts).flatmap(_literal))
def test_hostile_pieces_give_only_our_errors(template: str, attr: str, value: str) -> None:
    text = template.format(a=attr, v=value)
    try:
        check = compile_assertion(text)
    except (ParseError, CompileError) as exc:
        assert 0 <= exc.span[0] <= len(text)
        return
    result = check.run_positions(_HOSTILE_SPAN, [0], variables={})
    assert len(result.spans) == 1
    assert result.passed is (result.spans[0].error is None)
