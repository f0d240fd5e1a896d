"""``tracespec run --datastore`` end to end: the bundled shop (examples/live, two Flask services
under the real OpenTelemetry agent) exports OTLP/HTTP to a collector stand-in, which keeps the
spans as a Tempo does and serves them on Tempo's HTTP API (jsonpb: base64 ids, enum names);
tracespec triggers the shop, polls the stand-in for the trace and checks the example tests.
Also: the DataStore given with -f, a push type using the receiver, and the CLI's errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.datastores.backends import tempo_json
from tests.support.live import Shop, free_port, running_shop, tracespec

POLLING = """\
type: PollingProfile
spec:
  name: quick
  default: true
  strategy: periodic
  periodic:
    retryDelay: 300ms
    timeout: 30s
"""


@contextmanager
def collector_tempo(port: int) -> Iterator[dict[str, Any]]:
    """A collector stand-in on ``port``: POST /v1/traces (OTLP protobuf) keeps the spans by
    trace id; GET /api/traces/{id} answers them as Tempo does, 404 before any came."""
    from flask import Flask, Response, jsonify, request
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
        ExportTraceServiceResponse,
    )
    from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, TracesData
    from werkzeug.serving import make_server

    held: dict[str, list[ResourceSpans]] = {}
    asked: list[str] = []
    lock = threading.Lock()
    app = Flask("collector")

    @app.post("/v1/traces")
    def export() -> Any:
        body = ExportTraceServiceRequest.FromString(request.get_data())
        with lock:
            for rs in body.resource_spans:
                for ss in rs.scope_spans:
                    for span in ss.spans:
                        one = ResourceSpans(resource=rs.resource)
                        one.scope_spans.add(scope=ss.scope).spans.append(span)
                        held.setdefault(span.trace_id.hex(), []).append(one)
        return Response(ExportTraceServiceResponse().SerializeToString(),
                        mimetype="application/x-protobuf")

    @app.get("/api/traces/<trace_id>")
    def trace(trace_id: str) -> Any:
        asked.append(trace_id)
        with lock:
            batches = list(held.get(trace_id, []))
        if not batches:
            return Response("trace not found", status=404)
        return jsonify(tempo_json(TracesData(resource_spans=batches)))

    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{port}", "asked": asked, "held": held}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=20)


@pytest.fixture(scope="module")
def shop() -> Iterator[Shop]:
    with running_shop("http/protobuf") as started:
        yield started


@pytest.fixture()
def tempo(shop: Shop) -> Iterator[dict[str, Any]]:
    with collector_tempo(shop.otlp_port) as backend:
        yield backend


def _store(into: Path, url: str) -> Path:
    path = into / "tempo.yaml"
    path.write_text(
        (Path(__file__).resolve().parents[2] / "examples" / "datastores" / "tempo.yaml")
        .read_text(encoding="utf-8").replace("http://127.0.0.1:3200", url), encoding="utf-8")
    return path


def test_run_reads_the_trace_from_the_data_store(shop: Shop, tempo: dict[str, Any],
                                                 tmp_path: Path) -> None:
    files = shop.test_files(tmp_path)
    (tmp_path / "polling.yaml").write_text(POLLING, encoding="utf-8")
    done = tracespec("run", "-f", str(files / "order-pass.yaml"), "-f",
                     str(tmp_path / "polling.yaml"), "--datastore",
                     str(_store(tmp_path, tempo["url"])), "-o", "json",
                     "--otlp-http", "off", "--otlp-grpc", "off")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    services = {s["service"] for spec in report["results"]["results"] for r in spec["results"]
                for s in r["spanResults"]}
    assert {"tracetest", "orders", "inventory"} <= services
    # tracespec asked the store for the trace, more than once (not there yet / stable)
    assert len(tempo["asked"]) >= 2 and len(set(tempo["asked"])) == 1
    assert report["traceId"] == tempo["asked"][0]


def test_a_datastore_given_with_f_and_the_failing_example(shop: Shop, tempo: dict[str, Any],
                                                          tmp_path: Path) -> None:
    files = shop.test_files(tmp_path)
    (tmp_path / "polling.yaml").write_text(POLLING, encoding="utf-8")
    done = tracespec("run", "-f", str(files / "order-fail.yaml"), "-f",
                     str(tmp_path / "polling.yaml"), "-f", str(_store(tmp_path, tempo["url"])),
                     "-o", "json", "--otlp-http", "off", "--otlp-grpc", "off")
    assert done.returncode == 2, done.stdout + done.stderr
    report = json.loads(done.stdout)
    observed = {
        r["assertion"]: [(s["service"], s["observedValue"]) for s in r["spanResults"]]
        for spec in report["results"]["results"] for r in spec["results"]
    }
    assert observed["attr:http.status_code = 200"] == [("inventory", "409")]


def test_a_store_that_is_not_there_is_a_test_error(shop: Shop, tmp_path: Path) -> None:
    files = shop.test_files(tmp_path)
    url = f"http://127.0.0.1:{free_port()}"
    done = tracespec("run", "-f", str(files / "order-pass.yaml"), "--datastore",
                     str(_store(tmp_path, url)), "--otlp-http", "off", "--otlp-grpc", "off")
    assert done.returncode == 1
    assert f"data store tempo at {url}/api/traces/" in done.stderr + done.stdout
    assert "connection refused" in done.stderr + done.stdout


def test_an_unsupported_type_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "xray.yaml"
    path.write_text("type: DataStore\nspec:\n  type: awsxray\n  awsxray:\n    region: us-east-1\n",
                    encoding="utf-8")
    test = Path(__file__).resolve().parents[2] / "examples" / "live" / "order-pass.yaml"
    done = tracespec("run", "-f", str(test), "--datastore", str(path))
    assert done.returncode == 1 and done.stdout == ""
    assert "type awsxray is not supported by tracespec" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_push_type_receives_as_without_a_store(shop: Shop, tmp_path: Path) -> None:
    files = shop.test_files(tmp_path)
    otlp = Path(__file__).resolve().parents[2] / "examples" / "datastores" / "otlp.yaml"
    done = tracespec("run", "-f", str(files / "order-pass.yaml"), "--datastore", str(otlp),
                     *shop.otlp_flags)
    assert done.returncode == 0, done.stdout + done.stderr


def test_two_data_stores_are_one_too_many(tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    done = tracespec("run", "-f", str(examples / "live" / "order-pass.yaml"), "-f",
                     str(examples / "datastores" / "zipkin.yaml"), "--datastore",
                     str(examples / "datastores" / "tempo.yaml"))
    assert done.returncode == 1 and done.stdout == ""
    assert "2 DataStores given: a run reads its traces from one" in done.stderr
    assert "--datastore FILE" in tracespec("run", "--help").stdout
