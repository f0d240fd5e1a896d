"""``tracespec run`` live, end to end: the bundled shop (examples/live, two Flask services under
the real ``opentelemetry-instrument`` agent, exporting with the real OTLP exporters over HTTP
and over gRPC) is triggered by tracespec, which receives its trace and checks the example test
files.  The expected verdicts are the example files' own words (what their comments promise),
the observed values what the shop answers."""

from __future__ import annotations

import json
import re
import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live import Shop, free_port, running_shop, tracespec


@pytest.fixture(scope="module", params=["http/protobuf", "grpc"])
def shop(request: pytest.FixtureRequest) -> Iterator[Shop]:
    with running_shop(request.param) as started:
        yield started


def test_the_passing_example_passes(shop: Shop, tmp_path: Path) -> None:
    files = shop.test_files(tmp_path)
    junit = tmp_path / "junit.xml"
    done = tracespec("run", "-f", str(files / "order-pass.yaml"), *shop.otlp_flags,
                     "--junit", str(junit))
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"✔ Place an order \(.*order-pass\.yaml\) - trace id: [0-9a-f]{32}",
                        lines[0])
    assert lines[1:] == ["\t✔ The shop answers 201 with the new order",
                         "\t✔ Orders serves the request",
                         "\t✔ Inventory is asked twice (stock, then reservation), and answers 200"]
    assert 'failures="0" errors="0"' in junit.read_text(encoding="utf-8")


def test_the_failing_example_shows_what_the_shop_answered(shop: Shop, tmp_path: Path) -> None:
    files = shop.test_files(tmp_path)
    done = tracespec("run", "-f", str(files / "order-fail.yaml"), *shop.otlp_flags,
                     "-o", "json")
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)
    assert report["incomplete"] is None and report["error"] is None
    observed = {
        r["assertion"]: [(s["service"], s["observedValue"], s["passed"]) for s in r["spanResults"]]
        for spec in report["results"]["results"] for r in spec["results"]
    }
    assert observed == {
        "attr:tracetest.response.status = 201": [("tracetest", "409", False)],
        "attr:http.status_code = 200": [("inventory", "409", False)],
    }
    names = [s["spanName"] for spec in report["results"]["results"] for r in spec["results"]
             for s in r["spanResults"]]
    # the Flask instrumentation names the span "POST /stock/<sku>/reserve" (older: the route)
    assert names[0] == "Tracetest trigger" and names[1].endswith("/stock/<sku>/reserve")


def test_a_suite_passes_an_output_to_the_next_trigger(shop: Shop, tmp_path: Path) -> None:
    files = shop.test_files(tmp_path)
    done = tracespec("run", "-f", str(files / "order-suite.yaml"), *shop.otlp_flags,
                     "-o", "json")
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    report = json.loads(done.stdout)
    first, second = report["steps"]
    order_id = json.loads(
        next(o for o in first["outputs"] if o["name"] == "ORDER_ID")["value"] or "null")
    assert isinstance(order_id, int)
    assert second["results"]["allPassed"] is True


def test_the_app_spans_hang_below_the_trigger_span(shop: Shop, tmp_path: Path) -> None:
    port = shop.orders_port
    test = tmp_path / "tree.yaml"
    test.write_text(textwrap.dedent(f"""\
        type: Test
        spec:
          name: The trigger span is the parent of the shop's first span
          trigger:
            type: http
            httpRequest:
              method: GET
              url: http://127.0.0.1:{port}/orders/999
          specs:
            - selector: span[name="Tracetest trigger"] > span[service.name="orders"]
              assertions:
                - attr:tracetest.selected_spans.count = 1
                - attr:tracetest.span.type = "http"
            - selector: span[name="Tracetest trigger"]
              assertions:
                - attr:tracetest.response.status = 404
                - attr:tracetest.span.parent_id = "0000000000000000"
        """), encoding="utf-8")
    done = tracespec("run", "-f", str(test), *shop.otlp_flags)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout


