"""OTLP protobuf and JSON and their relatives (JSON Lines, Tempo, Jaeger v3); OTel SDK spans."""

from __future__ import annotations

import base64
import gzip
import io
from pathlib import Path
from typing import Any

import orjson
import pytest
import zstandard
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import TracesData

import tracespec
from tracespec import SpanKind, StatusCode, TraceLoadError

TID = "5b8efff798038103d269b633813fc60c"


def span(sid: str, parent: str = "", **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"traceId": TID, "spanId": sid, "name": "s" + sid[-1],
                         "startTimeUnixNano": "1700000000000000000",
                         "endTimeUnixNano": "1700000000001000000"}
    if parent:
        d["parentSpanId"] = parent
    d.update(kw)
    return d


def doc(*spans: dict[str, Any], resource: Any = None, scope: Any = None) -> dict[str, Any]:
    ss: dict[str, Any] = {"spans": list(spans)}
    if scope is not None:
        ss["scope"] = scope
    rs: dict[str, Any] = {"scopeSpans": [ss]}
    if resource is not None:
        rs["resource"] = {"attributes": resource}
    return {"resourceSpans": [rs]}


def kv(key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, "value": value}


def test_any_values_keep_their_types() -> None:
    attrs = [
        kv("s", {"stringValue": "x"}), kv("i", {"intValue": "9007199254740993"}),
        kv("i2", {"intValue": 7}), kv("d", {"doubleValue": 1.5}), kv("b", {"boolValue": False}),
        kv("nan", {"doubleValue": "NaN"}),
        kv("a", {"arrayValue": {"values": [{"intValue": "1"}, {"stringValue": "two"}]}}),
        kv("m", {"kvlistValue": {"values": [kv("k", {"boolValue": True})]}}),
        kv("by", {"bytesValue": base64.b64encode(b"\xff\x00").decode()}),
        kv("empty", {}),
    ]
    s = tracespec.load_trace(doc(span("0000000000000001", attributes=attrs))).root
    a = s.attributes
    assert a["s"] == "x" and a["i"] == 9007199254740993 and a["i2"] == 7
    assert a["d"] == 1.5 and a["b"] is False and a["nan"] != a["nan"]
    assert a["a"] == (1, "two") and dict(a["m"]) == {"k": True} and a["by"] == b"\xff\x00"
    assert "empty" not in a


def test_resource_wins_and_service_name_from_scope_then_resource() -> None:
    res = [kv("service.name", {"stringValue": "api"}), kv("x", {"stringValue": "res"})]
    sp = span("0000000000000001", attributes=[kv("x", {"stringValue": "span"}),
                                              kv("y", {"stringValue": "span"})])
    t = tracespec.load_trace(doc(sp, resource=res, scope={"name": "lib", "version": "2"}))
    a = t.root.attributes
    assert (a["x"], a["y"], a["service.name"]) == ("res", "span", "api")
    t2 = tracespec.load_trace(doc(sp, scope={"name": "lib"}))
    assert t2.root.attributes["service.name"] == "lib"  # the reference's scope rule
    idx = t.index
    assert idx.column("x") == ["res"] and idx.column("service.name") == ["api"]


def test_meta_attributes() -> None:
    t = tracespec.load_trace(doc(
        span("0000000000000001", kind=2, status={"code": 2, "message": "m"},
             attributes=[kv("http.route", {"stringValue": "/"}),
                         kv("db.system", {"stringValue": "pg"})]),
        span("0000000000000002", "0000000000000001", attributes=[
            kv("event_type", {"stringValue": "click"}), kv("http.url", {"stringValue": "/"})]),
    ))
    root, child = t
    a = root.attributes
    assert a["tracetest.span.type"] == "http"  # http before database, whatever the order
    assert a["tracetest.span.duration"] == 1_000_000
    assert a["tracetest.span.start_time"] == 1700000000000000000
    assert a["tracetest.span.parent_id"] == "0000000000000000"
    assert a["tracetest.span.status_code"] == "STATUS_CODE_ERROR"
    assert a["tracetest.span.status_description"] == "m"
    assert a["span.events"] == "[]" and a["name"] == "s1" and a["kind"] == "server"
    assert child.attributes["tracetest.span.type"] == "general"  # a browser span
    assert child.attributes["tracetest.span.parent_id"] == "0000000000000001"
    assert "tracetest.span.status_description" not in child.attributes
    assert t.index.types() == ["http", "general"]
    assert t.index.column("tracetest.span.status_description") == ["m", None]


