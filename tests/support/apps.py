"""A real instrumented application, and the capture it leaves: traces split over many files.

``orders`` (Flask) prices an order and asks ``inventory`` (Flask) for stock over HTTP with
``requests``; both are instrumented with the real ``opentelemetry-instrumentation-flask`` and
``-requests``, each service with its own ``TracerProvider`` (its ``service.name``), and served
for real by werkzeug on free ports of 127.0.0.1, in threads, one request at a time.  Each
service exports through a ``BatchSpanProcessor`` whose exporter writes every export batch to
its own OTLP protobuf file (``orders-001.pb``, ``inventory-001.pb``, ...), encoded with the
official ``opentelemetry-exporter-otlp-proto-common`` encoder: as a real application's
collector would receive them, one request's trace is spread over several files and each file
holds spans of several traces.  The same spans also go to an in-memory exporter, as the SDK
finished them.

:func:`record_capture` makes the requests, stops the servers, flushes and uninstruments, then
reads the files back with the OTLP protobuf classes (not with tracespec) into
:class:`Capture.spans`, the oracle tests compare tracespec with.  The ``app_capture`` fixture
of ``tests/conftest.py`` records one capture per test session.  :func:`shared_prefix_capture`
writes two traces whose ids share their first 12 hex digits (an ambiguous prefix).
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

#: The orders the client places: (item, quantity).  A book in stock (201), too many lamps (409),
#: a pen inventory does not know (404 from inventory, 502 from orders).
ORDERS: tuple[tuple[str, int], ...] = (("book", 1), ("lamp", 5), ("pen", 2))
STOCK = {"book": 3, "lamp": 2}
#: Spans per export batch: fewer than one request leaves in a service, so batches straddle.
BATCH_SIZE = 4


class SpanInfo(NamedTuple):
    """A span as the capture files hold it, read with the OTLP protobuf classes."""

    file: str
    service: str
    name: str
    span_id: str
    parent_id: str
    start_ns: int
    end_ns: int


@dataclass(frozen=True)
class Capture:
    """The files of a capture and what they hold."""

    directory: Path
    files: tuple[Path, ...]
    #: The trace id of each order placed, in order (the ``X-Trace-Id`` orders answers with).
    trace_ids: tuple[str, ...]
    #: The HTTP status of each order placed.
    statuses: tuple[int, ...]
    #: Every span of every file, by trace id.
    spans: dict[str, list[SpanInfo]] = field(default_factory=dict)
    #: The same spans as the SDK finished them (``ReadableSpan``, from an in-memory exporter).
    sdk_spans: tuple[Any, ...] = ()

    @property
    def pattern(self) -> str:
        """A glob pattern matching every file of the capture."""
        return str(self.directory / "*.pb")

    def root_of(self, trace_id: str) -> SpanInfo:
        """The span of ``trace_id`` with no parent: orders' server span (its name is the Flask
        instrumentation's: ``POST /orders`` in recent releases, ``/orders`` in older ones)."""
        (root,) = [s for s in self.spans[trace_id] if not s.parent_id]
        return root

    def files_of(self, trace_id: str) -> set[str]:
        """The files holding spans of ``trace_id``."""
        return {s.file for s in self.spans[trace_id]}

    def traces_in(self, file: str) -> set[str]:
        """The trace ids of which ``file`` holds spans."""
        return {t for t, spans in self.spans.items() if any(s.file == file for s in spans)}


class BatchFileExporter:
    """A ``SpanExporter`` writing each export batch to its own OTLP protobuf file."""

    def __init__(self, directory: Path, prefix: str) -> None:
        self._directory = directory
        self._prefix = prefix
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
        from opentelemetry.sdk.trace.export import SpanExportResult

        with self._lock:
            path = self._directory / f"{self._prefix}-{next(self._numbers):03d}.pb"
        path.write_bytes(encode_spans(spans).SerializeToString())
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Nothing to close: every batch is a file of its own."""

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Every batch is written when exported."""
        return True


def _provider(service: str, directory: Path, memory: Any) -> Any:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(
        BatchFileExporter(directory, service),  # type: ignore[arg-type]
        max_export_batch_size=BATCH_SIZE,
        schedule_delay_millis=600_000,  # batches leave when full, the rest at the flush
    ))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    return provider


def _inventory_app(provider: Any) -> Any:
    from flask import Flask, jsonify

    tracer = provider.get_tracer("inventory.stock")
    app = Flask("inventory")

    @app.get("/stock/<item>")
    def stock(item: str) -> Any:
        with tracer.start_as_current_span("check stock", attributes={"inventory.item": item}):
            if item not in STOCK:
                return jsonify(error=f"unknown item {item}"), 404
            return jsonify(item=item, available=STOCK[item])

    return app


