"""Assertion AST → closures: the general evaluation path of the assertion language.

:func:`build` turns each expression node into a *builder*: a function that, given a
:class:`Context` (the trace index, the variables, the number of selected spans), returns an
*evaluator* ``pos -> Value`` for one span position (``None`` when no span was selected).
Binding per context lets evaluators capture what does not change from span to span: the
attribute column (``TraceIndex.column``, built once per key), constant sub-trees (folded once:
literals, variables, the selected-span count), compiled regexes and JSONPath queries.
Problems on the data raise :class:`~tracespec.errors.EvalError`, which the compiled
:class:`~.compiled.Check` turns into failed span results.  No ``eval()``; unexpected Python
errors are bugs and propagate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from .._frozen import FieldsRepr
from ..errors import EvalError
from ..trace import TraceIndex, semconv
from ..trace.attrvalue import AttrValue, text_form
from . import ast
from .arith import arithmetic, negate
from .values import DURATION, NUMBER, Value, dehumanize, unescape

__all__ = [
    "META_PREFIX",
    "Builder",
    "Context",
    "Evaluator",
    "attr_value",
    "build",
    "is_constant",
    "is_meta",
    "keys_read",
    "no_span_message",
    "not_found",
]

#: ``attr:tracetest.selected_spans.count``: attributes of the selection, not of a span.
META_PREFIX = "tracetest.selected_spans."


def is_meta(name: str) -> bool:
    """True for an attribute of the selection (``tracetest.selected_spans.X``), not a span's."""
    return name.startswith(META_PREFIX) and len(name) > len(META_PREFIX)


def keys_read(node: ast.AssertionNode) -> frozenset[str]:
    """The span attributes (meta attributes included) an assertion or expression reads."""
    return frozenset(
        n.name for n, _ in ast.walk(node) if isinstance(n, ast.Attribute) and not is_meta(n.name)
    )


@attrs.define(slots=True, repr=False)
class Context(FieldsRepr):
    """What evaluators of one run share: the trace's index (``None`` without a trace), the
    variables (``env:``/``var:``) and the number of selected spans."""

    index: TraceIndex | None
    variables: Mapping[str, str]
    selected_count: int = 0

    def column(self, key: str) -> Sequence[AttrValue | None] | None:
        """The trace's column of attribute ``key`` (``None`` without a trace)."""
        return self.index.column(key) if self.index is not None else None


Evaluator = Callable[[int | None], Value]
Builder = Callable[[Context], Evaluator]


# -- values of attributes -----------------------------------------------------------------------


def attr_value(v: AttrValue) -> Value:
    """The value of an attribute: its text form, typed by content."""
    if type(v) is int and v >= 0:
        return Value(((str(v), NUMBER),))
    if type(v) is str:
        return Value.of(v)
    return Value.of(text_form(v))


def no_span_message(name: str) -> str:
    """Tracetest's message for an attribute read when no span was selected."""
    return (
        f'there are no matching spans to retrieve the attribute "{name}" from. To fix this '
        "error, create a selector matching at least one span."
    )


def not_found(name: str, index: TraceIndex | None) -> Callable[[int], str]:
    """The message for attribute ``name`` missing on the span at a position: Tracetest's
    ``attribute "NAME" not found``, and, when that span has the attribute under its other name
    in the OpenTelemetry semantic conventions (:mod:`tracespec.trace.semconv`), which one:
    ``...; this span has "http.response.status_code" (its name since semconv v1.21.0)``.

    Called only for a missing attribute: the other names' columns are built at the first call,
    and each message is made once (span results share it).
    """
    base = f'attribute "{name}" not found'
    renames = semconv.renames_of(name)
    if index is None or not renames:
        return lambda pos: base
    others = [(r.other(name), semconv.described(r, name)) for r in renames]
    columns: list[Sequence[AttrValue | None]] = []
    messages: dict[tuple[int, ...], str] = {}

    def message(pos: int) -> str:
        if not columns:
            index.prefetch(key for key, _ in others)
            columns.extend(index.column(key) for key, _ in others)
        present = tuple(i for i, col in enumerate(columns) if col[pos] is not None)
        if not present:
            return base
        text = messages.get(present)
        if text is None:
            text = messages[present] = (
                f"{base}; this span has " + " and ".join(others[i][1] for i in present))
        return text

    return message


# -- building ---------------------------------------------------------------------------------


