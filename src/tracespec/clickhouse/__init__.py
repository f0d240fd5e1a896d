"""ClickHouse: selectors and specs over every trace of the OpenTelemetry Collector's
``otel_traces`` table, in chdb (in process) or on a server.

It sits above the query engine and both languages (it compiles the query plan to SQL and
checks specs) and below the command line.  :func:`to_sql` gives a selector's SQL;
:class:`ClickHouseStore` runs selectors and specs, fetches traces by id and writes traces in
the exporter's schema.  chdb and clickhouse-connect are imported when a store is opened.
"""

from __future__ import annotations

from .compile import SqlSelector, Window, compile_sql, to_sql
from .engine import Engine, open_engine
from .schema import DEFAULT_TABLE, ClickHouseError, create_table_sql
from .store import ClickHouseStore, Selected, TraceCheck

__all__ = [
    "DEFAULT_TABLE",
    "ClickHouseError",
    "ClickHouseStore",
    "Engine",
    "Selected",
    "SqlSelector",
    "TraceCheck",
    "Window",
    "compile_sql",
    "create_table_sql",
    "open_engine",
    "to_sql",
]
