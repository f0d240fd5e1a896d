"""Selector text → AST: the kept Tracetest rules, the extensions, and what the AST holds."""

from __future__ import annotations

import attrs
import pytest

import tracespec
from tests.support.cases import lines
from tracespec.selectors import ast
from tracespec.selectors.ast import (
    Bool,
    Chain,
    Combinator,
    Comparison,
    Compound,
    Exists,
    First,
    Has,
    Last,
    Leaf,
    Not,
    NthChild,
    Number,
    Operator,
    Root,
    Selector,
    String,
)

parse = tracespec.parse_selector


def one(*compounds: Compound, combinators: tuple[Combinator, ...] | None = None) -> Selector:
    if combinators is None:
        combinators = (Combinator.DESCENDANT,) * (len(compounds) - 1)
    return Selector((Chain(compounds, combinators),))


def eq(key: str, value: ast.Literal, op: Operator = Operator.EQ) -> Comparison:
    return Comparison(key, op, value)


# -- upstream parser_test.go / builder_test.go shapes -------------------------------------------


def test_single_string_filter() -> None:
    assert parse('span[service.name="Pokeshop"]') == one(
        Compound((eq("service.name", String("Pokeshop")),)))


def test_int_filter() -> None:
    assert parse("span[http.status_code=200]") == one(
        Compound((eq("http.status_code", Number(200)),)))


def test_two_filters_and_bool() -> None:
    assert parse('span[service.name="Pokeshop" tracetest.error=true]') == one(
        Compound((eq("service.name", String("Pokeshop")), eq("tracetest.error", Bool(True)))))


def test_contains() -> None:
    assert parse('span[tracetest.span.type contains "http"]') == one(
        Compound((eq("tracetest.span.type", String("http"), Operator.CONTAINS),)))


def test_nth_child() -> None:
    assert parse("span[http.status_code=200]:nth_child(3)") == one(
        Compound((eq("http.status_code", Number(200)),), (NthChild(3),)))


def test_hierarchy_list_and_both() -> None:
    a = Compound((eq("a", String("1")),))
    b = Compound((eq("b", String("2")),))
    c = Compound((eq("c", String("3")),))
    assert parse('span[a="1"] span[b="2"]') == one(a, b)
    assert parse('span[a="1"], span[b="2"]') == Selector((Chain((a,)), Chain((b,))))
    assert parse('span[a="1"], span[b="2"] span[c="3"]') == Selector(
        (Chain((a,)), Chain((b, c), (Combinator.DESCENDANT,))))


# -- kept lexical rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'span[service.name="x"]',
        'span [ service . name = "x" ]',
        'span[\tservice.name\n=\r\n"x"]',
        'span[service.name="x"] // a comment',
        '/* lead */ span[/* in */service.name /**/ = "x"]',
        'span[service.name="x"]\n// trailing comment',
    ],
)
def test_whitespace_and_comments_anywhere(text: str) -> None:
    assert parse(text) == one(Compound((eq("service.name", String("x")),)))


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "// only a comment", "/* c */"])
def test_empty_selector(text: str) -> None:
    assert parse(text) == Selector(())


@pytest.mark.parametrize("text", ["span[]", "span[ ]", "span[\n]"])
def test_empty_brackets(text: str) -> None:
    assert parse(text) == one(Compound())


@pytest.mark.parametrize(
    "text",
    ['span[a="1" b="2"]', 'span[a="1",b="2"]', 'span[a="1" , b="2"]', 'span[,a="1" b="2"]',
     'span[a="1"b="2"]'],
)
def test_filter_separators(text: str) -> None:
    assert parse(text) == one(Compound((eq("a", String("1")), eq("b", String("2")))))


@pytest.mark.parametrize(
    "text", ["span[a] span[b]", "span[a]  span[b]", "span[a]\tspan[b]", "span[a]span[b]"]
)
def test_adjacency_is_descendant(text: str) -> None:
    assert parse(text) == one(Compound((Exists("a"),)), Compound((Exists("b"),)))


def test_leading_comma_in_list() -> None:
    assert parse(", span[a]") == parse("span[a]")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('span[contains="x"]', "contains"),
        ('span[span="x"]', "span"),
        ('span[first="x"]', "first"),
        ('span[nth_child="x"]', "nth_child"),
        ('span[not-contains="x"]', "not-contains"),
        ('span[ünï="x"]', "ünï"),
        ('span[_x="x"]', "_x"),
    ],
)
def test_keywords_and_unicode_are_names(text: str, key: str) -> None:
    assert parse(text) == one(Compound((eq(key, String("x")),)))


