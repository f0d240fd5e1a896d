"""The public assertion API: parse errors with exact places, the compiled Check (cache, hash,
pickle), check() with errors raised or reported, resolve_output, unparse, strict mode."""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest

import tracespec
from tests.support.cases import cases, lines
from tests.support.traces import make_trace
from tracespec import (
    Check,
    CompileError,
    ParseError,
    check,
    compile_assertion,
    parse_assertion,
    resolve_output,
    unparse,
)
from tracespec.assertions import ast
from tracespec.assertions.functions import LAST_NAMES, seed

TRACE = make_trace([
    {"name": "POST /orders", "attributes": {"http.status_code": 201, "body": '{"id": 52}'},
     "duration_ns": 35_000_000},
    {"name": "SELECT orders", "attributes": {"db.system": "postgresql"}, "duration_ns": 2_000},
])


def test_public_names() -> None:
    for name in ("parse_assertion", "compile_assertion", "check", "resolve_output", "unparse",
                 "Check", "SpecResult", "AssertionResult", "SpanResult", "OutputResult"):
        assert name in tracespec.__all__


@pytest.mark.parametrize(
    ("text", "message", "column", "caret"),
    [
        ("1 == 1", "'==' is not a comparator; use one of = != < <= > >=", 4, "     ^"),
        ("attr:s = abc", "bare word 'abc' is not a value", 10, "           ^^^"),
        ("1 1 + = 2", "expected '*', '+', '-', '/', '|', comparator", 3, "    ^"),
        ("attr:a =", "expected '(', '-', '[', attr:NAME, duration", 9, "          ^"),
        ("1h30m = 1", "expected", 3, "    ^^^"),
        ('"${x y}" = 1', "in ${...}: bare word 'x' is not a value", 4, "     ^"),
        ("1 = 1 = 1", "expected", 7, "        ^"),
        ("attr:x CONTAINS 1", "expected", 8, "         ^^^^^^^^"),
    ],
)
def test_parse_errors(text: str, message: str, column: int, caret: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_assertion(text)
    err = info.value
    assert err.message.startswith(message), err.message
    assert (err.line, err.column) == (1, column)
    assert str(err).splitlines()[-1].rstrip() == caret
    assert err.language == "assertion"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # as in Tracetest's own repository (cli/testdata/definitions/*.yml)
        ("tracetest.span.duration <= 100ms", "tracetest.span.duration"),
        ("tracetest.selected_spans.count = 1", "tracetest.selected_spans.count"),
        ("attr:http.status_code = http.status_code", "http.status_code"),
        ("attr:a = 1 + http.request-size", "http.request-size"),
        ("'${tracetest.span.name}' = 'x'", "tracetest.span.name"),
    ],
)
def test_a_legacy_name_without_attr_is_told_to_write_attr(text: str, word: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_assertion(text)
    err = info.value
    assert err.message.endswith(
        f"write attr:{word} to read the attribute (a name without attr: is Tracetest's legacy "
        "syntax)"
    ), err.message
    start = text.rindex(word)
    assert err.span == (start, start + len(word))
    assert (err.line, err.column) == (1, start + 1)
    assert str(err).splitlines()[-1] == "  " + " " * start + "^" * len(word)
    # and the advice is right: with attr: the text parses, reading that attribute
    fixed = parse_assertion(text[:start] + "attr:" + text[start:])
    assert word in {a.name for a, _ in ast.walk(fixed) if isinstance(a, ast.Attribute)}


@pytest.mark.parametrize(
    ("text", "message", "span"),
    [
        ("attr: tracetest.span.duration < 500ms",  # Tracetest's docs (testkube-pipeline.mdx)
         "no space after 'attr:': write attr:tracetest.span.duration", (0, 29)),
        ("attr:x = var: NAME", "no space after 'var:': write var:NAME", (9, 18)),
        ('attr:"x" = 1', "'attr:' must be followed by a name (attr:NAME)", (0, 5)),
        ("firstName = 1", "bare word 'firstName' is not a value: quote text", (0, 9)),
        ("attr:a = 1 | json_path.x", "bare word 'json_path' is not a value", (13, 22)),
    ],
)
def test_other_bare_words_point_at_their_start(
    text: str, message: str, span: tuple[int, int]
) -> None:
    with pytest.raises(ParseError) as info:
        parse_assertion(text)
    assert info.value.message.startswith(message), info.value.message
    assert info.value.span == span


def test_parse_error_on_second_line() -> None:
    with pytest.raises(ParseError) as info:
        parse_assertion("attr:a\n= = 1")
    assert (info.value.line, info.value.column) == (2, 3)
    assert "--> line 2" in str(info.value)


def test_strict_rejects_extensions() -> None:
    for text in ("(1 + 2) = 3", "-1 = 1", "-attr:x = 1", "[1] | get_index -1 = 1"):
        parse_assertion(text)
        with pytest.raises(ParseError, match="tracespec extension"):
            parse_assertion(text, strict=True)
    parse_assertion("1 + 2 * 3 = 9", strict=True)


def test_bad_regex_literal_is_a_compile_error_with_its_place() -> None:
    text = "attr:body | regex '(a)\\1' = 1"
    with pytest.raises(CompileError) as info:
        compile_assertion(text)
    assert info.value.column == text.index("'(a)") + 1
    assert "RE2" in info.value.message
    with pytest.raises(CompileError):
        compile_assertion("'a' | regex_group '(?=a)' = 1")


def test_check_is_cached_hashable_picklable() -> None:
    c = compile_assertion("attr:http.status_code = 201")
    assert compile_assertion("attr:http.status_code = 201") is c
    assert isinstance(c, Check) and hash(c) == hash(pickle.loads(pickle.dumps(c)))
    assert pickle.loads(pickle.dumps(c)) == c
    assert c.ast == parse_assertion("attr:http.status_code   =201")
    with pytest.raises(AttributeError):
        c.source = "x"  # type: ignore[misc]


def test_unparse_is_canonical() -> None:
    node = parse_assertion("(1+2)*3=  9|type")
    assert unparse(node) == "(1 + 2) * 3 = 9 | type"
    assert unparse(node.left) == "(1 + 2) * 3"
    assert unparse(ast.Filter("get_index", (ast.Number("-1"),))) == "get_index -1"
    assert unparse(parse_assertion("'a ${attr:x|length} b' contains \"a\"")) == (
        "'a ${attr:x | length} b' contains \"a\""
    )
    with pytest.raises(TypeError):
        unparse(object())


def test_check_all_spans() -> None:
    result = check("", ["attr:tracetest.span.duration < 500ms", "attr:http.status_code = 201"],
                   TRACE)
    assert not result.passed
    duration, status = result.assertions
    assert duration.passed and [s.observed for s in duration.spans] == ["35ms", "2us"]
    assert [s.span_id for s in duration.spans] == [s.span_id for s in TRACE]
    assert not status.passed
    assert [(s.passed, s.error) for s in status.spans] == [
        (True, None), (False, 'attribute "http.status_code" not found')]
    assert result.span_ids == tuple(s.span_id for s in TRACE)


def test_check_raises_before_anything_runs() -> None:
    with pytest.raises(ParseError):
        check("", ["attr:a = 1", "attr:a == 1"], TRACE)
    with pytest.raises(ParseError):
        check("span[", ["attr:a = 1"], TRACE)


def test_check_reports_errors() -> None:
    result = check("", ["attr:a == 1", "attr:http.status_code = 201"], TRACE, errors="report")
    bad, good = result.assertions
    assert bad.error is not None and "column 9" in bad.error and not bad.passed
    assert bad.spans == ()
    assert good.spans[0].passed
    spec = check("span[", ["attr:a = 1"], TRACE, errors="report")
    assert spec.error is not None and "selector" in spec.error and not spec.passed
    assert spec.assertions[0].error is not None and not spec.assertions[0].passed


def test_check_variables() -> None:
    result = check("", "attr:http.status_code = var:CODE", TRACE, variables={"CODE": "201"})
    assert result.assertions[0].spans[0].passed


def test_resolve_output() -> None:
    out = resolve_output("", "attr:body | json_path '$.id'", TRACE, name="ID")
    assert (out.value, out.resolved, out.span_id, out.error) == ("52", True, TRACE[0].span_id,
                                                                 None)
    failed = resolve_output("", "attr:nope", TRACE, name="X")
    assert (failed.value, failed.resolved, failed.error) == ("", True,
                                                              'attribute "nope" not found')
    with pytest.raises(ParseError):
        resolve_output("", "attr:a =", TRACE)


def test_last_name_is_a_last_name() -> None:
    seed(1)
    c = compile_assertion("lastName() = 1")
    observed = {c.run_positions(None, []).spans[0].observed for _ in range(20)}
    assert observed <= set(LAST_NAMES) and len(observed) > 1


IDENTITY = lines("identity_assertions.txt")


@pytest.mark.parametrize("line", IDENTITY)
def test_identity(line: str) -> None:
    """Each line is in canonical form: it prints back exactly."""
    assert unparse(parse_assertion(line)) == line


def _data(node: object) -> object:
    """An AST as plain data: {"type": class name, field: value...} (positions left out)."""
    if isinstance(node, tuple):
        return [_data(n) for n in node]
    if isinstance(node, str):
        return str(node)
    fields = {f.name: _data(getattr(node, f.name))
              for f in attrs.fields(type(node)) if f.name != "span"}  # type: ignore[arg-type]
    return {"type": type(node).__name__, **fields}


PARSER_CASES = cases("assertions/parser.json")


@pytest.mark.parametrize("case", PARSER_CASES, ids=[c["text"] for c in PARSER_CASES])
def test_parser_case(case: dict[str, Any]) -> None:
    if case.get("error"):
        with pytest.raises(ParseError) as info:
            parse_assertion(case["text"])
        assert 0 <= info.value.span[0] <= len(case["text"])
    else:
        assert _data(parse_assertion(case["text"])) == case["ast"]


def test_limits() -> None:
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_assertion("(" * 500 + "1" + ")" * 500 + " = 1")
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_assertion(" + ".join(["1"] * 5000) + " = 1")
    with pytest.raises(ParseError, match="too long"):
        parse_assertion("1 = " + "1" * 200_000)
