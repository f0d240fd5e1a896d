"""Writes the bundled example traces (OTLP JSON and protobuf) from one description.

Run ``python examples/generate.py`` after changing the description; the outputs are committed
so the examples work without running anything.  The trace: an HTTP API (``api``) creates an
order, reads and writes PostgreSQL, calls a payment service over HTTP and publishes a Kafka
message that a ``worker`` consumes and writes to the database.
"""

from __future__ import annotations

import json
from pathlib import Path

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

HERE = Path(__file__).resolve().parent
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
T0 = 1_732_521_600_000_000_000  # 2024-11-25T08:00:00Z

# (span id, parent id, service, name, kind, start offset µs, duration µs, status, attributes)
SPANS = [
    ("a1b2c3d4e5f60001", "", "api", "POST /api/orders", 2, 0, 48_250, 0, {
        "http.request.method": "POST", "http.route": "/api/orders", "url.path": "/api/orders",
        "http.response.status_code": 201, "http.status_code": 201, "server.address": "api",
        "tracetest.response.body": '{"id": 52, "status": "created", "items": [{"sku": "A-1", "qty": 2}]}',
    }),
    ("a1b2c3d4e5f60002", "a1b2c3d4e5f60001", "api", "SELECT users", 3, 1_200, 3_450, 0, {
        "db.system": "postgresql", "db.name": "shop", "db.operation": "SELECT",
        "db.statement": "SELECT id, name FROM users WHERE id = $1", "db.rows_affected": 1,
    }),
    ("a1b2c3d4e5f60003", "a1b2c3d4e5f60001", "api", "INSERT orders", 3, 5_100, 6_800, 0, {
        "db.system": "postgresql", "db.name": "shop", "db.operation": "INSERT",
        "db.statement": "INSERT INTO orders (user_id, total) VALUES ($1, $2)", "db.rows_affected": 1,
    }),
    ("a1b2c3d4e5f60004", "a1b2c3d4e5f60001", "api", "POST /charge", 3, 12_400, 21_900, 0, {
        "http.request.method": "POST", "url.full": "http://payments:8080/charge",
        "http.response.status_code": 200, "http.status_code": 200, "server.address": "payments",
    }),
    ("a1b2c3d4e5f60005", "a1b2c3d4e5f60004", "payments", "POST /charge", 2, 13_000, 20_500, 0, {
        "http.request.method": "POST", "http.route": "/charge",
        "http.response.status_code": 200, "http.status_code": 200, "payment.amount": 42.5,
    }),
    ("a1b2c3d4e5f60006", "a1b2c3d4e5f60005", "payments", "fraud-check", 1, 13_400, 7_300, 0, {
        "fraud.score": 0.12, "fraud.rules": ["velocity", "geo"],
    }),
    ("a1b2c3d4e5f60007", "a1b2c3d4e5f60001", "api", "orders publish", 4, 35_000, 2_100, 0, {
        "messaging.system": "kafka", "messaging.destination.name": "orders",
        "messaging.operation": "publish", "messaging.message.id": "m-52",
    }),
    ("a1b2c3d4e5f60008", "a1b2c3d4e5f60007", "worker", "orders process", 5, 38_000, 9_000, 0, {
        "messaging.system": "kafka", "messaging.destination.name": "orders",
        "messaging.operation": "process", "order.id": 52,
    }),
    ("a1b2c3d4e5f60009", "a1b2c3d4e5f60008", "worker", "UPDATE inventory", 3, 39_000, 4_200, 2, {
        "db.system": "postgresql", "db.name": "shop", "db.operation": "UPDATE",
        "db.statement": "UPDATE inventory SET stock = stock - $1 WHERE sku = $2",
        "db.rows_affected": 0, "error.type": "NoRowsUpdated",
    }),
]
EVENTS = {
    "a1b2c3d4e5f60009": [("exception", 43_000, {
        "exception.type": "NoRowsUpdated", "exception.message": "sku A-1 not in inventory",
    })],
}
STATUS_MESSAGES = {"a1b2c3d4e5f60009": "no rows updated"}
SERVICES = {"api": "1.4.2", "payments": "0.9.0", "worker": "1.4.2"}


def _any(value: object) -> dict[str, object]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [_any(v) for v in value]}}
    return {"stringValue": str(value)}


def _attrs(d: dict[str, object]) -> list[dict[str, object]]:
    return [{"key": k, "value": _any(v)} for k, v in d.items()]


def document() -> dict[str, object]:
    resource_spans = []
    for service, version in SERVICES.items():
        spans = []
        for sid, pid, svc, name, kind, start, dur, status, attrs in SPANS:
            if svc != service:
                continue
            span: dict[str, object] = {
                "traceId": TRACE_ID, "spanId": sid, "name": name, "kind": kind,
                "startTimeUnixNano": str(T0 + start * 1000),
                "endTimeUnixNano": str(T0 + (start + dur) * 1000),
                "attributes": _attrs(attrs),
                "status": {"code": status, **({"message": STATUS_MESSAGES[sid]} if sid in STATUS_MESSAGES else {})},
            }
            if pid:
                span["parentSpanId"] = pid
            if sid in EVENTS:
                span["events"] = [
                    {"name": n, "timeUnixNano": str(T0 + t * 1000), "attributes": _attrs(a)}
                    for n, t, a in EVENTS[sid]
                ]
            spans.append(span)
        resource_spans.append({
            "resource": {"attributes": _attrs({
                "service.name": service, "service.version": version,
                "deployment.environment": "staging", "telemetry.sdk.language": "python",
            })},
            "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation", "version": "0.48b0"},
                            "spans": spans}],
        })
    return {"resourceSpans": resource_spans}


def main() -> None:
    from google.protobuf import json_format

    doc = document()
    (HERE / "orders-trace.json").write_text(json.dumps(doc, indent=2) + "\n")
    # json_format would read hex ids as base64, so convert the ids to base64 first.
    import base64
    import copy

    proto_doc = copy.deepcopy(doc)
    for rs in proto_doc["resourceSpans"]:  # type: ignore[union-attr]
        for ss in rs["scopeSpans"]:
            for sp in ss["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in sp:
                        sp[key] = base64.b64encode(bytes.fromhex(sp[key])).decode()
    msg = json_format.ParseDict(proto_doc, ExportTraceServiceRequest())
    (HERE / "orders-trace.pb").write_bytes(msg.SerializeToString())


if __name__ == "__main__":
    main()
