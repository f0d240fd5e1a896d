"""Selector syntax errors: exact message, line, column and caret; strict mode; input caps.

Inputs that crash Tracetest (``span[name=]``, ``:nth_child`` without or with a bad argument)
are ordinary errors here.  Every message below was read and judged by a person; a change to
one of them should be deliberate.
"""

from __future__ import annotations

import pickle

import pytest

import tracespec
from tracespec import ParseError, TracespecError
from tracespec.selectors.parser import MAX_CHAIN, MAX_LENGTH, MAX_NESTING

# (selector, message, line, column, caret line)
CASES = [
    # Tracetest panics on these (spec §1.6); they are syntax errors with a position here.
    ["span[name=]", "expected a value (a double-quoted string, a number, true or false); "
     "got ']'", 1, 11, "            ^"],
    ["span[]:nth_child", "expected '('; got end of input", 1, 17, "                  ^"],
    ["span[]:nth_child()", ":nth_child needs an integer argument, as in :nth_child(2)", 1, 7,
     "        ^^^^^^^^^^^^"],
    ['span[]:nth_child("2")', ":nth_child takes an integer", 1, 18, "                   ^^^"],
    ["span[]:nth_child(2.0)", ":nth_child takes an integer", 1, 18, "                   ^^^"],
    ["span[]:nth_child(true)", ":nth_child takes an integer", 1, 18, "                   ^^^^"],
    ["span[]:nth_child(-1)", "numbers have no sign in a selector", 1, 18,
     "                   ^^"],
    # Tracetest's syntax errors (spec §1.2, builder_test.go).
    ['span.tracetest.span.type="http"', "expected '['; got '.'", 1, 5, "      ^"],
    ["span", "expected '['; got end of input", 1, 5, "      ^"],
    ["span[=1]", "expected '!', ',', ']', a name, a string; got '='", 1, 6, "       ^"],
    ["span[name=contains]", "unquoted text 'contains': write a string in double quotes "
     '("contains")', 1, 11, "            ^^^^^^^^"],
    ["span[a=null]", "unquoted text 'null': write a string in double quotes (\"null\")", 1, 8,
     "         ^^^^"],
    ["span[a=-1]", "numbers have no sign in a selector", 1, 8, "         ^^"],
    ["span[a='api']", "strings are written in double quotes, not single quotes", 1, 8,
     "         ^"],
    ['span[a="1",]', "a trailing ',' is not allowed: expected another filter or selector "
     "after it", 1, 12, "             ^"],
    ['span[a="1"],', "a trailing ',' is not allowed: expected another filter or selector "
     "after it", 1, 13, "              ^"],
    ["span[a] , , span[b]", "expected 'span'; got ','", 1, 11, "            ^"],
    ["span[a];span[b]", "expected ')', ',', ':', '>', 'span'; got ';'", 1, 8, "         ^"],
    ["span[a] ~ span[b]", "expected ')', ',', ':', '>', 'span'; got '~'", 1, 9,
     "          ^"],
    ['span[acontains"x"]', "expected a space, ',' or ']' here: separate filters", 1, 15,
     "                ^^^"],
    ['SPAN[a="x"]', "expected ',', 'span', end of input; got a name 'SPAN'", 1, 1, "  ^^^^"],
    ["span[]:FIRST", "unknown pseudo-class ':FIRST' (known: :first, :last, :nth_child, :root, "
     ":leaf, :has, :not); did you mean ':first'? (pseudo-classes are lower case)", 1, 8,
     "         ^^^^^"],
    ["span[]:nth-child(2)", "unknown pseudo-class ':nth-child' (known: :first, :last, "
     ":nth_child, :root, :leaf, :has, :not); did you mean ':nth_child'?", 1, 8,
     "         ^^^^^^^^^"],
    ['span[a startsWith "x"]', "'startsWith' is not an operator; the operators are = != < <= "
     "> >= contains not-contains =~ !~", 1, 8, "         ^^^^^^^^^^"],
    ['span[a startsWith 5]', "'startsWith' is not an operator; the operators are = != < <= "
     "> >= contains not-contains =~ !~", 1, 8, "         ^^^^^^^^^^"],
    # Common mistakes.
    ['span[a=="x"]', "'==' is not an operator: compare with '='", 1, 8, "         ^"],
    ['span[a="x"', "expected '!', ',', ']', a name, a string; got end of input", 1, 11,
     "            ^"],
    ['span[a="unterminated]', "this string has no closing quote (a string cannot span lines)",
     1, 8, "         ^"],
    ["span[a=1x]", "expected a space, ',' or ']' here: separate filters", 1, 9, "          ^"],
    ['span[a="x" "y"]', "missing operator before this string (to test that a quoted name "
     "exists, put a ',' before it)", 1, 12, "             ^^^"],
    ["span[]:has()", "empty parentheses: :has() and :not() take a selector, as in "
     ':has(span[a="x"])', 1, 12, "             ^"],
    ["span[a] > > span[b]", "expected 'span'; got '>'", 1, 11, "            ^"],
    ["span[a=~1]", "'=~' needs a regular expression in double quotes", 1, 9, "          ^"],
    ["span[a]:firstspan[b]", "unknown pseudo-class ':firstspan' (known: :first, :last, "
     ":nth_child, :root, :leaf, :has, :not)", 1, 9, "          ^^^^^^^^^"],
    ["span[a=true1]", "unquoted text 'true1': write a string in double quotes (\"true1\")", 1, 8,
     "         ^^^^^"],
    # Literals.
    ["span[a=1.5e999]", "number 1.5e999 is out of range", 1, 8, "         ^^^^^^^"],
    ["span[a=0x]", "a hexadecimal number needs digits", 1, 8, "         ^^"],
    ["span[a=0x1.8]", "a hexadecimal float needs a 'p' exponent", 1, 8, "         ^^^^^"],
    [r'span[a="\q"]', r"unknown escape sequence \q", 1, 9, "          ^^"],
    [r'span[a="\xZ"]', r"escape \x needs 2 hexadecimal digits", 1, 9, "          ^^^"],
    [r'span[a="\ud800"]', "escape is not a valid Unicode code point", 1, 9,
     "          ^^^^^^"],
    [r'span[a="\400"]', "octal escape value is above 255", 1, 9, "          ^^^^"],
]


