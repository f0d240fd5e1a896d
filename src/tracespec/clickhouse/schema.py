"""The table the OpenTelemetry Collector's ``clickhouseexporter`` writes spans to: its DDL and
the spellings of its columns.

Taken from opentelemetry-collector-contrib, ``exporter/clickhouseexporter``:
``internal/sql_templates/traces_table.sql`` at commit ``ff7a94656bd04ce95228ff4282554a233ed93434``
(the template of the v0.1xx releases, with ``ScopeName``/``ScopeVersion`` columns and
``Duration UInt64``), and the writer ``exporter_traces.go``: one row per span, attribute values as
text (``pcommon.Value.AsString``), ids in lowercase hex (``""`` for no parent), the span kind
and status code as ``traceutil.SpanKindStr``/``StatusCodeStr`` spell them (``SPAN_KIND_SERVER``,
``STATUS_CODE_ERROR``; later releases write ``Server``/``Error``: both are read).  The table is
created as the exporter creates it (``CREATE TABLE IF NOT EXISTS``), without its TTL.
"""

from __future__ import annotations

import re

from ..errors import TracespecError

__all__ = ["COLUMNS", "DEFAULT_TABLE", "ClickHouseError", "create_table_sql", "quote_ident",
           "quote_string"]

#: The exporter's default table name.
DEFAULT_TABLE = "otel_traces"

#: The columns of a row, in the exporter's insert order.
COLUMNS = (
    "Timestamp", "TraceId", "SpanId", "ParentSpanId", "TraceState", "SpanName", "SpanKind",
    "ServiceName", "ResourceAttributes", "ScopeName", "ScopeVersion", "SpanAttributes",
    "Duration", "StatusCode", "StatusMessage", "Events.Timestamp", "Events.Name",
    "Events.Attributes", "Links.TraceId", "Links.SpanId", "Links.TraceState", "Links.Attributes",
)

_TABLE_SQL = """CREATE TABLE IF NOT EXISTS {table} (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    Links Nested (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1"""

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")


class ClickHouseError(TracespecError):
    """A ClickHouse store refused or failed a request, or was named wrongly (never with a
    password in the message)."""


def quote_ident(name: str) -> str:
    """``name`` (``table`` or ``database.table``) quoted for SQL; anything else is refused."""
    if not _IDENT.fullmatch(name):
        raise ClickHouseError(f"table name {name!r}: use letters, digits and _ (database.table)")
    return ".".join(f"`{part}`" for part in name.split("."))


def quote_string(text: str) -> str:
    """A ClickHouse string literal holding ``text`` exactly (backslash and quote escaped)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def create_table_sql(table: str = DEFAULT_TABLE) -> str:
    """The exporter's ``CREATE TABLE IF NOT EXISTS`` for ``table``."""
    return _TABLE_SQL.format(table=quote_ident(table))
