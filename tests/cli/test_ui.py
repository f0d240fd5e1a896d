"""The command line of the web UI: ``run --html``, ``show --html``, ``suggest``, ``ui``."""

from __future__ import annotations

import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.htmlpage import decode, page_data
from tests.support.live import env
from tests.support.live import tracespec as run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRACE = str(EXAMPLES / "orders-trace.json")


def test_run_writes_the_html_report_beside_the_usual_output(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_cli("run", "-f", str(EXAMPLES / "orders-fail.yaml"), "--trace", TRACE,
                   "--html", str(out))
    assert proc.returncode == 2
    assert "The inventory is updated" in proc.stdout  # the pretty report, as without --html
    (test,) = page_data(out.read_text(encoding="utf-8"))["tests"]
    assert [s["title"] for s in test["specs"] if not s["passed"]] == [
        "The inventory is updated", "Every database call takes under 5ms"]


def test_run_html_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    proc = run_cli("run", "-f", str(EXAMPLES / "orders-pass.yaml"), "--trace", TRACE,
                   "--html", str(tmp_path / "no" / "r.html"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "cannot write the HTML report" in proc.stderr


def test_show_writes_the_trace_page(tmp_path: Path) -> None:
    out = tmp_path / "trace.html"
    proc = run_cli("show", TRACE, "--html", str(out))
    assert proc.returncode == 0
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["tests"] == []
    assert [s["name"] for s in decode(data["traces"][0])][:2] == ["POST /api/orders",
                                                                   "SELECT users"]


def test_suggest_prints_the_selector_and_says_when_there_is_none(tmp_path: Path) -> None:
    proc = run_cli("suggest", "#a1b2c3d4e5f60009", TRACE)
    assert (proc.returncode, proc.stdout) == (0, 'span[name="UPDATE inventory"]\n')
    check = run_cli("check", proc.stdout.strip(), "attr:db.rows_affected = 0", TRACE)
    assert check.returncode == 0
    assert run_cli("suggest", "00000000000000aa", TRACE).returncode == 1


def test_ui_without_anything_to_show_is_one_line() -> None:
    proc = run_cli("ui", "--no-open")
    assert proc.returncode == 1 and proc.stderr.startswith("error: nothing to show")


def _first_line(proc: subprocess.Popen[str], timeout: float = 30) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the command printed nothing in time"
    return proc.stdout.readline()


def test_ui_serves_until_stopped() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tracespec", "ui", TRACE, "--no-open"],
                            env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _first_line(proc)
        assert line.startswith("tracespec ui on http://127.0.0.1:") and "(1 trace;" in line
        url = line.split()[3]
        listing = httpx.get(url + "api/traces", timeout=10).json()
        assert [t["n"] for t in listing] == [9]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()


def test_ui_on_a_port_in_use_names_it() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_cli("ui", TRACE, "--no-open", "--port", str(port), timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and f"{port}" in proc.stderr
    assert "--port" in proc.stderr


def test_ui_with_the_receiver_shows_what_is_sent() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tracespec", "ui", "--otlp-http",
                             "127.0.0.1:0", "--no-open"], env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        ready, _, _ = select.select([proc.stderr], [], [], 30)
        assert ready, "no listening line in time"
        listening = proc.stderr.readline()
        assert listening.startswith("listening for OTLP on http://127.0.0.1:")
        endpoint = listening.split()[4]
        url = _first_line(proc).split()[3]
        assert httpx.get(url + "api/traces", timeout=10).json() == []
        body = (EXAMPLES / "orders-trace.json").read_bytes()
        sent = httpx.post(endpoint + "/v1/traces", content=body,
                          headers={"Content-Type": "application/json"}, timeout=10)
        assert sent.status_code == 200
        listing = httpx.get(url + "api/traces", timeout=10).json()
        assert [(t["traceId"], t["n"], t["source"]) for t in listing] == [
            ("4bf92f3577b34da6a3ce929d0e0e4736", 9, "<otlp receiver>")]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()
