"""The hand parser (``selectors.descent``) against its oracle, the lark path (``selectors.lalr``).

The hand parser only ever accepts: whenever it returns a tree, lark's path returns an equal one
with the same ``loc`` everywhere (``ast`` equality ignores ``loc``, so trees are compared through
:func:`shape`); and it gives up on exactly the texts lark's path rejects, so that the fast path
is the one good selectors take.  Texts are generated (``selector_texts``: whitespace, comments,
keywords as names, escapes, every number form, nesting, strict and not), drawn from the grammar,
mutated, and taken from the project's own examples, cases and documentation.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import tracespec
from tests.support.cases import lines, selector_cases
from tests.support.strategies.selectors import (
    GRAMMAR_FILE,
    grammar_texts,
    selector_texts,
    spaced_grammar_texts,
)
from tracespec.selectors import ast, descent
from tracespec.selectors.limits import MAX_CHAIN, MAX_LENGTH, MAX_NESTING
from tracespec.selectors.parser import _parse_with_lark

ROOT = Path(__file__).resolve().parents[2]


def shape(node: object) -> object:
    """A node as nested tuples: its class, ``loc`` and fields (values with their types, so that
    ``1`` and ``1.0`` differ)."""
    if isinstance(node, ast.SelectorNode):
        fields = tuple(shape(getattr(node, f.name)) for f in attrs.fields(type(node))
                       if f.name != "loc")
        return (type(node).__name__, node.loc, fields)
    if isinstance(node, tuple):
        return tuple(shape(item) for item in node)
    return (type(node).__name__, node)


def hand(text: str, strict: bool = False) -> object:
    """The hand parser's tree as a shape, or ``None`` when it gives up."""
    try:
        return shape(descent.parse(text, strict=strict))
    except descent.Unsure:
        return None


def oracle(text: str, strict: bool = False) -> object:
    """lark's tree as a shape, or ``None`` for a ParseError."""
    try:
        return shape(_parse_with_lark(text, strict))
    except tracespec.ParseError:
        return None


def agree(text: str, strict: bool) -> object:
    """Assert that both parsers accept the same text with the same tree; return it."""
    mine, theirs = hand(text, strict), oracle(text, strict)
    if mine is not None:
        assert mine == theirs, "the hand parser accepted what lark reads otherwise"
    assert mine == theirs, "the hand parser gave up on a selector lark accepts"
    return mine


# -- the terminals are the grammar's -------------------------------------------------------------


def test_terminals_are_the_grammars() -> None:
    grammar = GRAMMAR_FILE.read_text(encoding="utf-8")
    for name in ("NAME", "SEGMENT", "STRING", "NUMBER", "WS", "COMMENT"):
        found = re.search(rf"^{name}: /(.*)/$", grammar, re.MULTILINE)
        assert found is not None, name
        assert getattr(descent, name) == found.group(1), name


# -- generated selectors ---------------------------------------------------------------------------


@settings(max_examples=max(150, settings.default.max_examples))
@given(selector_texts())
@example("span[a . b /* c */ = 1_000]")
@example("span[contains contains \"x\" span=true true=false first=1]:first(1 true)")
@example("span[not-contains not-contains \"x\"]:nth_child(2)(0x03)")
@example('span["a\\x41\\u00e9\\101"="\\U0001F600"]')
@example("span[a=0x1p-2 b=.5 c=1. d=0o17 e=0b1_0 f=08 g=1e+3]")
@example("span[]span[]>span[]:root , span[a]:has(,span[b],span[c]:not(span[d]))")
@example("span[a.2xx.-=1]")
@example("  /* nothing */ // at all\n")
def test_generated_selectors_take_the_fast_path(text: str) -> None:
    assert agree(text, strict=False) is not None
    agree(text, strict=True)  # extensions: both refuse; reference-language text: both accept


@settings(max_examples=max(100, settings.default.max_examples))
@given(selector_texts(strict=True))
@example('span[a="x", b contains "y"]:nth_child(007)')
def test_strict_selectors_take_the_fast_path(text: str) -> None:
    assert agree(text, strict=True) is not None
    assert agree(text, strict=False) is not None


