"""Selector AST → :class:`~tracespec.query.plan.SelectorPlan`: checks, normalisation, access.

The selector language's front end lowers its syntax tree onto the language-neutral plan.  Each
filter becomes a :class:`Cond` whose kind fixes the semantics decided in the spec: ``=`` and
``contains`` read a missing attribute as ``""``; the extension operators never match a span
without the attribute; a number literal compares by value with anything that reads as a number
(``!=`` and ordering fall back to text order otherwise); ``name``/``kind`` read the span's own
fields, and ``kind`` ``=``/``!=`` accept Tracetest's spelling ``unespecified``.  Conditions an
index answers become seeds, the rest checks ordered by cost; trivial ones are dropped
(``contains ""``, ``span[name]``) and contradictions make a step that matches nothing.  RE2
patterns are compiled once here; a pattern RE2 refuses is a :class:`CompileError` at its place.
Every part of the plan is labelled with its canonical selector text (printed only when asked).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any, TypeAlias

from ..errors import CompileError
from ..query.plan import (
    ChainMode,
    ChainPlan,
    Combinator,
    CompareOp,
    Cond,
    CondKind,
    Driver,
    Field,
    HasTest,
    Label,
    LeafTest,
    NotTest,
    Pick,
    PickKind,
    RootTest,
    SelectorPlan,
    SpanTest,
    StepPlan,
)
from ..trace.attrvalue import AttrValue, number_of, text_form
from . import ast
from .unparse import unparse_selector_node

__all__ = ["compile_plan"]

_ORDER: dict[ast.Operator, Callable[[Any, Any], bool]] = {
    ast.Operator.LT: operator.lt,
    ast.Operator.LE: operator.le,
    ast.Operator.GT: operator.gt,
    ast.Operator.GE: operator.ge,
}


@functools.cache
def _re2_options() -> Any:
    """RE2's options for selector regexes (re2 is imported by the first selector with one)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    return options


def _text(value: AttrValue | None) -> str:
    return value if type(value) is str else text_form(value)


def _field(key: str) -> Field:
    if key == "name":
        return Field.NAME
    if key == "kind":
        return Field.KIND
    return Field.ATTRIBUTE


def _literal_text(value: ast.Literal) -> str:
    if isinstance(value, ast.String):
        return value.value
    if isinstance(value, ast.Bool):
        return "true" if value.value else "false"
    return text_form(value.value)