def is_constant(node: object) -> bool:
    """True when a node gives the same value for every span of a run (no ``attr:`` of the
    span, no random function)."""
    if isinstance(node, ast.Attribute):
        return is_meta(node.name)
    if isinstance(node, ast.FunctionCall):
        return False
    if isinstance(node, ast.String):
        return all(isinstance(p, str) or is_constant(p) for p in node.parts)
    if isinstance(node, ast.Array):
        return all(is_constant(i) for i in node.items)
    if isinstance(node, ast.BinaryOp):
        return is_constant(node.left) and is_constant(node.right)
    if isinstance(node, ast.Negate):
        return is_constant(node.operand)
    if isinstance(node, ast.Pipeline):
        return is_constant(node.input) and all(
            is_constant(a) for f in node.filters for a in f.args
        )
    return True


def _constant(builder: Builder) -> Builder:
    """Fold a constant sub-tree: evaluate it once per context (errors included)."""

    def bind(ctx: Context) -> Evaluator:
        try:
            value = builder(ctx)(None)
        except EvalError as exc:
            message = exc.message

            def fail(pos: int | None) -> Value:
                raise EvalError(message)

            return fail
        return lambda pos: value

    return bind


def build(node: ast.Expr) -> Builder:
    """The builder of an expression node (constant sub-trees folded per context)."""
    builder = _build(node)
    if is_constant(node) and not isinstance(node, ast.Number | ast.Duration):
        return _constant(builder)
    return builder


def _build(node: ast.Expr) -> Builder:
    if isinstance(node, ast.Attribute):
        return _attribute(node.name)
    if isinstance(node, ast.Environment | ast.Variable):
        return _variable(node.name)
    if isinstance(node, ast.Number):
        value = Value.typed(node.text, NUMBER)
        return lambda ctx: lambda pos: value
    if isinstance(node, ast.Duration):
        text = node.text
        ns = -dehumanize(text[1:]) if text.startswith("-") else dehumanize(text)
        dvalue = Value.typed(str(ns), DURATION)
        return lambda ctx: lambda pos: dvalue
    if isinstance(node, ast.String):
        return _string(node)
    if isinstance(node, ast.Array):
        return _array(node)
    if isinstance(node, ast.FunctionCall):
        return _function(node)
    if isinstance(node, ast.BinaryOp):
        return _binary(node)
    if isinstance(node, ast.Negate):
        return _negate(node)
    if isinstance(node, ast.Pipeline):
        return _pipeline(node)
    raise TypeError(f"not an expression node: {node!r}")  # pragma: no cover


def _attribute(name: str) -> Builder:
    if is_meta(name):
        meta = name[len(META_PREFIX) :]

        def bind_meta(ctx: Context) -> Evaluator:
            if meta != "count":
                message = (
                    f"could not resolve meta attribute: unknown meta attribute {META_PREFIX}{meta}"
                )

                def fail(pos: int | None) -> Value:
                    raise EvalError(message)

                return fail
            value = Value.of(str(ctx.selected_count))
            return lambda pos: value

        return bind_meta

    no_span = no_span_message(name)

    def bind(ctx: Context) -> Evaluator:
        col = ctx.column(name)
        if col is None:
            empty = Value.of("")
            return lambda pos: empty
        missing = not_found(name, ctx.index)

        def ev(pos: int | None) -> Value:
            if pos is None:
                raise EvalError(no_span)
            v = col[pos]
            if v is None:
                raise EvalError(missing(pos))
            return attr_value(v)

        return ev

    return bind


def _variable(name: str) -> Builder:
    missing = f'variable "{name}" not found'

    def bind(ctx: Context) -> Evaluator:
        raw = ctx.variables.get(name)
        if raw is None:

            def fail(pos: int | None) -> Value:
                raise EvalError(missing)

            return fail
        value = Value.of(raw if isinstance(raw, str) else text_form(raw))
        return lambda pos: value

    return bind


