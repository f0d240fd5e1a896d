"""Text as applications leave it: OTLP JSON Lines between log lines, log files that hold no
trace, other encodings; and cutting any text into documents takes linear work."""

from __future__ import annotations

import io
import json
import logging
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind as OtelKind
from opentelemetry.trace import Status
from opentelemetry.trace import StatusCode as OtelStatus

import tracespec
from tests.support.traces import otlp_value
from tracespec import TraceLoadError
from tracespec.formats import LoadWarning
from tracespec.formats import _text as text_module

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _kvs(attributes: Any) -> list[dict[str, Any]]:
    return [{"key": k, "value": otlp_value(v)} for k, v in dict(attributes or {}).items()]


class OtlpJsonLines(SpanExporter):
    """The OTLP JSON file exporter's lines (one ``TracesData`` per export, hex ids, numbers of
    kinds and codes, 64-bit integers as strings), written to a stream as an application's
    stdout gets them."""

    def __init__(self, out: io.StringIO) -> None:
        self.out = out

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        resource_spans = []
        for span in spans:
            ctx = span.context
            assert ctx is not None
            scope = span.instrumentation_scope
            out: dict[str, Any] = {
                "traceId": f"{ctx.trace_id:032x}", "spanId": f"{ctx.span_id:016x}",
                "flags": 256 | int(ctx.trace_flags), "name": span.name,
                "kind": span.kind.value + 1,  # the API's numbers are OTLP's less one
                "startTimeUnixNano": str(span.start_time),
                "endTimeUnixNano": str(span.end_time),
                "attributes": _kvs(span.attributes),
                "events": [{"timeUnixNano": str(e.timestamp), "name": e.name,
                            "attributes": _kvs(e.attributes)} for e in span.events],
                "status": {"code": span.status.status_code.value,
                           **({"message": span.status.description}
                              if span.status.description else {})},
            }
            if span.parent is not None:
                out["parentSpanId"] = f"{span.parent.span_id:016x}"
            resource_spans.append({
                "resource": {"attributes": _kvs(span.resource.attributes)},
                "scopeSpans": [{"scope": {"name": scope.name if scope else "",
                                          "version": (scope.version or "") if scope else ""},
                                "spans": [out]}],
            })
        self.out.write(orjson.dumps({"resourceSpans": resource_spans}).decode() + "\n")
        return SpanExportResult.SUCCESS


