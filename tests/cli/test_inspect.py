"""``tracespec select``, ``check`` and ``explain`` on the example trace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracespec.cli import main

TRACE = str(Path(__file__).resolve().parents[2] / "examples" / "orders-trace.json")
DB = 'span[tracetest.span.type="database"]'


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


def test_select_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "select", DB, TRACE)
    assert (code, err) == (0, "")
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["span", "id", "name", "service", "duration"]
    assert rows[1:4] == [
        ["a1b2c3d4e5f60002", "SELECT", "users", "api", "3.45ms"],
        ["a1b2c3d4e5f60003", "INSERT", "orders", "api", "6.8ms"],
        ["a1b2c3d4e5f60009", "UPDATE", "inventory", "worker", "4.2ms"],
    ]
    assert out.splitlines()[-1] == "3 spans of 9 selected"


def test_select_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "select", DB + ":last", TRACE, "--json")
    assert code == 0
    (row,) = json.loads(out)
    attributes = row.pop("attributes")
    assert row == {
        "id": "a1b2c3d4e5f60009", "name": "UPDATE inventory", "service": "worker",
        "kind": "client", "duration": "4.2ms", "duration_ns": 4_200_000,
    }
    # everything a selector reads: the span's own, its resource's, name and kind; no meta
    assert attributes["db.rows_affected"] == 0
    assert attributes["db.system"] == "postgresql"
    assert attributes["service.version"] == "1.4.2"
    assert attributes["kind"] == "client"
    assert not any(k.startswith("tracetest.") for k in attributes)


def test_select_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "select", 'span[name="nope"]', TRACE)
    assert (code, out) == (0, "0 spans of 9 selected\n")
    code, out, _ = run_cli(capsys, "select", 'span[name="nope"]', TRACE, "--json")
    assert (code, json.loads(out)) == (0, [])


def test_check_passing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "check", 'span[tracetest.span.type="http"]',
                             "attr:http.status_code < 400", TRACE)
    assert (code, err) == (0, "")
    assert out == (
        '✔ span[tracetest.span.type="http"]\n'
        "\t✔ #a1b2c3d4e5f60001 POST /api/orders (api, server)\n"
        "\t\t✔ attr:http.status_code < 400 (201)\n"
        "\t✔ #a1b2c3d4e5f60004 POST /charge (api, client)\n"
        "\t\t✔ attr:http.status_code < 400 (200)\n"
        "\t✔ #a1b2c3d4e5f60005 POST /charge (payments, server)\n"
        "\t\t✔ attr:http.status_code < 400 (200)\n"
        "3 spans selected\n"
    )


def test_check_failing_shows_observed_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", DB, "attr:tracetest.span.duration < 5ms",
                           'attr:db.system = "postgresql"', TRACE)
    assert code == 2
    lines = out.splitlines()
    assert lines[0] == f"✘ {DB}"
    assert lines[4:7] == [
        "\t✘ #a1b2c3d4e5f60003 INSERT orders (api, client)",
        "\t\t✘ attr:tracetest.span.duration < 5ms (7ms)",
        '\t\t✔ attr:db.system = "postgresql" (postgresql)',
    ]


def test_check_variables_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", DB + ":first", "attr:db.system = var:DB",
                           TRACE, "--var", "DB=postgresql", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["selector"] == {"query": DB + ":first"}
    assert doc["results"][0]["spanResults"] == [{
        "spanId": "a1b2c3d4e5f60002", "spanName": "SELECT users", "service": "api",
        "kind": "client", "observedValue": "postgresql", "passed": True, "error": None,
    }]


def test_check_no_span_selected(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", 'span[name="nope"]',
                           "attr:tracetest.selected_spans.count = 0", TRACE)
    assert code == 0
    assert out.splitlines()[1:] == [
        "\t✔ #meta", "\t\t✔ attr:tracetest.selected_spans.count = 0 (0)", "0 spans selected"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("select", "span[name=", TRACE), "error: selector 'span[name=': expected a value"),
        (("check", "span", "attr:x = 1", TRACE), "error: selector 'span': expected '['"),
        (("check", DB, "attr:x = 1", "attr:x === 1", TRACE),
         "error: assertion 2 'attr:x === 1': "),
        (("explain", 'span[name="a"'), "error: selector 'span[name=\"a\"': expected"),
        (("check", DB, "attr:x = 1", TRACE, "--var", "oops"),
         "error: --var 'oops': expected KEY=VALUE"),
    ],
)
def test_bad_text_is_one_line_naming_the_argument(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert (code, out) == (1, "")
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_bad_text_fails_before_the_trace_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "check", "span[", "attr:x = 1", "missing.json")
    assert code == 1 and err.startswith("error: selector 'span['")


def test_explain_names_the_index(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explain", 'span[name="SELECT users"]')
    assert code == 0
    assert out.splitlines()[0] == 'selector: span[name="SELECT users"]'
    assert "index" in out
