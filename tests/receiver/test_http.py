"""OTLP/HTTP: every refusal gets its status, in the request's encoding, and nothing breaks."""

from __future__ import annotations

import gzip
import http.client
import json
import zlib

import pytest
from google.protobuf.message import DecodeError
from google.rpc import status_pb2
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

import tracespec

TRACE_ID = bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736")


def request(spans: int = 2, trace_id: bytes = TRACE_ID, service: str = "orders") -> bytes:
    """An export request of ``spans`` spans of one trace (built with the OTLP classes)."""
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    kv = rs.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", service
    ss = rs.scope_spans.add()
    ss.scope.name = "tests"
    for i in range(spans):
        span = ss.spans.add()
        span.trace_id = trace_id
        span.span_id = (i + 1).to_bytes(8, "big")
        if i:
            span.parent_span_id = (1).to_bytes(8, "big")
        span.name = f"span {i}"
        span.start_time_unix_nano = 1_700_000_000_000_000_000 + i
        span.end_time_unix_nano = 1_700_000_000_000_000_100 + i
    return req.SerializeToString()  # type: ignore[no-any-return]


def post(rx: tracespec.Receiver, body: bytes, content_type: str = "application/x-protobuf",
         headers: dict[str, str] | None = None, path: str = "/v1/traces",
         method: str = "POST") -> tuple[int, str, bytes]:
    assert rx.http_address is not None
    host, port = rx.http_address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, body=body,
                     headers={"Content-Type": content_type, **(headers or {})})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read()
    finally:
        conn.close()


def still_works(rx: tracespec.Receiver) -> None:
    """A good request after a bad one is taken."""
    other = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
    status, _, body = post(rx, request(3, other))
    assert status == 200
    assert not ExportTraceServiceResponse.FromString(body).HasField("partial_success")
    assert rx.span_count(other.hex()) == 3


def rpc_status(body: bytes) -> status_pb2.Status:
    return status_pb2.Status.FromString(body)


@pytest.fixture
def rx() -> tracespec.Receiver:
    with tracespec.Receiver(http="127.0.0.1:0", grpc=None, max_body_bytes=1 << 20) as r:
        yield r  # type: ignore[misc]


def test_protobuf_request_is_taken_and_answered_in_protobuf(rx: tracespec.Receiver) -> None:
    status, ctype, body = post(rx, request(2))
    assert (status, ctype) == (200, "application/x-protobuf")
    assert ExportTraceServiceResponse.FromString(body) == ExportTraceServiceResponse()
    assert rx.span_count(TRACE_ID.hex()) == 2 and rx.services(TRACE_ID.hex()) == ["orders"]


def test_json_request_is_taken_and_answered_in_json(rx: tracespec.Receiver) -> None:
    doc = {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "web"}}]},
        "scopeSpans": [{"scope": {"name": "t"}, "spans": [
            {"traceId": TRACE_ID.hex().upper(), "spanId": "00000000000000aa", "name": "root",
             "kind": 2, "startTimeUnixNano": "1700000000000000000",
             "endTimeUnixNano": 1700000000000000500,
             "attributes": [{"key": "n", "value": {"intValue": "42"}}],
             "status": {"code": 2, "message": "boom"}, "unknownField": 1},
            {"traceId": TRACE_ID.hex(), "spanId": "00000000000000bb",
             "parentSpanId": "00000000000000aa", "name": "child",
             "startTimeUnixNano": "1700000000000000100",
             "endTimeUnixNano": "1700000000000000200"},
        ]}],
    }]}
    status, ctype, body = post(rx, json.dumps(doc).encode(), "application/json")
    assert (status, ctype) == (200, "application/json")
    assert json.loads(body) == {}
    trace = rx.trace(TRACE_ID.hex())
    assert trace is not None and [s.name for s in trace] == ["root", "child"]
    assert trace.root.span_id == "00000000000000aa" and trace.root.kind.name == "SERVER"
    assert trace.root.attributes["n"] == 42 and trace.root.status_message == "boom"
    assert trace.root.end_time_ns == 1700000000000000500
    assert trace[1].parent_id == "00000000000000aa"


def test_gzip_request(rx: tracespec.Receiver) -> None:
    status, _, _ = post(rx, gzip.compress(request(4)), headers={"Content-Encoding": "gzip"})
    assert status == 200 and rx.span_count(TRACE_ID.hex()) == 4


@pytest.mark.parametrize("content_type", ["application/x-protobuf", "application/json"])
def test_spans_with_invalid_ids_are_a_partial_success(rx: tracespec.Receiver,
                                                      content_type: str) -> None:
    req = ExportTraceServiceRequest.FromString(request(4))
    spans = req.resource_spans[0].scope_spans[0].spans
    spans[1].trace_id = b"\x01" * 8  # too short
    spans[2].trace_id = bytes(16)  # all zero
    spans[3].span_id = b""  # no span id
    body = req.SerializeToString()
    if content_type == "application/json":
        from google.protobuf import json_format

        doc = json_format.MessageToDict(req)
        for span, msg in zip(doc["resourceSpans"][0]["scopeSpans"][0]["spans"], spans,
                             strict=True):
            span["traceId"], span["spanId"] = msg.trace_id.hex(), msg.span_id.hex()
        body = json.dumps(doc).encode()
    status, ctype, reply = post(rx, body, content_type)
    assert (status, ctype) == (200, content_type)
    if content_type == "application/json":
        partial = json.loads(reply)["partialSuccess"]
        rejected, message = int(partial["rejectedSpans"]), partial["errorMessage"]
    else:
        ps = ExportTraceServiceResponse.FromString(reply).partial_success
        rejected, message = ps.rejected_spans, ps.error_message
    assert rejected == 3
    assert "2 with an invalid trace id" in message and "1 with an invalid span id" in message
    assert rx.trace_ids() == [TRACE_ID.hex()] and rx.span_count(TRACE_ID.hex()) == 1
    still_works(rx)


