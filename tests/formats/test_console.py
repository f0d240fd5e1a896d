"""The console output of the OpenTelemetry Python SDK (``ConsoleSpanExporter``), as a real
application leaves it: printed by the SDK from real spans, alone or between log lines."""

from __future__ import annotations

import copy
import http.server
import io
import json
import logging
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace as otel_trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, Status, TraceFlags, TraceState
from opentelemetry.trace import SpanKind as OtelKind
from opentelemetry.trace import StatusCode as OtelStatus
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

import tracespec
from tracespec import SpanKind, StatusCode, TraceLoadError
from tracespec.cli import main
from tracespec.formats import LoadWarning

# What differs between the two readings of one span: the console prints times with microseconds
# and no scope; everything else must be equal.
_W3C = TraceContextTextMapPropagator()  # (not the global one: other tests may set that)
_TIMES = {"tracetest.span.duration", "tracetest.span.start_time", "tracetest.span.end_time",
          "span.events"}


def _provider(out: io.StringIO) -> tuple[TracerProvider, InMemorySpanExporter]:
    """A tracer provider printing to ``out`` and keeping the same spans in memory."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "shop",
                                                        "service.version": "2.0"}))
    provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=out)))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    return provider, memory


def _same_spans(console: tracespec.Trace, sdk: tracespec.Trace) -> None:
    assert console.trace_id == sdk.trace_id
    assert [s.span_id for s in console] == [s.span_id for s in sdk]
    for c in console:
        s = sdk.span(c.span_id)
        assert (c.name, c.kind, c.parent_id, c.status_code, c.status_message) == (
            s.name, s.kind, s.parent_id, s.status_code, s.status_message)
        # the console prints no flags: sampled, as every exported span; the W3C random bit
        # (set by newer SDKs on the trace ids they make) is not known
        assert (c.trace_state, c.flags) == (s.trace_state, s.flags & 1) and c.flags == 1
        # ns_to_iso_str prints microseconds (rounded)
        assert abs(c.start_time_ns - s.start_time_ns) < 1000
        assert abs(c.end_time_ns - s.end_time_ns) < 1000
        assert dict(c.resource.attributes) == dict(s.resource.attributes)
        assert ({k: v for k, v in c.attributes.items() if k not in _TIMES}
                == {k: v for k, v in s.attributes.items() if k not in _TIMES})
        assert [(e.name, dict(e.attributes)) for e in c.events] == [
            (e.name, dict(e.attributes)) for e in s.events]
        assert all(abs(a.time_ns - b.time_ns) < 1000 for a, b in zip(c.events, s.events,
                                                                       strict=True))
        assert c.links == s.links
        assert c.scope.name == "" and s.scope.name == "my.lib"


def _shop(tracer: otel_trace.Tracer) -> None:
    """One request's spans, with every kind, attribute type, status, an event and a link."""
    remote = SpanContext(0x4BF92F3577B34DA6A3CE929D0E0E4736, 0x00F067AA0BA902B7, is_remote=True,
                         trace_flags=TraceFlags(1),
                         trace_state=TraceState([("vendor", "abc"), ("other", "x-1")]))
    parent = otel_trace.set_span_in_context(NonRecordingSpan(remote))
    with tracer.start_as_current_span(
        "POST /orders", context=parent, kind=OtelKind.SERVER,
        attributes={"http.request.method": "POST", "http.response.status_code": 201,
                    "ratio": 0.25, "ok": True, "tags": ["a", "b"], "codes": [1, 2, 3]},
    ) as root:
        with tracer.start_as_current_span("SELECT users", kind=OtelKind.CLIENT,
                                          attributes={"db.system": "postgresql"}) as db:
            db.add_event("retry", {"attempt": 2, "why": "deadlock"})
            db.set_status(Status(OtelStatus.ERROR, "deadlock detected"))
        with tracer.start_as_current_span("orders publish", kind=OtelKind.PRODUCER) as pub:
            pub.set_attribute("messaging.system", "kafka")
        link = otel_trace.Link(pub.get_span_context(), {"why": "batch"})
        with (tracer.start_as_current_span("orders process", kind=OtelKind.CONSUMER,
                                           links=[link]),
              tracer.start_as_current_span("check")):
            pass
        root.set_status(Status(OtelStatus.OK))


