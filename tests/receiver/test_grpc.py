"""OTLP/gRPC: INVALID_ARGUMENT for data that does not decode, the size cap, partial success."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

import tracespec

from .test_http import TRACE_ID, request

METHOD = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


@pytest.fixture
def rx() -> Iterator[tracespec.Receiver]:
    with tracespec.Receiver(http=None, grpc="127.0.0.1:0", max_body_bytes=1 << 20) as r:
        yield r


@pytest.fixture
def channel(rx: tracespec.Receiver) -> Iterator[grpc.Channel]:
    assert rx.grpc_address is not None
    with grpc.insecure_channel(rx.grpc_address,
                               options=[("grpc.max_send_message_length", -1)]) as ch:
        yield ch


def raw_export(channel: grpc.Channel, body: bytes,
               compression: grpc.Compression | None = None) -> bytes:
    """Send bytes as they are (no serializer) to Export."""
    call = channel.unary_unary(METHOD)
    return call(body, timeout=10, compression=compression)  # type: ignore[no-any-return]


def assert_refused_by_the_server(error: grpc.RpcError) -> None:
    """The server's cap (received or decompressed message too large), not the client's."""
    details = error.details() or ""
    assert "message larger than max" in details and "Sent" not in details, details


def test_the_generated_stub_exports(rx: tracespec.Receiver, channel: grpc.Channel) -> None:
    stub = trace_service_pb2_grpc.TraceServiceStub(channel)
    reply = stub.Export(ExportTraceServiceRequest.FromString(request(3)), timeout=10)
    assert reply == ExportTraceServiceResponse()
    assert rx.span_count(TRACE_ID.hex()) == 3 and rx.services(TRACE_ID.hex()) == ["orders"]
    reply = stub.Export(ExportTraceServiceRequest.FromString(request(5)), timeout=10,
                        compression=grpc.Compression.Gzip)
    assert rx.span_count(TRACE_ID.hex()) == 8  # (the same span ids twice: repaired on load)


@pytest.mark.parametrize("body", [b"\xff\xff\xff\xff", request(3)[:-5],
                                  b"\x0a\x05\x12\x03\x12\x01\xff"],
                         ids=["garbage", "truncated", "bad-span"])
def test_data_that_does_not_decode_is_invalid_argument(
    rx: tracespec.Receiver, channel: grpc.Channel, body: bytes
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        raw_export(channel, body)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "ExportTraceServiceRequest" in (info.value.details() or "")
    assert rx.rejected_batches == 1 and rx.trace_ids() == []
    assert raw_export(channel, request(2)) == b""  # the empty response: still working
    assert rx.span_count(TRACE_ID.hex()) == 2


def test_message_over_the_cap_is_resource_exhausted(
    rx: tracespec.Receiver, channel: grpc.Channel
) -> None:
    big = request(2) + b"\x1a\xff\xff\x7f" + b"x" * ((1 << 21) - 1)
    for compression in (None, grpc.Compression.Gzip):  # the cap is on the inflated message
        with pytest.raises(grpc.RpcError) as info:
            raw_export(channel, big, compression)
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert_refused_by_the_server(info.value)
    assert rx.trace_ids() == []
    assert raw_export(channel, request(2), grpc.Compression.Gzip) == b""
    assert rx.span_count(TRACE_ID.hex()) == 2


def test_gzip_bomb_is_refused(rx: tracespec.Receiver, channel: grpc.Channel) -> None:
    """A gzip-compressed message of 64 MiB of zeros (a few dozen KB on the wire)."""
    assert len(gzip.compress(bytes(64 << 20))) < 200_000
    with pytest.raises(grpc.RpcError) as info:
        raw_export(channel, request(1) + b"\x1a\x80\x80\x80\x20" + bytes(64 << 20),
                   grpc.Compression.Gzip)
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert_refused_by_the_server(info.value)
    assert raw_export(channel, request(2)) == b""


def test_invalid_ids_are_a_partial_success(rx: tracespec.Receiver,
                                           channel: grpc.Channel) -> None:
    req = ExportTraceServiceRequest.FromString(request(3))
    req.resource_spans[0].scope_spans[0].spans[0].trace_id = b""
    reply = ExportTraceServiceResponse.FromString(raw_export(channel, req.SerializeToString()))
    assert reply.partial_success.rejected_spans == 1
    assert "invalid trace id" in reply.partial_success.error_message
    assert rx.span_count(TRACE_ID.hex()) == 2
