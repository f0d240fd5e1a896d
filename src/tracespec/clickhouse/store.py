""":class:`ClickHouseStore`: selectors and specs over every trace of a table, traces fetched by
id, traces written in the exporter's schema.

``select`` runs a flat selector in SQL and fetches only the traces it selected spans of (to
give the spans in trace order, as the in-memory engine orders them); any other selector
fetches the candidate traces in batches and selects in memory.  ``check`` decides in SQL the
traces whose selected spans pass every assertion SQL can decide (:mod:`.assertsql`); the other
traces with a selected span are fetched and checked in memory, so the failing ones come with
their spans and observed values.  ``selected_ids`` is the SQL alone (flat selectors).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from .._gc import paused as gc_paused
from ..assertions import compile_assertion
from ..query import run
from ..results import SpecResult
from ..selectors import Query
from ..spec import check
from ..trace import Span, Trace
from .assertsql import sure_pass_sql
from .compile import SqlSelector, Window, compile_sql
from .engine import Engine, open_engine
from .rows import FETCH_COLUMNS, rows_of, traces_from_rows
from .schema import DEFAULT_TABLE, ClickHouseError, create_table_sql, quote_ident, quote_string
from .skeleton import flag_plan, skeleton_columns, skeleton_traces

__all__ = ["ClickHouseStore", "Selected", "TraceCheck"]

_IDS_PER_QUERY = 500  # traces named in one streamed query (their rows come trace by trace)
_BATCH = 50  # traces checked before their results are given


@attrs.frozen
class Selected:
    """The spans a selector selects in one trace (in trace order)."""

    trace: Trace
    positions: tuple[int, ...]

    @property
    def trace_id(self) -> str:
        """The trace's hex id."""
        return self.trace.trace_id

    @property
    def spans(self) -> tuple[Span, ...]:
        """The selected spans."""
        return self.trace.spans_at(self.positions)


@attrs.frozen
class TraceCheck:
    """A spec on one trace with a selected span: ``result`` is ``None`` when SQL decided that
    it passed (then ``spans`` counts the spans it checked)."""

    trace_id: str
    passed: bool
    result: SpecResult | None = None
    trace: Trace | None = None
    spans: int = 0