def test_true_as_name_and_value() -> None:
    assert parse("span[true=true]") == one(Compound((eq("true", Bool(True)),)))
    assert parse("span[false=false]") == one(Compound((eq("false", Bool(False)),)))


def test_word_operator_without_space_before_string() -> None:
    assert parse('span[a contains"x"]') == one(
        Compound((eq("a", String("x"), Operator.CONTAINS),)))


def test_whitespace_before_pseudo_class() -> None:
    assert parse("span[] :first") == one(Compound((), (First(),)))
    assert parse("span[]: first") == one(Compound((), (First(),)))


# -- literals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("200", 200),
        ("010", 10),  # decimal, not octal (fixed bug)
        ("08", 8),
        ("0x8", 8),
        ("0X1f", 31),
        ("0o17", 15),
        ("0b101", 5),
        ("1_000", 1000),
        ("0x_ff", 255),
        ("0.5", 0.5),
        (".5", 0.5),
        ("1.", 1.0),
        ("1e2", 100.0),
        ("1E-2", 0.01),
        ("1_0.2_5", 10.25),
        ("0x1p-2", 0.25),
        ("0x.8p1", 1.0),
        ("123456789012345678901234567890", 123456789012345678901234567890),
    ],
)
def test_numbers(literal: str, value: float) -> None:
    (f,) = parse(f"span[x={literal}]").alternatives[0].compounds[0].filters
    assert isinstance(f, Comparison) and isinstance(f.value, Number)
    assert f.value.value == value
    assert type(f.value.value) is type(value)


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'"plain"', "plain"),
        (r'"a\"b"', 'a"b'),
        (r'"\\"', "\\"),
        (r'"\u0041"', "A"),
        (r'"\U0001F600"', "\U0001f600"),
        (r'"\101"', "A"),
        (r'"\x41"', "A"),
        (r'"\xc3\xa9"', "é"),  # bytes that form UTF-8
        (r'"\a\b\f\n\r\t\v"', "\a\b\f\n\r\t\v"),
        ('"é"', "é"),
        ('""', ""),
    ],
)
def test_go_string_escapes(literal: str, value: str) -> None:
    (f,) = parse(f"span[x={literal}]").alternatives[0].compounds[0].filters
    assert isinstance(f, Comparison)
    assert f.value == String(value)


def test_invalid_utf8_bytes_never_equal_text() -> None:
    (f,) = parse(r'span[x="\xff"]').alternatives[0].compounds[0].filters
    assert isinstance(f, Comparison) and isinstance(f.value, String)
    assert f.value.value != "\xff" and f.value.value != "ÿ"
    assert tracespec.unparse(f.value) == r'"\xff"'


# -- pseudo-classes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pseudos"),
    [
        ("span[]:first", (First(),)),
        ("span[]:last", (Last(),)),
        ("span[]:first(3)", (First(),)),  # argument accepted and ignored, as in Tracetest
        ('span[]:last("x" 2)', (Last(),)),
        ("span[]:first()", (First(),)),
        ("span[]:first:last", (First(), Last())),
        ("span[]:nth_child(2)", (NthChild(2),)),
        ("span[]:nth_child(3)(2)", (NthChild(2),)),  # last integer wins, as in Tracetest
        ("span[]:nth_child(2 3)", (NthChild(3),)),
        ("span[]:nth_child(2)()", (NthChild(2),)),
        ("span[]:nth_child(0)", (NthChild(0),)),
        ("span[]:nth_child(0x2)", (NthChild(2),)),
    ],
)
def test_picking_pseudo_classes(text: str, pseudos: tuple[ast.Pseudo, ...]) -> None:
    assert parse(text) == one(Compound((), pseudos))


# -- extensions --------------------------------------------------------------------------------


@pytest.mark.parametrize("op", list(Operator))
def test_every_operator(op: Operator) -> None:
    sel = parse(f'span[a {op.value} "x"]')
    assert sel == one(Compound((eq("a", String("x"), op),)))


def test_ordering_operators_tight() -> None:
    assert parse("span[a<1 b<=2 c>3 d>=4]") == one(Compound((
        eq("a", Number(1), Operator.LT), eq("b", Number(2), Operator.LE),
        eq("c", Number(3), Operator.GT), eq("d", Number(4), Operator.GE))))


def test_existence_and_absence() -> None:
    assert parse("span[http.route !db.system]") == one(
        Compound((Exists("http.route"), Exists("db.system", negated=True))))
    assert parse("span[a b, c]") == one(Compound((Exists("a"), Exists("b"), Exists("c"))))


