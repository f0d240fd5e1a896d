"""Grafana Tempo over gRPC: ``tempopb.Querier/FindTraceByID``, as the reference asks it.

The stubs are generated from Tempo's ``tempo.proto`` (:mod:`._pb`, tools/gen_datastore_protos.py).
The answer's ``tempopb.Trace`` is wire-compatible with OTLP ``TracesData`` and is read as OTLP
protobuf.  ``NOT_FOUND``, "trace not found" and a trace with no batch are *not there yet*.
"""

from __future__ import annotations

from typing import Any

from ._grpc import channel, failure, metadata, not_found
from .config import DataStore

__all__ = ["TempoGrpc"]


class TempoGrpc:
    """Reads traces from Tempo's gRPC querier."""

    def __init__(self, store: DataStore, *, timeout: float) -> None:
        from ._pb.tempo import tempo_pb2_grpc

        self.store = store
        self.timeout = timeout
        self._channel = channel(store)
        self._stub = tempo_pb2_grpc.QuerierStub(self._channel)

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()

    def get(self, trace_id: str) -> list[Any] | None:
        """The trace as OTLP protobuf, ``None`` when Tempo has none of its spans."""
        import grpc

        from ._pb.tempo import tempo_pb2

        request = tempo_pb2.TraceByIDRequest(traceID=bytes.fromhex(trace_id))
        try:
            response = self._stub.FindTraceByID(request, timeout=self.timeout,
                                                metadata=metadata(self.store))
        except grpc.RpcError as exc:
            if not_found(exc):
                return None
            raise failure(self.store, exc, self.timeout) from None
        if not response.HasField("trace") or not response.trace.resourceSpans:
            return None
        return [response.trace.SerializeToString()]