def test_console_output_loads_as_the_sdk_spans() -> None:
    out = io.StringIO()
    provider, memory = _provider(out)
    _shop(provider.get_tracer("my.lib", "1.2"))
    text = out.getvalue()
    assert text.count('"kind": "SpanKind.') == 5  # what the SDK printed, as documented
    console = tracespec.load_trace(text.encode())
    assert console.format == "otel-console"
    sdk = tracespec.load_otel_spans(memory.get_finished_spans())
    _same_spans(console, sdk)
    root = console.root
    assert root.trace_state == "vendor=abc,other=x-1"
    assert root.attributes["codes"] == (1, 2, 3) and root.attributes["ratio"] == 0.25
    assert {s.kind for s in console} == {SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER,
                                        SpanKind.CONSUMER, SpanKind.INTERNAL}
    (db,) = tracespec.select('span[db.system="postgresql"]', console)
    assert db.status_code is StatusCode.ERROR and db.events[0].attributes["attempt"] == 2
    # the remote parent is not in the output: the root's parent is missing (the usual repair)
    assert console.repairs == sdk.repairs and len(console.repairs) == 1
    # naming the format reads the same
    again = tracespec.load_trace(text.encode(), format="otel-console")
    assert [s.span_id for s in again] == [s.span_id for s in console]


def test_a_float_attribute_that_is_not_finite() -> None:
    """Python's json writes NaN and Infinity, which are not JSON: they are read all the same."""
    out = io.StringIO()
    provider, _ = _provider(out)
    with provider.get_tracer("my.lib").start_as_current_span(
            "x", attributes={"nan": float("nan"), "inf": float("inf")}):
        pass
    assert "NaN" in out.getvalue() and "Infinity" in out.getvalue()
    span = tracespec.load_trace(out.getvalue().encode()).root
    assert span.attributes["inf"] == float("inf")
    nan = span.attributes["nan"]
    assert isinstance(nan, float) and nan != nan


class _App(http.server.BaseHTTPRequestHandler):
    """A real HTTP application: a server span per request, log lines, an access log line."""

    tracer: otel_trace.Tracer
    out: io.StringIO
    log: logging.Logger

    def do_GET(self) -> None:
        context = _W3C.extract({k.lower(): v for k, v in self.headers.items()})
        with self.tracer.start_as_current_span(f"GET {self.path}", context=context,
                                               kind=OtelKind.SERVER,
                                               attributes={"http.route": self.path}):
            self.log.info("handling %s", self.path)
            with self.tracer.start_as_current_span("render"):
                self.log.warning("cache miss for {'path': %r}", self.path)
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # http.server's own access log line (werkzeug's has the same shape), to the app's stdout
        self.out.write(f"{self.address_string()} - - [{self.log_date_time_string()}] "
                       f"{format % args}\n")


App = tuple[str, io.StringIO, InMemorySpanExporter, otel_trace.Tracer, Callable[[], None]]


@pytest.fixture
def app() -> Iterator[App]:
    """The application, serving on a free port of 127.0.0.1: its address, its stdout, the spans
    in memory, a tracer for its clients, and ``stop`` (returns once the request being handled is
    done: a server span ends after its response is sent)."""
    out = io.StringIO()
    provider, memory = _provider(out)
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("tests.console.app")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    tracer = provider.get_tracer("my.lib", "1.2")
    handler_class = type("App", (_App,), {"tracer": tracer, "out": out, "log": log})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler_class)  # one request at a time
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        if thread.is_alive():
            server.shutdown()
            server.server_close()
            thread.join()

    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", out, memory, tracer, stop
    finally:
        stop()
        log.removeHandler(handler)


def test_a_captured_stdout_of_spans_and_log_lines(app: App) -> None:
    url, out, memory, tracer, stop = app
    for path in ("/a", "/b", "/c"):
        with tracer.start_as_current_span(f"GET {path}", kind=OtelKind.CLIENT):
            headers: dict[str, str] = {}
            _W3C.inject(headers)
            with urllib.request.urlopen(urllib.request.Request(url + path, headers=headers)) as r:
                assert r.read() == b"ok"
    stop()
    text = out.getvalue()
    # the lines that are no span: two log lines and an access log line per request
    log_lines = [ln for ln in text.splitlines() if not ln.startswith((" ", "{", "}"))]
    assert len(log_lines) == 9 and sum('"GET /' in ln for ln in log_lines) == 3
    traces = tracespec.load_traces(text.encode())
    assert len(traces) == 3
    finished = memory.get_finished_spans()
    for t in traces:
        assert [(s.name, s.kind) for s in t] == [
            (t.root.name, SpanKind.CLIENT), (t.root.name, SpanKind.SERVER),
            ("render", SpanKind.INTERNAL)]
        _same_spans(t, tracespec.load_otel_spans(finished, trace_id=t.trace_id))
    (warning,) = traces[0].repairs
    assert isinstance(warning, LoadWarning)
    first = text.splitlines().index(log_lines[0]) + 1
    assert warning.startswith(f"<bytes>: skipped 9 lines that are not trace data (line {first}: ")


