"""Hypothesis strategies for selectors: AST nodes, selector text from the grammar, span trees.

``selectors()`` draws any valid syntax tree (for the round trip); ``grammar_texts()`` and
``spaced_grammar_texts()`` draw text from ``grammar/selector.lark``; ``query_selectors()`` draws
trees over a small vocabulary of keys, values and patterns so that they match spans of
``span_trees()``, for the differential test against the oracle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lark
from hypothesis import strategies as st
from hypothesis.extra.lark import LarkStrategy, from_lark

from tracespec.selectors import ast
from tracespec.selectors.unparse import quote

# -- any syntax tree -------------------------------------------------------------------------------

_PLAIN_SEGMENT = st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True)
_LATER_SEGMENT = st.from_regex(r"[a-z0-9_-]{1,6}", fullmatch=True)
plain_keys = st.builds(
    lambda head, rest: ".".join([head, *rest]), _PLAIN_SEGMENT,
    st.lists(_LATER_SEGMENT, max_size=3),
)
any_keys = st.one_of(plain_keys, st.text(max_size=8), st.sampled_from(
    ["name", "kind", "contains", "not-contains", "span", "true", "ünï", "a..b", ""]))
literals = st.one_of(
    st.builds(ast.String, st.text(max_size=12)),
    st.builds(ast.Number, st.integers(min_value=0, max_value=10**30)),
    st.builds(ast.Number, st.floats(min_value=0.0, allow_nan=False, allow_infinity=False)),
    st.builds(ast.Bool, st.booleans()),
)


_ANY_PATTERN = st.text(max_size=8)


@st.composite
def comparisons(draw: st.DrawFn, keys: st.SearchStrategy[str] = any_keys,
                values: st.SearchStrategy[ast.Literal] = literals,
                patterns: st.SearchStrategy[str] = _ANY_PATTERN) -> ast.Comparison:
    op = draw(st.sampled_from(list(ast.Operator)))
    if op in (ast.Operator.MATCHES, ast.Operator.NOT_MATCHES):
        return ast.Comparison(draw(keys), op, ast.String(draw(patterns)))
    return ast.Comparison(draw(keys), op, draw(values))


def _filters(keys: st.SearchStrategy[str], values: st.SearchStrategy[ast.Literal],
             patterns: st.SearchStrategy[str]) -> st.SearchStrategy[ast.Filter]:
    return st.one_of(comparisons(keys, values, patterns),
                     st.builds(ast.Exists, keys, st.booleans()))


def _selector_strategy(keys: st.SearchStrategy[str], values: st.SearchStrategy[ast.Literal],
                       patterns: st.SearchStrategy[str], *, max_chain: int,
                       max_alternatives: int, depth: int,
                       min_alternatives: int = 0) -> st.SearchStrategy[ast.Selector]:
    filters = _filters(keys, values, patterns)
    picks = st.one_of(st.builds(ast.First), st.builds(ast.Last),
                      st.builds(ast.NthChild, st.integers(min_value=0, max_value=4)))
    tests: st.SearchStrategy[ast.Pseudo] = st.one_of(st.builds(ast.Root), st.builds(ast.Leaf))
    if depth > 0:
        inner = _selector_strategy(keys, values, patterns, max_chain=2, max_alternatives=2,
                                   depth=depth - 1, min_alternatives=1)
        tests = st.one_of(tests, st.builds(ast.Has, inner), st.builds(ast.Not, inner))
    pseudos = st.lists(st.one_of(picks, tests), max_size=2)
    compounds = st.builds(ast.Compound, st.lists(filters, max_size=3).map(tuple),
                          pseudos.map(tuple))

    @st.composite
    def chains(draw: st.DrawFn) -> ast.Chain:
        parts = draw(st.lists(compounds, min_size=1, max_size=max_chain))
        combs = draw(st.lists(st.sampled_from(list(ast.Combinator)),
                              min_size=len(parts) - 1, max_size=len(parts) - 1))
        return ast.Chain(tuple(parts), tuple(combs))

    return st.builds(ast.Selector, st.lists(chains(), min_size=min_alternatives,
                                            max_size=max_alternatives).map(tuple))


def selectors() -> st.SearchStrategy[ast.Selector]:
    """Any valid selector syntax tree."""
    return _selector_strategy(any_keys, literals, st.text(max_size=8), max_chain=3,
                              max_alternatives=3, depth=2)


# -- text from the grammar -------------------------------------------------------------------------

# Read from the source tree's grammar/ (which the package ships and parses with), not through
# the private tracespec._grammar; built without lark's cache so that from_lark can read it.
GRAMMAR_FILE = Path(__file__).resolve().parents[3] / "grammar" / "selector.lark"
SELECTOR_LARK = lark.Lark(GRAMMAR_FILE.read_text(encoding="utf-8"), parser="lalr",
                          lexer="contextual")


class _Spaced(LarkStrategy):  # type: ignore[misc]
    """Grammar strings with a space between every two tokens (as hypothesmith does), so that
    tokens never glue into others and most draws are selectors; LarkStrategy is not public API,
    which is why pyproject pins hypothesis."""

    def gen_ignore(self, data: object, draw_state: list[str]) -> None:
        draw_state.append(" ")


# Strings drawn as valid Go literals, so that fewer draws fail on escapes.
_SPACED = _Spaced(SELECTOR_LARK, "start", {"STRING": st.text(max_size=8).map(quote)},
                  st.characters(codec="utf-8"))


def grammar_texts() -> st.SearchStrategy[str]:
    """Strings drawn from ``grammar/selector.lark``: well formed as far as the grammar says."""
    return from_lark(SELECTOR_LARK, start="start")


def spaced_grammar_texts() -> st.SearchStrategy[str]:
    """Strings drawn from the grammar with a space between every two tokens."""
    return _SPACED


# -- selectors that match generated traces ---------------------------------------------------------

KEYS = ["n", "s", "http.status_code", "b"]
NAMES = ["a", "b", "GET /x", "200", "0.5"]
VALUES: list[Any] = [0, 1, 200, 500, 0.5, 200.0, "200", "0.50", "0.5", "abc", "", "08", "true",
                     "-1", True, False, [1, 2], {"$double": "NaN"}, {"$double": "Infinity"},
                     {"$bytes": "1234"}, {"$bytes": "AA=="}]
PATTERNS = [".*", "a.*", "[0-9]+", "GET .*", "2.*|abc", "", "N.N", "[a-z]+"]

query_keys = st.sampled_from([*KEYS, "name", "kind", "missing"])
query_literals = st.one_of(
    st.sampled_from([ast.String(v) for v in
                     ["200", "0.5", "0.50", "abc", "", "a", "b", "GET /x", "true", "1",
                      "server", "client", "internal", "unespecified", "1234"]]),
    st.sampled_from([ast.Number(v) for v in [0, 1, 200, 500, 0.5, 8, 2.0, 1234]]),
    st.builds(ast.Bool, st.booleans()),
)


def query_selectors() -> st.SearchStrategy[ast.Selector]:
    """Selectors over the vocabulary of :func:`span_trees` (so that they select something)."""
    return _selector_strategy(query_keys, query_literals, st.sampled_from(PATTERNS),
                              max_chain=3, max_alternatives=2, depth=1, min_alternatives=1)


@st.composite
def span_trees(draw: st.DrawFn, max_spans: int = 25) -> dict[str, Any]:
    """A span tree for ``tests.support.traces.make_trace``; a span's parent is an earlier one."""
    count = draw(st.integers(min_value=1, max_value=max_spans))
    nodes: list[dict[str, Any]] = []
    for i in range(count):
        attributes = {}
        for key in KEYS:
            if draw(st.booleans()):
                attributes[key] = draw(st.sampled_from(VALUES))
        node: dict[str, Any] = {
            "name": draw(st.sampled_from(NAMES)),
            "kind": draw(st.sampled_from(["server", "client", "internal", "unspecified"])),
            "attributes": attributes,
            "children": [],
        }
        if i:
            parent = draw(st.integers(min_value=max(0, i - 6), max_value=i - 1))
            nodes[parent]["children"].append(node)
        nodes.append(node)
    return nodes[0]