@pytest.mark.parametrize(("text", "message", "line", "column", "caret"), CASES)
def test_syntax_error(text: str, message: str, line: int, column: int, caret: str) -> None:
    with pytest.raises(ParseError) as info:
        tracespec.parse_selector(text)
    err = info.value
    assert err.message == message
    assert (err.line, err.column) == (line, column)
    assert err.language == "selector"
    assert err.source == text
    rendered = str(err).split("\n")
    assert rendered[0] == f"{message} (selector, line {line}, column {column})"
    assert rendered[-1] == caret
    assert rendered[-2] == "  " + text.split("\n")[line - 1]
    assert 0 <= err.span[0] <= len(text)


def test_multi_line_error_names_the_line() -> None:
    text = 'span[a="x"]\n  span[b=]'
    with pytest.raises(ParseError) as info:
        tracespec.parse_selector(text)
    assert str(info.value) == (
        "expected a value (a double-quoted string, a number, true or false); got ']' "
        "(selector, line 2, column 10)\n"
        "  --> line 2\n"
        "    span[b=]\n"
        "           ^"
    )


def test_error_types_and_pickling() -> None:
    with pytest.raises(TracespecError) as info:
        tracespec.parse_selector("span[name=]")
    err = info.value
    assert isinstance(err, ParseError) and isinstance(err, ValueError)
    assert err.span == (10, 11)
    assert "a string" in err.expected
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.span == err.span


def test_no_lark_exception_escapes_a_bad_type() -> None:
    with pytest.raises(TypeError):
        tracespec.parse_selector(b"span[]")  # type: ignore[arg-type]


# -- strict mode ---------------------------------------------------------------------------------

