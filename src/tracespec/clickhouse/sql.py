"""The query plan in ClickHouse SQL: a span's values as the exporter's columns hold them, each
condition as an expression, and which parts of a plan SQL answers.

A value is a ``Nullable(String)`` expression (``NULL``: the span has no such attribute) read in
Tracetest's merge order (:mod:`tracespec.trace.tracetest`): the resource's attribute, else
``service.name`` from the scope's name, else the span's own, else ``name``/``kind``; the meta
attributes are computed from the columns (``tracetest.span.type`` from the attribute keys in
the fixed family order).  Conditions keep the in-memory semantics (:mod:`tracespec.selectors.
compiler`): ``=`` and ``contains`` read a missing value as ``""``, a number literal compares by
value with a value that reads as a number (integers exactly, as Int256; other decimals as
Float64) and otherwise by text (UTF-8 byte order is code point order), ``=~`` is RE2 over the
whole value (ClickHouse's ``match`` is RE2).  Each expression is ``0`` or ``1``, never ``NULL``,
so ``NOT`` keeps its meaning.

:func:`span_predicate` gives the whole selector as one condition on a span when the plan is
*flat* (chains of one step whose parts are conditions and ``:not()`` of flat selectors);
otherwise ``None``, and :func:`trace_prefilter` gives a condition on a trace's spans that every
trace with a selected span meets (each step's conditions met by some span), so only those
traces are fetched and run in memory.  ``tracetest.span.parent_id`` (the parent after Tracetest's
repairs) and ``span.events`` are read in memory only.
"""

from __future__ import annotations

import math

from ..query.plan import (
    ChainPlan,
    CompareOp,
    Cond,
    CondKind,
    Field,
    NotTest,
    SelectorPlan,
    StepPlan,
)
from ..trace.model import SpanKind, StatusCode
from ..trace.tracetest import BROWSER_SPAN_NAME, TEMPORARY_ROOT_NAME
from .schema import quote_string

__all__ = [
    "IN_MEMORY_KEYS",
    "REPAIRED_TRACE_SQL",
    "cond_sql",
    "might_select_synthetic",
    "span_predicate",
    "trace_prefilter",
    "value_sql",
]

#: Meta attributes only the in-memory engine reads (they need the repaired tree, or JSON).
IN_MEMORY_KEYS = frozenset({"tracetest.span.parent_id", "span.events"})

_KINDS = ", ".join(quote_string(k.value) for k in SpanKind)
_KIND_WORD = "lower(replaceRegexpOne(SpanKind, '^(?i)span_kind_', ''))"
KIND_SQL = f"if({_KIND_WORD} IN ({_KINDS}), {_KIND_WORD}, 'unspecified')"
_STATUS_WORD = "upper(replaceRegexpOne(StatusCode, '^(?i)status_code_', ''))"
_STATUSES = ", ".join(quote_string(s.name) for s in StatusCode)
STATUS_SQL = f"concat('STATUS_CODE_', if({_STATUS_WORD} IN ({_STATUSES}), {_STATUS_WORD}, 'UNSET'))"
START_NS_SQL = "toUnixTimestamp64Nano(Timestamp)"

_FAMILIES = (("http.", "http"), ("db.", "database"), ("rpc.", "rpc"),
             ("messaging.", "messaging"), ("faas.", "faas"), ("exception.", "exception"))


def _merged(key: str) -> str:
    """The value of ``key`` in the merge order (the meta attributes aside)."""
    k = quote_string(key)
    arms = [f"mapContains(ResourceAttributes, {k}), ResourceAttributes[{k}]"]
    if key == "service.name":
        arms.append("ScopeName != '', ScopeName")
    arms.append(f"mapContains(SpanAttributes, {k}), SpanAttributes[{k}]")
    if key == "name":
        arms.append("1, SpanName")
    elif key == "kind":
        arms.append(f"1, {KIND_SQL}")
    return f"multiIf({', '.join(arms)}, NULL)"


def _span_type() -> str:
    keys = "arrayConcat(mapKeys(SpanAttributes), mapKeys(ResourceAttributes))"
    arms = [f"ifNull({_merged('event_type')}, '') != '' OR SpanName = "
            f"{quote_string(BROWSER_SPAN_NAME)}, 'general'"]
    for prefix, name in _FAMILIES:
        arms.append(f"arrayExists(x -> startsWith(x, {quote_string(prefix)}), {keys}), "
                    f"{quote_string(name)}")
    return f"multiIf({', '.join(arms)}, 'general')"


