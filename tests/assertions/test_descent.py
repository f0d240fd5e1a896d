"""The hand-written parser (``assertions/descent.py``) against its oracle, the lark parse.

The oracle is the public function with the descent switched off: lark's tree, or its exact
ParseError.  Whenever the descent returns a tree it equals lark's, spans included; on well-formed
text (written, from the grammar, every assertion of the case files, examples and docs) it does
not give up; and the public functions give the same trees and the same errors as the oracle on
any text.  Lark is not imported for a well-formed assertion.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import tracespec
from tests.support.cases import CASES, cases, lines
from tests.support.strategies.assertions import (
    grammar_texts,
    written_assertions,
    written_expressions,
)
from tracespec import _grammar
from tracespec.assertions import ast, descent, lalr, parser

ROOT = Path(__file__).resolve().parents[2]
STARTS = ("assertion", "expression")
PUBLIC = {"assertion": tracespec.parse_assertion, "expression": tracespec.parse_expression}


def shape(node: object) -> object:
    """A node as nested tuples, with the spans equality leaves out."""
    if isinstance(node, ast.AssertionNode):
        fields = attrs.fields(type(node))  # type: ignore[arg-type]
        return (type(node).__name__, *(shape(getattr(node, f.name)) for f in fields))
    if isinstance(node, tuple):
        return tuple(shape(item) for item in node)
    return node


def outcome(text: str, start: str, strict: bool) -> object:
    """What the public function gives: the tree's shape or the error's message and place."""
    try:
        return shape(PUBLIC[start](text, strict=strict))
    except tracespec.ParseError as exc:
        return ("error", str(exc), exc.span, exc.expected)


def reference(text: str, start: str, strict: bool) -> object:
    """What the lark parse gives (the public function with the descent always giving up)."""
    with mock.patch.object(descent, "parse", return_value=None):
        return outcome(text, start, strict)


def fast(text: str, start: str, strict: bool) -> object:
    """The descent's own answer: a tree's shape, or ``None`` where it gives up."""
    node = descent.parse(text, expression=start == "expression", strict=strict,
                         max_depth=parser.MAX_DEPTH)
    return None if node is None else shape(node)


def lark_tree(text: str, start: str, strict: bool) -> object:
    """Lark's own tree, before the public function's limits (``None`` where lark refuses)."""
    try:
        return shape(lalr.parse(text, start, strict))
    except (tracespec.ParseError, RecursionError):
        return None


def agrees(text: str, start: str, strict: bool) -> bool:
    """Check the descent against lark on one text; whether it gave a tree."""
    got = fast(text, start, strict)
    if got is not None:
        assert got == lark_tree(text, start, strict), (text, start, strict)
    assert outcome(text, start, strict) == reference(text, start, strict), (text, start, strict)
    return got is not None


def accepted(text: str, start: str, strict: bool) -> bool:
    """Lark accepts the text; then the descent must too, with the same tree."""
    want = reference(text, start, strict)
    if isinstance(want, tuple) and want[0] == "error":
        return False
    assert fast(text, start, strict) == want, (text, start, strict)
    return True


# -- the tokenizer is the grammar's -------------------------------------------------------------


def test_the_terminals_are_the_grammars_in_lark_order() -> None:
    lark_parser = _grammar.parser("assertion.lark", STARTS)
    grammar = {t.name: t for t in lark_parser.terminals}
    ours = dict(descent.TERMINALS)
    punct = {t.pattern.value for t in grammar.values() if t.pattern.type == "str"}
    assert set(re.findall(r"\\?(.)", ours.pop("PUNCT")[1:-1])) == punct
    (ignored,) = lark_parser.ignore_tokens if hasattr(lark_parser, "ignore_tokens") else (
        [t for t in grammar if t.startswith("__IGNORE")])
    assert ours.pop("WS") == grammar[ignored].pattern.to_regexp()
    regexes = {n: t.pattern.to_regexp() for n, t in grammar.items() if t.pattern.type == "re"}
    del regexes[ignored]
    assert ours == regexes
    priorities = [grammar[n].priority if n in grammar else 0 for n, _ in descent.TERMINALS]
    assert priorities == sorted(priorities, reverse=True)


# -- written and grammar text -------------------------------------------------------------------


@given(written_assertions(), st.booleans())
def test_written_assertions_are_accepted_as_lark_reads_them(text: str, strict: bool) -> None:
    assume(accepted(text, "assertion", strict))


@given(written_expressions(), st.booleans())
def test_written_expressions_are_accepted_as_lark_reads_them(text: str, strict: bool) -> None:
    assume(accepted(text, "expression", strict))


# hypothesis's lark strategy filters much, and takes ~4 MB and ~0.3 s an example: a few only.
@settings(max_examples=60,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(grammar_texts(), st.booleans())
def test_grammar_texts_agree(text: str, strict: bool) -> None:
    agrees(text, "assertion", strict)
    accepted(text, "assertion", strict)


# -- anything else: the descent gives up or agrees ----------------------------------------------

_ALPHABET = st.sampled_from(list("attr:env:var:0123456789.msnuh \t\n'\"\\${}()[],|+-*/=<>!"
                                 "containsot-_xyzAB#é\u00a0\x1c"))


@st.composite
def mutated(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> str:
    """A text with a few characters deleted, inserted or replaced."""
    text = draw(texts)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.integers(0, 2))
        piece = draw(_ALPHABET) if edit else ""
        text = text[:at] + piece + text[at + (edit != 1) :]
    return text


@given(st.one_of(mutated(written_assertions()), mutated(written_expressions()),
                 st.text(_ALPHABET, max_size=30), st.text(max_size=20)),
       st.sampled_from(STARTS), st.booleans())
def test_any_text_agrees(text: str, start: str, strict: bool) -> None:
    agrees(text, start, strict)


@pytest.mark.parametrize("text", [
    "attr:a = contains()", "attr:a | count contains 1", "attr:a | count containsx()",
    "attr:a | f contains(1)", "attr:a | f not-contains 'x'", "attr:a not-containsx()",
    "attr:a = 5 minutes", "attr:a = 1.5sec", "attr:a = 5e3", "attr:a = 1.", "attr:a = .5",
    "attr:a = 5 m", "attr:a = 5  m", "attr:a = 5\tm", "attr:a-1 = 1", "env:a-1 = 1",
    "var:N-1 = 4", "attr: a = 1", "attr:a = '${attr:}'", "attr:a = '${}'", "attr:a = '${'",
    "attr:a = '${ attr:b }${var:c}x${env:d | length}'", "attr:a = '\\'' ", 'attr:a = "\\"',
    'attr:a = "a\\" = "b"', "attr:a = f(-1, -2ms, [-3])", "attr:a = f(1 - 2)",
    "attr:a | f -1 - 2", "attr:a | f -x", "attr:a | attr:b", "attr:a || f", "-(5) = --5",
    "- - 5 = -(-5)", "(((1))) = 1", "attr:a = (1", "attr:a = 1)", "attr:a == 1", "attr:a =< 1",
    "attr:a <> 1", "attr:a != != 1", "attr:a = 1 = 1", "", " ", "=", "attr:a =", "\u00a0attr:a = 1",
    "attr:a = 1\x1c", "attr:a = [1,]", "attr:a = f(,)", "attr:a = []", "attr:a = f()",
    "attr:a | json_path '$.x' | length = 2", "1 + 1 | type = \"number\"",
])
@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("strict", [False, True])
def test_corners_agree(text: str, start: str, strict: bool) -> None:
    agrees(text, start, strict)
    agrees(text.split("=", 1)[-1], start, strict)


# -- nesting and the limits ---------------------------------------------------------------------


def _nestings() -> Iterator[str]:
    for n in (parser.MAX_DEPTH - 2, parser.MAX_DEPTH - 1, parser.MAX_DEPTH, parser.MAX_DEPTH + 1,
              parser.MAX_DEPTH + 2, 2 * parser.MAX_DEPTH, 400):
        yield "(" * n + "1" + ")" * n + " = 1"
        yield "-" * n + "1 = 1"
        yield "- (" * n + "attr:a" + ")" * n + " = 1"
        yield "[" * n + "1" + "]" * n + " = 1"
        yield "f(" * n + ")" * n + " = 1"
        yield "1" + " + 1" * n + " = 1"
        yield "attr:a" + " | length" * n + " = 1"
        yield "(" * n + "1" + " * 2)" * n + " = 1"
        yield "'${" * 3 + "-" * n + "1" + "}'" * 3 + " = 1"


@pytest.mark.parametrize("text", list(_nestings()))
def test_deep_nesting_agrees(text: str) -> None:
    for strict in (False, True):
        agrees(text, "assertion", strict)


def test_the_length_limit_comes_first() -> None:
    text = "attr:a = " + "1" * parser.MAX_LENGTH
    assert outcome(text, "assertion", False) == reference(text, "assertion", False)
    assert outcome(text, "assertion", False)[0] == "error"  # type: ignore[index]


# -- every assertion we ship is read by the descent ---------------------------------------------


def _texts(value: Any) -> Iterator[tuple[str, str]]:
    """The assertions and expressions in a test file or a case file, parsed."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("assertion", "expression") and isinstance(item, str):
                yield (key, item)
            elif key == "assertions" and isinstance(item, list):
                yield from (("assertion", a) for a in item if isinstance(a, str))
            elif key == "outputs" and isinstance(item, list):
                yield from (("expression", o["value"]) for o in item
                            if isinstance(o, dict) and isinstance(o.get("value"), str))
            else:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _shipped() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted((CASES / "assertions").glob("*.json")):
        found += _texts(json.loads(path.read_text(encoding="utf-8")))
    found += [("assertion", case["text"]) for case in cases("assertions/parser.json")]
    found += [("assertion", line) for line in lines("identity_assertions.txt")]
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            found += _texts(doc)
    docs = (ROOT / "docs" / "assertions.md").read_text(encoding="utf-8")
    for block in re.findall(r"```[a-z]*\n(.*?)```", docs, re.S):
        found += [("assertion", line.strip()) for line in block.splitlines() if line.strip()]
    for code in re.findall(r"`([^`\n]+)`", docs):
        found += [(start, code) for start in STARTS]
    for literal in re.findall(r"""(?:parse_assertion|compile_assertion)\("((?:[^"\\]|\\.)*)"\)""",
                              docs):
        found.append(("assertion", literal))
    return sorted(set(found))


SHIPPED = _shipped()


def test_the_shipped_corpus_is_large() -> None:
    assert len(SHIPPED) > 300
    assert sum(accepted(text, start, False) for start, text in SHIPPED) > 300


@pytest.mark.parametrize(("start", "text"), SHIPPED)
def test_every_shipped_assertion_is_read_by_the_descent(start: str, text: str) -> None:
    for strict in (False, True):
        accepted(text, start, strict)
        agrees(text, start, strict)


# -- lark only for the texts the descent gives up on --------------------------------------------


def test_a_well_formed_assertion_does_not_import_lark() -> None:
    code = (
        "import sys\n"
        "from tracespec.assertions.parser import parse_assertion, parse_expression\n"
        "parse_assertion(\"attr:a | json_path '$.x' contains '${var:b}' \")\n"
        "parse_expression('attr:tracetest.span.duration + 5ms')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('lark', 'tracespec._grammar'))))\n"
        "try:\n"
        "    parse_assertion('attr:a == 1')\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, 'lark' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""}).stdout
    assert out.splitlines() == ["[]", "ParseError True"]