@pytest.mark.parametrize("body", [
    b"\xff\xff\xff\xff",  # no valid field
    request(3)[:-5],  # cut short
    b"\x0a\x05\x12\x03\x12\x01\xff",  # a span whose bytes are not a span
], ids=["garbage", "truncated", "bad-span"])
def test_body_that_does_not_decode_is_400(rx: tracespec.Receiver, body: bytes) -> None:
    with pytest.raises(DecodeError):
        ExportTraceServiceRequest.FromString(body)  # (the test's premise)
    status, ctype, reply = post(rx, body)
    assert (status, ctype) == (400, "application/x-protobuf")
    assert rpc_status(reply).code == 3  # INVALID_ARGUMENT
    assert "ExportTraceServiceRequest" in rpc_status(reply).message
    assert rx.rejected_batches == 1 and rx.trace_ids() == []
    still_works(rx)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]",
                                  b'{"resourceSpans": [{"scopeSpans": 7}]}'])
def test_json_that_does_not_decode_is_400_in_json(rx: tracespec.Receiver, body: bytes) -> None:
    status, ctype, reply = post(rx, body, "application/json")
    assert (status, ctype) == (400, "application/json")
    assert json.loads(reply)["code"] == 3 and json.loads(reply)["message"]
    still_works(rx)


def test_bad_gzip_is_400(rx: tracespec.Receiver) -> None:
    status, _, _ = post(rx, b"not gzip at all", headers={"Content-Encoding": "gzip"})
    assert status == 400
    status, _, _ = post(rx, gzip.compress(request(3))[:-12], headers={"Content-Encoding": "gzip"})
    assert status == 400
    still_works(rx)


def test_body_over_the_cap_is_413(rx: tracespec.Receiver) -> None:
    big = request(2) + b"\x1a" + b"\xff\xff\x7f" + b"x" * ((1 << 21) - 1)  # 2 MiB > 1 MiB cap
    status, _, reply = post(rx, big)
    assert status == 413 and rpc_status(reply).code == 8  # RESOURCE_EXHAUSTED
    assert rx.rejected_batches == 1
    still_works(rx)


def test_gzip_bomb_is_413(rx: tracespec.Receiver) -> None:
    """64 MiB of zeros in about 64 KB of gzip: refused at the 1 MiB cap, never inflated whole."""
    pack = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    bomb = b"".join(pack.compress(chunk) for _ in range(64)) + pack.flush()
    assert len(bomb) < 200_000
    status, _, _ = post(rx, bomb, headers={"Content-Encoding": "gzip"})
    assert status == 413
    still_works(rx)


@pytest.mark.parametrize("content_type", ["text/plain", "application/protobuf", "multipart/x"])
def test_other_content_types_are_415(rx: tracespec.Receiver, content_type: str) -> None:
    status, _, _ = post(rx, request(1), content_type)
    assert status == 415
    status, _, _ = post(rx, request(1), headers={"Content-Encoding": "br"})
    assert status == 415
    assert rx.trace_ids() == []
    still_works(rx)


def test_other_paths_and_methods(rx: tracespec.Receiver) -> None:
    assert post(rx, request(1), path="/v1/metrics")[0] == 404
    assert post(rx, b"", method="GET")[0] == 405
    assert rx.trace_ids() == []
    still_works(rx)


def test_empty_request_is_a_success(rx: tracespec.Receiver) -> None:
    status, _, reply = post(rx, b"")
    assert status == 200 and ExportTraceServiceResponse.FromString(reply) == (
        ExportTraceServiceResponse())
    assert rx.received_batches == 1 and rx.received_spans == 0


def padded(total: int) -> bytes:
    """A valid request of exactly ``total`` bytes (an unknown field pads it)."""
    head = request(2)
    for width in range(1, 5):
        n = total - len(head) - 1 - width
        length = bytearray()
        m = n
        while m > 0x7F:
            length.append((m & 0x7F) | 0x80)
            m >>= 7
        length.append(m)
        if len(length) == width:
            body = head + b"\x1a" + bytes(length) + b"x" * n
            assert len(body) == total
            return body
    raise AssertionError(total)


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_the_cap_is_exact(rx: tracespec.Receiver, compress: bool) -> None:
    limit = rx.max_body_bytes
    for size, status in ((limit, 200), (limit + 1, 413)):
        body = padded(size)
        headers = {}
        if compress:
            body = gzip.compress(body)
            headers = {"Content-Encoding": "gzip"}
        assert post(rx, body, headers=headers)[0] == status, size
    assert rx.span_count(TRACE_ID.hex()) == 2


def test_concatenated_gzip_members(rx: tracespec.Receiver) -> None:
    body = request(3)
    status, _, _ = post(rx, gzip.compress(body[:10]) + gzip.compress(body[10:]),
                        headers={"Content-Encoding": "gzip"})
    assert status == 200 and rx.span_count(TRACE_ID.hex()) == 3
