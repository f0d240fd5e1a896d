"""``tracespec ingest``, ``select --clickhouse`` and ``check --clickhouse`` on a chdb database,
compared with the same commands on the trace files; errors are one line, secrets never shown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.clickhouse.conftest import ROOT
from tracespec.cli import main
from tracespec.trace.attrvalue import text_form

TRACE = str(ROOT / "examples" / "orders-trace.json")
SECOND_ID = "0af7651916cd43dd8448eb211c80319c"


def _second_trace(path: Path) -> str:
    """A second trace: a server span with a 503 and a slow database child."""
    def span(sid: str, parent: str, name: str, kind: int, start: int, end: int,
             attrs: dict[str, Any]) -> dict[str, Any]:
        return {"traceId": SECOND_ID, "spanId": sid, "parentSpanId": parent, "name": name,
                "kind": kind, "startTimeUnixNano": str(start), "endTimeUnixNano": str(end),
                "attributes": [{"key": k, "value": ({"intValue": str(v)} if isinstance(v, int)
                                                    else {"stringValue": v})}
                               for k, v in attrs.items()]}
    t0 = 1_700_000_000_000_000_000
    doc = {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
        "scopeSpans": [{"scope": {"name": "manual"}, "spans": [
            span("00000000000000a1", "", "POST /api/orders", 2, t0, t0 + 90_000_000,
                 {"http.method": "POST", "http.status_code": 503}),
            span("00000000000000a2", "00000000000000a1", "INSERT orders", 3, t0 + 1_000,
                 t0 + 80_000_000, {"db.system": "postgresql"}),
        ]}]}]}
    out = path / "second.json"
    out.write_text(json.dumps(doc), encoding="utf-8")
    return str(out)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A chdb database holding the example trace and a second one, written by ``ingest``."""
    tmp = tmp_path_factory.mktemp("cli")
    url = f"chdb:{tmp / 'db'}"
    assert main(["ingest", TRACE, _second_trace(tmp), "--clickhouse", url]) == 0
    return url


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


def test_ingest_says_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "ingest", TRACE, "--clickhouse", f"chdb:{tmp_path / 'x'}")
    assert code == 0
    assert out == "9 spans of 1 trace written to otel_traces\n"


def _textual(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "attributes": {k: text_form(v) for k, v in r["attributes"].items()}}
            for r in rows]


@pytest.mark.parametrize("selector", [
    'span[tracetest.span.type="database"]',
    'span[service.name="api"] span[kind="client"]:first',
    "span[http.status_code >= 500]",
])
def test_select_json_is_select_json_per_trace(db: str, capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path, selector: str) -> None:
    code, out, _ = run_cli(capsys, "select", "--clickhouse", db, selector, "--json")
    assert code == 0
    got = json.loads(out)
    expected = []
    for path in (TRACE, _second_trace(tmp_path)):
        code, text, _ = run_cli(capsys, "select", selector, path, "--json")
        rows = json.loads(text)
        if rows:
            trace_id = SECOND_ID if path != TRACE else "4bf92f3577b34da6a3ce929d0e0e4736"
            expected.append({"traceId": trace_id, "spans": _textual(rows)})
    expected.sort(key=lambda t: t["traceId"])
    assert [t["traceId"] for t in got] == [t["traceId"] for t in expected]
    assert [{**t, "spans": _textual(t["spans"])} for t in got] == expected


def test_select_table_and_counts(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "select", "--clickhouse", db,
                           'span[tracetest.span.type="database"]')
    assert code == 0
    assert f"trace {SECOND_ID}: 1 of 2 spans" in out
    assert "trace 4bf92f3577b34da6a3ce929d0e0e4736: 3 of 9 spans" in out
    assert "INSERT orders" in out
    assert out.endswith("4 spans selected in 2 traces\n")


def test_check_lists_the_failing_traces(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "--clickhouse", db, "--no-color",
                           'span[tracetest.span.type="http"]', "attr:http.status_code < 500",
                           "attr:tracetest.span.duration < 1s")
    assert code == 2
    assert f"trace {SECOND_ID}: failed" in out
    assert "POST /api/orders" in out and "(503)" in out
    assert "4bf92f3577b34da6a3ce929d0e0e4736" not in out
    assert out.endswith("1 trace passed, 1 failed\n")