STRICT = [
    ("span[a!=1]", "the operator '!='", 7, 2),
    ("span[a<1]", "the operator '<'", 7, 1),
    ("span[a<=1]", "the operator '<='", 7, 2),
    ("span[a>1]", "the operator '>'", 7, 1),
    ("span[a>=1]", "the operator '>='", 7, 2),
    ('span[a not-contains "x"]', "the operator 'not-contains'", 8, 12),
    ('span[a=~"x"]', "the operator '=~'", 7, 2),
    ('span[a!~"x"]', "the operator '!~'", 7, 2),
    ("span[http.route]", "an existence test (a name without an operator)", 6, 10),
    ("span[!http.route]", "an absence test '!name'", 6, 11),
    ('span[a="1"] > span[b="2"]', "the child combinator '>'", 13, 1),
    ('span[]:has(span[a="1"])', "the pseudo-class ':has()'", 7, 17),
    ('span[]:not(span[a="1"])', "the pseudo-class ':not()'", 7, 17),
    ("span[]:root", "the pseudo-class ':root'", 7, 5),
    ("span[]:leaf", "the pseudo-class ':leaf'", 7, 5),
    ('span[dapr-app-id="x"]', "a dash in the name 'dapr-app-id'", 6, 11),
    ('span[http.2xx="x"]', "a name segment starting with a digit (2xx)", 11, 3),
    ('span["odd key"="x"]', "a quoted attribute name", 6, 9),
    ("span[a=08]", "the integer 08 (a leading zero with 8 or 9 in it)", 8, 2),
]


@pytest.mark.parametrize(("text", "what", "column", "width"), STRICT)
def test_strict_rejects_each_extension(text: str, what: str, column: int, width: int) -> None:
    tracespec.parse_selector(text)  # fine without strict
    with pytest.raises(ParseError) as info:
        tracespec.parse_selector(text, strict=True)
    err = info.value
    assert err.message == (
        f"{what} is a tracespec extension, not part of Tracetest's selector language "
        "(strict mode)"
    )
    assert (err.line, err.column) == (1, column)
    assert err.span[1] - err.span[0] == width


@pytest.mark.parametrize(
    "text",
    [
        "",
        "span[]",
        'span[a="x"]:first(3)',
        "span[a=010 b=0x1F c=0.5 d=1e2 e=true f=false]",
        'span[ünï="u" _x="y" contains="z"]',
        'span[a="1"]:nth_child(3)(2) span[b contains "y"]:last',
    ],
)
def test_strict_accepts_the_reference_language(text: str) -> None:
    assert tracespec.parse_selector(text, strict=True) == tracespec.parse_selector(text)


# -- caps against hostile input ---------------------------------------------------------------


def test_length_cap() -> None:
    text = "span[" + " " * MAX_LENGTH + "]"
    with pytest.raises(ParseError) as info:
        tracespec.parse_selector(text)
    assert info.value.message == f"selector is longer than {MAX_LENGTH} characters"
    assert info.value.span == (MAX_LENGTH, len(text))


def test_nesting_cap() -> None:
    ok = "span[]:has(" * MAX_NESTING + "span[]" + ")" * MAX_NESTING
    tracespec.parse_selector(ok)
    deep = "span[]:not(" * (MAX_NESTING + 1) + "span[]" + ")" * (MAX_NESTING + 1)
    with pytest.raises(ParseError) as info:
        tracespec.parse_selector(deep)
    assert info.value.message == f":has() and :not() nest more than {MAX_NESTING} deep"
    assert info.value.column == 7 + 11 * MAX_NESTING


def test_chain_cap() -> None:
    tracespec.parse_selector("span[] " * MAX_CHAIN)
    with pytest.raises(ParseError) as info:
        tracespec.parse_selector("span[] " * (MAX_CHAIN + 1))
    assert info.value.message == f"a chain has more than {MAX_CHAIN} compounds"
    assert info.value.column == 1 + 7 * MAX_CHAIN


def test_very_deep_input_is_an_error_not_a_crash() -> None:
    text = "span[]:has(" * 1500 + "span[]" + ")" * 1500
    with pytest.raises(ParseError):
        tracespec.parse_selector(text)
