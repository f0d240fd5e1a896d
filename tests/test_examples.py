"""The bundled examples behave as their comments say, and the README's main command passes."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import junitparser
import pytest

from tracespec.cli import main

ROOT = Path(__file__).resolve().parent.parent
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture(autouse=True)
def _in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the commands in the comments run from the repository root


def run_cli(capsys: pytest.CaptureFixture[str], command: str) -> tuple[int, str, str]:
    args = shlex.split(command)
    assert args[0] == "tracespec"
    code = main(args[1:])
    out, err = capsys.readouterr()
    return int(code), out, err


def commented_command(example: str) -> str:
    """The ``tracespec ...`` command written in an example's opening comment."""
    lines = (ROOT / "examples" / example).read_text(encoding="utf-8").splitlines()
    command: list[str] = []
    for line in lines:
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if text.startswith("tracespec ") or command:
            command.append(text.rstrip("\\").strip())
            if not text.endswith("\\"):
                break
    assert command, f"{example} has no command in its comment"
    return " ".join(command)


def test_readme_main_command_passes(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    command = first[first.index("tracespec run"):].strip()
    code, out, err = run_cli(capsys, command)
    assert (code, err) == (0, "")
    assert out.startswith("✔ ")
    assert "✘" not in out


def test_passing_example(capsys: pytest.CaptureFixture[str]) -> None:
    command = commented_command("orders-pass.yaml")
    code, out, err = run_cli(capsys, command)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        f"✔ Create an order (examples/orders-pass.yaml) - trace id: {TRACE_ID}"
    )
    assert len(lines) == 1 + 4 and all(line.startswith("\t✔ ") for line in lines[1:])


def test_failing_example(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    command = commented_command("orders-fail.yaml")
    assert "--junit report.xml" in command
    report = tmp_path / "report.xml"
    code, out, err = run_cli(capsys, command.replace("report.xml", str(report)))
    assert (code, err) == (2, "")
    lines = out.splitlines()
    assert lines[0].startswith("✘ Create an order and update the inventory")
    assert "\t✔ The API answers 201" in lines
    assert "\t✘ The inventory is updated" in lines
    assert "\t✘ Every database call takes under 5ms" in lines
    failed = [line.strip() for line in lines if line.startswith("\t\t\t✘")]
    assert len(failed) == 3
    assert failed[0].startswith(
        '✘ attr:tracetest.span.status_code = "STATUS_CODE_OK" (STATUS_CODE_ERROR) ('
    )
    assert failed[1].startswith("✘ attr:db.rows_affected > 0 (0) (examples/orders-fail.yaml:")
    assert failed[2].startswith("✘ attr:tracetest.span.duration < 5ms (7ms) (")
    # the INSERT fails the duration spec; its span group says which span it is
    insert = lines.index("\t\t✘ #a1b2c3d4e5f60003 INSERT orders (api, client)")
    assert lines[insert + 1].strip() == failed[2]
    xml = junitparser.JUnitXml.fromfile(str(report))
    assert (xml.tests, xml.failures, xml.errors) == (6, 3, 0)


def test_suite_example(capsys: pytest.CaptureFixture[str]) -> None:
    command = commented_command("orders-suite.yaml")
    code, out, err = run_cli(capsys, command)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "✔ Order flow (examples/orders-suite.yaml)"
    assert lines[1].startswith("\t✔ Create the order (examples/suite/create-order.yaml)")
    assert "\t✔ The worker processes the order (" in out
    # the second step's check really uses the first step's output
    code, out, _ = run_cli(capsys, command + " -o json")
    doc = json.loads(out)
    first, second = doc["steps"]
    assert first["outputs"][0]["name"] == "ORDER_ID"
    assert first["outputs"][0]["value"] == "52"
    spans = second["results"]["results"][0]["results"][0]["spanResults"]
    assert [(s["spanId"], s["observedValue"]) for s in spans] == [("a1b2c3d4e5f60008", "52")]
    # alone, the second step has no ORDER_ID and fails
    code, _, _ = run_cli(capsys, "tracespec run -f examples/suite/process-order.yaml "
                                 "--trace examples/orders-trace.json")
    assert code == 2


def test_traceid_example_with_and_without_its_variable_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    command = commented_command("orders-traceid.yaml")
    assert "--vars examples/orders-vars.yaml" in command
    assert commented_command("orders-vars.yaml") == command
    code, out, err = run_cli(capsys, command)
    assert (code, err) == (0, "")
    assert out.startswith(f"✔ Orders trace by id (examples/orders-traceid.yaml) - trace id: "
                          f"{TRACE_ID}")
    code, out, err = run_cli(capsys, command.replace("--vars examples/orders-vars.yaml", ""))
    assert code == 1  # which trace the test checks is not known: it cannot run
    reason = "trigger traceid ${var:TRACE_ID}: variable TRACE_ID is not defined"
    assert f"\tReason: {reason}" in out and reason in err


def test_both_trace_encodings_give_the_same_run(capsys: pytest.CaptureFixture[str]) -> None:
    base = "tracespec run -f examples/orders-fail.yaml -o json --trace examples/orders-trace"
    _, from_json, _ = run_cli(capsys, base + ".json")
    _, from_pb, _ = run_cli(capsys, base + ".pb")
    assert json.loads(from_json)["results"] == json.loads(from_pb)["results"]


def _sessions(text: str) -> list[tuple[str, str]]:
    """(command, printed output) of every fenced block that starts with ``$ tracespec``."""
    out = []
    for block in text.split("```")[1::2]:
        lines = block.split("\n")
        if lines and lines[0] in ("", "sh", "console"):
            lines = lines[1:]
        if not lines or not lines[0].startswith("$ tracespec "):
            continue
        body = "\n".join(lines[1:])
        out.append((lines[0][2:], body if body.endswith("\n") or not body else body + "\n"))
    return out


@pytest.mark.parametrize("doc", ["README.md", "docs/cli.md"])
def test_documented_sessions_print_what_the_docs_show(
    doc: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sessions = _sessions((ROOT / doc).read_text(encoding="utf-8"))
    assert sessions
    for command, shown in sessions:
        command = command.replace("report.xml", str(tmp_path / "report.xml"))
        _, out, _ = run_cli(capsys, command)
        assert out == shown, command
