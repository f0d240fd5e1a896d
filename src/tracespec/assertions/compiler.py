"""Assertion AST → closures, and :class:`Check`, the compiled assertion.

Compiling happens in two steps, both pure.  :func:`build` turns each AST node into a *builder*:
a function that, given a :class:`Context` (the trace index, the variables, the number of
selected spans), returns an *evaluator* ``pos -> Value`` for one span position (``None`` when no
span was selected).  Binding per context lets evaluators capture what does not change from span
to span: the attribute column (``TraceIndex.column``, built once per key), constant sub-trees
(folded once: literals, variables, the selected-span count), compiled regexes and JSONPath
queries.  :meth:`Check.bound` adds fast paths for the common shape ``attr:KEY <op> constant``
that read the column directly and never build :class:`~.values.Value` objects.
No ``eval()``; unexpected Python errors are bugs and propagate.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs

from ..errors import CompileError
from ..results import AssertionResult, SpanResult
from ..trace.attrvalue import AttrValue, text_form
from . import ast
from .compare import NO_MATCH, compare
from .filters import FILTERS, FilterError, compile_regex
from .functions import FUNCTIONS, FunctionError
from .parser import parse_assertion, parse_expression
from .values import (
    DURATION,
    NUMBER,
    Value,
    dehumanize,
    duration_ns,
    humanize,
    round_duration,
    unescape,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..trace import Span, Trace, TraceIndex

__all__ = [
    "Check",
    "Context",
    "EvalError",
    "Expression",
    "build",
    "compile_assertion",
    "compile_expression",
]

META_PREFIX = "tracetest.selected_spans."
_INT64_MIN = -(2**63)


class EvalError(Exception):
    """A problem that shows on the data: becomes a failed span result with this message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@attrs.define(slots=True)
class Context:
    """What evaluators of one run share: the trace's index (``None`` without a trace), the
    variables (``env:``/``var:``) and the number of selected spans."""

    index: TraceIndex | None
    variables: Mapping[str, str]
    selected_count: int = 0

    def column(self, key: str) -> list[AttrValue | None] | None:
        return self.index.column(key) if self.index is not None else None


Evaluator = Callable[[int | None], Value]
Builder = Callable[[Context], Evaluator]


def index_of(trace: Trace | None) -> TraceIndex | None:
    """The trace's index (``Trace.index``, declared as a :class:`TraceIndex`)."""
    return trace.index if trace is not None else None


# -- values of attributes -----------------------------------------------------------------------


def attr_value(v: AttrValue) -> Value:
    """The value of an attribute: its text form, typed by content."""
    if type(v) is int and v >= 0:
        return Value(((str(v), NUMBER),))
    if type(v) is str:
        return Value.of(v)
    return Value.of(text_form(v))


def _no_span_message(name: str) -> str:
    return (
        f'there are no matching spans to retrieve the attribute "{name}" from. To fix this '
        "error, create a selector matching at least one span."
    )


# -- building ---------------------------------------------------------------------------------


def _is_constant(node: object) -> bool:
    """True when a node gives the same value for every span of a run (no ``attr:`` of the
    span, no random function)."""
    if isinstance(node, ast.Attribute):
        return node.name.startswith(META_PREFIX) and len(node.name) > len(META_PREFIX)
    if isinstance(node, ast.FunctionCall):
        return False
    if isinstance(node, ast.String):
        return all(isinstance(p, str) or _is_constant(p) for p in node.parts)
    if isinstance(node, ast.Array):
        return all(_is_constant(i) for i in node.items)
    if isinstance(node, ast.BinaryOp):
        return _is_constant(node.left) and _is_constant(node.right)
    if isinstance(node, ast.Negate):
        return _is_constant(node.operand)
    if isinstance(node, ast.Pipeline):
        return _is_constant(node.input) and all(
            _is_constant(a) for f in node.filters for a in f.args
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
    if _is_constant(node) and not isinstance(node, ast.Number | ast.Duration):
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
    if name.startswith(META_PREFIX) and len(name) > len(META_PREFIX):
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

    missing = f'attribute "{name}" not found'
    no_span = _no_span_message(name)

    def bind(ctx: Context) -> Evaluator:
        col = ctx.column(name)
        if col is None:
            empty = Value.of("")
            return lambda pos: empty

        def ev(pos: int | None) -> Value:
            if pos is None:
                raise EvalError(no_span)
            v = col[pos]
            if v is None:
                raise EvalError(missing)
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
        node.name.startswith(META_PREFIX) and len(node.name) > len(META_PREFIX)
    ):
        name = node.name
        missing = f'attribute "{name}" not found'
        no_span = _no_span_message(name)

        def bind_attr(ctx: Context) -> Callable[[int | None], str]:
            col = ctx.column(name)
            if col is None:
                return lambda pos: ""

            def text(pos: int | None) -> str:
                if pos is None:
                    raise EvalError(no_span)
                v = col[pos]
                if v is None:
                    raise EvalError(missing)
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