def test_hex_or_base64_ids_int_or_string_times_enum_names_snake_case() -> None:
    b64 = {h: base64.b64encode(bytes.fromhex(h)).decode() for h in
           (TID, "0000000000000001", "0000000000000002")}
    tempo = {"batches": [{"instrumentationLibrarySpans": [{
        "instrumentationLibrary": {"name": "old"},
        "spans": [
            {"traceId": b64[TID], "spanId": b64["0000000000000001"], "name": "root",
             "kind": "SPAN_KIND_SERVER", "startTimeUnixNano": 5, "endTimeUnixNano": 9,
             "status": {"code": "STATUS_CODE_ERROR"}},
            {"trace_id": TID.upper(), "span_id": "0000000000000002",
             "parent_span_id": b64["0000000000000001"], "name": "kid", "kind": 3,
             "start_time_unix_nano": "6", "end_time_unix_nano": "7"},
        ]}]}]}
    t = tracespec.load_trace(tempo)
    assert t.format == "tempo" and t.trace_id == TID
    assert [(s.span_id, s.kind, s.depth) for s in t] == [
        ("0000000000000001", SpanKind.SERVER, 0), ("0000000000000002", SpanKind.CLIENT, 1)]
    assert t.root.status_code is StatusCode.ERROR and t.root.scope.name == "old"
    assert (t[1].start_time_ns, t[1].end_time_ns) == (6, 7)


def test_json_format_trap_hex_is_not_read_as_base64() -> None:
    # "0000000000000001" is also valid base64 (12 bytes): it must be read as hex
    t = tracespec.load_trace(doc(span("0000000000000001")))
    assert t.root.span_id == "0000000000000001"


def test_tempo_v2_and_jaeger_v3_envelopes() -> None:
    inner = doc(span("0000000000000001"))
    assert tracespec.load_trace({"trace": inner, "status": "COMPLETE"}).format == "tempo"
    assert tracespec.load_trace({"result": inner}).format == "jaeger-v3"
    with pytest.raises(TraceLoadError, match="error response: trace not found"):
        tracespec.load_trace({"error": {"httpCode": 404, "message": "trace not found"}})


def _proto(d: dict[str, Any]) -> bytes:
    msg = ExportTraceServiceRequest()
    for rs in d["resourceSpans"]:
        r = msg.resource_spans.add()
        for ss in rs["scopeSpans"]:
            s = r.scope_spans.add()
            for sp in ss["spans"]:
                p = s.spans.add()
                p.trace_id = bytes.fromhex(sp["traceId"])
                p.span_id = bytes.fromhex(sp["spanId"])
                if sp.get("parentSpanId"):
                    p.parent_span_id = bytes.fromhex(sp["parentSpanId"])
                p.name = sp["name"]
                p.start_time_unix_nano = int(sp["startTimeUnixNano"])
                p.end_time_unix_nano = int(sp["endTimeUnixNano"])
    return msg.SerializeToString()  # type: ignore[no-any-return]


def test_protobuf_plain_gzip_zstd_records_fileobj() -> None:
    d = doc(span("0000000000000001"), span("0000000000000002", "0000000000000001"))
    raw = _proto(d)
    assert TracesData.FromString(raw).resource_spans  # the same wire shape
    rec = len(raw).to_bytes(4, "big") + raw
    zrec = zstandard.ZstdCompressor().compress(raw)
    for data in (raw, gzip.compress(raw), zstandard.ZstdCompressor().compress(raw),
                 rec + rec.replace(b"\x01", b"\x01"), len(zrec).to_bytes(4, "big") + zrec):
        t = tracespec.load_trace(data)
        assert t.format == "otlp-proto"
        assert [s.span_id[-1] for s in t] == ["1", "2"]
    assert len(tracespec.load_trace(io.BytesIO(raw))) == 2


def test_protobuf_strindex_and_unknown_fields_are_ignored() -> None:
    from opentelemetry.proto.common.v1 import common_pb2

    msg = ExportTraceServiceRequest.FromString(_proto(doc(span("0000000000000001"))))
    sp = msg.resource_spans[0].scope_spans[0].spans[0]
    kvp = sp.attributes.add()
    kvp.key = "x"
    # AnyValue.string_value_strindex = 8 (profiles only), written by hand: varint 3
    kvp.value.MergeFromString(b"\x40\x03")
    kvp2 = sp.attributes.add()
    kvp2.key = "y"
    kvp2.value.CopyFrom(common_pb2.AnyValue(string_value="ok"))
    data = msg.SerializeToString() + b"\xf8\x3e\x01"  # an unknown top-level field
    s = tracespec.load_trace(data).root
    assert "x" not in s.attributes and s.attributes["y"] == "ok"