def test_a_trigger_that_cannot_connect_is_an_error(tmp_path: Path) -> None:
    closed = free_port()
    test = tmp_path / "refused.yaml"
    test.write_text(textwrap.dedent(f"""\
        type: Test
        spec:
          name: Nobody listens
          trigger:
            type: http
            httpRequest: {{method: GET, url: "http://127.0.0.1:{closed}/"}}
          specs:
            - selector: ""
              assertions: ["attr:tracetest.selected_spans.count > 0"]
        """), encoding="utf-8")
    done = tracespec("run", "-f", str(test), "--otlp-http", f"127.0.0.1:{free_port()}",
                     "--otlp-grpc", "off")
    assert done.returncode == 1
    assert done.stdout.splitlines()[1].startswith("\tReason: trigger http: ")
    assert "refused" in done.stdout.lower()
    assert done.stderr.startswith(f"error: {test}: ")


def test_a_trace_that_never_comes_fails_saying_so(tmp_path: Path) -> None:
    """An application that exports nothing (a plain socket answering HTTP): the polling
    profile's timeout ends the wait, the test fails (exit 2) and says what was seen."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        import threading

        def answer() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        (tmp_path / "quick.yaml").write_text(textwrap.dedent("""\
            type: PollingProfile
            spec:
              name: quick
              strategy: periodic
              periodic: {retryDelay: 200ms, timeout: 1500ms, selectorMatchRetries: 1}
            """), encoding="utf-8")
        test = tmp_path / "silent.yaml"
        test.write_text(textwrap.dedent(f"""\
            type: Test
            spec:
              name: The app exports nothing
              pollingProfile: quick
              trigger:
                type: http
                httpRequest: {{method: GET, url: "http://127.0.0.1:{port}/"}}
              specs:
                - selector: span[service.name="orders"]
                  assertions: ["attr:tracetest.selected_spans.count = 1"]
            """), encoding="utf-8")
        done = tracespec("run", "-f", str(test), "-f", str(tmp_path / "quick.yaml"),
                         "--otlp-http", f"127.0.0.1:{free_port()}", "--otlp-grpc", "off")
        thread.join(5)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"\t✘ trace incomplete: no span of trace [0-9a-f]{32} arrived in 1\.5s: "
                        r"is the application exporting its spans to tracespec's OTLP endpoint\?",
                        lines[1]), lines


def test_a_port_in_use_is_one_line_naming_the_flag(tmp_path: Path) -> None:
    test = tmp_path / "t.yaml"
    test.write_text(textwrap.dedent("""\
        type: Test
        spec:
          name: Any live test
          trigger:
            type: http
            httpRequest: {method: GET, url: "http://127.0.0.1:9/"}
          specs: []
        """), encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = tracespec("run", "-f", str(test), "--otlp-http", f"127.0.0.1:{port}",
                         "--otlp-grpc", "off")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert f"127.0.0.1:{port}" in done.stderr and "--otlp-http" in done.stderr


def test_with_a_trace_file_nothing_listens(tmp_path: Path) -> None:
    """--trace makes the run offline: the default ports are not even tried (one in use does
    not matter)."""
    root = Path(__file__).resolve().parents[2]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = tracespec("run", "-f", str(root / "examples" / "orders-pass.yaml"), "--trace",
                         str(root / "examples" / "orders-trace.json"), "--otlp-http",
                         f"127.0.0.1:{port}")
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("value", ["localhost", "1.2.3.4:99999", "a:b", "host:"])
def test_a_malformed_address_is_refused(value: str, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    done = tracespec("run", "-f", str(root / "examples" / "orders-pass.yaml"), "--otlp-http",
                     value)
    assert done.returncode == 1
    assert done.stderr == (f"error: --otlp-http {value!r}: expected HOST:PORT (e.g. "
                           "127.0.0.1:4318) or off\n")
