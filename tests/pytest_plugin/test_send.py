"""trace_capture.request: the trigger span, the propagated context and the response, through
every kind of client, to real instrumented applications (in process and over 127.0.0.1)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from flask import Flask, jsonify
from flask import request as flask_request
from opentelemetry import trace as trace_api
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from werkzeug.serving import make_server

import tracespec
from tracespec.pytest_plugin.capture import TraceCapture
from tracespec.pytest_plugin.recorder import CaptureError

TRIGGER = 'span[name="Tracetest trigger"]'


def _flask_app() -> Flask:
    app = Flask("echo")

    @app.post("/echo")
    def echo() -> Any:
        with trace_api.get_tracer("t").start_as_current_span("inner"):
            pass
        return jsonify(traceparent=flask_request.headers.get("traceparent"),
                       test=flask_request.headers.get("X-Test")), 202

    FlaskInstrumentor().instrument_app(app)
    return app


def _fastapi_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    def echo(request: Request) -> dict[str, Any]:
        return {"traceparent": request.headers.get("traceparent"),
                "test": request.headers.get("x-test")}

    FastAPIInstrumentor.instrument_app(app)
    return app


@pytest.fixture
def capture() -> Iterator[TraceCapture]:
    capture = TraceCapture().start()
    yield capture
    capture.stop()


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """The Flask application served for real by werkzeug on a free port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, _flask_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(10)
    server.server_close()


def _check_trigger(trace: tracespec.Trace, status: int, body: dict[str, Any]) -> None:
    """The trigger span is the root, says what came back, and its id went in the traceparent."""
    root = trace.root
    assert root.name == "Tracetest trigger"
    assert root.attributes["service.name"] == "tracetest"
    assert root.kind is tracespec.SpanKind.UNSPECIFIED  # (as Tracetest's)
    assert root.parent_id is None
    assert root.attributes["tracetest.response.status"] == str(status)
    assert json.loads(str(root.attributes["tracetest.response.body"])) == body
    headers = json.loads(str(root.attributes["tracetest.response.headers"]))
    assert {"key": "content-type", "value": "application/json"} in [
        {"key": h["key"].lower(), "value": h.get("value")} for h in headers]
    assert body["traceparent"].startswith(f"00-{trace.trace_id}-{root.span_id}-")
    assert body["test"] == "yes"  # the caller's own headers are sent too


def test_through_a_flask_test_client(capture: TraceCapture) -> None:
    response, trace = capture.request(_flask_app().test_client(), "POST", "/echo",
                                      headers={"X-Test": "yes"})
    assert response.status_code == 202
    _check_trigger(trace, 202, response.get_json())
    (server,) = tracespec.select(f'{TRIGGER} > span[kind="server"]', trace)
    assert server.attributes["http.method"] == "POST"
    assert [s.name for s in server.children] == ["inner"]


def test_through_a_starlette_test_client(capture: TraceCapture) -> None:
    response, trace = capture.request(TestClient(_fastapi_app()), "post", "/echo",
                                      headers={"X-Test": "yes"})
    assert response.status_code == 200
    _check_trigger(trace, 200, response.json())
    (server,) = tracespec.select(f'{TRIGGER} > span[kind="server"]', trace)
    assert server.attributes["http.route"] == "/echo"


@pytest.mark.parametrize("client", ["requests", "session", "httpx"])
def test_over_the_network(capture: TraceCapture, server_url: str, client: str) -> None:
    sender: Any = {"requests": requests, "session": requests.Session(),
                   "httpx": httpx.Client()}[client]
    response, first = capture.request(sender, "POST", f"{server_url}/echo",
                                      headers={"X-Test": "yes"})
    assert response.status_code == 202
    _check_trigger(first, 202, response.json())
    # the server's span ends in its own thread, maybe after the client has the response
    trace = capture.wait_for('span[kind="server"]', timeout=10, trace_id=first.trace_id)
    (server,) = tracespec.select(f'{TRIGGER} span[kind="server"]', trace)
    assert [s.name for s in server.children] == ["inner"]


def test_a_request_that_fails_is_on_the_trigger_span(capture: TraceCapture) -> None:
    with socket.socket() as sock:  # a free port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(requests.ConnectionError):
        capture.request(requests, "GET", f"http://127.0.0.1:{port}/")
    (trigger,) = [t.root for t in capture.traces()]
    assert trigger.name == "Tracetest trigger"
    assert "tracetest.response.status" not in trigger.attributes


def test_an_unknown_client_is_a_clear_error(capture: TraceCapture) -> None:
    with pytest.raises(CaptureError, match=r"cannot send a request through a dict: give a "):
        capture.request({}, "GET", "/")


def test_an_async_client_is_not_supported_yet(capture: TraceCapture) -> None:
    with pytest.raises(CaptureError, match=r"cannot send through an AsyncClient yet"):
        capture.request(httpx.AsyncClient(), "GET", "http://127.0.0.1:1/")
