"""What a trace holds, from the command line: ``span``, ``show --attrs``, ``explain SELECTOR
TRACE`` and the notes of ``check`` (repairs, semantic-convention renames), on the bundled trace
and on traces the OpenTelemetry SDK wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracespec.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRACE = str(EXAMPLES / "orders-trace.json")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


def test_span_prints_one_span_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "span", "a1b2c3d4e5f60009", TRACE)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:3] == [
        "span #a1b2c3d4e5f60009  UPDATE inventory  worker  client  4.2ms",
        f"  trace {TRACE_ID} · parent #a1b2c3d4e5f60008 orders process · depth 3 · 0 children",
        "  status error: no rows updated",
    ]
    # the span's own attributes, then its resource's: kept apart
    attributes = lines[lines.index("attributes") + 1 : lines.index("resource")]
    assert '  db.operation = "UPDATE"' in attributes and "  db.rows_affected = 0" in attributes
    assert not any("service.name" in line for line in attributes)
    assert '  service.name = "worker"' in lines[lines.index("resource"):]
    events = lines.index("events")
    assert lines[events + 1] == ('  event exception +4ms  exception.type="NoRowsUpdated"  '
                                 'exception.message="sku A-1 not in inventory"')
    assert "links: none" in lines
    meta = lines[lines.index("meta attributes") + 1:]
    assert '  tracetest.span.type = "database"' in meta
    assert "  tracetest.span.duration = 4200000" in meta


def test_span_takes_the_id_as_a_report_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "span", "#A1B2C3D4E5F60001", TRACE, "--json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["id"], doc["name"], doc["service"], doc["kind"], doc["parentId"]) == (
        "a1b2c3d4e5f60001", "POST /api/orders", "api", "server", None)
    assert doc["attributes"]["http.response.status_code"] == 201
    assert doc["attributes"]["http.status_code"] == 201
    assert doc["resource"]["service.name"] == "api"
    assert doc["durationNs"] == 48_250_000 and doc["status"] == {"code": "unset", "message": ""}
    assert doc["meta"]["tracetest.span.type"] == "http"


def test_span_not_in_the_trace_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "span", "0123456789abcdef", TRACE)
    assert (code, out) == (1, "")
    assert err == (f"error: span '0123456789abcdef': no span with that id in trace {TRACE_ID} "
                   f"({TRACE})\n")
    code, _, err = run_cli(capsys, "span", "x", "missing.json")
    assert code == 3 and err == "error: missing.json: file not found\n"


def test_show_attrs_prints_each_spans_attributes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "show", TRACE, "--attrs", "--limit", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == ('resource  service.name="api"  service.version="1.4.2"  '
                        'deployment.environment="staging"  telemetry.sdk.language="python"')
    assert len([line for line in lines if line.startswith("resource")]) == 1  # 2 api spans
    root = next(i for i, line in enumerate(lines) if line.startswith("POST /api/orders"))
    assert lines[root + 1] == '├── http.request.method = "POST"'
    assert '    ├── db.statement = "SELECT id, name FROM users WHERE id = $1"' in lines
    assert lines[-1] == "… 7 more spans (--limit 0 shows all)"


def test_explain_on_a_trace(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "explain", 'span[http.status_code >= 500]', TRACE)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == ["selector: span[http.status_code>=500]", f"trace {TRACE_ID}: 9 spans"]
    assert lines[3] == "  step 1: span[http.status_code>=500] → 0 spans"
    assert lines[-1] == "selected: 0 spans of 9"
    code, _, err = run_cli(capsys, "explain", "span[]", "--trace-id", "abc")
    assert code == 1 and err == "error: --trace-id and --format need a TRACE\n"


def test_check_says_which_name_the_spans_use(capsys: pytest.CaptureFixture[str]) -> None:
    # the example's database spans have the old names only
    code, out, _ = run_cli(capsys, "check", 'span[db.system.name="postgresql"]',
                           "attr:tracetest.selected_spans.count = 3", TRACE)
    assert code == 2
    assert out.splitlines()[:2] == [
        '✘ span[db.system.name="postgresql"]',
        '\t! no span has "db.system.name"; 3 spans have "db.system" '
        "(its name before semconv v1.30.0)",
    ]
    code, out, _ = run_cli(capsys, "check", 'span[tracetest.span.type="database"]:first',
                           'attr:db.query.text contains "users"', TRACE)
    assert code == 2
    assert out.splitlines()[2] == (
        '\t\t✘ attr:db.query.text contains "users" error: attribute "db.query.text" not '
        'found; this span has "db.statement" (its name before semconv v1.26.0)')


def test_check_shows_the_repairs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A trace whose root did not arrive (OTLP JSON written from the example, the root left
    out): its children are orphans, and a synthetic span adopts them, so the span's parent is
    not the one the application wrote -- the notes say why."""
    doc = json.loads(Path(TRACE).read_text(encoding="utf-8"))
    for resource in doc["resourceSpans"]:
        for scope in resource["scopeSpans"]:
            scope["spans"] = [s for s in scope["spans"] if s.get("parentSpanId")]
    path = tmp_path / "no-root.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", 'span[name="SELECT users"]',
                           "attr:tracetest.span.parent_id = \"a1b2c3d4e5f60001\"", str(path))
    assert code == 2
    lines = out.splitlines()
    notes = [line for line in lines if line.startswith("! trace repaired: ")]
    assert notes[0] == ("! trace repaired: span a1b2c3d4e5f60002 has parent a1b2c3d4e5f60001, "
                        "which is not in the trace; it is treated as a root")
    assert notes[-1].endswith("root spans; a synthetic 'Temporary Tracetest root span' span "
                              "adopts them")
    assert len(notes) == 5  # the four children of the root, and the adoption
    assert lines[len(notes)] == '✘ span[name="SELECT users"]'
    assert lines[len(notes) + 1] == "\t✘ #a1b2c3d4e5f60002 SELECT users (api, client)"