def _int64_text(result: float) -> str:
    if not math.isfinite(result) or abs(result) >= 2.0**63:
        return str(_INT64_MIN)  # Go's int64(float) on amd64
    return str(int(result))


def _float_text(result: float) -> str:
    if math.isnan(result):
        return "NaN"
    if math.isinf(result):
        return "+Inf" if result > 0 else "-Inf"
    return f"{result:.2f}"


def _operand(text: str, type_: int) -> tuple[str, float]:
    if type_ == DURATION:
        text = str(dehumanize(text))
    try:
        return text, float(text)
    except ValueError:
        return text, 0.0


def arithmetic(op: ast.Operator, left: Value, right: Value) -> Value:
    """``left op right`` as Tracetest computes it: on the first item of the left value;
    both sides numbers or both durations; float math; ``%.2f`` when an operand has a ``.``."""
    ltext, ltype = left.first
    rtype = right.type
    if ltype != rtype:
        raise EvalError("types mismatch")
    if ltype not in (NUMBER, DURATION):
        raise EvalError("operation is only allowed on numbers and duration fields")
    a_text, a = _operand(ltext, ltype)
    b_text, b = _operand(right.first[0], rtype)
    if op is ast.Operator.ADD:
        result = a + b
    elif op is ast.Operator.SUB:
        result = a - b
    elif op is ast.Operator.MUL:
        result = a * b
    else:
        if b == 0:
            raise EvalError("division by zero")
        result = a / b
    if "." in a_text or "." in b_text:
        text = _float_text(result)
    else:
        text = _int64_text(result)
    return Value.typed(text, ltype)


def _binary(node: ast.BinaryOp) -> Builder:
    left, right, op = build(node.left), build(node.right), node.op

    def bind(ctx: Context) -> Evaluator:
        lb, rb = left(ctx), right(ctx)
        return lambda pos: arithmetic(op, lb(pos), rb(pos))

    return bind


def negate(value: Value) -> Value:
    """``-value`` for a number or duration (texts keep their form: ``-1.50``)."""
    text, type_ = value.first
    if type_ not in (NUMBER, DURATION):
        raise EvalError("operation is only allowed on numbers and duration fields")
    if type_ == DURATION:
        text = str(dehumanize(text))
    if text.startswith("-"):
        return Value.typed(text[1:], type_)
    return Value.typed(text if text.strip("0.") == "" else "-" + text, type_)


def _negate(node: ast.Negate) -> Builder:
    inner = build(node.operand)

    def bind(ctx: Context) -> Evaluator:
        b = inner(ctx)
        return lambda pos: negate(b(pos))

    return bind