_EDIT_CHARS = [*' ,[]():!=~<>."\\/*-_0x1eEp+\n\tspan', "span[", "contains", "true", ":has(",
               "//", "/*", "*/", "\\x", "\\u", "08", "0x", "!"]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bool]:
    """A generated selector with a few characters deleted, replaced, inserted or repeated."""
    strict = draw(st.booleans())
    text = draw(selector_texts(strict=strict))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 3)))
        edit = draw(st.sampled_from(["delete", "replace", "insert", "repeat"]))
        if edit == "delete":
            text = text[:i] + text[j:]
        elif edit == "repeat":
            text = text[:j] + text[i:j] + text[j:]
        else:
            piece = draw(st.sampled_from(_EDIT_CHARS))
            text = text[:i] + piece + text[j if edit == "replace" else i:]
    return text, strict


@settings(max_examples=max(150, settings.default.max_examples))
@given(mutated())
@example(("span[,//\n]", False))
@example(("span[!a contains]", False))
@example(("span[!a=1]", False))
@example(("span[a contains]", False))
@example(('span[a "b"]', False))
@example(('span[a="x"b]', False))
@example(('span[a="x"b="y"]', False))
@example(("span[a=1x]", False))
@example(("span[]:first span[]:firstspan[]", False))
@example(("span[]:nth_child(1.5)", False))
@example(("span[]:nth_child()", False))
@example(("span[a=08]", True))
@example(("span[a=\"\\q\"]", False))
@example(("span[a] /* open", False))
@example(("spanx[]", False))
@example(("span[a=1]:root()", False))
def test_mutated_selectors_agree(case: tuple[str, bool]) -> None:
    text, strict = case
    agree(text, strict)


@given(st.one_of(grammar_texts(), spaced_grammar_texts()), st.booleans())
def test_grammar_strings_agree(text: str, strict: bool) -> None:
    agree(text, strict)


@given(st.lists(st.sampled_from([*_EDIT_CHARS, "a", "b", "1", '"x"']), max_size=16).map("".join))
def test_token_soup_agrees(text: str) -> None:
    agree(text, strict=False)


# -- limits --------------------------------------------------------------------------------------


def test_the_caps_are_reached_on_the_fast_path() -> None:
    chain = " ".join(["span[a=1]"] * MAX_CHAIN)
    assert agree(chain, False) is not None
    assert agree(chain + " span[]", False) is None
    nested = "span[]:has(" * MAX_NESTING + "span[]" + ")" * MAX_NESTING
    assert agree(nested, False) is not None
    deeper = "span[]:not(" + nested + ")"
    assert agree(deeper, False) is None
    long = ", ".join(['span[a="x"]'] * (MAX_LENGTH // 13))
    assert len(long) <= MAX_LENGTH and agree(long, False) is not None


# -- the project's own selectors -------------------------------------------------------------------


def _yaml_selectors(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k == "selector" and isinstance(v, str)]
        return found + [s for v in node.values() for s in _yaml_selectors(v)]
    if isinstance(node, list):
        return [s for item in node for s in _yaml_selectors(item)]
    return []


def _doc_candidates(text: str) -> set[str]:
    """Inline code, code-block lines and their columns: whatever might be a selector."""
    found = set(re.findall(r"`([^`\n]+)`", text))
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            found.add(line)
            found.update(re.split(r"\s{2,}", line))
            found.update(re.findall(r"'([^'\n]+)'", line))
    return {c.strip() for c in found if "span[" in c}


def _example_selectors() -> list[str]:
    texts = lines("identity_selectors.txt")
    texts += [case["selector"] for _id, _name, _group, case in selector_cases()
              if "error" not in case]
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            texts += _yaml_selectors(document)
    for path in (ROOT / "docs").glob("*.md"):
        texts += sorted(_doc_candidates(path.read_text(encoding="utf-8")))
    return sorted(set(texts))


def test_every_example_selector_takes_the_fast_path() -> None:
    checked = 0
    for text in _example_selectors():
        for strict in (False, True):
            theirs = oracle(text, strict)
            if theirs is not None:
                assert hand(text, strict) == theirs, text
                checked += 1
    assert checked > 200  # the corpus was found


# -- lark stays out of a process that parses good selectors --------------------------------------


@pytest.mark.parametrize(("text", "lark_loaded"), [('span[a="x"]:first', False),
                                                    ('span[a="x]', True)])
def test_lark_is_imported_only_for_the_slow_path(text: str, lark_loaded: bool) -> None:
    code = (
        "import sys\n"
        "import tracespec.selectors.query\n"
        "from tracespec.selectors.parser import parse_selector\n"
        "try:\n"
        f"    parse_selector({text!r})\n"
        "except Exception:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m == 'lark' or m == 'tracespec._grammar'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ("['lark', 'tracespec._grammar']" if lark_loaded else "[]")
