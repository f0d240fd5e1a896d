"""Jaeger over gRPC: the query service's ``GetTrace``, API v3 first, API v2 when v3 is absent.

The reference asks ``jaeger.api_v3.QueryService/GetTrace`` (a stream of OTLP ``TracesData``,
read as OTLP protobuf); a query service without it (``UNIMPLEMENTED``, Jaeger before 1.35)
is asked ``jaeger.api_v2.QueryService/GetTrace`` from then on, whose Jaeger-model spans
become Jaeger JSON spans for :mod:`tracespec.formats.jaeger`.  The stubs are generated from
jaeger-idl (:mod:`._pb`).  ``NOT_FOUND`` or "trace not found" is *not there yet*.
"""

from __future__ import annotations

import base64
from typing import Any

from ._grpc import channel, failure, metadata, not_found
from .config import DataStore

__all__ = ["JaegerGrpc"]

_TYPES = {0: "string", 1: "bool", 2: "int64", 3: "float64", 4: "binary"}


class JaegerGrpc:
    """Reads traces from Jaeger's gRPC query service."""

    def __init__(self, store: DataStore, *, timeout: float) -> None:
        from ._pb.jaeger.api_v2 import query_pb2_grpc as v2
        from ._pb.jaeger.api_v3 import query_service_pb2_grpc as v3

        self.store = store
        self.timeout = timeout
        self._channel = channel(store)
        self._v3 = v3.QueryServiceStub(self._channel)
        self._v2 = v2.QueryServiceStub(self._channel)
        self.api = "v3"

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()

    def get(self, trace_id: str) -> list[Any] | None:
        """The trace's sources for the loaders, ``None`` when Jaeger has none of its spans."""
        import grpc

        try:
            if self.api == "v3":
                try:
                    return self._get_v3(trace_id)
                except grpc.RpcError as exc:
                    if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                        raise
                    self.api = "v2"
            return self._get_v2(trace_id)
        except grpc.RpcError as exc:
            if not_found(exc):
                return None
            raise failure(self.store, exc, self.timeout) from None

    def _get_v3(self, trace_id: str) -> list[Any] | None:
        from ._pb.jaeger.api_v3 import query_service_pb2

        stream = self._v3.GetTrace(query_service_pb2.GetTraceRequest(trace_id=trace_id),
                                   timeout=self.timeout, metadata=metadata(self.store))
        chunks = [chunk.SerializeToString() for chunk in stream if chunk.resource_spans]
        return chunks or None

    def _get_v2(self, trace_id: str) -> list[Any] | None:
        from ._pb.jaeger.api_v2 import query_pb2

        stream = self._v2.GetTrace(query_pb2.GetTraceRequest(trace_id=bytes.fromhex(trace_id)),
                                   timeout=self.timeout, metadata=metadata(self.store))
        spans = [_v1_span(span) for chunk in stream for span in chunk.spans]
        return [{"data": [{"traceID": trace_id, "spans": spans}]}] if spans else None


def _tag(kv: Any) -> dict[str, Any]:
    kind = _TYPES.get(kv.v_type, "string")
    value: Any = {
        "string": kv.v_str, "bool": kv.v_bool, "int64": kv.v_int64, "float64": kv.v_float64,
        "binary": base64.b64encode(kv.v_binary).decode("ascii"),
    }[kind]
    return {"key": kv.key, "type": kind, "value": value}


def _us(stamp: Any) -> int:
    return int(stamp.seconds) * 1_000_000 + int(stamp.nanos) // 1000


def _v1_span(span: Any) -> dict[str, Any]:
    """A Jaeger-model span (protobuf) as a span of Jaeger's JSON API."""
    return {
        "traceID": span.trace_id.hex(), "spanID": span.span_id.hex(),
        "operationName": span.operation_name, "flags": span.flags,
        "references": [{"refType": "FOLLOWS_FROM" if r.ref_type == 1 else "CHILD_OF",
                        "traceID": r.trace_id.hex(), "spanID": r.span_id.hex()}
                       for r in span.references],
        "startTime": _us(span.start_time),
        "duration": int(span.duration.seconds) * 1_000_000 + int(span.duration.nanos) // 1000,
        "tags": [_tag(t) for t in span.tags],
        "logs": [{"timestamp": _us(log.timestamp), "fields": [_tag(f) for f in log.fields]}
                 for log in span.logs],
        "process": {"serviceName": span.process.service_name,
                    "tags": [_tag(t) for t in span.process.tags]},
    }