_META = {
    "tracetest.span.name": "SpanName",
    "tracetest.span.duration": "toString(Duration)",
    "tracetest.span.start_time": f"toString({START_NS_SQL})",
    "tracetest.span.end_time": f"toString({START_NS_SQL} + Duration)",
    "tracetest.span.status_code": STATUS_SQL,
    "tracetest.span.status_description": "if(StatusMessage != '', StatusMessage, NULL)",
}


def value_sql(field: Field, key: str) -> str | None:
    """The SQL of a span's value (``Nullable(String)``), or ``None`` when only memory has it."""
    if field is Field.NAME:
        return "SpanName"
    if field is Field.KIND:
        return KIND_SQL
    if key in IN_MEMORY_KEYS:
        return None
    if key == "tracetest.span.type":
        return _span_type()
    return _META.get(key) or _merged(key)


_SQL_OP = {CompareOp.LT: "<", CompareOp.LE: "<=", CompareOp.GT: ">", CompareOp.GE: ">=",
           CompareOp.EQ: "=", CompareOp.NE: "!="}
_DECIMAL = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_INTEGER = r"^[+-]?[0-9]+$"
# Python's str.strip() whitespace among ASCII (the rest of Unicode's is a documented divergence)
_TRIM = "trim(BOTH ' \\t\\n\\r\\x0B\\x0C\\x1C\\x1D\\x1E\\x1F' FROM {v})"


def _number_literal(x: int | float) -> str:
    if isinstance(x, int):
        return f"toInt256('{x}')"
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"toFloat64('{x!r}')"


def _by_number(v: str, op: str, cond: Cond) -> str:
    """``op`` against the number: integers as Int256, other decimals as Float64, ``NULL`` when
    the value does not read as a number."""
    assert cond.number is not None
    t = _TRIM.format(v=v)
    x = _number_literal(cond.number)
    as_int = f"toInt256OrNull(replaceRegexpOne({t}, '^\\\\+', ''))"
    as_float = f"toFloat64OrNull({t})"
    return (f"if(match({t}, {quote_string(_DECIMAL)}), if(match({t}, {quote_string(_INTEGER)}),"
            f" {as_int} {op} {x}, {as_float} {op} {x}), NULL)")


def cond_sql(cond: Cond) -> str | None:
    """The condition as a ``0``/``1`` expression, or ``None`` when SQL cannot read its value."""
    v = value_sql(cond.field, cond.key)
    if v is None:
        return None
    t = quote_string(cond.text)
    kind = cond.kind
    if kind is CondKind.EXISTS:
        return f"({v}) IS NOT NULL"
    if kind is CondKind.ABSENT:
        return f"({v}) IS NULL"
    if kind is CondKind.EQ_EMPTY:
        return f"ifNull({v}, '') = ''"
    if kind is CondKind.EQ_TEXT:
        return f"ifNull(({v}) = {t}, 0)"
    if kind is CondKind.NE_TEXT:
        return f"ifNull(({v}) != {t}, 0)"
    if kind is CondKind.ORDER_TEXT:
        assert cond.op is not None
        return f"ifNull(({v}) {_SQL_OP[cond.op]} {t}, 0)"
    if kind is CondKind.CONTAINS:
        return f"ifNull(position({v}, {t}) > 0, 0)"
    if kind is CondKind.NOT_CONTAINS:
        return f"ifNull(position({v}, {t}) = 0, 0)"
    if kind in (CondKind.MATCHES, CondKind.NOT_MATCHES):
        hit = f"match({v}, {quote_string('^(?:' + cond.text + ')$')})"
        return f"ifNull({hit}, 0)" if kind is CondKind.MATCHES else f"ifNull(NOT {hit}, 0)"
    if kind is CondKind.EQ_NUMBER:
        return f"ifNull({_by_number(v, '=', cond)}, 0)"
    assert cond.op is not None
    op = _SQL_OP[cond.op]
    return f"ifNull(({v}) IS NOT NULL AND ifNull({_by_number(v, op, cond)}, ({v}) {op} {t}), 0)"