# -- selector text as people write it --------------------------------------------------------------

# Whatever may stand between two tokens; the first four are also what may stand between two
# tokens that would otherwise glue into one (`a contains`, `:first span[]`).
_GAPS = [" ", "\n", "\t", "/* c */", "//c\n", "\r\n  ", "/**/", " /* x\n y */ "]
_EMPTY_OR_GAP = st.sampled_from(["", "", "", *_GAPS])
_GAP = st.sampled_from(_GAPS)

_NAMES = st.one_of(
    st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,5}", fullmatch=True),
    st.sampled_from(["name", "kind", "span", "true", "false", "first", "has", "not", "nth_child",
                     "contains", "root", "leaf", "tracetest", "ünï", "_"]),
)
_DASHED_NAMES = st.sampled_from(["dapr-app-id", "not-contains", "a-", "x--y", "a-1"])
_SEGMENTS = st.one_of(_NAMES, st.from_regex(r"[a-z_][a-z0-9_]{0,4}", fullmatch=True))
_LOOSE_SEGMENTS = st.sampled_from(["2xx", "0", "123", "-", "a-b", "1-x", "٣"])

_STRICT_NUMBERS = ["0", "7", "42", "007", "1_000", "0x1F", "0X_ff", "0o17", "0O_7", "0b1_0",
                   "0B1", "1.5", "1.", ".5", "1e10", "1E-3", "2.5e+3", "0x1p-2", "0x1.8p1",
                   "0x.8P0", "1_0.0_1", "0.0", "00", "123456789012345678901234567890"]