def _pipeline(node: ast.Pipeline) -> Builder:
    source = build(node.input)
    steps = [
        (f.name, FILTERS.get(f.name), [(build(a), _is_constant(a)) for a in f.args])
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


# -- compile-time checks ----------------------------------------------------------------------


def _walk(node: object) -> list[object]:
    out = [node]
    if not attrs.has(type(node)):
        return out
    for field in attrs.fields(cast("type[attrs.AttrsInstance]", type(node))):
        value = getattr(node, field.name)
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if attrs.has(type(child)):
                out.extend(_walk(child))
    return out


def _check_regexes(node: object, source: str) -> None:
    """RE2 patterns written as literals are compiled now: a bad one is an error with a place."""
    for n in _walk(node):
        if isinstance(n, ast.Filter) and n.name in ("regex", "regex_group"):
            for arg in n.args:
                if isinstance(arg, ast.String) and all(isinstance(p, str) for p in arg.parts):
                    pattern = unescape("".join(arg.parts))  # type: ignore[arg-type]
                    try:
                        compile_regex(pattern)
                    except Exception as exc:  # re2.error
                        raise CompileError(
                            f"invalid regex (RE2 syntax): {exc}", source=source,
                            span=arg.span if arg.span != ast.NO_SPAN else (0, len(source)),
                            language="assertion",
                        ) from None


# -- the compiled objects ---------------------------------------------------------------------


def _comparison(op: ast.Comparator, left: Value, right: Value) -> tuple[str, str | None, str]:
    """(observed, failure message or None, expected) for one evaluated statement."""
    if left.type == DURATION or right.type == DURATION:
        lns = round_duration(duration_ns(left.text))
        rns = round_duration(duration_ns(right.text))
        err = compare(op, Value.typed(str(lns), DURATION), Value.typed(str(rns), DURATION))
        return humanize(lns), err, humanize(rns)
    return left.text, compare(op, left, right), right.text


_ORDER: dict[ast.Comparator, Callable[[int, int], bool]] = {
    ast.Comparator.EQ: operator.eq,
    ast.Comparator.NE: operator.ne,
    ast.Comparator.LT: operator.lt,
    ast.Comparator.LE: operator.le,
    ast.Comparator.GT: operator.gt,
    ast.Comparator.GE: operator.ge,
}

SpanOutcome = tuple[str, bool, str | None]


@attrs.frozen(eq=False)
class Check:
    """A compiled assertion: immutable, hashable and picklable (by its source text).

    ``evaluate(trace, spans)`` checks it on spans of a trace; :func:`tracespec.check` is the
    usual way in.  The closures are built lazily and are not part of the object's identity.
    """

    source: str
    ast: ast.Assertion
    _left: Builder = attrs.field(repr=False, alias="left")
    _right: Builder = attrs.field(repr=False, alias="right")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Check) and other.source == self.source

    def __hash__(self) -> int:
        return hash(("Check", self.source))

    def __reduce__(self) -> tuple[Any, ...]:
        return (compile_assertion, (self.source,))

    # -- evaluation -----------------------------------------------------------------------
    def bound(self, ctx: Context) -> Callable[[int | None], SpanOutcome]:
        """The per-span function ``pos -> (observed, passed, error)`` for one context."""
        op = self.ast.comparator
        left_node, right_node = self.ast.left, self.ast.right
        right_ev = self._right(ctx)
        if (
            isinstance(left_node, ast.Attribute)
            and not left_node.name.startswith(META_PREFIX)
            and ctx.index is not None
            and _is_constant(right_node)
        ):
            try:
                right_value = right_ev(None)
            except EvalError:
                right_value = None
            if right_value is not None:
                fast = _fast_attribute_check(
                    op, left_node.name, ctx.index.column(left_node.name), right_value
                )
                if fast is not None:
                    return fast
        left_ev = self._left(ctx)

        def run(pos: int | None) -> SpanOutcome:
            try:
                left = left_ev(pos)
                right = right_ev(pos)
            except EvalError as exc:
                return "", False, exc.message
            observed, err, _ = _comparison(op, left, right)
            return observed, err is None, err

        return run

    def evaluate(
        self,
        trace: Trace | None,
        spans: Sequence[Span] | None = None,
        *,
        variables: Mapping[str, str] | None = None,
        selected_count: int | None = None,
    ) -> AssertionResult:
        """Check the assertion on every span of ``spans`` (all must pass); with no span, once
        without one.  ``selected_count`` is ``tracetest.selected_spans.count`` (defaults to
        the number of spans)."""
        positions = [s.position for s in spans] if spans else []
        return self.run_positions(trace, positions, variables=variables,
                                  selected_count=selected_count)

    def run_positions(
        self,
        trace: Trace | None,
        positions: Sequence[int],
        *,
        variables: Mapping[str, str] | None = None,
        selected_count: int | None = None,
    ) -> AssertionResult:
        """:meth:`evaluate` on span positions (the engine's form)."""
        index = index_of(trace)
        count = len(positions) if selected_count is None else selected_count
        ctx = Context(index, variables or {}, count)
        run = self.bound(ctx)
        if not positions or index is None:
            observed, passed, error = run(None)
            span_result = SpanResult(None, observed, passed, error)
            return AssertionResult(self.source, passed, (span_result,))
        batch = self._fast_batch(ctx)
        with _gc_paused(len(positions)):
            if batch is not None:
                results, all_passed = batch(positions, index.span_ids)
                return AssertionResult(self.source, all_passed, tuple(results))
            ids = index.span_ids
            results = []
            all_passed = True
            for p in positions:
                observed, passed, error = run(p)
                if not passed:
                    all_passed = False
                results.append(SpanResult(ids[p].hex(), observed, passed, error))
            return AssertionResult(self.source, all_passed, tuple(results))

    def _fast_batch(self, ctx: Context) -> BatchRunner | None:
        """A loop over many spans for ``attr:KEY <op> constant`` (see :func:`_fast_batch`)."""
        left_node, right_node = self.ast.left, self.ast.right
        if (
            not isinstance(left_node, ast.Attribute)
            or left_node.name.startswith(META_PREFIX)
            or ctx.index is None
            or not _is_constant(right_node)
        ):
            return None
        try:
            right_value = self._right(ctx)(None)
        except EvalError:
            return None
        col = ctx.index.column(left_node.name)
        return _fast_batch(self.ast.comparator, left_node.name, col, right_value)