def _step_predicate(step: StepPlan) -> str | None:
    if step.never is not None:
        return "0"
    if step.pick is not None:
        return None
    parts: list[str] = []
    for cond in (*step.seeds, *step.checks):
        sql = cond_sql(cond)
        if sql is None:
            return None
        parts.append(sql)
    for test in step.tests:
        if not isinstance(test, NotTest):
            return None
        inner = span_predicate(test.plan)
        if inner is None:
            return None
        parts.append(f"NOT ({inner})")
    return " AND ".join(f"({p})" for p in parts) if parts else "1"


def _chain_predicate(chain: ChainPlan) -> str | None:
    return _step_predicate(chain.steps[0]) if len(chain.steps) == 1 else None


def span_predicate(plan: SelectorPlan) -> str | None:
    """The whole plan as one condition on a span, or ``None`` when it is not flat."""
    if plan.all_spans:
        return "1"
    parts: list[str] = []
    for chain in plan.chains:
        pred = _chain_predicate(chain)
        if pred is None:
            return None
        parts.append(pred)
    return parts[0] if len(parts) == 1 else " OR ".join(f"({p})" for p in parts)


def _synthetic_might_pass(cond: Cond) -> bool:
    """Whether the root Tracetest adds to a trace of several roots could meet ``cond`` (it has
    no attributes; its times and parent are not known here)."""
    if cond.field is Field.NAME or cond.key == "tracetest.span.name":
        return cond.test(TEMPORARY_ROOT_NAME)
    if cond.field is Field.KIND or cond.key == "kind":
        return cond.test(SpanKind.UNSPECIFIED.value)
    if cond.key == "name":
        return cond.test(TEMPORARY_ROOT_NAME)
    if cond.key == "tracetest.span.type":
        return cond.test("general")
    if cond.key == "tracetest.span.status_code":
        return cond.test(StatusCode.UNSET.otlp_name)
    if cond.key.startswith("tracetest.span.") or cond.key == "span.events":
        return True
    return cond.test(None)


def _step_filter(step: StepPlan) -> str | None:
    """A condition some span of a trace meets when the step can keep a span, or ``None``."""
    if step.never is not None:
        return "0"
    parts = []
    conds = (*step.seeds, *step.checks)
    if all(_synthetic_might_pass(c) for c in conds):
        return None  # the synthetic root (not in the table) might be the one
    for cond in conds:
        sql = cond_sql(cond)
        if sql is not None:
            parts.append(sql)
    return " AND ".join(f"({p})" for p in parts) if parts else None


def might_select_synthetic(plan: SelectorPlan) -> bool:
    """Whether a flat plan could select the root Tracetest adds to a trace of several roots."""
    if plan.all_spans:
        return True
    return any(all(_synthetic_might_pass(c) for c in (*ch.steps[0].seeds, *ch.steps[0].checks))
               and ch.steps[0].never is None for ch in plan.chains)


#: An aggregate over a trace's spans, true when Tracetest's repairs change it: several roots
#: (or none), a parent that is not in the trace, a span id written twice, a span named as the
#: temporary root (dropped).  (A cycle of parents under one root is not seen.)
REPAIRED_TRACE_SQL = (
    "(countIf(ParentSpanId = '') != 1 OR uniqExact(SpanId) != count() "
    f"OR countIf(SpanName = {quote_string(TEMPORARY_ROOT_NAME)}) > 0 "
    "OR length(arrayIntersect(groupUniqArray(SpanId), groupUniqArrayIf(ParentSpanId, "
    "ParentSpanId != ''))) != uniqExactIf(ParentSpanId, ParentSpanId != ''))"
)


def trace_prefilter(plan: SelectorPlan) -> str | None:
    """A ``HAVING`` condition every trace where ``plan`` selects a span meets (``None``: every
    trace may): per chain, each step's SQL conditions met by some span of the trace."""
    if plan.all_spans:
        return None
    alternatives: list[str] = []
    for chain in plan.chains:
        needs = [f"countIf({f}) > 0" for f in map(_step_filter, chain.steps) if f is not None]
        if not needs:
            return None
        alternatives.append(" AND ".join(needs))
    return " OR ".join(f"({a})" for a in alternatives)