_INTEGERS = ["0", "3", "12", "007", "1_0", "0x0A", "0o7", "0b11", "00"]
_ESCAPES = ["\\n", "\\t", "\\\\", '\\"', "\\a", "\\b", "\\f", "\\v", "\\r", "\\x41", "\\xff",
            "\\u00e9", "\\U0001F600", "\\101", "\\377", "\\000"]


@st.composite
def _quoted(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.one_of(
        st.text(st.characters(exclude_characters='"\\\n', codec="utf-8"), min_size=1,
                max_size=4),
        st.sampled_from(_ESCAPES)), max_size=4))
    return '"' + "".join(pieces) + '"'


def _numbers(strict: bool) -> st.SearchStrategy[str]:
    forms = _STRICT_NUMBERS if strict else [*_STRICT_NUMBERS, "08", "0_9", "0189.5"]
    return st.sampled_from(forms)


class _Writer:
    """Writes one selector text from hypothesis draws (see :func:`selector_texts`)."""

    def __init__(self, draw: st.DrawFn, strict: bool) -> None:
        self.draw = draw
        self.strict = strict
        self.words = _NAMES if strict else st.one_of(_NAMES, _DASHED_NAMES)
        self.segments = _SEGMENTS if strict else st.one_of(_SEGMENTS, _LOOSE_SEGMENTS)

    def gap(self) -> str:
        """Whatever may stand between two tokens, often nothing."""
        return self.draw(_EMPTY_OR_GAP)

    def key(self) -> tuple[str, bool]:
        """(text, its first name is a word operator)."""
        if not self.strict and self.draw(st.integers(0, 5)) == 0:
            return self.draw(_quoted()), False
        head = self.draw(self.words)
        text = head
        for part in self.draw(st.lists(self.segments, max_size=3)):
            text += self.gap() + "." + self.gap() + part
        return text, head in ("contains", "not-contains")

    def literal(self, pattern: bool = False) -> str:
        kind = self.draw(st.integers(0, 3))
        if pattern or kind == 0:
            return self.draw(_quoted())
        if kind == 1:
            return "true" if self.draw(st.booleans()) else "false"
        return self.draw(_numbers(self.strict))

    def filter(self) -> tuple[str, str, bool]:
        """(text, kind: cmp, exists, quoted or not, starts with a word operator)."""
        kinds = ["cmp", "cmp"] if self.strict else ["cmp", "cmp", "exists", "not"]
        kind = self.draw(st.sampled_from(kinds))
        k, word_op = self.key()
        quoted = k.startswith('"')
        if kind == "not":
            return "!" + self.gap() + k, "not", False
        if kind == "exists":
            return k, "quoted" if quoted else "exists", word_op
        ops = ["=", "contains"] if self.strict else [op.value for op in ast.Operator]
        op = self.draw(st.sampled_from(ops))
        value = self.literal(pattern=op in ("=~", "!~"))
        before = self.draw(_GAP) if op[0].isalpha() and not quoted else self.gap()
        after = self.draw(_GAP) if op[-1].isalpha() and value[0] != '"' else self.gap()
        return k + before + op + after + value, "cmp", word_op

    def filters(self) -> str:
        count = self.draw(st.integers(0, 3))
        lead = "," + self.gap() if count and self.draw(st.integers(0, 3)) == 0 else ""
        out = self.gap() + lead
        previous = None
        for _ in range(count):
            text, kind, word_op = self.filter()
            if previous is not None:  # `span[a contains]`: an operator after a bare name
                comma = self.draw(st.booleans()) or kind == "quoted" or (
                    previous in ("exists", "quoted", "not") and word_op)
                out += (self.gap() + "," + self.gap()) if comma else self.draw(_GAP)
            out += text
            previous = kind
        return out + self.gap()

    def args(self, integers: bool) -> str:
        count = self.draw(st.integers(0, 3))
        values = [self.draw(st.sampled_from(_INTEGERS)) if integers else self.literal()
                  for _ in range(count)]
        return "(" + self.gap() + self.draw(_GAP).join(values) + self.gap() + ")"

    def pseudo(self, depth: int) -> tuple[str, bool]:
        """(text, ends with a name)."""
        names = ["first", "last", "nth_child"]
        if not self.strict:
            names += ["root", "leaf"] + (["has", "not"] if depth > 0 else [])
        name = self.draw(st.sampled_from(names))
        head = ":" + self.gap() + name
        if name in ("first", "last"):
            groups = [self.args(False) for _ in range(self.draw(st.integers(0, 2)))]
            return head + "".join(self.gap() + g for g in groups), not groups
        if name == "nth_child":
            groups = [self.args(True) for _ in range(self.draw(st.integers(1, 2)))]
            if not any(any(c.isdigit() for c in g) for g in groups):
                groups.append("(" + self.draw(st.sampled_from(_INTEGERS)) + ")")
            return head + "".join(self.gap() + g for g in groups), False
        if name in ("has", "not"):
            return head + self.gap() + "(" + self.selector(depth - 1, inner=True) + ")", False
        return head, True

    def compound(self, depth: int) -> tuple[str, bool]:
        text = "span" + self.gap() + "[" + self.filters() + "]"
        ends_with_name = False
        for _ in range(self.draw(st.integers(0, 2))):
            p, ends_with_name = self.pseudo(depth)
            text += self.gap() + p
        return text, ends_with_name

    def chain(self, depth: int, inner: bool) -> str:
        text, ends_with_name = self.compound(depth)
        for _ in range(self.draw(st.integers(0, 1 if inner else 2))):
            if not self.strict and self.draw(st.booleans()):
                text += self.gap() + ">" + self.gap()
            else:  # `:first span[]`, not `:firstspan[]`
                text += self.draw(_GAP) if ends_with_name else self.gap()
            part, ends_with_name = self.compound(depth)
            text += part
        return text

    def selector(self, depth: int, inner: bool = False) -> str:
        count = self.draw(st.integers(1, 2) if inner else st.integers(0, 3))
        if count == 0:
            return self.gap()
        lead = "," + self.gap() if self.draw(st.integers(0, 4)) == 0 else ""
        chains = (self.gap() + "," + self.gap()).join(self.chain(depth, inner)
                                                      for _ in range(count))
        return self.gap() + lead + chains + self.gap()


@st.composite
def selector_texts(draw: st.DrawFn, strict: bool = False, depth: int = 2) -> str:
    """Selector text that parses (with ``strict`` if asked), written every way the language
    allows: gaps of whitespace and comments wherever they may stand (or none), keywords as
    attribute names, quoted names and escapes, every number form, pseudo-class arguments,
    leading commas, ``>`` and nested ``:has()``/``:not()``."""
    return _Writer(draw, strict).selector(depth)