class ClickHouseStore:
    """Spans in a ClickHouse table of the exporter's schema (``chdb:PATH`` or an HTTP URL)."""

    def __init__(self, url: str | Engine, *, table: str = DEFAULT_TABLE,
                 user: str | None = None, password: str | None = None) -> None:
        quote_ident(table)
        self.engine = url if isinstance(url, Engine) else open_engine(
            url, user=user, password=password)
        self.table = table

    def close(self) -> None:
        """Close the engine."""
        self.engine.close()

    def __enter__(self) -> ClickHouseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------------
    def create_table(self) -> None:
        """Create the table as the exporter does, when it is missing."""
        self.engine.command(create_table_sql(self.table))

    def ingest(self, traces: Iterable[Trace]) -> int:
        """Write traces (creating the table when missing); returns how many spans."""
        self.create_table()
        count = [0]

        def lines() -> Iterator[bytes]:
            for trace in traces:
                for line in rows_of(trace):
                    count[0] += 1
                    yield line

        self.engine.insert_json(self.table, lines())
        return count[0]

    # -- reading ------------------------------------------------------------------------------
    def _table_exists(self) -> None:
        database, _, name = self.table.rpartition(".")
        where = quote_string(database) if database else "currentDatabase()"
        rows = self.engine.rows(f"SELECT count() FROM system.tables WHERE database = {where} "
                                f"AND name = {quote_string(name)}")
        if not rows or not int(rows[0][0]):
            raise ClickHouseError(f"{self.engine.address}: no table {self.table!r} (write "
                                  "traces with 'tracespec ingest', or point the collector's "
                                  "clickhouseexporter at it)")

    def _stream(self, trace_ids: Sequence[str], columns: str,
                build: Callable[[list[list[Any]]], list[Trace]]) -> Iterator[Trace]:
        """The traces of ``trace_ids`` (ascending), built one at a time from streamed rows (the
        cyclic GC paused meanwhile: the rows are many small objects without cycles)."""
        table = quote_ident(self.table)
        with gc_paused():
            yield from self._stream_batches(trace_ids, table, columns, build)

    def _stream_batches(self, trace_ids: Sequence[str], table: str, columns: str,
                        build: Callable[[list[list[Any]]], list[Trace]]) -> Iterator[Trace]:
        for i in range(0, len(trace_ids), _IDS_PER_QUERY):
            ids = ", ".join(quote_string(t) for t in trace_ids[i:i + _IDS_PER_QUERY])
            current: str | None = None
            rows: list[list[Any]] = []
            for row in self.engine.stream(f"SELECT {columns} FROM {table} "
                                          f"WHERE TraceId IN ({ids}) ORDER BY TraceId"):
                if row[0] != current:
                    if rows:
                        yield from build(rows)
                    rows, current = [], row[0]
                rows.append(row)
            if rows:
                yield from build(rows)

    def iter_traces(self, trace_ids: Iterable[str]) -> Iterator[Trace]:
        """The traces of ``trace_ids`` that the table holds, by trace id, one at a time."""
        source = self.engine.address
        yield from self._stream(sorted(set(trace_ids)), FETCH_COLUMNS,
                                lambda rows: traces_from_rows(rows, source=source))

    def traces(self, trace_ids: Sequence[str]) -> list[Trace]:
        """The traces of ``trace_ids`` (those the table holds), by trace id."""
        return list(self.iter_traces(trace_ids))

    def trace(self, trace_id: str) -> Trace | None:
        """One trace by its hex id (``None`` when no span of it is stored)."""
        found = self.traces([trace_id.lower()])
        return found[0] if found else None

    def compile(self, selector: str | Query) -> SqlSelector:
        """The selector compiled for this store's table."""
        return compile_sql(selector, table=self.table)

    def selected_ids(self, selector: str | Query, window: Window | None = None
                     ) -> dict[str, list[str]]:
        """Span ids per trace id with a selected span (unordered ids): for a flat selector by
        SQL alone, but for the traces Tracetest repairs when the selector could select the
        root it adds (see :attr:`SqlSelector.synthetic`)."""
        compiled = self.compile(selector)
        if not compiled.flat:
            self._table_exists()
            candidates = [row[0] for row in self.engine.rows(compiled.candidates_sql(window))]
            found = self._structural_ids(compiled, candidates)
            if found is not None:
                return {t: list(ids) for t, ids in found.items()}
            return {s.trace_id: [sp.span_id for sp in s.spans]
                    for s in self.select(compiled, window)}
        self._table_exists()
        out: dict[str, list[str]] = {}
        repaired = []
        for trace_id, ids, odd in self.engine.rows(compiled.spans_sql(window)):
            if int(odd):
                repaired.append(trace_id)
            else:
                out[trace_id] = list(ids)
        for trace in self.iter_traces(repaired):
            spans = compiled.query.select(trace)
            if spans:
                out[trace.trace_id] = [sp.span_id for sp in spans]
        return dict(sorted(out.items()))

    def _structural_ids(self, compiled: SqlSelector, candidates: Sequence[str]
                        ) -> dict[str, tuple[str, ...]] | None:
        """Selected span ids per candidate trace (with a selection), found on skeleton traces
        (one flag per condition); ``None`` when the plan has a condition SQL cannot read."""
        flags = flag_plan(compiled.query.plan)
        if flags is None:
            return None
        out: dict[str, tuple[str, ...]] = {}
        source = self.engine.address
        for trace in self._stream(sorted(candidates), skeleton_columns(flags),
                                  lambda rows: skeleton_traces(rows, flags, source=source)):
            positions = run(flags.plan, trace.index)
            if positions:
                out[trace.trace_id] = tuple(trace.index.span_ids[p].hex() for p in positions)
        return out

    def select(self, selector: str | Query | SqlSelector, window: Window | None = None
               ) -> Iterator[Selected]:
        """Per trace with a selected span (by trace id), the spans in trace order."""
        compiled = selector if isinstance(selector, SqlSelector) else self.compile(selector)
        self._table_exists()
        chosen: dict[str, set[str] | None] = {}  # None: select in memory
        if compiled.flat:
            for trace_id, ids, odd in self.engine.rows(compiled.spans_sql(window)):
                chosen[trace_id] = None if int(odd) else set(ids)
        else:
            candidates = [row[0] for row in self.engine.rows(compiled.candidates_sql(window))]
            found = self._structural_ids(compiled, candidates)
            if found is None:
                chosen = dict.fromkeys(candidates)
            else:
                chosen = {t: set(ids) for t, ids in found.items()}
        for trace in self.iter_traces(chosen):
            wanted = chosen.get(trace.trace_id)
            if wanted is None:
                positions = tuple(compiled.query.positions(trace))
            else:
                positions = tuple(s.position for s in trace if s.span_id in wanted)
            if positions:
                yield Selected(trace, positions)

    def check(self, selector: str | Query, assertions: Sequence[str],
              window: Window | None = None, variables: Mapping[str, str] | None = None
              ) -> Iterator[TraceCheck]:
        """The spec on every trace with a selected span, by trace id."""
        for text in assertions:
            compile_assertion(text)  # bad text fails before anything runs
        compiled = self.compile(selector)
        sure = [sure_pass_sql(a) for a in assertions] if not variables else [None]
        if compiled.flat and all(s is not None for s in sure):
            yield from self._check_in_sql(compiled, assertions, sure, window)
            return
        for selected in self.select(compiled, window):
            result = check(compiled.query, assertions, selected.trace, variables=variables)
            yield TraceCheck(selected.trace_id, result.passed, result, selected.trace,
                             len(selected.positions))

    def _check_in_sql(self, compiled: SqlSelector, assertions: Sequence[str],
                      sure: Sequence[str | None], window: Window | None
                      ) -> Iterator[TraceCheck]:
        """SQL passes the traces whose selected spans all pass; the rest run in memory."""
        self._table_exists()
        passing = " AND ".join(f"({s})" for s in sure) if sure else "1"
        rows = self.engine.rows(compiled.check_sql(passing, window))
        unsure = (t for t, _, bad, odd in rows if int(bad) or int(odd))
        fetched = self.iter_traces(unsure)
        for i in range(0, len(rows), _BATCH):  # in order, a batch of traces at a time
            chunk = rows[i:i + _BATCH]
            results: dict[str, TraceCheck] = {}
            wanted = sum(1 for _, _, bad, odd in chunk if int(bad) or int(odd))
            for trace in itertools.islice(fetched, wanted):
                result = check(compiled.query, assertions, trace)
                if result.span_ids:
                    results[trace.trace_id] = TraceCheck(trace.trace_id, result.passed, result,
                                                         trace, len(result.span_ids))
            for trace_id, n, bad, odd in chunk:
                if int(bad) or int(odd):
                    found = results.pop(trace_id, None)
                    if found is not None:
                        yield found
                else:
                    yield TraceCheck(trace_id, True, spans=int(n))

    def explain(self, selector: str | Query) -> str:
        """Which part of the selector runs in ClickHouse and which in memory."""
        return self.compile(selector).explain()
