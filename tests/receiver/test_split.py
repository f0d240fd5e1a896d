"""Requests holding spans of several traces, resources and scopes are cut per trace the same
way whether their spans are written canonically (the fast way) or not (the general way)."""

from __future__ import annotations

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

import tracespec

TRACES = [bytes([i]) * 16 for i in (1, 2, 3)]


def mixed_request() -> ExportTraceServiceRequest:
    """2 resources × 2 scopes, each scope holding spans of the 3 traces, interleaved."""
    req = ExportTraceServiceRequest()
    serial = 0
    for service in ("orders", "billing"):
        rs = req.resource_spans.add()
        rs.schema_url = "https://opentelemetry.io/schemas/1.21.0"
        kv = rs.resource.attributes.add()
        kv.key, kv.value.string_value = "service.name", service
        for scope in ("http", "db"):
            ss = rs.scope_spans.add()
            ss.scope.name, ss.scope.version = scope, "1.0"
            for k in range(6):
                serial += 1
                span = ss.spans.add()
                span.trace_id = TRACES[k % 3]
                span.span_id = serial.to_bytes(8, "big")
                span.name = f"{service} {scope} {k}"
                span.start_time_unix_nano = 1_700_000_000_000_000_000 + serial
                span.end_time_unix_nano = 1_700_000_000_000_001_000 + serial
                a = span.attributes.add()
                a.key, a.value.int_value = "serial", serial
    return req


def _scramble(req: ExportTraceServiceRequest) -> bytes:
    """The same request with each span's trace id written last (valid protobuf, not the
    order an encoder writes)."""
    out = ExportTraceServiceRequest()
    out.CopyFrom(req)
    data = out.SerializeToString()
    for rs in out.resource_spans:
        for ss in rs.scope_spans:
            for span in ss.spans:
                canonical = span.SerializeToString()
                assert canonical[:2] == b"\x0a\x10"
                moved = canonical[18:] + canonical[:18]
                data = data.replace(canonical, moved)
    assert data != out.SerializeToString()
    assert ExportTraceServiceRequest.FromString(data) == req  # the same message
    return data


def _seen(rx: tracespec.Receiver) -> dict[str, list[tuple[str, str, str, str, int, object]]]:
    out = {}
    for trace_id in rx.trace_ids():
        trace = rx.trace(trace_id)
        assert trace is not None
        out[trace_id] = sorted(
            (s.span_id, s.name, str(s.resource.attributes["service.name"]), s.scope.name,
             s.start_time_ns, s.attributes["serial"]) for s in trace if not s.is_synthetic)
    return out


def test_the_fast_and_the_general_way_cut_alike() -> None:
    req = mixed_request()
    fast = tracespec.Receiver(http=None, grpc=None)
    general = tracespec.Receiver(http=None, grpc=None)
    fast.add(req.SerializeToString())
    general.add(_scramble(req))
    assert fast.trace_ids() == general.trace_ids() == [t.hex() for t in TRACES]
    seen = _seen(fast)
    assert seen == _seen(general)
    for i, trace_id in enumerate(fast.trace_ids()):  # what the request holds, by hand
        expected = sorted(
            (span.span_id.hex(), span.name, rs.resource.attributes[0].value.string_value,
             ss.scope.name, span.start_time_unix_nano, span.attributes[0].value.int_value)
            for rs in req.resource_spans for ss in rs.scope_spans for span in ss.spans
            if span.trace_id == TRACES[i])
        assert seen[trace_id] == expected
        assert fast.span_count(trace_id) == general.span_count(trace_id) == 8
        assert fast.services(trace_id) == general.services(trace_id) == ["orders", "billing"]
        trace = fast.trace(trace_id)
        assert trace is not None
        assert {s.resource.schema_url for s in trace if not s.is_synthetic} == {
            "https://opentelemetry.io/schemas/1.21.0"}
        assert {s.scope.version for s in trace if not s.is_synthetic} == {"1.0"}


def test_a_rejected_span_sends_the_request_the_general_way() -> None:
    req = mixed_request()
    req.resource_spans[1].scope_spans[0].spans[2].span_id = bytes(8)
    rx = tracespec.Receiver(http=None, grpc=None)
    rx.add(req.SerializeToString())
    assert rx.warnings == ["1 spans rejected: 1 with an invalid span id (not 8 bytes, or all "
                           "zero)"]
    assert sum(rx.span_count(t.hex()) for t in TRACES) == 23


def test_a_span_too_short_to_hold_its_ids_is_rejected() -> None:
    req = mixed_request()
    short = req.resource_spans[0].scope_spans[0].spans.add()
    short.trace_id = TRACES[0]  # no span id: 18 bytes
    rx = tracespec.Receiver(http=None, grpc=None)
    rx.add(req.SerializeToString())
    assert rx.warnings == ["1 spans rejected: 1 with an invalid span id (not 8 bytes, or all "
                           "zero)"]
    assert rx.span_count(TRACES[0].hex()) == 8