def test_name_after_existence_can_be_separated_by_comma() -> None:
    assert parse("span[a, contains]") == one(Compound((Exists("a"), Exists("contains"))))
    assert parse('span[a contains "x"]') == one(
        Compound((eq("a", String("x"), Operator.CONTAINS),)))


def test_child_combinator() -> None:
    a, b, c = (Compound((Exists(k),)) for k in "abc")
    assert parse("span[a] > span[b] span[c]") == one(
        a, b, c, combinators=(Combinator.CHILD, Combinator.DESCENDANT))
    assert parse("span[a]>span[b]") == one(a, b, combinators=(Combinator.CHILD,))


def test_has_not_root_leaf() -> None:
    inner = Selector((Chain((Compound((Exists("x"),)),)),))
    assert parse("span[]:has(span[x]):not(span[x]):root:leaf") == one(
        Compound((), (Has(inner), Not(inner), Root(), Leaf())))
    assert parse("span[]:has(, span[x])") == one(Compound((), (Has(inner),)))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('span[dapr-app-id="x"]', "dapr-app-id"),
        ('span[http.2xx="x"]', "http.2xx"),
        ('span[a.b-c.3d="x"]', "a.b-c.3d"),
        ('span["odd key"="x"]', "odd key"),
        ('span["http.route"="x"]', "http.route"),
        (r'span["a\"b"="x"]', 'a"b'),
    ],
)
def test_names(text: str, key: str) -> None:
    assert parse(text) == one(Compound((eq(key, String("x")),)))


def test_quoted_and_plain_name_are_the_same_key() -> None:
    assert parse('span["http.route"="/a"]') == parse('span[http.route="/a"]')


# -- the AST ---------------------------------------------------------------------------------


def test_positions_are_kept_but_not_compared() -> None:
    a = parse('span[a="x"]  span[b="y"]:first')
    b = parse('span[a = "x"] span[b="y"] :first')
    assert a == b and hash(a) == hash(b)
    chain = a.alternatives[0]
    assert chain.loc == (0, 30)
    second = chain.compounds[1]
    assert second.loc == (13, 30)
    assert second.filters[0].loc == (18, 23)
    assert second.pseudos[0].loc == (24, 30)
    f = chain.compounds[0].filters[0]
    assert isinstance(f, Comparison) and f.value.loc == (7, 10)


def test_nodes_are_frozen() -> None:
    sel = parse("span[a]")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        sel.alternatives = ()  # type: ignore[misc]


@pytest.mark.parametrize(
    "build",
    [
        lambda: Chain(()),
        lambda: Chain((Compound(), Compound()), ()),
        lambda: Has(Selector(())),
        lambda: Not(Selector(())),
        lambda: Number(-1),
        lambda: Number(float("nan")),
        lambda: Number(True),
        lambda: NthChild(-1),
        lambda: Comparison("a", Operator.MATCHES, Number(1)),
    ],
)
def test_invalid_trees_are_refused(build: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        build()  # type: ignore[operator]


def test_strict_accepts_tracetest_selectors() -> None:
    text = (', span[service.name="Pokeshop" tracetest.error=true, x=0.5], span[a="1"]'
            ':first(3) span[b contains "y"]:nth_child(3)(2) // portable')
    assert tracespec.parse_selector(text, strict=True) == parse(text)


@pytest.mark.parametrize("line", lines("identity_selectors.txt"))
def test_unparse_identity(line: str) -> None:
    tree = parse(line)
    assert tracespec.unparse(tree) == line
    assert parse(tracespec.unparse(tree)) == tree


def test_unparse_normalises() -> None:
    assert tracespec.unparse(parse(' , span [ a . b = 0x10 ,c contains"x" ] :first(3)')) == (
        'span[a.b=16 c contains "x"]:first')
    assert tracespec.unparse(parse("")) == ""
    assert tracespec.unparse(parse('span["plain"="x"]')) == 'span[plain="x"]'


def test_unparse_any_node() -> None:
    sel = parse('span[a="x"]:nth_child(2)')
    comp = sel.alternatives[0].compounds[0]
    assert tracespec.unparse(comp.filters[0]) == 'a="x"'
    assert tracespec.unparse(comp.pseudos[0]) == ":nth_child(2)"
    assert tracespec.unparse(comp) == 'span[a="x"]:nth_child(2)'
    with pytest.raises(TypeError):
        tracespec.unparse("span[]")