def _app(out: io.StringIO, exporter: SpanExporter, *, log_first: bool) -> InMemorySpanExporter:
    """An application's run: spans exported as JSON Lines on stdout, between its log lines,
    prints, a JSON log line, a Python dict printed and a bracketed log line."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "shop"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("shop.web", "0.1")
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    log = logging.getLogger("tests.text.app")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        if log_first:
            log.info("starting")
        with tracer.start_as_current_span("GET /cart", kind=OtelKind.SERVER,
                                          attributes={"http.route": "/cart", "n": [1, 2]}):
            out.write(json.dumps({"level": "info", "msg": "cart read", "items": 2}) + "\n")
            with tracer.start_as_current_span("SELECT cart", kind=OtelKind.CLIENT) as db:
                db.set_status(Status(OtelStatus.ERROR, "timeout"))
                db.add_event("retry", {"attempt": 1})
            out.write(str({"cart": [1, 2], "user": "u-7"}) + "\n")
            log.warning("slow query")
        out.write("[INFO] request done in 12ms\n")
    finally:
        log.removeHandler(handler)
    return memory


@pytest.mark.parametrize("log_first", [True, False])
def test_otlp_json_lines_between_log_lines(log_first: bool) -> None:
    out = io.StringIO()
    memory = _app(out, OtlpJsonLines(out), log_first=log_first)
    text = out.getvalue()
    lines = text.splitlines()
    others = [no for no, ln in enumerate(lines, 1) if not ln.startswith('{"resourceSpans"')]
    assert len(lines) - len(others) == 2  # one line per span (one export each)
    trace = tracespec.load_trace(text.encode())
    assert trace.format == "otlp-json"
    sdk = tracespec.load_otel_spans(memory.get_finished_spans())
    assert [(s.span_id, s.parent_id, s.name, s.kind, s.status_code, s.start_time_ns,
             s.end_time_ns) for s in trace] == [
        (s.span_id, s.parent_id, s.name, s.kind, s.status_code, s.start_time_ns,
         s.end_time_ns) for s in sdk]
    assert dict(trace.root.attributes) == dict(sdk.root.attributes)
    assert trace.root.children[0].events[0].attributes["attempt"] == 1
    (warning,) = trace.repairs
    assert isinstance(warning, LoadWarning)
    n = len(others)
    assert warning.startswith(f"<bytes>: skipped {n} lines that are not trace data "
                              f"(line {others[0]}: {lines[others[0] - 1][:60]!r}, ...)")


def test_json_lines_without_other_lines_warn_of_nothing() -> None:
    out = io.StringIO()
    _app(out, OtlpJsonLines(out), log_first=False)
    clean = "".join(ln + "\n" for ln in out.getvalue().splitlines()
                    if ln.startswith('{"resourceSpans"'))
    assert tracespec.load_trace(clean.encode()).repairs == ()


def test_a_cut_otlp_line_is_an_error_not_a_skipped_line() -> None:
    """A line that starts as an OTLP document and does not parse means lost spans (a process
    killed while it wrote): an error naming the line, as before."""
    out = io.StringIO()
    _app(out, OtlpJsonLines(out), log_first=True)
    lines = out.getvalue().splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith('{"resourceSpans"'))
    lines[k] = lines[k][: len(lines[k]) // 2]
    with pytest.raises(TraceLoadError, match="invalid JSON") as info:
        tracespec.load_trace("\n".join(lines).encode())
    assert info.value.place is not None and info.value.place.startswith(f"line {k + 1}, column")


def test_pretty_printed_documents_between_log_lines() -> None:
    doc = orjson.loads((EXAMPLES / "orders-trace.json").read_bytes())
    text = ("INFO: fetched the trace\n" + json.dumps(doc, indent=2) + "\nINFO: done\n"
            + json.dumps(doc, indent="\t") + "\n")
    trace = tracespec.load_trace(text.encode())
    assert len(trace) == 9 and trace.format == "otlp-json"
    assert any("span id" in r and "dropped 1" in r for r in trace.repairs)  # each span twice
    assert trace.repairs[0].startswith("<bytes>: skipped 2 lines")


def _console(n: int = 2) -> str:
    out = io.StringIO()
    provider = TracerProvider(resource=Resource.create({"service.name": "svc"}))
    provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=out)))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("root"):
        for i in range(n - 1):
            with tracer.start_as_current_span(f"child {i}"):
                pass
    return out.getvalue()


def test_stray_braces_and_quotes_between_the_objects() -> None:
    """Lines that open or close braces or strings without JSON around them do not hide the
    spans that follow them."""
    spans = _console(3).replace("}\n{", "}\n\0{").split("\0")
    noise = [
        "{\n",  # a brace alone
        "{'cart': [1, 2],\n 'user': {'id': 7,\n          'name': 'x'}}\n",  # pprint
        'he said "{ and left\n',  # an open string
        '{"event": "start",\n',  # a JSON object that never ends
        "}\n",
    ]
    text = noise[0] + spans[0] + noise[1] + noise[2] + spans[1] + noise[3] + spans[2] + noise[4]
    trace = tracespec.load_trace(text.encode())
    assert sorted(s.name for s in trace) == ["child 0", "child 1", "root"]
    skipped = sum(part.count("\n") for part in noise)
    assert trace.repairs[0].startswith(f"<bytes>: skipped {skipped} lines")


def test_structured_log_lines_alone_are_no_trace() -> None:
    logs = b'{"level": "info", "msg": "up"}\n{"level": "warn", "msg": "slow"}\n'
    with pytest.raises(TraceLoadError, match="unknown trace format") as info:
        tracespec.load_trace(b"starting\n" + logs)
    assert info.value.place == "line 2"


@pytest.mark.parametrize(
    ("data", "what", "first"),
    [
        (b"2024-05-01 12:00:00,001 INFO app: up\n2024-05-01 12:00:01,002 INFO app: down\n",
         "text (UTF-8, 2 lines)", "line 1 starts with '2024-05-01 12:00:00,001 INFO app: up'"),
        (b"\n\n  \x1b[32mINFO\x1b[0m ready\n", "text (UTF-8, 3 lines)",
         "line 3 starts with '\\x1b[32mINFO\\x1b[0m ready'"),
        (b"caf\xe9 au lait\n", "text (not UTF-8, 1 line)",
         "line 1 starts with 'caf\ufffd au lait'"),
        (b'[2024-05-01 12:00:00] "GET / HTTP/1.1" 200 -\n', "text (UTF-8, 1 line)",
         "line 1 starts with '[2024-05-01 12:00:00] \"GET / HTTP/1.1\" 200 -'"),
        (b"x" * 100, "text (UTF-8, 1 line)", "line 1 starts with '" + "x" * 59 + "…'"),
    ],
)
def test_text_with_no_trace_says_what_it_is(data: bytes, what: str, first: str) -> None:
    with pytest.raises(TraceLoadError) as info:
        tracespec.load_trace(data)
    assert info.value.message == (
        f"{what}, not OTLP protobuf nor a JSON trace document tracespec knows: {first}")


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t{}[]\""),
               min_size=1))
def test_text_is_never_corrupt_protobuf(text: str) -> None:
    try:
        tracespec.load_traces(text.encode())
    except TraceLoadError as exc:
        assert "protobuf (truncated or corrupt" not in str(exc)


def test_corrupt_protobuf_keeps_its_message() -> None:
    pb = (EXAMPLES / "orders-trace.pb").read_bytes()
    with pytest.raises(TraceLoadError, match=r"not valid OTLP protobuf \(truncated or corrupt"):
        tracespec.load_trace(pb[: len(pb) // 2])
    with pytest.raises(TraceLoadError) as info:
        tracespec.load_trace(b"2024-05-01 INFO up\n", format="otlp-proto")
    assert info.value.message == ("not valid OTLP protobuf: the data is text (UTF-8); line 1 "
                                  "starts with '2024-05-01 INFO up'")


def test_utf16_and_byte_order_marks() -> None:
    """PowerShell's ``>`` writes UTF-16 with a byte-order mark; Windows editors put one
    before UTF-8."""
    text = "log: up\n" + _console(2) + "log: down\n"
    for data in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode()):
        trace = tracespec.load_trace(data)
        assert sorted(s.name for s in trace) == ["child 0", "root"]
        assert trace.repairs[0].startswith("<bytes>: skipped 2 lines")
    with pytest.raises(TraceLoadError, match=r"text \(UTF-16, 1 line\)"):
        tracespec.load_trace("nothing here\n".encode("utf-16"))


# -- linear work -----------------------------------------------------------------------------------

def _hostile(n: int) -> Iterator[bytes]:
    """Texts built to make cutting into objects slow: braces that never close, deep nesting,
    objects that fail late, strings that never end."""
    yield b"{\n" * n
    yield b"".join(b" " * (i % 1500) + b"{\n" for i in range(n))
    yield b'{"a":\n' * n + b"1" + b"}" * n
    yield (b'{"a": 1,\n' + b' "b": [\n' * 3 + b" x\n" + b"}\n") * n
    yield b"{\n" + b' "k": "v",\n' * n + b"}\n"
    yield (b'{"x": "\\"' + b"{" * 10 + b"\n") * n
    yield b"{" * n + b"\n" + b"}" * n + b"\n"
    yield b"".join(b" " * (i % 40) + b'{"a": [\n' for i in range(n)) + b"]}\n" * n
    # every object ends at the same closing line
    yield (b"".join(b" " * i + b"{\n" for i in range(100)) + (b" " * 100 + b'"x",\n') * n
           + b"}\n")


@pytest.mark.parametrize("n", [500, 4000])
def test_cutting_text_into_objects_is_linear(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The braces counted and the bytes given to the JSON parser stay within a few times the
    size of the text, whatever it holds (a quadratic cut would count ~n times the size)."""
    work = {"tokens": 0, "parsed": 0}
    tokens = text_module._TOKENS

    class Counting:
        def finditer(self, data: Any, pos: int = 0) -> Iterator[Any]:
            for m in tokens.finditer(data, pos):
                work["tokens"] += 1
                yield m

    def loads(data: Any) -> Any:
        work["parsed"] += len(data)
        return orjson.loads(data)

    monkeypatch.setattr(text_module, "_TOKENS", Counting())
    monkeypatch.setattr(text_module, "orjson", types.SimpleNamespace(
        loads=loads, JSONDecodeError=orjson.JSONDecodeError))
    for data in _hostile(n):
        work["tokens"] = work["parsed"] = 0
        with pytest.raises(TraceLoadError):
            tracespec.load_traces(data)
        assert work["tokens"] <= len(data), data[:40]
        assert work["parsed"] <= 4 * len(data), data[:40]