def _text_of(node: ast.Expr) -> Callable[[Context], Callable[[int | None], str]]:
    """A builder of ``pos -> text`` for a node (for interpolation): attributes read their
    column's text directly, without building a :class:`Value`."""
    if isinstance(node, ast.Attribute) and not (
        is_meta(node.name)
    ):
        name = node.name
        no_span = no_span_message(name)

        def bind_attr(ctx: Context) -> Callable[[int | None], str]:
            col = ctx.column(name)
            if col is None:
                return lambda pos: ""
            missing = not_found(name, ctx.index)

            def text(pos: int | None) -> str:
                if pos is None:
                    raise EvalError(no_span)
                v = col[pos]
                if v is None:
                    raise EvalError(missing(pos))
                return v if type(v) is str else text_form(v)

            return text

        return bind_attr
    builder = build(node)

    def bind(ctx: Context) -> Callable[[int | None], str]:
        ev = builder(ctx)
        return lambda pos: ev(pos).text

    return bind


def _string(node: ast.String) -> Builder:
    if all(isinstance(p, str) for p in node.parts):
        value = Value.of("".join(node.parts))  # type: ignore[arg-type]
        return lambda ctx: lambda pos: value
    parts = [p if isinstance(p, str) else _text_of(p) for p in node.parts]

    def bind(ctx: Context) -> Evaluator:
        bound = [p if isinstance(p, str) else p(ctx) for p in parts]

        def ev(pos: int | None) -> Value:
            try:
                text = "".join([p if type(p) is str else p(pos) for p in bound])  # type: ignore[operator]
            except EvalError as exc:
                raise EvalError(f"could not execute expression: {exc.message}") from None
            return Value.of(text)

        return ev

    return bind


def _array(node: ast.Array) -> Builder:
    items = [build(i) for i in node.items]

    def bind(ctx: Context) -> Evaluator:
        bound = [b(ctx) for b in items]

        def ev(pos: int | None) -> Value:
            out = []
            for i, b in enumerate(bound):
                try:
                    out.append(b(pos).first)
                except EvalError as exc:
                    raise EvalError(f"at index {i} of array: {exc.message}") from None
            return Value(tuple(out), True)

        return ev

    return bind


def _function(node: ast.FunctionCall) -> Builder:
    from .functions import FUNCTIONS, FunctionError  # (imported for the first function call)

    args = [build(a) for a in node.args]
    name = node.name
    fn = FUNCTIONS.get(name)

    def bind(ctx: Context) -> Evaluator:
        bound = [b(ctx) for b in args]

        def ev(pos: int | None) -> Value:
            values = []
            for i, b in enumerate(bound):
                try:
                    values.append(b(pos).first)
                except EvalError as exc:
                    raise EvalError(
                        f"on argument {i} of function {name}: {exc.message}"
                    ) from None
            if fn is None:
                raise EvalError(f'could not find function "{name}"')
            try:
                return Value.of(fn.call(values))
            except FunctionError as exc:
                raise EvalError(str(exc)) from None

        return ev

    return bind


def _binary(node: ast.BinaryOp) -> Builder:
    left, right, op = build(node.left), build(node.right), node.op

    def bind(ctx: Context) -> Evaluator:
        lb, rb = left(ctx), right(ctx)
        return lambda pos: arithmetic(op, lb(pos), rb(pos))

    return bind


def _negate(node: ast.Negate) -> Builder:
    inner = build(node.operand)

    def bind(ctx: Context) -> Evaluator:
        b = inner(ctx)
        return lambda pos: negate(b(pos))

    return bind


def _pipeline(node: ast.Pipeline) -> Builder:
    from .filters import FILTERS, FilterError  # (imported for the first filter)

    source = build(node.input)
    steps = [
        (f.name, FILTERS.get(f.name), [(build(a), is_constant(a)) for a in f.args])
        for f in node.filters
    ]

    def bind(ctx: Context) -> Evaluator:
        inp = source(ctx)
        bound = []
        for name, fn, args in steps:
            evs = [(a(ctx), constant) for a, constant in args]
            fixed: list[str] | None = []
            for ev_, constant in evs:
                if not constant:
                    fixed = None
                    break
                try:
                    fixed.append(unescape(ev_(None).text))  # type: ignore[union-attr]
                except EvalError:
                    fixed = None
                    break
            bound.append((name, fn, [e for e, _ in evs], fixed))

        def ev(pos: int | None) -> Value:
            value = inp(pos)
            for name, fn, args, fixed in bound:
                texts = fixed if fixed is not None else [unescape(a(pos).text) for a in args]
                if fn is None:
                    raise EvalError(f'filter "{name}" not found')
                try:
                    value = fn(value, texts)
                except FilterError as exc:
                    raise EvalError(f"{name}: {exc}") from None
            return value

        return ev

    return bind
