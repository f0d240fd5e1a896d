"""A selector compiled for ClickHouse: :class:`SqlSelector` (the SQL, what runs where) and
:func:`to_sql`.

A *flat* selector (conditions and ``:not()`` of flat selectors, in chains of one step) is one
``WHERE`` over the table: SQL selects the spans, per trace.  Any other selector runs in two
parts: SQL finds the candidate traces (each step's conditions met by some span of the trace,
:func:`~.sql.trace_prefilter`), then their spans are fetched, built into traces and the
in-memory engine selects; :meth:`SqlSelector.explain` says which part runs where.
"""

from __future__ import annotations

import attrs

from ..selectors import Query, compile_selector
from ..selectors.ast import Selector
from ..trace.tracetest import TEMPORARY_ROOT_NAME
from .schema import DEFAULT_TABLE, quote_ident, quote_string
from .sql import REPAIRED_TRACE_SQL, might_select_synthetic, span_predicate, trace_prefilter

__all__ = ["SqlSelector", "Window", "compile_sql", "to_sql"]


@attrs.frozen
class Window:
    """Which traces: those with a span that started at or after ``start_ns`` and before
    ``end_ns`` (either may be ``None``: no bound)."""

    start_ns: int | None = None
    end_ns: int | None = None

    def span_condition(self) -> str | None:
        """The SQL condition on a span's start (``None``: no window)."""
        parts = []
        if self.start_ns is not None:
            parts.append(f"Timestamp >= fromUnixTimestamp64Nano(toInt64({self.start_ns}))")
        if self.end_ns is not None:
            parts.append(f"Timestamp < fromUnixTimestamp64Nano(toInt64({self.end_ns}))")
        return " AND ".join(parts) or None


@attrs.frozen
class SqlSelector:
    """A selector compiled for the table ``table``: ``predicate`` (flat) or ``prefilter``."""

    query: Query
    table: str
    #: The selector as one condition on a span, when it is flat (else ``None``).
    predicate: str | None
    #: For the rest: a HAVING condition on a trace's spans that candidate traces meet
    #: (``None``: every trace is a candidate).
    prefilter: str | None
    #: Flat: whether the plan could select the root Tracetest adds to a trace of several
    #: roots (not in the table); then the traces Tracetest repairs are selected in memory.
    synthetic: bool = False

    @property
    def flat(self) -> bool:
        """True when SQL alone selects the spans."""
        return self.predicate is not None

    def _in_window(self, window: Window | None) -> str:
        cond = window.span_condition() if window is not None else None
        if cond is None:
            return ""
        return f" AND TraceId IN (SELECT TraceId FROM {quote_ident(self.table)} WHERE {cond})"

    def spans_sql(self, window: Window | None = None) -> str:
        """Flat: ``TraceId, [SpanId, ...], repaired`` per trace with a selected span (or, when
        ``synthetic``, that Tracetest repairs: ``repaired`` is then 1), by trace id."""
        assert self.predicate is not None
        table = quote_ident(self.table)
        keep = f"SpanName != {quote_string(TEMPORARY_ROOT_NAME)} AND ({self.predicate})"
        if not self.synthetic:
            return (f"SELECT TraceId, groupUniqArray(SpanId), 0 FROM {table} WHERE "
                    f"{keep}{self._in_window(window)} GROUP BY TraceId ORDER BY TraceId")
        where = self._in_window(window).replace(" AND ", " WHERE ", 1)
        return (f"SELECT TraceId, groupUniqArrayIf(SpanId, {keep}) AS ids, "
                f"{REPAIRED_TRACE_SQL} AS repaired FROM {table}{where} GROUP BY TraceId "
                "HAVING notEmpty(ids) OR repaired ORDER BY TraceId")

    def check_sql(self, passing: str, window: Window | None = None) -> str:
        """Flat: ``TraceId, selected, selected and not passing, repaired`` per trace, where
        ``passing`` is a condition under which every assertion passes a span."""
        assert self.predicate is not None
        table = quote_ident(self.table)
        keep = f"SpanName != {quote_string(TEMPORARY_ROOT_NAME)} AND ({self.predicate})"
        if not self.synthetic:
            return (f"SELECT TraceId, count(), countIf(NOT ({passing})), 0 FROM {table} WHERE "
                    f"{keep}{self._in_window(window)} GROUP BY TraceId ORDER BY TraceId")
        where = self._in_window(window).replace(" AND ", " WHERE ", 1)
        return (f"SELECT TraceId, countIf({keep}) AS n, countIf(({keep}) AND NOT ({passing})), "
                f"{REPAIRED_TRACE_SQL} AS repaired FROM {table}{where} GROUP BY TraceId "
                "HAVING n > 0 OR repaired ORDER BY TraceId")

    def candidates_sql(self, window: Window | None = None) -> str:
        """The traces to fetch and run in memory: ``TraceId`` per candidate, by trace id."""
        having = f" HAVING {self.prefilter}" if self.prefilter is not None else ""
        where = window.span_condition() if window is not None else None
        scope = f" WHERE TraceId IN (SELECT TraceId FROM {quote_ident(self.table)} WHERE {where})" \
            if where else ""
        return (f"SELECT TraceId FROM {quote_ident(self.table)}{scope} GROUP BY TraceId"
                f"{having} ORDER BY TraceId")

    def sql(self, window: Window | None = None) -> str:
        """The SQL that runs first: the selected spans (flat) or the candidate traces."""
        return self.spans_sql(window) if self.flat else self.candidates_sql(window)

    def explain(self) -> str:
        """Which part runs in ClickHouse and which in memory, then the in-memory plan."""
        if self.flat:
            head = ("runs in ClickHouse: the selector is one condition on a span (SQL selects "
                    "the spans, per trace); in memory: only the trace order of the spans shown")
            if self.synthetic:
                head += ("; it could select the root Tracetest adds to a trace of several "
                         "roots, so the traces Tracetest repairs are selected in memory")
        else:
            first = ("traces where each step's conditions hold for some span"
                     if self.prefilter is not None else "every trace (no condition SQL can test)")
            from .skeleton import flag_plan

            fetched = ("their skeletons (ids, parents, times, names and one flag per condition, "
                       "computed in SQL) are fetched" if flag_plan(self.query.plan) is not None
                       else "their spans are fetched whole (a condition reads what only memory "
                       "has)")
            head = (f"runs in two parts: ClickHouse finds the candidate traces ({first}); "
                    f"{fetched} and the in-memory engine selects, as planned below")
        return f"{head}\nSQL: {self.sql()}\n{self.query.explain()}"


def compile_sql(selector: str | Selector | Query, *, table: str = DEFAULT_TABLE) -> SqlSelector:
    """Compile a selector for ClickHouse (the table's name is checked here)."""
    quote_ident(table)
    query = selector if isinstance(selector, Query) else compile_selector(selector)
    predicate = span_predicate(query.plan)
    if predicate is not None:
        return SqlSelector(query, table, predicate, None, might_select_synthetic(query.plan))
    return SqlSelector(query, table, None, trace_prefilter(query.plan))


def to_sql(selector: str | Selector | Query, *, table: str = DEFAULT_TABLE) -> str:
    """The ClickHouse SQL of a selector over the exporter's table: for a flat selector the
    selected span ids per trace (``TraceId``, span ids, whether Tracetest repairs the trace:
    see :meth:`SqlSelector.spans_sql`); otherwise the
    candidate traces, whose spans the in-memory engine then selects (see
    :meth:`SqlSelector.explain`)."""
    return compile_sql(selector, table=table).sql()