def test_json_lines_and_lines_of_several_traces() -> None:
    other = span("0000000000000009")
    other["traceId"] = "ab" * 16
    lines = b"\n".join(orjson.dumps(x) for x in (doc(span("0000000000000001")), doc(other)))
    traces = tracespec.load_traces(lines + b"\n\n")
    assert [t.trace_id for t in traces] == [TID, "ab" * 16]
    bad = lines + b"\n{\"resourceSpans\": [}"
    with pytest.raises(TraceLoadError) as info:
        tracespec.load_traces(bad)
    assert info.value.place is not None and info.value.place.startswith("line 3")


def test_otel_sdk_spans() -> None:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind as OtelKind
    from opentelemetry.trace import Status
    from opentelemetry.trace import StatusCode as OtelStatus

    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "shop"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("my.lib", "3.1")
    with tracer.start_as_current_span("GET /", kind=OtelKind.SERVER,
                                      attributes={"http.route": "/", "codes": [1, 2]}) as root:
        with tracer.start_as_current_span("SELECT", kind=OtelKind.CLIENT) as child:
            child.add_event("retry", {"n": 1})
            child.set_status(Status(OtelStatus.ERROR, "deadlock"))
        root.add_link(child.get_span_context(), {"why": "test"})
    t = tracespec.Trace.from_otel_spans(exporter.get_finished_spans())
    assert [s.name for s in t] == ["GET /", "SELECT"]
    r, c = t
    assert r.kind is SpanKind.SERVER and c.kind is SpanKind.CLIENT
    assert r.attributes["codes"] == (1, 2) and r.attributes["service.name"] == "shop"
    assert r.attributes["tracetest.span.type"] == "http"
    assert (r.scope.name, r.scope.version) == ("my.lib", "3.1")
    assert c.status_code is StatusCode.ERROR and c.status_message == "deadlock"
    assert c.events[0].name == "retry" and dict(c.events[0].attributes) == {"n": 1}
    assert r.links[0].span_id == c.span_id and r.links[0].attributes["why"] == "test"
    assert t.trace_id == f"{root.get_span_context().trace_id:032x}"
    with tracer.start_as_current_span("other"):
        pass
    spans = exporter.get_finished_spans()
    with pytest.raises(TraceLoadError, match="holds 2 traces"):
        tracespec.Trace.from_otel_spans(spans)
    assert len(tracespec.Trace.from_otel_spans(spans, trace_id=t.trace_id)) == 2


def test_span_type_from_protobuf_bytes_matches_the_decoded_keys() -> None:
    from tracespec.trace.tracetest import NO_FAMILY, family_rank

    keys = ["x.http.y", "http", "db.system", "ht\u00e9p.x", "rpc.", "messaging.op", "faas.x",
            "exception.type", "b.http.x", "ttp.x", "k" * 200 + ".http", "http." + "y" * 300]
    msg = ExportTraceServiceRequest.FromString(_proto(doc(span("0000000000000001"))))
    sp = msg.resource_spans[0].scope_spans[0].spans[0]
    adapter = tracespec.formats.otlp_proto.PROTO_ADAPTER
    for n in range(len(keys) + 1):
        del sp.attributes[:]
        for k in keys[n:] + keys[:n][:2]:
            kvp = sp.attributes.add()
            kvp.key = k
            kvp.value.string_value = "\nhttp.x" if k == "ttp.x" else "v"
        raw = tracespec.load_trace(msg.SerializeToString()).index.raws[0]
        expected = family_rank(adapter.attribute_keys(raw))
        assert adapter.family_rank_of(raw) == expected
    assert family_rank(["a.b", "rpc.x"]) == 2 and family_rank([]) == NO_FAMILY


@pytest.mark.parametrize("length", [91, 123])
def test_protobuf_whose_first_length_byte_reads_as_json_loads(length: int) -> None:
    """``\\n`` is protobuf's tag of field 1 and JSON's blank; a first ResourceSpans of 91 or
    123 bytes puts ``[`` or ``{`` next.  Such bytes are protobuf, and a newline before JSON
    still reads as JSON."""
    from opentelemetry.proto.trace.v1 import trace_pb2

    for n in range(1, 200):
        data = trace_pb2.TracesData()
        data.resource_spans.add().scope_spans.add().spans.add(
            trace_id=b"\1" * 16, span_id=b"\2" * 8, name="x" * n,
            start_time_unix_nano=1, end_time_unix_nano=2)
        raw = data.SerializeToString()
        if raw[1] == length:
            break
    assert raw[:2] in (b"\n[", b"\n{")
    assert tracespec.load_trace(raw).root.name == "x" * n
    examples = Path(__file__).resolve().parents[2] / "examples"
    json_text = (examples / "orders-trace.json").read_bytes()
    assert tracespec.load_trace(b"\n" + json_text).format == "otlp-json"
