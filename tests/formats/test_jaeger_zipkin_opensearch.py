"""Format traps of Jaeger v1, Zipkin v2 and OpenSearch Data Prepper documents."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest

import tracespec
from tracespec import SpanKind, StatusCode, TraceLoadError

TID16 = "00f067aa0ba902b7"
TID32 = "0000000000000000" + TID16


def jspan(sid: str, **kw: Any) -> dict[str, Any]:
    span: dict[str, Any] = {"traceID": TID16, "spanID": sid, "operationName": sid,
                            "startTime": 1_700_000_000_000_000, "duration": 1500,
                            "processID": "p1", "tags": [], "logs": [], "references": []}
    span.update(kw)
    return span


def jdoc(*spans: dict[str, Any], processes: Any = None) -> dict[str, Any]:
    procs = processes or {"p1": {"serviceName": "svc", "tags": [
        {"key": "host.name", "type": "string", "value": "h1"}]}}
    return {"data": [{"traceID": TID16, "spans": list(spans), "processes": procs}]}


# -- Jaeger ------------------------------------------------------------------------------------

def test_jaeger_16_char_trace_id_is_padded_and_times_are_microseconds() -> None:
    t = tracespec.load_trace(jdoc(jspan("0000000000000001")))
    assert t.trace_id == TID32
    assert t.root.start_time_ns == 1_700_000_000_000_000_000
    assert t.root.duration_ns == 1_500_000
    # a 16-char id given by the user finds the padded trace
    assert tracespec.load_trace(jdoc(jspan("0000000000000001")), trace_id=TID16).trace_id == TID32


def test_jaeger_child_of_reference_follows_from_link_and_parent_span_id() -> None:
    doc = jdoc(
        jspan("0000000000000001"),
        jspan("0000000000000002", startTime=1_700_000_000_000_010, references=[
            {"refType": "FOLLOWS_FROM", "traceID": TID16, "spanID": "0000000000000003"},
            {"refType": "CHILD_OF", "traceID": TID16, "spanID": "0000000000000001"},
        ]),
        # newer Jaeger: parent only in parentSpanID
        jspan("0000000000000003", startTime=1_700_000_000_000_005,
              parentSpanID="0000000000000001"),
    )
    t = tracespec.load_trace(doc)
    assert [s.span_id[-1] for s in t] == ["1", "3", "2"]
    two = t.span("0000000000000002")
    assert two.parent_id == "0000000000000001"
    (link,) = two.links
    assert link.span_id == "0000000000000003" and link.trace_id == TID32
    assert link.attributes["opentracing.ref_type"] == "follows_from"


def test_jaeger_typed_tags_kind_status_scope() -> None:
    tags = [
        {"key": "big", "type": "int64", "value": "9007199254740993"},
        {"key": "n", "type": "int64", "value": 3},
        {"key": "f", "type": "float64", "value": 1.5},
        {"key": "b", "type": "bool", "value": True},
        {"key": "bin", "type": "binary", "value": base64.b64encode(b"\x00\x01").decode()},
        {"key": "s", "type": "string", "value": "x"},
        {"key": "span.kind", "type": "string", "value": "server"},
        {"key": "otel.status_code", "type": "string", "value": "ERROR"},
        {"key": "otel.status_description", "type": "string", "value": "boom"},
        {"key": "error", "type": "bool", "value": True},
        {"key": "otel.library.name", "type": "string", "value": "lib"},
        {"key": "otel.library.version", "type": "string", "value": "1.0"},
        {"key": "w3c.tracestate", "type": "string", "value": "k=v"},
    ]
    t = tracespec.load_trace(jdoc(jspan("0000000000000001", tags=tags)))
    s = t.root
    assert s.attributes["big"] == 9007199254740993
    assert s.attributes["n"] == 3 and s.attributes["f"] == 1.5 and s.attributes["b"] is True
    assert s.attributes["bin"] == b"\x00\x01" and s.attributes["s"] == "x"
    assert s.kind is SpanKind.SERVER
    assert s.status_code is StatusCode.ERROR and s.status_message == "boom"
    for gone in ("span.kind", "otel.status_code", "error", "otel.library.name", "w3c.tracestate"):
        assert gone not in s.attributes
    assert (s.scope.name, s.scope.version) == ("lib", "1.0")
    assert s.trace_state == "k=v"
    assert s.resource.attributes == {"host.name": "h1", "service.name": "svc"}


def test_jaeger_error_tag_alone_means_error_and_no_kind_tag_is_unspecified() -> None:
    tags = [{"key": "error", "type": "bool", "value": True}]
    s = tracespec.load_trace(jdoc(jspan("0000000000000001", tags=tags))).root
    assert s.status_code is StatusCode.ERROR and s.kind is SpanKind.UNSPECIFIED


def test_jaeger_logs_become_events_and_inline_process() -> None:
    span = jspan("0000000000000001", logs=[{"timestamp": 1_700_000_000_000_100, "fields": [
        {"key": "event", "type": "string", "value": "cache miss"},
        {"key": "key", "type": "string", "value": "user:1"}]}])
    del span["processID"]
    span["process"] = {"serviceName": "inline", "tags": []}
    s = tracespec.load_trace({"data": [{"traceID": TID16, "spans": [span]}]}).root
    (e,) = s.events
    assert e.name == "cache miss" and e.attributes == {"key": "user:1"}
    assert e.time_ns == 1_700_000_000_000_100_000
    assert s.attributes["service.name"] == "inline"
    assert orjson.loads(s.attributes["span.events"])[0]["name"] == "cache miss"


def test_jaeger_single_trace_object_and_several_traces() -> None:
    one = jdoc(jspan("0000000000000001"))["data"][0]
    assert len(tracespec.load_trace(one)) == 1
    other = dict(jdoc(jspan("0000000000000002"))["data"][0], traceID="ab" * 16)
    other["spans"] = [dict(other["spans"][0], traceID="ab" * 16)]
    both = {"data": [one, other]}
    assert [t.trace_id for t in tracespec.load_traces(both)] == [TID32, "ab" * 16]
    with pytest.raises(TraceLoadError, match="holds 2 traces"):
        tracespec.load_trace(both)
    assert tracespec.load_trace(both, trace_id="AB" * 16).root.span_id == "0000000000000002"
    with pytest.raises(TraceLoadError, match="no trace with id"):
        tracespec.load_trace(both, trace_id="cd" * 16)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("spanID", None, "no spanID"), ("traceID", "xyz", "not a hex id"),
     ("startTime", "soon", "not an integer"), ("spanID", "1" * 17, "not a hex id")],
)
def test_jaeger_bad_span_names_the_place(field: str, value: Any, message: str) -> None:
    span = jspan("0000000000000001")
    span[field] = value
    with pytest.raises(TraceLoadError, match=message) as info:
        tracespec.load_trace(jdoc(span))
    assert info.value.place is not None and "data[0].spans[0]" in info.value.place
    assert info.value.format == "jaeger"


def test_jaeger_error_response() -> None:
    doc = {"data": None, "errors": [{"code": 404, "msg": "trace not found"}]}
    with pytest.raises(TraceLoadError, match="trace not found"):
        tracespec.load_trace(doc)


# -- Zipkin ------------------------------------------------------------------------------------

def zspan(sid: str, **kw: Any) -> dict[str, Any]:
    span: dict[str, Any] = {"traceId": TID16, "id": sid, "name": "op " + sid[-1:],
                            "timestamp": 1_700_000_000_000_000, "duration": 20,
                            "localEndpoint": {"serviceName": "front"}}
    span.update(kw)
    return span


def test_zipkin_basics_kind_annotations_status() -> None:
    doc = [
        zspan("0000000000000001", kind="SERVER", tags={"http.status_code": "500",
                                                       "otel.status_code": "ERROR",
                                                       "error": "bad gateway"},
              annotations=[{"timestamp": 1_700_000_000_000_005, "value": "ws"}]),
        zspan("0000000000000002", parentId="0000000000000001", timestamp=1_700_000_000_000_001,
              remoteEndpoint={"serviceName": "db", "ipv4": "10.0.0.9", "port": 5432}),
    ]
    t = tracespec.load_trace(doc)
    assert t.trace_id == TID32 and t.format == "zipkin"
    root, child = t
    assert root.kind is SpanKind.SERVER and root.status_code is StatusCode.ERROR
    assert root.status_message == "bad gateway"
    assert root.attributes["http.status_code"] == "500"
    assert "error" not in root.attributes and "otel.status_code" not in root.attributes
    assert [(e.name, e.time_ns) for e in root.events] == [("ws", 1_700_000_000_000_005_000)]
    assert child.kind is SpanKind.INTERNAL  # no kind: internal, as the OTel mapping writes it
    assert child.attributes["peer.service"] == "db"
    assert child.attributes["network.peer.port"] == 5432
    assert child.attributes["service.name"] == "front"
    assert child.start_time_ns == 1_700_000_000_000_001_000


def test_zipkin_error_tag_with_empty_value_is_an_error() -> None:
    s = tracespec.load_trace([zspan("0000000000000001", tags={"error": ""})]).root
    assert s.status_code is StatusCode.ERROR and s.status_message == ""


def test_zipkin_shared_span_without_shared_flag_uses_server_kind() -> None:
    doc = [
        zspan("0000000000000001", kind="CLIENT"),
        zspan("0000000000000001", kind="SERVER", timestamp=1_700_000_000_000_002,
              localEndpoint={"serviceName": "back"}),
        zspan("0000000000000003", parentId="0000000000000001", timestamp=1_700_000_000_000_003,
              localEndpoint={"serviceName": "back"}),
    ]
    t = tracespec.load_trace(doc)
    assert [(s.depth, s.kind.value, s.attributes["service.name"]) for s in t] == [
        (0, "client", "front"), (1, "server", "back"), (2, "internal", "back")]
    assert t[1].span_id != "0000000000000001"


def test_zipkin_array_of_traces() -> None:
    doc = [[zspan("0000000000000001")], [zspan("0000000000000002", traceId="cd" * 16)]]
    traces = tracespec.load_traces(doc)
    assert [len(t) for t in traces] == [1, 1]
    assert tracespec.load_trace(doc, trace_id=TID16).root.span_id == "0000000000000001"


def test_zipkin_missing_id() -> None:
    with pytest.raises(TraceLoadError, match="no id") as info:
        tracespec.load_trace([zspan("0000000000000001"), zspan("")])
    assert info.value.place == "[1].id"


# -- OpenSearch ----------------------------------------------------------------------------------

def odoc(sid: str, **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "traceId": TID32, "spanId": sid, "parentSpanId": "", "name": "n" + sid[-1],
        "kind": "SPAN_KIND_CLIENT", "startTime": "2024-11-25T08:00:00.123456789Z",
        "endTime": "2024-11-25T08:00:01Z", "durationInNanos": 876543211,
        "serviceName": "api", "status.code": 2, "status.message": "nope",
        "span.attributes.http@status_code": 404, "span.attributes.db@system": "redis",
        "resource.attributes.service@name": "api", "resource.attributes.host@name": "h",
    }
    d.update(kw)
    return d


T0 = 1_732_521_600_000_000_000


def test_opensearch_document_fields() -> None:
    s = tracespec.load_trace([odoc("0000000000000001")]).root
    assert s.start_time_ns == T0 + 123_456_789 and s.end_time_ns == T0 + 1_000_000_000
    assert s.kind is SpanKind.CLIENT
    assert (s.status_code, s.status_message) == (StatusCode.ERROR, "nope")
    assert s.attributes["http.status_code"] == 404
    assert s.resource.attributes == {"service.name": "api", "host.name": "h"}
    assert s.attributes["tracetest.span.type"] == "http"


def test_opensearch_search_response_nested_status_events_links_and_duration() -> None:
    d = odoc("0000000000000002", parentSpanId="0000000000000001",
             startTime="2024-11-25T10:00:00.5+02:00", status={"code": 1, "message": ""},
             events=[{"name": "e", "time": "2024-11-25T08:00:00.6Z", "attributes": {"a@b": 1}}],
             links=[{"traceId": "ab" * 16, "spanId": "cd" * 8, "attributes": {}}])
    del d["endTime"], d["status.code"], d["status.message"]
    resp = {"hits": {"total": {"value": 2}, "hits": [
        {"_source": odoc("0000000000000001")}, {"_source": d}]}}
    t = tracespec.load_trace(resp)
    child = t.span("0000000000000002")
    assert child.start_time_ns == T0 + 500_000_000
    assert child.end_time_ns == T0 + 500_000_000 + 876543211
    assert child.status_code is StatusCode.OK
    (e,) = child.events
    assert (e.name, e.time_ns, dict(e.attributes)) == ("e", T0 + 600_000_000, {"a.b": 1})
    (lk,) = child.links
    assert (lk.trace_id, lk.span_id) == ("ab" * 16, "cd" * 8)


def test_opensearch_json_lines_of_documents() -> None:
    data = b"\n".join(orjson.dumps(odoc(f"000000000000000{i}")) for i in (1, 2))
    t = tracespec.load_trace(data)
    assert t.format == "opensearch" and len(t) == 3  # two roots under a temporary root
    assert t.root.is_synthetic


def test_opensearch_bad_time() -> None:
    with pytest.raises(TraceLoadError, match="not an ISO-8601 time") as info:
        tracespec.load_trace([odoc("0000000000000001", startTime="yesterday")])
    assert info.value.place == "[0].startTime"
