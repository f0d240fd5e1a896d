"""``type: clickhouse`` data stores: a live run's trace fetched by id from chdb
(``tracespec run --datastore``, ``tracespec.datastores.fetch``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import tracespec
from tests.clickhouse.conftest import ROOT
from tracespec.cli import main
from tracespec.clickhouse import ClickHouseStore
from tracespec.datastores import fetch, read_config
from tracespec.errors import DataStoreError

TRACE = ROOT / "examples" / "orders-trace.json"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"

TEST = """\
type: Test
spec:
  name: from clickhouse
  trigger:
    type: traceid
    traceid:
      id: {trace_id}
  specs:
    - selector: span[tracetest.span.type="database"]
      assertions:
        - attr:db.system = "postgresql"
        - attr:tracetest.selected_spans.count = 3
    - selector: span[name="POST /api/orders"]
      assertions:
        - attr:http.status_code {op} 201
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("ds") / "db"
    store = ClickHouseStore(f"chdb:{path}")
    store.ingest([tracespec.load_trace(TRACE)])
    yield f"chdb:{path}"
    store.close()


def _config(url: str) -> dict[str, object]:
    return {"type": "DataStore", "spec": {"name": "ch", "type": "clickhouse",
                                          "clickhouse": {"url": url}}}


def test_fetch_gives_the_trace(db: str) -> None:
    got = fetch(_config(db), TRACE_ID)
    assert got is not None
    original = tracespec.load_trace(TRACE)
    assert [(s.span_id, s.name, s.kind, s.status_code, s.parent_id) for s in got] == [
        (s.span_id, s.name, s.kind, s.status_code, s.parent_id) for s in original]
    assert fetch(_config(db), "0" * 31 + "1") is None


@pytest.mark.parametrize(("op", "code"), [("=", 0), ("!=", 2)])
def test_run_with_the_datastore(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                op: str, code: int) -> None:
    test = tmp_path / "test.yaml"
    test.write_text(TEST.format(trace_id=TRACE_ID, op=op), encoding="utf-8")
    store = tmp_path / "clickhouse.yaml"
    store.write_text(f"type: DataStore\nspec:\n  name: ch\n  type: clickhouse\n"
                     f"  clickhouse:\n    url: {db}\n", encoding="utf-8")
    assert main(["run", "-f", str(test), "--datastore", str(store)]) == code
    out = capsys.readouterr().out
    assert "from clickhouse" in out


@pytest.mark.parametrize(("spec", "words"), [
    ({"type": "clickhouse", "clickhouse": {}}, "clickhouse.url"),
    ({"type": "clickhouse", "clickhouse": {"url": "ftp://x"}}, "chdb:PATH or http"),
])
def test_fields_that_do_not_hold(spec: dict[str, object], words: str) -> None:
    with pytest.raises(DataStoreError, match=words.replace(".", r"\.")):
        read_config(spec)


def test_the_password_stays_out_of_the_repr() -> None:
    store = read_config({"type": "clickhouse", "clickhouse": {
        "url": "http://127.0.0.1:8123", "username": "u", "password": "hunter2"}})
    assert "hunter2" not in repr(store)
    assert store.index == "otel_traces"