def _compile_regex(pattern: str, loc: ast.Loc, source: str) -> Any:
    import re2

    try:
        return re2.compile(pattern, _re2_options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise CompileError(f"invalid regular expression (RE2): {reason}", source=source,
                           span=_span(loc, source), language="selector") from None
    except (UnicodeError, TypeError):
        raise CompileError("invalid regular expression: the pattern is not valid UTF-8",
                           source=source, span=_span(loc, source), language="selector") from None


def _span(loc: ast.Loc, source: str) -> tuple[int, int]:
    if loc == ast.NO_LOC or loc[1] > len(source):
        return (0, max(1, len(source)))
    return loc


def _full_match(regex: Any) -> Callable[[str], bool]:
    fullmatch = regex.fullmatch

    def matches(text: str) -> bool:
        try:
            return fullmatch(text) is not None
        except UnicodeError:  # text that is not valid Unicode never matches
            return False

    return matches


def _label(node: ast.SelectorNode) -> Label:
    """The node's canonical text, printed when the plan is explained."""
    return Label(lambda: unparse_selector_node(node))


Test: TypeAlias = "Callable[[AttrValue | None], bool]"
TextTest: TypeAlias = Callable[[str], bool]
_Made: TypeAlias = "tuple[CondKind, Test, TextTest | None]"


def _cond(node: ast.Comparison, source: str) -> Cond | None:
    """The condition of one comparison; ``None`` when it always holds."""
    key, op, lit = node.key, node.op, node.value
    fld = _field(key)
    text = _literal_text(lit)
    if fld is Field.KIND and op in (ast.Operator.EQ, ast.Operator.NE) and text == "unespecified":
        text = "unspecified"  # Tracetest's spelling of the unspecified kind
    number = lit.value if isinstance(lit, ast.Number) else None
    if op in (ast.Operator.MATCHES, ast.Operator.NOT_MATCHES):  # a string literal (the parser)
        made: _Made | None = _regex(op, _full_match(_compile_regex(text, lit.loc, source)))
    elif number is not None:
        made = _number_cond(op, text, number)
    else:
        made = _text_cond(op, text)
    if made is None:
        return None
    kind, test, text_test = made
    return Cond(_label(node), fld, key, kind, CompareOp[op.name], text, number, test=test,
                text_test=text_test)


def _text_cond(op: ast.Operator, t: str) -> _Made | None:
    """A comparison with a string (or bool) literal: text against the value's text form."""
    if op is ast.Operator.EQ:
        if t == "":
            return CondKind.EQ_EMPTY, lambda v: v is None or _text(v) == "", None
        return CondKind.EQ_TEXT, lambda v: v is not None and _text(v) == t, lambda s: s == t
    if op is ast.Operator.CONTAINS:
        if t == "":
            return None  # every value contains "" (a missing one reads as "")
        return CondKind.CONTAINS, lambda v: v is not None and t in _text(v), lambda s: t in s
    if op is ast.Operator.NOT_CONTAINS:
        return (CondKind.NOT_CONTAINS, lambda v: v is not None and t not in _text(v),
                lambda s: t not in s)
    if op is ast.Operator.NE:
        return CondKind.NE_TEXT, lambda v: v is not None and _text(v) != t, lambda s: s != t
    cmp = _ORDER[op]
    return (CondKind.ORDER_TEXT, lambda v: v is not None and cmp(_text(v), t),
            lambda s: cmp(s, t))


def _number_cond(op: ast.Operator, t: str, x: int | float) -> _Made | None:
    """A comparison with a number literal: by value where the value reads as a number (for
    ``!=`` and ordering, by text where it does not); ``contains`` is on texts."""
    if op is ast.Operator.EQ:
        return CondKind.EQ_NUMBER, lambda v: number_of(v) == x, lambda s: number_of(s) == x
    if op is ast.Operator.NE:
        return CondKind.NE_NUMBER, *_by_number(operator.ne, t, x)
    if op in _ORDER:
        return CondKind.ORDER_NUMBER, *_by_number(_ORDER[op], t, x)
    return _text_cond(op, t)


def _by_number(cmp: Callable[[Any, Any], bool], t: str, x: int | float) -> tuple[Test, TextTest]:
    """``cmp`` against the number ``x`` where a value reads as a number, else against ``t``;
    on values (a missing one never passes) and on texts of present values."""

    def on_value(v: AttrValue | None) -> bool:
        if v is None:
            return False
        n = number_of(v)
        return cmp(n, x) if n is not None else cmp(_text(v), t)

    def on_text(s: str) -> bool:
        n = number_of(s)
        return cmp(n, x) if n is not None else cmp(s, t)

    return on_value, on_text


def _regex(op: ast.Operator, matches: TextTest) -> _Made:
    if op is ast.Operator.MATCHES:
        return CondKind.MATCHES, lambda v: v is not None and matches(_text(v)), matches
    return (CondKind.NOT_MATCHES, lambda v: v is not None and not matches(_text(v)),
            lambda s: not matches(s))


def _exists(node: ast.Exists) -> Cond | None:
    fld = _field(node.key)
    if node.negated:
        return Cond(_label(node), fld, node.key, CondKind.ABSENT, test=lambda v: v is None)
    if fld is not Field.ATTRIBUTE:
        return None  # name and kind always exist
    return Cond(_label(node), fld, node.key, CondKind.EXISTS, test=lambda v: v is not None)


def _conditions(node: ast.Compound, source: str) -> tuple[list[Cond], str | None]:
    """The compound's conditions without repeats, and why they cannot all hold (or None)."""
    conds: list[Cond] = []
    for f in node.filters:
        cond = _cond(f, source) if isinstance(f, ast.Comparison) else _exists(f)
        if cond is not None and cond not in conds:
            conds.append(cond)
    never: str | None = None
    equal: dict[tuple[Field, str], Cond] = {}
    for cond in conds:
        if cond.kind is CondKind.ABSENT and cond.field is not Field.ATTRIBUTE:
            never = f"{cond.label}: {cond.key} always exists"
        if cond.kind is CondKind.EQ_TEXT:
            other = equal.setdefault((cond.field, cond.key), cond)
            if other.text != cond.text:
                never = f"{other.label} and {cond.label} cannot both hold"
    return conds, never


def _pseudos(node: ast.Compound, source: str) -> tuple[list[SpanTest], Pick | None]:
    """The compound's span tests (cheap ones first) and its pick (the last one written)."""
    tests: list[SpanTest] = []
    pick: Pick | None = None
    for p in node.pseudos:
        label = _label(p)
        if isinstance(p, ast.First):
            pick = Pick(PickKind.FIRST, label=label)
        elif isinstance(p, ast.Last):
            pick = Pick(PickKind.LAST, label=label)
        elif isinstance(p, ast.NthChild):
            pick = Pick(PickKind.NTH, p.n, label=label)
        elif isinstance(p, ast.Root | ast.Leaf):
            test: SpanTest = RootTest(label=label) if isinstance(p, ast.Root) else LeafTest(
                label=label)
            if test not in tests:
                tests.append(test)
        elif isinstance(p, ast.Has):
            tests.append(HasTest(_selector(p.selector, source), label=label))
        else:
            tests.append(NotTest(_selector(p.selector, source), label=label))
    tests.sort(key=lambda t: 0 if isinstance(t, RootTest | LeafTest) else 1)
    return tests, pick


def _step(node: ast.Compound, source: str) -> StepPlan:
    conds, never = _conditions(node, source)
    tests, pick = _pseudos(node, source)
    if never is not None:
        return StepPlan(_label(node), pick=pick, never=never)
    seeds = tuple(c for c in conds if c.kind.seedable)
    checks = tuple(sorted((c for c in conds if not c.kind.seedable), key=lambda c: c.rank))
    value_scan = next((c for c in checks if c.text_test is not None), None)
    if seeds:
        driver = Driver.SEEDS
    elif any(isinstance(t, RootTest) for t in tests):
        driver = Driver.ROOT
    elif any(isinstance(t, HasTest) for t in tests):
        driver = Driver.HAS
    elif value_scan is not None:
        driver = Driver.VALUES
    else:
        driver = Driver.SCAN
    if driver is not Driver.VALUES:
        value_scan = None
    return StepPlan(_label(node), seeds, checks, tuple(tests), pick, None, driver, value_scan)


def _chain(node: ast.Chain, source: str) -> ChainPlan:
    steps = tuple(_step(c, source) for c in node.compounds)
    combinators = tuple(Combinator[c.name] for c in node.combinators)
    picks = [k for k, s in enumerate(steps) if s.pick is not None]
    if not picks:
        return ChainPlan(steps, combinators, ChainMode.SET)
    children = [k + 1 for k, c in enumerate(node.combinators) if c is ast.Combinator.CHILD]
    level = max(picks[-1], children[-1] if children else 0)
    return ChainPlan(steps, combinators, ChainMode.GROUPED, level)


def _selector(node: ast.Selector, source: str) -> SelectorPlan:
    chains: list[ChainPlan] = []
    for c in node.alternatives:
        plan = _chain(c, source)
        if plan not in chains:
            chains.append(plan)
    return SelectorPlan(_label(node), tuple(chains))


def compile_plan(node: ast.Selector, source: str) -> SelectorPlan:
    """Compile a parsed selector; ``source`` is its text (for the positions of errors)."""
    return _selector(node, source)
