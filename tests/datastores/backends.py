"""Loopback tracing backends for the data-store tests: each speaks its real API on a free port
of 127.0.0.1 (Flask served by werkzeug in a thread, stopped by the test).

A test trace is made here as OTLP protobuf messages (``make_trace``), and each backend serves
it in its own documented shape: Tempo's jsonpb (base64 ids, enum names, ``batches``) or
protobuf, Jaeger's API v3 (OTLP JSON, hex ids) and v1 JSON, Zipkin v2 spans, OpenSearch Data
Prepper documents (``@`` in the flattened attribute keys, paged by ``search_after``), Elastic
APM documents, SignalFx segments.  A :class:`Plan` says what the backend answers: the trace
arriving in parts (not found first, then half its spans, then all), 401, a malformed body, or
no answer at all until the test ends.
"""

from __future__ import annotations

import base64
import bisect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, TracesData

from tests.triggers.servers import HOLD_LIMIT, serving

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
START_NS = 1_700_000_000_000_000_000


def make_trace(count: int, trace_id: str = TRACE_ID, service: str = "shop") -> TracesData:
    """A trace of ``count`` spans: a SERVER root ``GET /orders`` and CLIENT children
    ``child-<i>``, one microsecond apart, with ``http.method`` and ``item.index``."""
    spans = []
    tid = bytes.fromhex(trace_id)
    for i in range(count):
        span = Span(
            trace_id=tid, span_id=(i + 1).to_bytes(8, "big"),
            name="GET /orders" if i == 0 else f"child-{i}",
            kind=Span.SPAN_KIND_SERVER if i == 0 else Span.SPAN_KIND_CLIENT,
            start_time_unix_nano=START_NS + i * 1000,
            end_time_unix_nano=START_NS + i * 1000 + 500_000,
            attributes=[KeyValue(key="http.method", value=AnyValue(string_value="GET")),
                        KeyValue(key="item.index", value=AnyValue(int_value=i))],
        )
        if i:
            span.parent_span_id = (1).to_bytes(8, "big")
        spans.append(span)
    resource = Resource(attributes=[
        KeyValue(key="service.name", value=AnyValue(string_value=service))])
    return TracesData(resource_spans=[ResourceSpans(
        resource=resource, scope_spans=[ScopeSpans(spans=spans)])])


def part(data: TracesData, count: int) -> TracesData:
    """The first ``count`` spans of a one-batch trace."""
    out = TracesData()
    out.CopyFrom(data)
    del out.resource_spans[0].scope_spans[0].spans[count:]
    return out


def spans_of(data: TracesData) -> list[Span]:
    return [s for rs in data.resource_spans for ss in rs.scope_spans for s in ss.spans]


def span_ids(data: TracesData) -> set[str]:
    return {s.span_id.hex() for s in spans_of(data)}


# -- the backends' shapes ----------------------------------------------------------------

def tempo_json(data: TracesData) -> dict[str, Any]:
    """Tempo's ``/api/traces`` JSON: jsonpb of tempopb.Trace (base64 ids, enum names)."""
    doc = MessageToDict(data)
    return {"batches": doc.get("resourceSpans", [])}