@contextlib.contextmanager
def _gc_paused(count: int) -> Iterator[None]:
    """Pause the cyclic garbage collector while building many results: they hold no cycles,
    and on big traces repeated collections over the growing list cost about a fifth."""
    if count < 1000 or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


BatchRunner = Callable[[Sequence[int], list[bytes]], tuple[list[SpanResult], bool]]


def _fast_batch(
    op: ast.Comparator, name: str, col: list[AttrValue | None], right: Value
) -> BatchRunner | None:
    """The same checks as :func:`_fast_attribute_check`, as one loop over the positions that
    builds the span results directly (no per-span call, no intermediate tuple)."""
    single = _fast_attribute_check(op, name, col, right)
    if single is None:
        return None
    missing = f'attribute "{name}" not found'
    if right.type == DURATION:
        rns = round_duration(duration_ns(right.text))
        test = _ORDER[op]
        shown: dict[int, str] = {}

        def run_durations(
            positions: Sequence[int], ids: list[bytes]
        ) -> tuple[list[SpanResult], bool]:
            out = []
            all_passed = True
            for p in positions:
                v = col[p]
                if v is None:
                    out.append(SpanResult(ids[p].hex(), "", False, missing))
                    all_passed = False
                    continue
                if type(v) is int:
                    ns = v if _INT64_MIN <= v < 2**63 else 0
                else:
                    ns = duration_ns(v if type(v) is str else text_form(v))
                lns = round_duration(ns)
                observed = shown.get(lns)
                if observed is None:
                    observed = shown[lns] = humanize(lns)
                if test(lns, rns):
                    out.append(SpanResult(ids[p].hex(), observed, True, None))
                else:
                    out.append(SpanResult(ids[p].hex(), observed, False, NO_MATCH))
                    all_passed = False
            return out, all_passed

        return run_durations
    expected = unescape(right.text)
    want_equal = op is ast.Comparator.EQ

    def run_equal(positions: Sequence[int], ids: list[bytes]) -> tuple[list[SpanResult], bool]:
        out = []
        all_passed = True
        for p in positions:
            v = col[p]
            tv = type(v)
            if tv is int:
                text = str(v)
            elif tv is str and (
                cast(str, v)[-1:] not in ("s", "m", "h") or Value.of(cast(str, v)).type != DURATION
            ):
                text = cast(str, v)
            else:
                observed, passed, error = single(p)
                out.append(SpanResult(ids[p].hex(), observed, passed, error))
                all_passed = all_passed and passed
                continue
            if ((text if "\\" not in text else unescape(text)) == expected) is want_equal:
                out.append(SpanResult(ids[p].hex(), text, True, None))
            else:
                out.append(SpanResult(ids[p].hex(), text, False, NO_MATCH))
                all_passed = False
        return out, all_passed

    return run_equal