_APP = '''
import logging, sys
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

logging.basicConfig(stream=sys.stdout, level=logging.INFO)
provider = TracerProvider(resource=Resource.create({"service.name": "cli-app"}))
provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
tracer = provider.get_tracer("app")
print("starting up")
with tracer.start_as_current_span("job", attributes={"http.status_code": 200}):
    for i in range(3):
        with tracer.start_as_current_span(f"step {i}"):
            logging.info("step %d done", i)
provider.shutdown()
print("bye")
'''


def test_the_stdout_of_a_process_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A process's stdout, as ``python app.py > out.log`` leaves it; the command says how many
    lines it skipped, on stderr, and goes on."""
    (tmp_path / "app.py").write_text(_APP, encoding="utf-8")
    log = tmp_path / "out.log"
    with log.open("wb") as f:
        subprocess.run([sys.executable, str(tmp_path / "app.py")], stdout=f, check=True,
                       timeout=60)
    code = main(["check", "span[name=\"job\"]", "attr:http.status_code = 200", str(log)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "job" in out
    assert err == (f"warning: {log}: skipped 5 lines that are not trace data "
                   "(line 1: 'starting up', ...)\n")
    assert len(tracespec.load_trace(log)) == 4


def _sample() -> list[dict[str, Any]]:
    """Real console objects, parsed, to be edited into the shapes other writers give."""
    out = io.StringIO()
    provider, _ = _provider(out)
    _shop(provider.get_tracer("my.lib"))
    return [json.loads(chunk) for chunk in out.getvalue().replace("}\n{", "}\n\0{").split("\0")]


def test_other_shapes_of_the_objects() -> None:
    spans = _sample()
    base = tracespec.load_trace(spans[:])
    assert base.format == "otel-console"  # a JSON array of console spans
    edited = copy.deepcopy(spans)
    for span in edited:
        span["resource"] = span["resource"]["attributes"]  # older SDKs: the attributes only
        span["kind"] = ["SpanKind.INTERNAL", "SpanKind.SERVER", "SpanKind.CLIENT",
                        "SpanKind.PRODUCER", "SpanKind.CONSUMER"].index(span["kind"])
        span["instrumentation_scope"] = {"name": "my.lib", "version": "1.2"}
    edited[0]["end_time"] = None  # a span not ended: it ends when it starts
    text = "\n".join(json.dumps(s, indent=2) for s in edited)  # another indentation
    t = tracespec.load_trace(text.encode())
    assert [(s.span_id, s.kind) for s in t] == [(s.span_id, s.kind) for s in base]
    assert dict(t.root.resource.attributes) == dict(base.root.resource.attributes)
    assert all(s.scope.name == "my.lib" and s.scope.version == "1.2" for s in t)
    first = t.span(edited[0]["context"]["span_id"][2:])
    assert first.duration_ns == 0


def test_bad_objects_name_the_line_and_the_field() -> None:
    spans = _sample()
    lines = ["app: starting"] + [json.dumps(s, indent=4) for s in spans]
    spans[1]["context"]["span_id"] = "0xnothex"
    bad = "\n".join(["app: starting"] + [json.dumps(s, indent=4) for s in spans])
    second = 2 + lines[1].count("\n") + 1  # the line the second object starts on
    with pytest.raises(TraceLoadError, match="span_id 'nothex' is not a hex id") as info:
        tracespec.load_trace(bad.encode())
    assert info.value.place == f"line {second}, context.span_id"
    assert info.value.format == "otel-console"
    spans[1]["context"]["span_id"] = "0x00f067aa0ba902b7"
    spans[1]["start_time"] = "yesterday"
    bad = "\n".join(json.dumps(s, indent=4) for s in spans)
    with pytest.raises(TraceLoadError, match="start_time 'yesterday' is not an ISO-8601 time"):
        tracespec.load_trace(bad.encode())
