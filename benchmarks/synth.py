"""Seeded synthetic traces for the benchmarks: realistic trees of 10^3 to 10^6 spans.

A trace starts at an HTTP server span of the ``api`` service and grows breadth-first: a span is
a leaf with probability 0.4, otherwise it has 2 to 8 children, down to depth 12.  Spans belong
to several services and carry semantic-convention attributes for HTTP (server and client),
databases, messaging and RPC, or are internal, about 10 attributes each; a few HTTP responses are
500 errors.  ``SELECT users`` is a rare span name (about one span in 100,000, at least one).

``trace_bytes(n, seed)`` gives an OTLP ``ExportTraceServiceRequest``; ``json_lines(n, seed)``
the same trace as OTLP JSON Lines, one ``TracesData`` per line per service batch of up to 1,000
spans, as the collector's file exporter writes it.  ``cached(n, seed, kind)`` keeps the files
under ``benchmarks/data/`` (not committed) because building a million spans takes a while.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

DATA_DIR = Path(__file__).resolve().parent / "data"

SERVICES = ("api", "auth", "catalog", "billing", "worker", "notifier", "search")
TABLES = ("orders", "products", "payments", "sessions", "inventory", "carts", "reviews")
ROUTES = ("/api/orders", "/api/orders/{id}", "/api/products", "/api/cart", "/health",
          "/api/users/{id}", "/api/search", "/api/checkout")
T0 = 1_732_521_600_000_000_000


def _spans(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """Yield span dicts (ids as bytes) in breadth-first order."""
    rnd = random.Random(seed)
    trace_id = rnd.randbytes(16)
    rare_every = max(1, n // 10) if n < 100_000 else 100_000
    made = 0
    # queue of (span_id, service, depth, start, duration)
    root_id = rnd.randbytes(8)
    queue = [(root_id, b"", "api", 0, 0, 10_000_000_000)]
    head = 0
    while made < n:
        if head >= len(queue):  # ran out of open spans: reopen a random one
            pid, _, svc, depth, start, dur = queue[rnd.randrange(len(queue))]
            queue.append((rnd.randbytes(8), pid, svc, depth + 1, start, dur // 2))
        sid, parent, svc, depth, start, dur = queue[head]
        head += 1
        made += 1
        yield _make_span(rnd, trace_id, sid, parent, svc, depth, start, dur, made, rare_every)
        if depth >= 12 or (depth > 0 and rnd.random() < 0.4):
            continue
        k = rnd.randint(2, 8)
        for j in range(k):
            child_svc = svc if rnd.random() < 0.6 else rnd.choice(SERVICES)
            cstart = start + (dur * j) // (k + 1) + rnd.randrange(1000)
            cdur = max(1000, dur // (k + 1) - rnd.randrange(1000))
            queue.append((rnd.randbytes(8), sid, child_svc, depth + 1, cstart, cdur))


def _make_span(rnd: random.Random, trace_id: bytes, sid: bytes, parent: bytes, svc: str,
               depth: int, start: int, dur: int, serial: int, rare_every: int) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "thread.id": rnd.randrange(1, 64),
        "code.namespace": f"{svc}.handlers",
        "request.id": f"req-{rnd.getrandbits(40):010x}",
        "user.id": rnd.randrange(1, 50_000),
    }
    status = 0
    if parent == b"":
        kind_type = "http-server"
    else:
        kind_type = rnd.choices(
            ("http-server", "http-client", "db", "messaging", "rpc", "internal"),
            weights=(15, 15, 25, 10, 10, 25),
        )[0]
    if kind_type in ("http-server", "http-client"):
        route = rnd.choice(ROUTES)
        method = rnd.choice(("GET", "GET", "GET", "POST", "PUT", "DELETE"))
        code = 500 if rnd.random() < 0.02 else rnd.choice((200, 200, 200, 201, 204, 404))
        attrs.update({
            "http.request.method": method, "http.response.status_code": code,
            "http.status_code": code, "server.address": f"{svc}.internal",
            "network.protocol.version": "1.1",
        })
        if kind_type == "http-server":
            attrs["http.route"] = route
            kind, name = 2, f"{method} {route}"
        else:
            attrs["url.full"] = f"http://{rnd.choice(SERVICES)}.internal{route}"
            kind, name = 3, f"{method}"
        if code >= 500:
            status = 2
    elif kind_type == "db":
        table = rnd.choice(TABLES)
        op = rnd.choice(("SELECT", "SELECT", "INSERT", "UPDATE"))
        if serial % rare_every == 0:
            table, op = "users", "SELECT"
        attrs.update({
            "db.system": rnd.choice(("postgresql", "postgresql", "mysql", "redis")),
            "db.name": "shop", "db.operation": op, "db.sql.table": table,
            "db.statement": f"{op} * FROM {table} WHERE id = $1",
        })
        kind, name = 3, f"{op} {table}"
    elif kind_type == "messaging":
        topic = rnd.choice(("orders", "payments", "emails"))
        op = rnd.choice(("publish", "process"))
        attrs.update({
            "messaging.system": "kafka", "messaging.destination.name": topic,
            "messaging.operation": op, "messaging.message.id": f"m-{rnd.getrandbits(32):08x}",
        })
        kind, name = (4 if op == "publish" else 5), f"{topic} {op}"
    elif kind_type == "rpc":
        method = rnd.choice(("GetUser", "Charge", "Reserve", "Notify"))
        attrs.update({
            "rpc.system": "grpc", "rpc.service": f"{svc}.v1.Service", "rpc.method": method,
            "rpc.grpc.status_code": 0, "server.address": f"{svc}.internal",
        })
        kind, name = 3, f"{svc}.v1.Service/{method}"
    else:
        attrs.update({
            "code.function": rnd.choice(("validate", "render", "compute_total", "serialize")),
            "app.cache_hit": rnd.random() < 0.5, "app.items": rnd.randrange(0, 20),
        })
        kind, name = 1, attrs["code.function"]
    return {
        "trace_id": trace_id, "span_id": sid, "parent": parent, "service": svc, "name": name,
        "kind": kind, "start": T0 + start, "end": T0 + start + dur, "attrs": attrs,
        "status": status,
    }


def _batches(n: int, seed: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Group spans per service into batches of up to 1,000, flushing as they fill."""
    open_batches: dict[str, list[dict[str, Any]]] = {}
    for span in _spans(n, seed):
        batch = open_batches.setdefault(span["service"], [])
        batch.append(span)
        if len(batch) >= 1000:
            yield span["service"], batch
            open_batches[span["service"]] = []
    for svc, batch in open_batches.items():
        if batch:
            yield svc, batch


