"""The trigger span: its OTLP bytes decoded with opentelemetry-proto, and a trace of a real
instrumented Flask application that joins it, checked with tracespec's specs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import tracespec
from tracespec.triggers import Response, TriggerResult, fire, prepare

from .servers import serving


def decode(data: bytes) -> Any:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    return ExportTraceServiceRequest.FromString(data)


def attributes(kvs: Any) -> dict[str, str]:
    return {kv.key: kv.value.string_value for kv in kvs}


def result(response: Response, type: str = "http") -> TriggerResult:
    return TriggerResult(trace_id="0af7651916cd43dd8448eb211c80319c", span_id="b7ad6b7169203331",
                         response=response, start_ns=1_700_000_000_000_000_000,
                         end_ns=1_700_000_000_250_000_000, type=type)


def test_the_span_request_decodes_as_the_reference_makes_the_span() -> None:
    response = Response(status=201, headers=(("Content-Type", "application/json"),
                                             ("X-Empty", ""), ("X-Html", "<a&b>")),
                        body='{"id": 1}')
    request = decode(result(response).span_request())
    (resource_spans,) = request.resource_spans
    assert attributes(resource_spans.resource.attributes) == {"service.name": "tracetest"}
    (scope_spans,) = resource_spans.scope_spans
    (span,) = scope_spans.spans
    assert span.name == "Tracetest trigger"
    assert span.trace_id.hex() == "0af7651916cd43dd8448eb211c80319c"
    assert span.span_id.hex() == "b7ad6b7169203331"
    assert span.parent_span_id == b""
    assert (span.start_time_unix_nano, span.end_time_unix_nano) == (
        1_700_000_000_000_000_000, 1_700_000_000_250_000_000)
    assert span.kind == 0 and not span.HasField("status")
    attrs = attributes(span.attributes)
    assert set(attrs) == {"tracetest.response.status", "tracetest.response.body",
                          "tracetest.response.headers"}
    assert attrs["tracetest.response.status"] == "201"
    assert attrs["tracetest.response.body"] == '{"id": 1}'
    # Go's encoding/json: omitempty value, HTML characters escaped
    assert attrs["tracetest.response.headers"] == (
        '[{"key":"Content-Type","value":"application/json"},{"key":"X-Empty"},'
        '{"key":"X-Html","value":"\\u003ca\\u0026b\\u003e"}]')
    assert json.loads(attrs["tracetest.response.headers"])[2]["value"] == "<a&b>"


def test_no_headers_is_null_and_grpc_status_is_the_code_number() -> None:
    response = Response(status=5, headers=(), body="", status_name="NOT_FOUND")
    (span,) = decode(result(response, "grpc").span_request()).resource_spans[0].scope_spans[0].spans
    attrs = attributes(span.attributes)
    assert attrs["tracetest.response.headers"] == "null"
    assert attrs["tracetest.response.status"] == "5"


def test_the_span_alone_is_a_general_span_for_specs() -> None:
    trace = tracespec.load_trace(result(Response(200, (), "ok")).span_request())
    assert trace.root.name == "Tracetest trigger"
    spec = tracespec.check('span[tracetest.span.type="general" name="Tracetest trigger"]',
                           ["attr:tracetest.response.status = 200",
                            'attr:tracetest.response.body = "ok"',
                            "attr:service.name = \"tracetest\"",
                            "attr:tracetest.span.duration = 250ms"], trace)
    assert spec.passed, spec


# -- joined to a real application's trace ------------------------------------------------------

@pytest.fixture
def shop() -> Iterator[tuple[str, Any]]:
    """A Flask app instrumented with the real opentelemetry-instrumentation-flask, exporting to
    an in-memory exporter; its URL and the exporter."""
    from flask import Flask, jsonify, request
    from opentelemetry.instrumentation.flask import FlaskInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "shop"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("shop.orders")
    app = Flask("shop")

    @app.post("/orders")
    def place() -> Any:
        with tracer.start_as_current_span("save order", attributes={"db.system": "sqlite"}):
            item = request.get_json()["item"]
        return jsonify(item=item, id=42), 201

    FlaskInstrumentor.instrument_app(app, tracer_provider=provider)
    try:
        with serving(app) as url:
            yield url, memory
    finally:
        FlaskInstrumentor.uninstrument_app(app)
        provider.shutdown()


def test_the_application_trace_hangs_below_the_trigger_span(shop: tuple[str, Any]) -> None:
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    url, memory = shop
    fired = fire(prepare("http", {
        "method": "POST", "url": f"{url}/orders", "body": '{"item": "book"}',
        "headers": [{"key": "Content-Type", "value": "application/json"}]}, base_dir="."))
    app_spans = memory.get_finished_spans()
    assert {s.context.trace_id for s in app_spans} == {int(fired.trace_id, 16)}
    app_batch = encode_spans(app_spans).SerializeToString()
    (trace,) = tracespec.load_traces([app_batch, fired.span_request()])
    assert trace.trace_id == fired.trace_id
    assert trace.root.name == "Tracetest trigger" and trace.root.span_id == fired.span_id
    (server,) = trace.root.children
    assert server.kind == tracespec.SpanKind.SERVER
    assert server.parent_id == fired.span_id
    assert [c.name for c in server.children] == ["save order"]
    spec = tracespec.check('span[name="Tracetest trigger"]', [
        "attr:tracetest.response.status = 201",
        "attr:tracetest.response.body | json_path '$.id' = 42",
        "attr:tracetest.response.headers | json_path '$[?(@.key == \"Content-Type\")].value'"
        " = \"application/json\"",
        'attr:service.name = "tracetest"',
        'attr:tracetest.span.type = "general"',
    ], trace)
    assert spec.passed, spec
    below = tracespec.check('span[name="Tracetest trigger"] > span[kind="server"]',
                            ['attr:tracetest.span.type = "http"', 'attr:service.name = "shop"'],
                            trace)
    assert below.passed and len(below.span_ids) == 1, below
