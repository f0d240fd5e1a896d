"""``tracespec receive`` in a subprocess: a real SDK exporter sends, Ctrl-C stops, the file it
wrote is what ``tracespec run --trace`` checks."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind

ROOT = Path(__file__).resolve().parent.parent.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
       "NO_COLOR": "1"}
TIMEOUT = 30

TEST_FILE = """\
type: Test
spec:
  id: checkout
  name: Checkout
  trigger:
    type: http
    httpRequest:
      method: POST
      url: http://localhost:8080/checkout
  specs:
    - selector: span[tracetest.span.type="http" name="POST /checkout"]
      assertions:
        - attr:http.response.status_code = {status}
    - selector: span[tracetest.span.type="database"]
      assertions:
        - attr:tracetest.selected_spans.count = 1
"""


class Lines:
    """A stream's lines read by a thread, so a test waits for one with a timeout."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)

    def next(self) -> str:
        line = self.lines.get(timeout=TIMEOUT)
        self.seen.append(line)
        return line

    def rest(self) -> str:
        self._thread.join(timeout=TIMEOUT)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return "".join(self.seen)


@pytest.fixture
def receive(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Lines, Lines, Path]]:
    out = tmp_path / "traces.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracespec", "receive", "-o", str(out), "--otlp-http",
         "127.0.0.1:0", "--otlp-grpc", "127.0.0.1:0", "--idle", "0.3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        yield proc, Lines(proc.stdout), Lines(proc.stderr), out
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=TIMEOUT)


def send_trace(endpoint: str) -> tuple[str, str]:
    tp = TracerProvider(resource=Resource.create({"service.name": "shop"}))
    tp.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=endpoint + "/v1/traces",
                                                               timeout=10)))
    tracer = tp.get_tracer("tests")
    with tracer.start_as_current_span(
        "POST /checkout", kind=SpanKind.SERVER,
        attributes={"http.request.method": "POST", "http.response.status_code": 201},
    ) as root, tracer.start_as_current_span("SELECT carts", kind=SpanKind.CLIENT,
                                            attributes={"db.system": "postgresql"}):
        pass
    tp.shutdown()
    ctx = root.get_span_context()
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


def send_late_span(endpoint: str, trace_id: str, parent_id: str) -> None:
    """One more span of the trace, a child of its root, in a request of its own."""
    import urllib.request

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    kv = rs.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", "mailer"
    span = rs.scope_spans.add().spans.add()
    span.trace_id, span.parent_span_id = bytes.fromhex(trace_id), bytes.fromhex(parent_id)
    span.span_id, span.name = bytes.fromhex("00000000000000fe"), "send receipt"
    span.start_time_unix_nano = span.end_time_unix_nano = time.time_ns()
    post = urllib.request.Request(endpoint + "/v1/traces", data=req.SerializeToString(),
                                  headers={"Content-Type": "application/x-protobuf"})
    with urllib.request.urlopen(post, timeout=TIMEOUT) as resp:
        assert resp.status == 200


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_receive_captures_a_trace_that_run_checks(
    receive: tuple[subprocess.Popen[str], Lines, Lines, Path], tmp_path: Path, stop: int
) -> None:
    proc, stdout, stderr, out = receive
    first = stderr.next()
    m = re.search(r"listening for OTLP on (http://127\.0\.0\.1:\d+) \(HTTP\) and "
                  r"127\.0\.0\.1:\d+ \(gRPC\)", first)
    assert m, first
    trace_id, root_id = send_trace(m.group(1))
    line = stdout.next()  # printed once no span came for --idle
    assert line.split() == [trace_id, "POST", "/checkout", "[shop]", "2", "spans"]
    send_late_span(m.group(1), trace_id, root_id)
    late = stdout.next()  # printed again, with its new count
    assert late.split() == [trace_id, "POST", "/checkout", "[shop,", "mailer]", "3", "spans"]
    proc.send_signal(stop)
    assert proc.wait(timeout=TIMEOUT) == 0
    assert "received 3 spans of 1 traces in 3 requests (0 refused)" in stderr.rest()
    assert stdout.rest() == line + late  # nothing else printed
    assert len(out.read_text().splitlines()) == 3
    for status, code in ((201, 0), (500, 2)):
        test = tmp_path / f"checkout-{status}.yaml"
        test.write_text(TEST_FILE.format(status=status))
        run = subprocess.run(
            [sys.executable, "-m", "tracespec", "run", "-f", str(test), "--trace", str(out)],
            capture_output=True, text=True, env=ENV, timeout=TIMEOUT,
        )
        assert run.returncode == code, run.stdout + run.stderr
        assert trace_id in run.stdout


def test_duration_stops_it_and_prints_what_arrived(tmp_path: Path) -> None:
    out = tmp_path / "t.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "tracespec", "receive", "-o", str(out), "--otlp-http",
         "127.0.0.1:0", "--otlp-grpc", "off", "--duration", "0.5"],
        capture_output=True, text=True, env=ENV, timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "(gRPC)" not in proc.stderr and "received 0 spans of 0 traces" in proc.stderr
    assert out.read_bytes() == b""


@pytest.mark.parametrize("flag", ["--otlp-http", "--otlp-grpc"])
def test_a_port_in_use_is_one_line_naming_it_and_the_flag(tmp_path: Path, flag: str) -> None:
    earlier = tmp_path / "t.jsonl"
    earlier.write_text('{"resourceSpans": []}\n')  # a capture of an earlier run
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        address = f"127.0.0.1:{busy.getsockname()[1]}"
        other = "--otlp-grpc" if flag == "--otlp-http" else "--otlp-http"
        proc = subprocess.run(
            [sys.executable, "-m", "tracespec", "receive", "-o", str(tmp_path / "t.jsonl"),
             flag, address, other, "127.0.0.1:0", "--duration", "5"],
            capture_output=True, text=True, env=ENV, timeout=TIMEOUT,
        )
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot listen on " + address)
    assert lines[0].endswith(f"({flag})"), lines[0]
    assert earlier.read_text() == '{"resourceSpans": []}\n'  # not replaced: nothing ran


def test_both_off_and_a_bad_address_are_errors(tmp_path: Path) -> None:
    for args, words in ((["--otlp-http", "off", "--otlp-grpc", "off"], "nothing to listen on"),
                        (["--otlp-http", "nowhere"], "HOST:PORT")):
        proc = subprocess.run(
            [sys.executable, "-m", "tracespec", "receive", "-o", str(tmp_path / "t.jsonl"),
             *args, "--duration", "1"],
            capture_output=True, text=True, env=ENV, timeout=TIMEOUT,
        )
        assert proc.returncode == 1 and words in proc.stderr, proc.stderr
        assert len(proc.stderr.splitlines()) == 1