def _hex_ids(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: (base64.b64decode(v).hex() if k in ("traceId", "spanId", "parentSpanId")
                    and isinstance(v, str) else _hex_ids(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_hex_ids(v) for v in obj]
    return obj


def jaeger_v3(data: TracesData) -> dict[str, Any]:
    """Jaeger's ``/api/v3/traces`` answer: OTLP JSON with hex ids and enum numbers."""
    return {"result": _hex_ids(MessageToDict(data, use_integers_for_enums=True))}


def _us(ns: int) -> int:
    return ns // 1000


def jaeger_v1(data: TracesData) -> dict[str, Any]:
    """Jaeger's ``/api/traces`` answer (``{"data": [trace]}``)."""
    spans = []
    for s in spans_of(data):
        refs = ([{"refType": "CHILD_OF", "traceID": s.trace_id.hex(),
                  "spanID": s.parent_span_id.hex()}] if s.parent_span_id else [])
        kind = {Span.SPAN_KIND_SERVER: "server", Span.SPAN_KIND_CLIENT: "client"}[s.kind]
        spans.append({
            "traceID": s.trace_id.hex(), "spanID": s.span_id.hex(), "operationName": s.name,
            "references": refs, "startTime": _us(s.start_time_unix_nano),
            "duration": _us(s.end_time_unix_nano - s.start_time_unix_nano), "processID": "p1",
            "tags": [{"key": "span.kind", "type": "string", "value": kind},
                     {"key": "http.method", "type": "string", "value": "GET"},
                     {"key": "item.index", "type": "int64",
                      "value": s.attributes[1].value.int_value}],
            "logs": [],
        })
    return {"data": [{"traceID": TRACE_ID, "spans": spans,
                      "processes": {"p1": {"serviceName": "shop", "tags": []}}}]}


def zipkin(data: TracesData) -> list[dict[str, Any]]:
    """Zipkin's ``/api/v2/trace`` answer."""
    out = []
    for s in spans_of(data):
        span: dict[str, Any] = {
            "traceId": s.trace_id.hex(), "id": s.span_id.hex(), "name": s.name.lower(),
            "kind": "SERVER" if s.kind == Span.SPAN_KIND_SERVER else "CLIENT",
            "timestamp": _us(s.start_time_unix_nano),
            "duration": _us(s.end_time_unix_nano - s.start_time_unix_nano),
            "localEndpoint": {"serviceName": "shop"},
            "tags": {"http.method": "GET", "item.index": str(s.attributes[1].value.int_value)},
        }
        if s.parent_span_id:
            span["parentId"] = s.parent_span_id.hex()
        out.append(span)
    return out


def _iso(ns: int) -> str:
    moment = datetime.fromtimestamp(ns // 1_000_000_000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ns % 1_000_000_000:09d}Z"


def opensearch_docs(data: TracesData) -> list[dict[str, Any]]:
    """Data Prepper ``otel-v1-apm-span`` documents (``@`` for ``.`` in attribute keys)."""
    return [{
        "traceId": s.trace_id.hex(), "spanId": s.span_id.hex(),
        "parentSpanId": s.parent_span_id.hex(), "name": s.name,
        "kind": Span.SpanKind.Name(s.kind), "startTime": _iso(s.start_time_unix_nano),
        "endTime": _iso(s.end_time_unix_nano),
        "durationInNanos": s.end_time_unix_nano - s.start_time_unix_nano,
        "serviceName": "shop", "status.code": 0,
        "span.attributes.http@method": "GET",
        "span.attributes.item@index": s.attributes[1].value.int_value,
        "resource.attributes.service@name": "shop",
    } for s in spans_of(data)]


def elastic_docs(data: TracesData) -> list[dict[str, Any]]:
    """Elastic APM documents: the root a transaction, the others spans."""
    docs = []
    for s in spans_of(data):
        kind = "span" if s.parent_span_id else "transaction"
        doc: dict[str, Any] = {
            "@timestamp": _iso(s.start_time_unix_nano), "trace": {"id": s.trace_id.hex()},
            "service": {"name": "shop"}, "labels": {"item_index": s.attributes[1].value.int_value},
            kind: {"id": s.span_id.hex(), "name": s.name,
                   "duration": {"us": (s.end_time_unix_nano - s.start_time_unix_nano) // 1000}},
        }
        if s.parent_span_id:
            doc["parent"] = {"id": s.parent_span_id.hex()}
        docs.append(doc)
    return docs


def signalfx_spans(data: TracesData) -> list[dict[str, Any]]:
    """SignalFx APM spans."""
    return [{
        "traceId": s.trace_id.hex(), "spanId": s.span_id.hex(),
        "parentId": s.parent_span_id.hex() or None, "operationName": s.name,
        "startTime": _iso(s.start_time_unix_nano),
        "durationMicros": (s.end_time_unix_nano - s.start_time_unix_nano) // 1000,
        "tags": {"span.kind": "server" if s.kind == Span.SPAN_KIND_SERVER else "client",
                 "http.method": "GET"},
        "processTags": {"service.name": "shop"},
    } for s in spans_of(data)]


# -- the servers --------------------------------------------------------------------------

@dataclass
class Plan:
    """What a backend answers.  ``stages`` are the traces it holds at the 1st, 2nd, ...
    request for the trace (``None``: not found; the last one stays); ``mode`` is ``"ok"``,
    ``"401"``, ``"malformed"`` or ``"hang"`` (no answer until the test ends)."""

    stages: list[TracesData | None]
    mode: str = "ok"
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    asked: int = 0

    def now(self) -> TracesData | None:
        stage = self.stages[min(self.asked, len(self.stages) - 1)]
        self.asked += 1
        return stage


def _common(plan: Plan) -> Any:
    from flask import Response

    if plan.mode == "401":
        return Response('{"error":"unauthorized"}', status=401)
    if plan.mode == "hang":
        plan.release.wait(HOLD_LIMIT)
        return Response("late", status=503)
    if plan.mode == "malformed":
        return Response('{"batches": [{"scopeSpans": [{"spans": [{"traceId": 12',
                        status=200, mimetype="application/json")
    return None


def _app(plan: Plan, routes: Callable[[Any, Plan], None]) -> Any:
    from flask import Flask, request

    app = Flask("backend")

    @app.before_request
    def record() -> None:
        plan.requests.append({"path": request.path, "headers": dict(request.headers),
                              "json": request.get_json(silent=True)})

    routes(app, plan)
    return app


def tempo_routes(app: Any, plan: Plan) -> None:
    from flask import Response, jsonify, request

    @app.get("/api/traces/<trace_id>")
    def trace(trace_id: str) -> Any:
        early = _common(plan)
        if early is not None:
            return early
        data = plan.now()
        if data is None or trace_id != TRACE_ID:
            return Response("trace not found", status=404)
        if "application/protobuf" in request.headers.get("Accept", ""):
            return Response(data.SerializeToString(), mimetype="application/protobuf")
        return jsonify(tempo_json(data))


def tempo_proto_routes(app: Any, plan: Plan) -> None:
    """A Tempo that answers protobuf whatever the client accepts."""
    from flask import Response

    @app.get("/api/traces/<trace_id>")
    def trace(trace_id: str) -> Any:
        early = _common(plan)
        if early is not None:
            return early
        data = plan.now()
        if data is None:
            return Response("trace not found", status=404)
        return Response(data.SerializeToString(), mimetype="application/protobuf")


def tempo_v2_routes(app: Any, plan: Plan) -> None:
    """Tempo's ``/api/v2/traces``: ``TraceByIDResponse``, JSON or protobuf as asked."""
    from flask import Response, jsonify, request

    from tracespec.datastores._pb.tempo import tempo_pb2

    @app.get("/api/v2/traces/<trace_id>")
    def trace(trace_id: str) -> Any:
        early = _common(plan)
        if early is not None:
            return early
        data = plan.now()
        if data is None:
            return Response("trace not found", status=404)
        if "application/protobuf" in request.headers.get("Accept", ""):
            answer = tempo_pb2.TraceByIDResponse(status=tempo_pb2.COMPLETE)
            answer.trace.ParseFromString(data.SerializeToString())
            return Response(answer.SerializeToString(), mimetype="application/protobuf")
        return jsonify(trace=MessageToDict(data), status="COMPLETE")


def tempo_v2_json_routes(app: Any, plan: Plan) -> None:
    """Tempo's ``/api/v2/traces`` answering JSON whatever is asked."""
    from flask import Response, jsonify

    @app.get("/api/v2/traces/<trace_id>")
    def trace(trace_id: str) -> Any:
        early = _common(plan)
        if early is not None:
            return early
        data = plan.now()
        if data is None:
            return Response("trace not found", status=404)
        return jsonify(trace=MessageToDict(data), status="COMPLETE")


def tempo_json_routes(app: Any, plan: Plan) -> None:
    """A Tempo (or a proxy) that answers JSON whatever the client accepts."""
    from flask import Response, jsonify

    @app.get("/api/traces/<trace_id>")
    def trace(trace_id: str) -> Any:
        early = _common(plan)
        if early is not None:
            return early
        data = plan.now()
        if data is None:
            return Response("trace not found", status=404)
        return jsonify(tempo_json(data))


def jaeger_routes(app: Any, plan: Plan, *, v3: bool = True) -> None:
    from flask import Response, jsonify

    if v3:
        @app.get("/api/v3/traces/<trace_id>")
        def trace_v3(trace_id: str) -> Any:
            early = _common(plan)
            if early is not None:
                return early
            data = plan.now()
            if data is None:
                return jsonify(error={"httpCode": 404, "message": "trace not found"}), 404
            return jsonify(jaeger_v3(data))

    @app.get("/api/traces/<trace_id>")
    def trace_v1(trace_id: str) -> Any:
        early = _common(plan)
        if early is not None:
            return early
        data = plan.now()
        if data is None:
            return Response('{"data":null,"errors":[{"code":404,"msg":"trace not found"}]}',
                            status=404, mimetype="application/json")
        return jsonify(jaeger_v1(data))


def jaeger_v1_routes(app: Any, plan: Plan) -> None:
    jaeger_routes(app, plan, v3=False)


def zipkin_routes(app: Any, plan: Plan) -> None:
    from flask import Response, jsonify

    @app.get("/api/v2/trace/<trace_id>")
    def trace(trace_id: str) -> Any:
        early = _common(plan)
        if early is not None:
            return early
        data = plan.now()
        if data is None:
            return Response("trace not found", status=404)
        return jsonify(zipkin(data))


def _sort_key(doc: dict[str, Any], elastic: bool) -> list[Any]:
    if elastic:
        return [doc["@timestamp"], doc.get("transaction", {}).get("id", ""),
                doc.get("span", {}).get("id", "")]
    return [doc["startTime"], doc["spanId"]]


def search_routes(app: Any, plan: Plan, *, elastic: bool = False) -> None:
    """``POST /<index>/_search``: the documents of the trace matching the query, sorted by
    the keys asked, ``size`` a page, after ``search_after``; more than 10,000 hits without
    ``search_after`` paging is refused as OpenSearch's ``max_result_window`` does."""
    from flask import jsonify, request

    @app.post("/<index>/_search")
    def search(index: str) -> Any:
        early = _common(plan)
        if early is not None:
            return early
        body = request.get_json(force=True)
        asked = body["query"]["match"]["trace.id"] if elastic else \
            body["query"]["bool"]["should"][0]["match"]["traceId"]
        size = int(body.get("size", 10))
        if size > 10_000:
            return jsonify(error={"type": "illegal_argument_exception"}), 400
        if body.get("search_after") is None:
            plan_data = plan.now()
            plan.requests[-1]["stage"] = plan_data
        else:  # a next page reads what the first page of this search read
            plan_data = next(r["stage"] for r in reversed(plan.requests) if "stage" in r)
        docs = [] if plan_data is None else _documents(plan_data, elastic)
        docs = [d for d in docs if (d["trace"]["id"] if elastic else d["traceId"]) == asked]
        total = len(docs)
        after = body.get("search_after")
        if after is not None:
            keys = [_sort_key(d, elastic) for d in docs]
            docs = docs[bisect.bisect_right(keys, list(after)):]
        page = docs[:size]
        return jsonify(hits={"total": {"value": total, "relation": "eq"}, "hits": [
            {"_index": index, "_id": str(i), "_source": d, "sort": _sort_key(d, elastic)}
            for i, d in enumerate(page)]})


_DOCS: dict[tuple[int, bool], list[dict[str, Any]]] = {}


def _documents(data: TracesData, elastic: bool) -> list[dict[str, Any]]:
    """The documents of a stage, made once (a search is paged over the same ones)."""
    key = (id(data), elastic)
    if key not in _DOCS:
        _DOCS.clear()
        made = elastic_docs(data) if elastic else opensearch_docs(data)
        made.sort(key=lambda d: _sort_key(d, elastic))
        _DOCS[key] = made
    return _DOCS[key]


def elastic_routes(app: Any, plan: Plan) -> None:
    search_routes(app, plan, elastic=True)


def signalfx_routes(app: Any, plan: Plan) -> None:
    """Segments: the trace's spans in two segments (first half, second half)."""
    from flask import Response, jsonify

    segment_stage: dict[str, TracesData | None] = {}

    @app.get("/v2/apm/trace/<trace_id>/segments")
    def segments(trace_id: str) -> Any:
        early = _common(plan)
        if early is not None:
            return early
        data = plan.now()
        segment_stage["now"] = data
        if data is None:
            return Response("not found", status=404)
        return jsonify([1700000000000, 1700000060000])

    @app.get("/v2/apm/trace/<trace_id>/<int:segment>")
    def segment(trace_id: str, segment: int) -> Any:
        early = _common(plan)
        if early is not None:
            return early
        spans = signalfx_spans(segment_stage["now"]) if segment_stage.get("now") else []
        half = (len(spans) + 1) // 2
        return jsonify(spans[:half] if segment == 1700000000000 else spans[half:])


@contextmanager
def backend(routes: Callable[[Any, Plan], None], plan: Plan) -> Iterator[str]:
    """A backend with ``routes`` following ``plan`` on a free port; its base URL."""
    with serving(_app(plan, routes)) as url:
        try:
            yield url
        finally:
            plan.release.set()  # a held answer goes before the server stops
