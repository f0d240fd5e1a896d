"""``tracespec.clickhouse``: its names, ``to_sql`` run as it is on chdb, table names, explain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import tracespec
import tracespec.clickhouse as ch
from tests.clickhouse.conftest import ROOT

TRACE = ROOT / "examples" / "orders-trace.json"


def test_the_names() -> None:
    assert set(ch.__all__) == {
        "DEFAULT_TABLE", "ClickHouseError", "ClickHouseStore", "Engine", "Selected",
        "SqlSelector", "TraceCheck", "Window", "compile_sql", "create_table_sql",
        "open_engine", "to_sql"}
    assert all(getattr(ch, n).__doc__ for n in ch.__all__ if n != "DEFAULT_TABLE")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ch.ClickHouseStore]:
    path: Path = tmp_path_factory.mktemp("api") / "db"
    s = ch.ClickHouseStore(f"chdb:{path}", table="default.spans")
    s.ingest([tracespec.load_trace(TRACE)])
    yield s
    s.close()


@pytest.mark.parametrize("selector", ['span[tracetest.span.type="database"]',
                                      'span[http.status_code>=200 kind="server"]',
                                      'span[name=~"(SELECT|UPDATE) .*"]'])
def test_to_sql_runs_as_it_is(store: ch.ClickHouseStore, selector: str) -> None:
    """The SQL of a flat selector gives the span ids per trace by itself."""
    rows = store.engine.rows(ch.to_sql(selector, table="default.spans"))
    expected = sorted(s.span_id for s in tracespec.select(selector, tracespec.load_trace(TRACE)))
    assert expected
    assert [(t, sorted(ids), repaired) for t, ids, repaired in rows] == [
        ("4bf92f3577b34da6a3ce929d0e0e4736", expected, 0)]


def test_a_structural_selector_gives_its_candidates(store: ch.ClickHouseStore) -> None:
    sql = ch.to_sql('span[service.name="api"] span[name="nope"]', table="default.spans")
    assert store.engine.rows(sql) == []
    sql = ch.to_sql('span[service.name="api"] span[tracetest.span.type="database"]',
                    table="default.spans")
    assert store.engine.rows(sql) == [["4bf92f3577b34da6a3ce929d0e0e4736"]]


def test_explain_says_what_runs_where() -> None:
    flat = ch.compile_sql('span[http.method="GET"]').explain()
    assert flat.startswith("runs in ClickHouse") and "SQL: SELECT" in flat
    structural = ch.compile_sql('span[http.method="GET"] > span[]:first').explain()
    assert structural.startswith("runs in two parts") and "skeletons" in structural
    whole = ch.compile_sql('span[tracetest.span.parent_id="x"] span[]').explain()
    assert "fetched whole" in whole
    assert "could select the root Tracetest adds" in ch.compile_sql("span[]").explain()


@pytest.mark.parametrize("table", ["", "a;b", "a.b.c", "`x`", "1x"])
def test_table_names_are_plain(table: str) -> None:
    with pytest.raises(ch.ClickHouseError, match="table name"):
        ch.to_sql("span[]", table=table)


def test_a_trace_by_id(store: ch.ClickHouseStore) -> None:
    got = store.trace("4BF92F3577B34DA6A3CE929D0E0E4736")
    assert got is not None and len(got) == 9
    assert store.trace("0" * 32) is None


def test_the_table_is_created_as_the_exporter_creates_it(store: ch.ClickHouseStore) -> None:
    columns = store.engine.rows("SELECT name, type FROM system.columns WHERE database = "
                                "'default' AND table = 'spans' ORDER BY position")
    assert dict(columns) == {
        "Timestamp": "DateTime64(9)", "TraceId": "String", "SpanId": "String",
        "ParentSpanId": "String", "TraceState": "String",
        "SpanName": "LowCardinality(String)", "SpanKind": "LowCardinality(String)",
        "ServiceName": "LowCardinality(String)",
        "ResourceAttributes": "Map(LowCardinality(String), String)",
        "ScopeName": "String", "ScopeVersion": "String",
        "SpanAttributes": "Map(LowCardinality(String), String)", "Duration": "UInt64",
        "StatusCode": "LowCardinality(String)", "StatusMessage": "String",
        "Events.Timestamp": "Array(DateTime64(9))", "Events.Name": "Array(LowCardinality(String))",
        "Events.Attributes": "Array(Map(LowCardinality(String), String))",
        "Links.TraceId": "Array(String)", "Links.SpanId": "Array(String)",
        "Links.TraceState": "Array(String)",
        "Links.Attributes": "Array(Map(LowCardinality(String), String))"}
    kinds = store.engine.rows("SELECT DISTINCT SpanKind, StatusCode FROM default.spans "
                              "ORDER BY SpanKind")
    assert ["SPAN_KIND_CLIENT", "STATUS_CODE_UNSET"] in kinds


def test_streamed_rows_may_split_anywhere() -> None:
    """Rows of JSONCompactEachRow text read alike however the stream cuts the bytes."""
    from tracespec.clickhouse.engine import _lines

    text = b'["a", {"k": "v\\\\n"}, 1]\n["b", {}, 2]\n["c", {"x": "\xc3\xa9"}, 3]\n'
    rows = [["a", {"k": "v\\n"}, 1], ["b", {}, 2], ["c", {"x": "\u00e9"}, 3]]
    for cut in range(1, len(text)):
        assert list(_lines([text[:cut], text[cut:]])) == rows
    assert list(_lines([text[i:i + 1] for i in range(len(text))])) == rows
