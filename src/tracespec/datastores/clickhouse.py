"""``type: clickhouse`` (an extension): one trace from the collector exporter's ``otel_traces``
table, in chdb or on a server, for live runs.

The rows of the trace are fetched through :mod:`tracespec.clickhouse` and handed on as one
OTLP JSON document (attribute values as the text the table holds), so that the run's own spans
(the trigger span) assemble with them as with every other store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import TracespecError
from ..trace import SpanKind, StatusCode
from .config import DataStore

__all__ = ["ClickHouseBackend", "otlp_document"]


def _attributes(values: dict[str, str]) -> list[dict[str, Any]]:
    return [{"key": k, "value": {"stringValue": v}} for k, v in values.items()]


def otlp_document(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Rows fetched with :data:`tracespec.clickhouse.rows.FETCH_COLUMNS` as OTLP JSON."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    resources: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in rows:
        (trace_id, span_id, parent_id, state, name, kind, res, scope_name, scope_version,
         attrs_, start, duration, status, message, ev_times, ev_names, ev_attrs,
         ln_traces, ln_spans, ln_states, ln_attrs) = row
        key = (repr(sorted(res.items())), scope_name, scope_version)
        resources[key] = res
        groups.setdefault(key, []).append({
            "traceId": trace_id, "spanId": span_id, "parentSpanId": parent_id,
            "traceState": state, "name": name, "kind": SpanKind.parse(kind).number,
            "startTimeUnixNano": str(start), "endTimeUnixNano": str(int(start) + int(duration)),
            "attributes": _attributes(attrs_),
            "status": {"code": StatusCode.parse(status).number, "message": message},
            "events": [{"timeUnixNano": str(t), "name": n, "attributes": _attributes(a)}
                       for t, n, a in zip(ev_times, ev_names, ev_attrs, strict=False)],
            "links": [{"traceId": t, "spanId": sp, "traceState": st,
                       "attributes": _attributes(a)}
                      for t, sp, st, a in zip(ln_traces, ln_spans, ln_states, ln_attrs,
                                              strict=False)],
        })
    return {"resourceSpans": [
        {"resource": {"attributes": _attributes(resources[key])},
         "scopeSpans": [{**({"scope": {"name": key[1], "version": key[2]}} if key[1] else {}),
                         "spans": spans}]}
        for key, spans in groups.items()]}


class ClickHouseBackend:
    """The trace's rows, asked with one query per poll."""

    def __init__(self, store: DataStore) -> None:
        from ..clickhouse import ClickHouseStore

        self.config = store
        try:
            self.store = ClickHouseStore(store.url, table=store.index or "otel_traces",
                                         user=store.username or None,
                                         password=store.password or None)
        except TracespecError as exc:
            raise store.error(str(exc)) from None

    def get(self, trace_id: str) -> list[Any] | None:
        """The trace as one OTLP JSON document (``None``: no span of it yet)."""
        from ..clickhouse.rows import FETCH_COLUMNS
        from ..clickhouse.schema import quote_ident, quote_string

        try:
            rows = self.store.engine.rows(
                f"SELECT {FETCH_COLUMNS} FROM {quote_ident(self.store.table)} "
                f"WHERE TraceId = {quote_string(trace_id)}")
        except TracespecError as exc:
            raise self.config.error(str(exc)) from None
        return [otlp_document(rows)] if rows else None

    def close(self) -> None:
        """Close the store."""
        self.store.close()