def _set_any(target: Any, value: Any) -> None:
    if isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, int):
        target.int_value = value
    elif isinstance(value, float):
        target.double_value = value
    else:
        target.string_value = value


def trace_bytes(n: int, seed: int = 1) -> bytes:
    """The synthetic trace as a serialized ``ExportTraceServiceRequest``."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    req = ExportTraceServiceRequest()
    for svc, batch in _batches(n, seed):
        rs = req.resource_spans.add()
        for k, v in _resource(svc).items():
            kv = rs.resource.attributes.add()
            kv.key = k
            _set_any(kv.value, v)
        ss = rs.scope_spans.add()
        ss.scope.name = "opentelemetry.instrumentation.auto"
        ss.scope.version = "0.48b0"
        for s in batch:
            sp = ss.spans.add()
            sp.trace_id = s["trace_id"]
            sp.span_id = s["span_id"]
            if s["parent"]:
                sp.parent_span_id = s["parent"]
            sp.name = s["name"]
            sp.kind = s["kind"]
            sp.start_time_unix_nano = s["start"]
            sp.end_time_unix_nano = s["end"]
            for k, v in s["attrs"].items():
                kv = sp.attributes.add()
                kv.key = k
                _set_any(kv.value, v)
            sp.status.code = s["status"]
    return req.SerializeToString()  # type: ignore[no-any-return]


def _resource(svc: str) -> dict[str, Any]:
    return {
        "service.name": svc, "service.version": "1.4.2", "host.name": f"{svc}-7d9f8c-x2p4q",
        "telemetry.sdk.language": "python", "telemetry.sdk.name": "opentelemetry",
        "deployment.environment": "production",
    }


def _json_any(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": value}


def json_lines(n: int, seed: int = 1) -> bytes:
    """The synthetic trace as OTLP JSON Lines (the collector file exporter's output)."""
    lines = []
    for svc, batch in _batches(n, seed):
        spans = []
        for s in batch:
            span: dict[str, Any] = {
                "traceId": s["trace_id"].hex(), "spanId": s["span_id"].hex(),
                "name": s["name"], "kind": s["kind"],
                "startTimeUnixNano": str(s["start"]), "endTimeUnixNano": str(s["end"]),
                "attributes": [{"key": k, "value": _json_any(v)} for k, v in s["attrs"].items()],
                "status": {"code": s["status"]} if s["status"] else {},
            }
            if s["parent"]:
                span["parentSpanId"] = s["parent"].hex()
            spans.append(span)
        doc = {
            "resourceSpans": [{
                "resource": {"attributes": [
                    {"key": k, "value": _json_any(v)} for k, v in _resource(svc).items()
                ]},
                "scopeSpans": [{
                    "scope": {"name": "opentelemetry.instrumentation.auto", "version": "0.48b0"},
                    "spans": spans,
                }],
            }]
        }
        lines.append(orjson.dumps(doc))
    return b"\n".join(lines) + b"\n"


def cached_path(n: int, seed: int = 1, kind: str = "pb") -> Path:
    """Where :func:`cached` keeps the file (it may not exist yet)."""
    return DATA_DIR / f"synth-{n}-{seed}.{kind}"


def cached(n: int, seed: int = 1, kind: str = "pb") -> Path:
    """Path of the synthetic trace file (``pb`` or ``jsonl``), generated on first use."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = cached_path(n, seed, kind)
    if not path.exists():
        print(f"generating {path.name} ...", file=sys.stderr, flush=True)
        data = trace_bytes(n, seed) if kind == "pb" else json_lines(n, seed)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


if __name__ == "__main__":  # pragma: no cover
    for size in (int(a) for a in sys.argv[1:] or ["1000"]):
        for k in ("pb", "jsonl"):
            print(cached(size, 1, k))
