"""Writes the bundled example traces, one file per format, from one description.

Run ``python examples/generate.py`` after changing the description; the outputs are committed
so the examples work without running anything.  The trace: an HTTP API (``api``) creates an
order, reads and writes PostgreSQL, calls a payment service over HTTP and publishes a Kafka
message that a ``worker`` consumes and writes to the database.

Every file holds the same trace, written the way the tool named in its file name writes it,
traps included (Tempo's base64 ids and enum names, Jaeger's microseconds and tags, Zipkin's
string tags and the shared client/server span id of the payment call, Data Prepper's ``@``
keys, the Python SDK's console exporter printing between the application's log lines).
``FILES`` lists them with their format; the tests load each and compare.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import zstandard
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

HERE = Path(__file__).resolve().parent
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
T0 = 1_732_521_600_000_000_000  # 2024-11-25T08:00:00Z

# (span id, parent id, service, name, kind, start offset µs, duration µs, status, attributes)
SPANS = [
    ("a1b2c3d4e5f60001", "", "api", "POST /api/orders", 2, 0, 48_250, 0, {
        "http.request.method": "POST", "http.route": "/api/orders", "url.path": "/api/orders",
        "http.response.status_code": 201, "http.status_code": 201, "server.address": "api",
        "tracetest.response.body":
            '{"id": 52, "status": "created", "items": [{"sku": "A-1", "qty": 2}]}',
    }),
    ("a1b2c3d4e5f60002", "a1b2c3d4e5f60001", "api", "SELECT users", 3, 1_200, 3_450, 0, {
        "db.system": "postgresql", "db.name": "shop", "db.operation": "SELECT",
        "db.statement": "SELECT id, name FROM users WHERE id = $1", "db.rows_affected": 1,
    }),
    ("a1b2c3d4e5f60003", "a1b2c3d4e5f60001", "api", "INSERT orders", 3, 5_100, 6_800, 0, {
        "db.system": "postgresql", "db.name": "shop", "db.operation": "INSERT",
        "db.statement": "INSERT INTO orders (user_id, total) VALUES ($1, $2)",
        "db.rows_affected": 1,
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
                "status": {
                    "code": status,
                    **({"message": STATUS_MESSAGES[sid]} if sid in STATUS_MESSAGES else {}),
                },
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



SCOPE = ("opentelemetry.instrumentation", "0.48b0")
KIND_NAMES = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
              "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]
STATUS_NAMES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]

# file name → format name accepted by ``tracespec.load_trace(..., format=...)``
FILES = {
    "orders-trace.json": "otlp-json",
    "orders-trace.pb": "otlp-proto",
    "orders-trace.pb.gz": "otlp-proto",
    "orders-trace.collector.binpb.zst": "otlp-proto",
    "orders-trace.collector.json.zst": "otlp-json",
    "orders-trace.jsonl": "otlp-json",
    "orders-trace.tempo-v1.json": "tempo",
    "orders-trace.tempo-v1-old.json": "tempo",
    "orders-trace.tempo-v2.json": "tempo",
    "orders-trace.jaeger-v3.json": "jaeger-v3",
    "orders-trace.jaeger.json": "jaeger",
    "orders-trace.zipkin.json": "zipkin",
    "orders-trace.opensearch.json": "opensearch",
    "orders-trace.console.log": "otel-console",
}


def _resource(service: str) -> dict[str, object]:
    return {"service.name": service, "service.version": SERVICES[service],
            "deployment.environment": "staging", "telemetry.sdk.language": "python"}


def _b64(hex_id: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_id)).decode()


def tempo_document(*, old: bool = False) -> dict[str, object]:
    """Tempo's ``/api/traces/{id}`` JSON (gogo jsonpb): ``batches``, base64 ids, enum names.
    ``old``: the ``instrumentationLibrarySpans`` spelling of Tempo before OTLP 0.15."""
    doc = copy.deepcopy(document())
    batches = doc.pop("resourceSpans")
    for rs in batches:  # type: ignore[attr-defined]
        for ss in rs["scopeSpans"]:
            for sp in ss["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in sp:
                        sp[key] = _b64(sp[key])
                sp["kind"] = KIND_NAMES[sp["kind"]]
                code = sp["status"].pop("code")
                if code:
                    sp["status"]["code"] = STATUS_NAMES[code]
        if old:
            scopes = rs.pop("scopeSpans")
            for ss in scopes:
                ss["instrumentationLibrary"] = ss.pop("scope")
            rs["instrumentationLibrarySpans"] = scopes
    return {"batches": batches}


def jaeger_document() -> dict[str, object]:
    """Jaeger v1 (the query API and the UI's "Download JSON"): µs times, typed tags."""

    def tag(key: str, value: object) -> dict[str, object]:
        if isinstance(value, bool):
            return {"key": key, "type": "bool", "value": value}
        if isinstance(value, int):
            return {"key": key, "type": "int64", "value": value}
        if isinstance(value, float):
            return {"key": key, "type": "float64", "value": value}
        if isinstance(value, list):
            return {"key": key, "type": "string", "value": json.dumps(value)}
        return {"key": key, "type": "string", "value": value}

    pids = {svc: f"p{i + 1}" for i, svc in enumerate(SERVICES)}
    spans = []
    for sid, pid, svc, name, kind, start, dur, status, attrs in SPANS:
        tags = [tag(k, v) for k, v in attrs.items()]
        tags += [tag("otel.scope.name", SCOPE[0]), tag("otel.scope.version", SCOPE[1])]
        tags.append(tag("span.kind", ["", "internal", "server", "client", "producer",
                                      "consumer"][kind]))
        if status == 2:
            tags += [tag("otel.status_code", "ERROR"), tag("error", True)]
            if sid in STATUS_MESSAGES:
                tags.append(tag("otel.status_description", STATUS_MESSAGES[sid]))
        span: dict[str, object] = {
            "traceID": TRACE_ID, "spanID": sid, "operationName": name,
            "references": [{"refType": "CHILD_OF", "traceID": TRACE_ID, "spanID": pid}]
            if pid else [],
            "startTime": T0 // 1000 + start, "duration": dur, "tags": tags,
            "logs": [
                {"timestamp": T0 // 1000 + t,
                 "fields": [tag("event", n)] + [tag(k, v) for k, v in a.items()]}
                for n, t, a in EVENTS.get(sid, [])
            ],
            "processID": pids[svc], "warnings": None, "flags": 1,
        }
        spans.append(span)
    processes = {
        pids[svc]: {"serviceName": svc,
                    "tags": [tag(k, v) for k, v in _resource(svc).items() if k != "service.name"]}
        for svc in SERVICES
    }
    return {"data": [{"traceID": TRACE_ID, "spans": spans, "processes": processes,
                      "warnings": None}],
            "total": 0, "limit": 0, "offset": 0, "errors": None}


def zipkin_document() -> list[dict[str, object]]:
    """Zipkin v2 ``/api/v2/trace/{id}``: string tags, and B3 shared spans — the payment
    service's server span reuses the id of the api's client span (``shared: true``)."""
    shared = {"a1b2c3d4e5f60005": "a1b2c3d4e5f60004"}  # server half → client half id
    out = []
    for sid, pid, svc, name, kind, start, dur, status, attrs in SPANS:
        tags = {k: json.dumps(v) if isinstance(v, list) else
                (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in attrs.items()}
        tags.update({k: str(v) for k, v in _resource(svc).items() if k != "service.name"})
        tags["otel.scope.name"], tags["otel.scope.version"] = SCOPE
        if status == 2:
            tags["otel.status_code"] = "ERROR"
            tags["error"] = STATUS_MESSAGES.get(sid, "")
        span: dict[str, object] = {
            "traceId": TRACE_ID, "id": shared.get(sid, sid), "name": name.lower(),
            "timestamp": T0 // 1000 + start, "duration": dur,
            "localEndpoint": {
                "serviceName": svc, "ipv4": f"10.0.0.{list(SERVICES).index(svc) + 2}"
            },
            "tags": tags,
        }
        parent = shared.get(pid, pid)
        if sid in shared:
            parent = pid and next(p for s, p, *_ in SPANS if s == pid)
            span["shared"] = True
        if parent:
            span["parentId"] = parent
        if kind in (2, 3, 4, 5):
            span["kind"] = ["", "", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"][kind]
        if sid in EVENTS:
            span["annotations"] = [{"timestamp": T0 // 1000 + t, "value": n}
                                   for n, t, _ in EVENTS[sid]]
        out.append(span)
    return out


def _iso(ns: int) -> str:
    secs, frac = divmod(ns, 1_000_000_000)
    base = datetime.fromtimestamp(secs, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{frac:09d}Z"


def opensearch_document() -> dict[str, object]:
    """An OpenSearch ``_search`` response over Data Prepper's ``otel-v1-apm-span`` index."""
    hits = []
    for sid, pid, svc, name, kind, start, dur, status, attrs in SPANS:
        begin, end = T0 + start * 1000, T0 + (start + dur) * 1000
        src: dict[str, object] = {
            "traceId": TRACE_ID, "spanId": sid, "parentSpanId": pid, "traceState": "",
            "name": name, "kind": KIND_NAMES[kind], "startTime": _iso(begin),
            "endTime": _iso(end), "durationInNanos": end - begin, "serviceName": svc,
            "status.code": status, "status.message": STATUS_MESSAGES.get(sid, ""),
            "traceGroup": SPANS[0][3],
            "traceGroupFields.endTime": _iso(T0 + (SPANS[0][5] + SPANS[0][6]) * 1000),
            "traceGroupFields.durationInNanos": SPANS[0][6] * 1000,
            "traceGroupFields.statusCode": 0,
            "droppedAttributesCount": 0, "droppedEventsCount": 0, "droppedLinksCount": 0,
            "instrumentationScope.name": SCOPE[0], "instrumentationScope.version": SCOPE[1],
            "events": [
                {"name": n, "time": _iso(T0 + t * 1000), "attributes": a,
                 "droppedAttributesCount": 0}
                for n, t, a in EVENTS.get(sid, [])
            ],
            "links": [],
        }
        for k, v in attrs.items():
            src["span.attributes." + k.replace(".", "@")] = v
        for k, v in _resource(svc).items():
            src["resource.attributes." + k.replace(".", "@")] = v
        hits.append({"_index": "otel-v1-apm-span-000001", "_id": sid, "_score": 1.0,
                     "_source": src})
    return {"took": 3, "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": 1.0,
                     "hits": hits}}


def console_output() -> bytes:
    """A captured stdout: the spans as the OpenTelemetry Python SDK's ``ConsoleSpanExporter``
    prints them (``ReadableSpan.to_json`` itself writes them), each when it ends, between the
    log lines of the application (Python's ``logging``, werkzeug's access log)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import Event, ReadableSpan
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

    def context(span_id: str) -> SpanContext:
        return SpanContext(int(TRACE_ID, 16), int(span_id, 16), is_remote=False,
                           trace_flags=TraceFlags(TraceFlags.SAMPLED))

    def stamp(ns: int) -> str:
        when = datetime.fromtimestamp(ns // 1_000_000_000, tz=UTC)
        return when.strftime("%Y-%m-%d %H:%M:%S") + f",{ns // 1_000_000 % 1000:03d}"

    entries: list[tuple[int, str]] = [
        (T0 - 1, f"{stamp(T0 - 1)} INFO werkzeug: Running on http://127.0.0.1:8000\n"),
        (T0, f"{stamp(T0)} INFO api.orders: creating an order for user 7\n"),
    ]
    for sid, pid, svc, name, kind, start, dur, status, attrs in SPANS:
        begin, end = T0 + start * 1000, T0 + (start + dur) * 1000
        span = ReadableSpan(
            name=name, context=context(sid), parent=context(pid) if pid else None,
            resource=Resource(_resource(svc)), attributes=attrs,
            events=[Event(n, a, T0 + t * 1000) for n, t, a in EVENTS.get(sid, [])],
            kind=SpanKind[KIND_NAMES[kind].removeprefix("SPAN_KIND_")],
            status=Status(StatusCode.ERROR, STATUS_MESSAGES.get(sid)) if status == 2
            else Status(StatusCode.UNSET),
            start_time=begin, end_time=end, instrumentation_scope=InstrumentationScope(*SCOPE),
        )
        entries.append((end, span.to_json() + "\n"))
        if status == 2:
            entries.append((end, f"{stamp(end)} ERROR worker: order 52: no rows updated\n"))
    root_end = T0 + (SPANS[0][5] + SPANS[0][6]) * 1000
    access = datetime.fromtimestamp(root_end // 1_000_000_000, tz=UTC).strftime("%d/%b/%Y %H:%M:%S")
    entries.append(
        (root_end, f'127.0.0.1 - - [{access}] "POST /api/orders HTTP/1.1" 201 -\n'))
    entries.sort(key=lambda e: e[0])  # (stable: a span before the line logged as it ended)
    return "".join(text for _, text in entries).encode()


def proto_bytes() -> bytes:
    # json_format would read hex ids as base64, so convert the ids to base64 first.
    proto_doc = copy.deepcopy(document())
    for rs in proto_doc["resourceSpans"]:  # type: ignore[attr-defined]
        for ss in rs["scopeSpans"]:
            for sp in ss["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in sp:
                        sp[key] = _b64(sp[key])
    msg = json_format.ParseDict(proto_doc, ExportTraceServiceRequest())
    return msg.SerializeToString()  # type: ignore[no-any-return]


def main() -> None:
    doc = document()
    out: dict[str, bytes] = {}
    out["orders-trace.json"] = (json.dumps(doc, indent=2) + "\n").encode()
    out["orders-trace.pb"] = proto_bytes()
    out["orders-trace.pb.gz"] = gzip.compress(out["orders-trace.pb"], mtime=0)
    # the collector's file exporter, format: proto, legacy zstd: length-prefixed records,
    # one per resource, each payload zstd-compressed
    records = b""
    full = ExportTraceServiceRequest.FromString(out["orders-trace.pb"])
    cctx = zstandard.ZstdCompressor()
    for rs in full.resource_spans:
        part = ExportTraceServiceRequest()
        part.resource_spans.append(rs)
        payload = cctx.compress(part.SerializeToString())
        records += len(payload).to_bytes(4, "big") + payload
    out["orders-trace.collector.binpb.zst"] = records
    # ... and format: json with legacy zstd: the same records holding JSON documents
    records = b""
    for rs in doc["resourceSpans"]:  # type: ignore[attr-defined]
        payload = cctx.compress(json.dumps({"resourceSpans": [rs]}).encode())
        records += len(payload).to_bytes(4, "big") + payload
    out["orders-trace.collector.json.zst"] = records
    out["orders-trace.jsonl"] = b"".join(
        json.dumps({"resourceSpans": [rs]}, separators=(",", ":")).encode() + b"\n"
        for rs in doc["resourceSpans"]  # type: ignore[attr-defined]
    )
    out["orders-trace.tempo-v1.json"] = (json.dumps(tempo_document(), indent=1) + "\n").encode()
    out["orders-trace.tempo-v1-old.json"] = (
        json.dumps(tempo_document(old=True), indent=1) + "\n").encode()
    v2 = {"trace": {"resourceSpans": tempo_document()["batches"]},
          "metrics": {"inspectedBytes": "5082", "completedJobs": 1, "totalJobs": 1},
          "status": "COMPLETE"}
    out["orders-trace.tempo-v2.json"] = (json.dumps(v2, indent=1) + "\n").encode()
    out["orders-trace.jaeger-v3.json"] = (json.dumps({"result": doc}, indent=1) + "\n").encode()
    out["orders-trace.jaeger.json"] = (json.dumps(jaeger_document(), indent=1) + "\n").encode()
    out["orders-trace.zipkin.json"] = (json.dumps(zipkin_document(), indent=1) + "\n").encode()
    out["orders-trace.opensearch.json"] = (
        json.dumps(opensearch_document(), indent=1) + "\n").encode()
    out["orders-trace.console.log"] = console_output()
    assert set(out) == set(FILES)
    for name, data in out.items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