def test_check_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "--clickhouse", db, "--json",
                           'span[tracetest.span.type="database"]',
                           "attr:tracetest.span.duration < 50ms")
    assert code == 2
    got = json.loads(out)
    assert [(t["traceId"], t["passed"]) for t in got] == [
        (SECOND_ID, False), ("4bf92f3577b34da6a3ce929d0e0e4736", True)]
    failing = got[0]["result"]["results"][0]
    assert failing["allPassed"] is False
    assert [(r["spanName"], r["observedValue"], r["passed"]) for r in failing["spanResults"]] \
        == [("INSERT orders", "80ms", False)]


def test_check_all_passing(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "--clickhouse", db, 'span[db.system="postgresql"]',
                           'attr:db.system = "postgresql"')
    assert (code, out) == (0, "2 traces passed, 0 failed\n")


def test_window(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "select", "--clickhouse", db, "--since", "1h", "span[]")
    assert out == "0 spans selected in 0 traces\n"
    _, out, _ = run_cli(capsys, "select", "--clickhouse", db, "--from", "1700000000",
                        "--to", "2023-11-14T22:20:00Z", "span[]")
    assert out.endswith("2 spans selected in 1 trace\n")
    code, _, err = run_cli(capsys, "select", "--clickhouse", db, "--since", "soon", "span[]")
    assert code == 1 and "--since 'soon'" in err


@pytest.mark.parametrize(("args", "message"), [
    (["select", "--clickhouse", "ftp://x", "span[]"], "chdb:PATH or http(s)://host:port"),
    (["select", "span[]"], "missing TRACE (or --clickhouse URL)"),
    (["select", "--clickhouse", "chdb:/tmp/x", "span[]", TRACE], "not both"),
    (["select", "--clickhouse", "chdb:/tmp/x", "--table", "a;drop", "span[]"], "table name"),
    (["check", "--clickhouse", "chdb:/tmp/x", "span[]"], "missing ASSERTIONS"),
    (["select", "--clickhouse", "chdb:/tmp/x", "--trace-id", "ab", "span[]"], "need a TRACE"),
    (["check", "--clickhouse", "chdb:/tmp/x", "--trace-id", "ab", "span[]", "attr:a = 1"],
     "need a TRACE"),
])
def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], args: list[str],
                             message: str) -> None:
    code, _, err = run_cli(capsys, *args)
    assert code == 1
    assert message in err and err.count("\n") == 1


def test_a_missing_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "select", "--clickhouse", f"chdb:{tmp_path}", "span[]")
    assert code == 1 and "no table 'otel_traces'" in err


def test_a_server_that_is_not_there_keeps_the_password(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.live import free_port

    monkeypatch.setenv("CLICKHOUSE_PASSWORD", "s3cret-pw")
    port = free_port()
    code, out, err = run_cli(capsys, "select", "--clickhouse",
                             f"http://127.0.0.1:{port}", "span[]")
    assert code == 1
    assert f"127.0.0.1:{port}" in err
    assert "s3cret-pw" not in err + out


def test_no_engine_is_imported_offline() -> None:
    """``import tracespec`` and an offline run import neither chdb nor clickhouse-connect."""
    code = (
        "import sys, tracespec; from tracespec.cli import main;"
        f"main(['run', '-f', {str(ROOT / 'examples' / 'orders-pass.yaml')!r}, '--trace', "
        f"{TRACE!r}]);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('chdb', 'clickhouse_connect', 'pandas', 'pyarrow')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr


def test_explain_sql(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explain", "--sql", 'span[http.method="GET"]', "--table",
                           "otel.spans")
    assert code == 0
    assert out.startswith("runs in ClickHouse")
    assert "FROM `otel`.`spans`" in out
    code, out, _ = run_cli(capsys, "explain", "--sql", 'span[name="a"] > span[]:first')
    assert code == 0 and out.startswith("runs in two parts") and "step 2" in out
    code, _, err = run_cli(capsys, "explain", "--sql", "span[]", TRACE)
    assert code == 1 and "--sql explains the selector alone" in err