def _fast_attribute_check(
    op: ast.Comparator, name: str, col: list[AttrValue | None], right: Value
) -> Callable[[int | None], SpanOutcome] | None:
    """``attr:NAME <op> constant`` straight from the column, for the cases that need no
    :class:`Value`: a duration on the right (normalised integers), or ``=``/``!=`` against a
    text that is not a duration, json or array.  ``None`` when the general path is needed."""
    missing = f'attribute "{name}" not found'
    no_span = _no_span_message(name)
    if right.is_array:
        return None
    if right.type == DURATION and op in _ORDER:
        rns = round_duration(duration_ns(right.text))
        test = _ORDER[op]

        def run_duration(pos: int | None) -> SpanOutcome:
            if pos is None:
                return "", False, no_span
            v = col[pos]
            if v is None:
                return "", False, missing
            if type(v) is int:
                ns = v if _INT64_MIN <= v < 2**63 else 0
            else:
                ns = duration_ns(v if type(v) is str else text_form(v))
            lns = round_duration(ns)
            if test(lns, rns):
                return humanize(lns), True, None
            return humanize(lns), False, NO_MATCH

        return run_duration
    if op in (ast.Comparator.EQ, ast.Comparator.NE) and right.type not in (DURATION,):
        expected = unescape(right.text)
        want_equal = op is ast.Comparator.EQ
        general = functools.partial(_general_single, op, right)

        def run_eq(pos: int | None) -> SpanOutcome:
            if pos is None:
                return "", False, no_span
            v = col[pos]
            if v is None:
                return "", False, missing
            tv = type(v)
            if tv is int:
                text = str(v)
            elif tv is str:
                text = v  # type: ignore[assignment]
                if text[-1:] in ("s", "m", "h") and Value.of(text).type == DURATION:
                    return general(text)
            else:
                text = text_form(v)
                if Value.of(text).type == DURATION:
                    return general(text)
            same = (text if "\\" not in text else unescape(text)) == expected
            if same is want_equal:
                return text, True, None
            return text, False, NO_MATCH

        return run_eq
    return None


def _general_single(op: ast.Comparator, right: Value, text: str) -> SpanOutcome:
    observed, err, _ = _comparison(op, Value.of(text), right)
    return observed, err is None, err


@attrs.frozen(eq=False)
class Expression:
    """A compiled expression (an output's value): ``resolve(trace, pos)`` gives its text."""

    source: str
    ast: ast.Expr
    _builder: Builder = attrs.field(repr=False, alias="builder")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source

    def __hash__(self) -> int:
        return hash(("Expression", self.source))

    def __reduce__(self) -> tuple[Any, ...]:
        return (compile_expression, (self.source,))

    def value(self, trace: Trace | None, pos: int | None, *,
              variables: Mapping[str, str] | None = None, selected_count: int = 0) -> Value:
        """The value on the span at ``pos`` (``None``: no span); raises :class:`EvalError`."""
        ctx = Context(index_of(trace), variables or {}, selected_count)
        return self._builder(ctx)(pos)


@functools.lru_cache(maxsize=512)
def compile_assertion(text: str) -> Check:
    """Parse and compile an assertion (cached).  Raises ParseError / CompileError."""
    node = parse_assertion(text)
    _check_regexes(node, text)
    return Check(text, node, left=build(node.left), right=build(node.right))


@functools.lru_cache(maxsize=512)
def compile_expression(text: str) -> Expression:
    """Parse and compile an expression (cached).  Raises ParseError / CompileError."""
    node = parse_expression(text)
    _check_regexes(node, text)
    return Expression(text, node, builder=build(node))
