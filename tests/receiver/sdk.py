"""The OpenTelemetry SDK as an application uses it, exporting over OTLP to a test's receiver.

:func:`provider` builds a ``TracerProvider`` for one service whose spans go both to an in-memory
exporter (the SDK's own finished span objects: what the tests compare the receiver with) and to
the SDK's real OTLP exporter (HTTP or gRPC, gzip or not) pointed at the receiver.
:func:`make_trace` makes a small trace with attributes of every type, events, a link and an
error status.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

import tracespec


def exporter(receiver: tracespec.Receiver, protocol: str, gzip: bool = False) -> Any:
    """The SDK's OTLP span exporter for ``protocol`` (``http`` or ``grpc``) to ``receiver``."""
    if protocol == "http":
        from opentelemetry.exporter.otlp.proto.http import Compression
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(
            endpoint=receiver.endpoint("http") + "/v1/traces",
            compression=Compression.Gzip if gzip else Compression.NoCompression,
            timeout=10,
        )
    import grpc
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    assert receiver.grpc_address is not None
    return OTLPSpanExporter(
        endpoint=receiver.grpc_address, insecure=True, timeout=10,
        compression=grpc.Compression.Gzip if gzip else grpc.Compression.NoCompression,
    )


@contextmanager
def provider(
    receiver: tracespec.Receiver, protocol: str, service: str, *, gzip: bool = False,
    batch: int | None = None,
) -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    """A provider for ``service`` exporting to ``receiver`` (each span as it ends, or in
    batches of ``batch`` spans); shut down (everything flushed) on exit."""
    memory = InMemorySpanExporter()
    tp = TracerProvider(resource=Resource.create({"service.name": service}))
    tp.add_span_processor(SimpleSpanProcessor(memory))
    otlp = exporter(receiver, protocol, gzip)
    if batch is None:
        tp.add_span_processor(SimpleSpanProcessor(otlp))
    else:
        tp.add_span_processor(BatchSpanProcessor(otlp, max_export_batch_size=batch,
                                                 max_queue_size=max(2048, 4 * batch),
                                                 schedule_delay_millis=50))
    try:
        yield tp, memory
    finally:
        tp.shutdown()


def make_trace(tp: TracerProvider, label: str = "checkout") -> str:
    """A trace of four spans with typed attributes, an event, a link and an error; its id."""
    tracer = tp.get_tracer("tests.receiver", "1.0")
    with tracer.start_as_current_span(
        f"POST /{label}", kind=SpanKind.SERVER,
        attributes={"http.route": f"/{label}", "http.response.status_code": 201,
                    "app.ratio": 0.25, "app.flag": True, "app.tags": ("a", "b")},
    ) as root:
        with tracer.start_as_current_span("SELECT orders", kind=SpanKind.CLIENT,
                                          attributes={"db.system": "postgresql"}) as db:
            db.add_event("rows", {"count": 3})
        link = Link(db.get_span_context(), {"why": "follows"})
        with tracer.start_as_current_span("orders publish", kind=SpanKind.PRODUCER,
                                          links=[link]), \
                tracer.start_as_current_span("validate") as inner:
            inner.set_status(Status(StatusCode.ERROR, "bad card"))
    return format(root.get_span_context().trace_id, "032x")


def hex_id(value: int, width: int) -> str:
    return format(value, f"0{width}x")


def assert_same_spans(trace: tracespec.Trace, finished: Sequence[ReadableSpan]) -> None:
    """``trace`` holds exactly the SDK's finished spans, field by field."""
    by_id = {s.span_id: s for s in trace}
    assert len(by_id) == len(trace) == len(finished)
    for sdk in finished:
        ctx = sdk.get_span_context()
        got = by_id[hex_id(ctx.span_id, 16)]
        assert got.trace_id == hex_id(ctx.trace_id, 32)
        assert got.parent_id == (hex_id(sdk.parent.span_id, 16) if sdk.parent else None)
        assert got.name == sdk.name
        assert got.kind.name == sdk.kind.name
        assert (got.start_time_ns, got.end_time_ns) == (sdk.start_time, sdk.end_time)
        assert got.status_code.name == sdk.status.status_code.name
        assert got.status_message == (sdk.status.description or "")
        for key, value in (sdk.attributes or {}).items():
            assert got.attributes[key] == (tuple(value) if isinstance(value, tuple) else value)
        assert dict(got.resource.attributes) == dict(sdk.resource.attributes)
        assert got.scope.name == sdk.instrumentation_scope.name
        assert [(e.name, e.time_ns, dict(e.attributes)) for e in got.events] == [
            (e.name, e.timestamp, dict(e.attributes or {})) for e in sdk.events]
        assert [(lk.span_id, dict(lk.attributes)) for lk in got.links] == [
            (hex_id(lk.context.span_id, 16), dict(lk.attributes or {})) for lk in sdk.links]