def _orders_app(provider: Any, inventory_url: str) -> Any:
    import requests
    from flask import Flask, jsonify, request
    from opentelemetry import trace

    tracer = provider.get_tracer("orders.pricing")
    app = Flask("orders")

    @app.post("/orders")
    def place() -> Any:
        order = request.get_json()
        item, quantity = str(order["item"]), int(order["quantity"])
        with tracer.start_as_current_span("price order", attributes={"order.item": item}):
            price = 12 * quantity
        answer = requests.get(f"{inventory_url}/stock/{item}", timeout=10)
        if answer.status_code != 200:
            body, status = {"error": "inventory failed"}, 502
        elif answer.json()["available"] < quantity:
            body, status = {"error": "out of stock"}, 409
        else:
            body, status = {"item": item, "quantity": quantity, "price": price}, 201
        response = jsonify(body)
        response.status_code = status
        context = trace.get_current_span().get_span_context()
        response.headers["X-Trace-Id"] = f"{context.trace_id:032x}"
        return response

    return app


@contextmanager
def _serving(app: Any) -> Iterator[str]:
    """``app`` served on a free port of 127.0.0.1 in a thread; stopped (every request done)
    when the block ends."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """No access log on the tests' stderr."""

    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, name=f"serve-{app.name}",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()  # returns once the loop, and so the request being handled, is done
        server.server_close()
        thread.join()


def _place(url: str, item: str, quantity: int) -> tuple[int, str]:
    """POST an order with a plain (uninstrumented) client: the status and the trace id."""
    data = json.dumps({"item": item, "quantity": quantity}).encode()
    req = urllib.request.Request(f"{url}/orders", data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return answer.status, answer.headers["X-Trace-Id"]
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["X-Trace-Id"]


def record_capture(directory: Path, orders: Sequence[tuple[str, int]] = ORDERS) -> Capture:
    """Run the application, place ``orders``, and return the capture it wrote to
    ``directory``."""
    from opentelemetry.instrumentation.flask import FlaskInstrumentor
    from opentelemetry.instrumentation.requests import RequestsInstrumentor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    directory.mkdir(parents=True, exist_ok=True)
    memory = InMemorySpanExporter()
    inventory_provider = _provider("inventory", directory, memory)
    orders_provider = _provider("orders", directory, memory)
    results: list[tuple[int, str]] = []
    with ExitStack() as stack:
        stack.callback(inventory_provider.shutdown)
        stack.callback(orders_provider.shutdown)
        stack.callback(inventory_provider.force_flush)  # after the servers stopped
        stack.callback(orders_provider.force_flush)
        RequestsInstrumentor().instrument(tracer_provider=orders_provider)
        stack.callback(RequestsInstrumentor().uninstrument)
        inventory = _inventory_app(inventory_provider)
        FlaskInstrumentor.instrument_app(inventory, tracer_provider=inventory_provider)
        stack.callback(FlaskInstrumentor.uninstrument_app, inventory)
        inventory_url = stack.enter_context(_serving(inventory))
        app = _orders_app(orders_provider, inventory_url)
        FlaskInstrumentor.instrument_app(app, tracer_provider=orders_provider)
        stack.callback(FlaskInstrumentor.uninstrument_app, app)
        orders_url = stack.enter_context(_serving(app))
        results = [_place(orders_url, item, quantity) for item, quantity in orders]
    files = tuple(sorted(directory.glob("*.pb")))
    return Capture(
        directory=directory,
        files=files,
        trace_ids=tuple(t for _, t in results),
        statuses=tuple(s for s, _ in results),
        spans=read_spans(files),
        sdk_spans=tuple(memory.get_finished_spans()),
    )


def read_spans(files: Sequence[Path]) -> dict[str, list[SpanInfo]]:
    """Every span of OTLP protobuf files, by trace id, read with opentelemetry-proto."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    out: dict[str, list[SpanInfo]] = {}
    for path in files:
        request = ExportTraceServiceRequest.FromString(path.read_bytes())
        for rs in request.resource_spans:
            service = next(
                a.value.string_value for a in rs.resource.attributes if a.key == "service.name"
            )
            for ss in rs.scope_spans:
                for span in ss.spans:
                    out.setdefault(span.trace_id.hex(), []).append(SpanInfo(
                        path.name, service, span.name, span.span_id.hex(),
                        span.parent_span_id.hex(), span.start_time_unix_nano,
                        span.end_time_unix_nano,
                    ))
    return out


def shared_prefix_capture(directory: Path) -> list[str]:
    """Two traces whose ids share 12 hex digits, written by the SDK to protobuf files."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.id_generator import IdGenerator

    class SharedPrefix(IdGenerator):
        """Trace ids sharing their first 12 hex digits."""

        n = 0

        def generate_trace_id(self) -> int:
            self.n += 1
            return (0xABCDEF012345 << 80) | (self.n << 40)

        def generate_span_id(self) -> int:
            self.n += 1
            return self.n

    directory.mkdir()
    provider = TracerProvider(resource=Resource.create({"service.name": "jobs"}),
                              id_generator=SharedPrefix())
    provider.add_span_processor(
        SimpleSpanProcessor(BatchFileExporter(directory, "jobs"))  # type: ignore[arg-type]
    )
    tracer = provider.get_tracer("jobs")
    ids = []
    for name in ("nightly", "hourly"):
        with tracer.start_as_current_span(name) as span:
            ids.append(f"{span.get_span_context().trace_id:032x}")
    provider.shutdown()
    return ids
