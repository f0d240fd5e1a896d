"""A live run of a ``traceid`` test: tracespec sends nothing, listens, and checks the trace the
id names once an application has exported it (here spans of the real OpenTelemetry SDK, sent
by its real OTLP/HTTP exporter after tracespec started listening), by its whole id or by a
prefix of 8 hex digits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.support.live import env, free_port, wait_for_port

TEST = """\
type: Test
spec:
  name: The job that ran
  pollingProfile: quick
  trigger:
    type: traceid
    traceid:
      id: ${var:TRACE_ID}
  specs:
    - selector: span[service.name="jobs" name="nightly"]
      assertions:
        - attr:tracetest.selected_spans.count = 1
        - attr:job.items = 3
"""
PROFILE = """\
type: PollingProfile
spec:
  name: quick
  strategy: periodic
  periodic: {retryDelay: 200ms, timeout: 30s, selectorMatchRetries: 2}
"""


@pytest.mark.parametrize("prefix", [32, 8])
def test_a_traceid_test_checks_the_trace_that_arrives(tmp_path: Path, prefix: int) -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "jobs"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("jobs")
    with (tracer.start_as_current_span("nightly", kind=SpanKind.INTERNAL,
                                       attributes={"job.items": 3}) as root,
          tracer.start_as_current_span("load")):
        pass
    trace_id = f"{root.get_span_context().trace_id:032x}"
    (tmp_path / "t.yaml").write_text(TEST, encoding="utf-8")
    (tmp_path / "quick.yaml").write_text(PROFILE, encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracespec", "run", "-f", str(tmp_path / "t.yaml"), "-f",
         str(tmp_path / "quick.yaml"), "--var", f"TRACE_ID={trace_id[:prefix]}",
         "--otlp-http", f"127.0.0.1:{port}", "--otlp-grpc", "off"],
        env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, proc=proc)  # tracespec listens: now the job exports its spans
        exporter = OTLPSpanExporter(endpoint=f"http://127.0.0.1:{port}/v1/traces")
        exporter.export(list(memory.get_finished_spans()))
        exporter.shutdown()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert (proc.returncode, err) == (0, ""), out
    assert out.splitlines()[0].endswith(f"- trace id: {trace_id}")
