"""Structural selectors on *skeleton* traces: ids, parents, times and names, with one flag per
condition computed in SQL, instead of every attribute of every span.

:func:`flag_plan` rewrites a plan so that each condition tests its flag (``"1"``) instead of a
value; :func:`skeleton_traces` builds traces from rows of :func:`skeleton_columns`, through
:class:`~tracespec.trace.TraceBuilder` (so repairs and trace order are the in-memory ones).  The
root Tracetest adds to a trace of several roots is not in the table: its flags are the original
conditions evaluated on it, in memory (it has no attributes; its name, kind and times are the
builder's).  A plan with a condition SQL cannot read (``tracetest.span.parent_id``,
``span.events``) has no flag plan: its candidate traces are fetched whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ..query.plan import (
    CompareOp,
    Cond,
    CondKind,
    Field,
    HasTest,
    NotTest,
    SelectorPlan,
    SpanTest,
    StepPlan,
)
from ..trace import RECORD_ADAPTER, Group, Resource, Scope, SpanRecord, Trace, TraceBuilder
from ..trace.attrvalue import AttrValue
from .rows import hex_id
from .sql import cond_sql

__all__ = ["FlagPlan", "flag_plan", "skeleton_columns", "skeleton_traces"]

_FLAG = "\x00sql{}"  # no attribute family, no collision with a real key


@attrs.frozen
class FlagPlan:
    """The rewritten plan and the original conditions, flag ``i`` for ``conds[i]``."""

    plan: SelectorPlan
    conds: tuple[Cond, ...]
    sql: tuple[str, ...]


def _is_one(value: AttrValue | None) -> bool:
    return value == "1"


def _is_one_text(text: str) -> bool:
    return text == "1"


class _Rewriter:
    def __init__(self) -> None:
        self.conds: list[Cond] = []
        self.sql: list[str] = []
        self.ok = True

    def cond(self, cond: Cond) -> Cond:
        try:
            i = self.conds.index(cond)
        except ValueError:
            sql = cond_sql(cond)
            if sql is None:
                self.ok = False
                return cond
            i = len(self.conds)
            self.conds.append(cond)
            self.sql.append(sql)
        return Cond(cond.label, Field.ATTRIBUTE, _FLAG.format(i), CondKind.EQ_TEXT,
                    CompareOp.EQ, "1", None, test=_is_one, text_test=_is_one_text)

    def test(self, test: SpanTest) -> SpanTest:
        if isinstance(test, HasTest):
            return HasTest(self.plan(test.plan), label=test.label)
        if isinstance(test, NotTest):
            return NotTest(self.plan(test.plan), label=test.label)
        return test

    def step(self, step: StepPlan) -> StepPlan:
        return attrs.evolve(
            step,
            seeds=tuple(map(self.cond, step.seeds)),
            checks=tuple(map(self.cond, step.checks)),
            tests=tuple(map(self.test, step.tests)),
            value_scan=None if step.value_scan is None else self.cond(step.value_scan),
        )

    def plan(self, plan: SelectorPlan) -> SelectorPlan:
        chains = tuple(attrs.evolve(c, steps=tuple(map(self.step, c.steps)))
                       for c in plan.chains)
        return SelectorPlan(plan.label, chains)


def flag_plan(plan: SelectorPlan) -> FlagPlan | None:
    """``plan`` on flags, or ``None`` when a condition reads what only memory has."""
    r = _Rewriter()
    rewritten = r.plan(plan)
    return FlagPlan(rewritten, tuple(r.conds), tuple(r.sql)) if r.ok else None


def skeleton_columns(flags: FlagPlan) -> str:
    """The select list of skeleton rows: ids, name, times, then the flags."""
    return ", ".join(["TraceId", "SpanId", "ParentSpanId", "SpanName",
                      "toUnixTimestamp64Nano(Timestamp)", "Duration",
                      *(f"toUInt8({s})" for s in flags.sql)])


def _value(trace: Trace, cond: Cond, pos: int) -> AttrValue | None:
    ix = trace.index
    if cond.field is Field.NAME:
        return ix.names()[pos]
    if cond.field is Field.KIND:
        return ix.kinds()[pos]
    return ix.column(cond.key)[pos]


def skeleton_traces(rows: Iterable[Sequence[Any]], flags: FlagPlan, *, source: str
                    ) -> list[Trace]:
    """Traces of skeleton rows, each span's attributes its flags (``"1"``/``"0"``)."""
    builder = TraceBuilder(source=source, format="clickhouse skeleton")
    group = builder.add_group(Group(Resource(), Scope(present=False), RECORD_ADAPTER))
    keys = [_FLAG.format(i) for i in range(len(flags.conds))]
    for row in rows:
        trace_id, span_id, parent_id, name, start, duration, *bits = row
        attributes: dict[str, AttrValue] = {k: "1" if b else "0" for k, b in zip(keys, bits,
                                                                                   strict=True)}
        start = int(start)
        builder.add_span(hex_id(trace_id, "TraceId"), hex_id(span_id, "SpanId"),
                         hex_id(parent_id, "ParentSpanId"), start, start + int(duration),
                         SpanRecord(name=name, attributes=attributes), group)
    traces = builder.build()
    for trace in traces:
        for pos in trace.index.synthetic:
            truth = {k: "1" if c.test(_value(trace, c, pos)) else "0"
                     for k, c in zip(keys, flags.conds, strict=True)}
            _, raw = trace.index.adapter_at(pos)
            raw.attributes.update(truth)
    return traces
