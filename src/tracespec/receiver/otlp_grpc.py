"""The OTLP/gRPC server: ``opentelemetry.proto.collector.trace.v1.TraceService/Export`` with grpcio.

The service and method are those of the generated ``trace_service_pb2_grpc`` module; the
handler is registered with the same names but receives the request's raw bytes, so that the
receiver decodes them itself: data that does not decode is answered ``INVALID_ARGUMENT`` (the
generated servicer decodes before the handler runs, and grpcio answers a decoding failure
``INTERNAL``).  grpcio inflates gzip requests; ``grpc.max_receive_message_length`` is the size
cap (``RESOURCE_EXHAUSTED`` beyond it, as grpcio answers).  ``SO_REUSEPORT`` is turned off, so a
port another process listens on is an error, never a shared port; a port is checked to be free
before grpcio binds it, so the error is the operating system's, not a grpcio log line.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from ..errors import ReceiverError
from ._sockets import check_free
from .decode import PROTOBUF

__all__ = ["SERVICE", "GrpcServer"]

Ingest = Callable[[bytes, str], tuple[int, str]]


SERVICE = str(trace_service_pb2.DESCRIPTOR.services_by_name["TraceService"].full_name)


class _Servicer(trace_service_pb2_grpc.TraceServiceServicer):
    """The generated servicer's ``Export``, given the request's bytes (decoded by ``ingest``)."""

    def __init__(self, ingest: Ingest) -> None:
        self._ingest = ingest

    def Export(self, request: bytes, context: Any) -> bytes:  # (the generated name)
        """Take one export request; answer an ``ExportTraceServiceResponse``."""
        try:
            rejected, message = self._ingest(request, PROTOBUF)
        except ReceiverError as exc:
            code = (grpc.StatusCode.RESOURCE_EXHAUSTED if exc.status == 413
                    else grpc.StatusCode.INVALID_ARGUMENT)
            context.abort(code, exc.message)
        reply = trace_service_pb2.ExportTraceServiceResponse()
        if rejected or message:
            reply.partial_success.rejected_spans = rejected
            reply.partial_success.error_message = message
        return reply.SerializeToString()  # type: ignore[no-any-return]


class GrpcServer:
    """OTLP/gRPC on ``host:port`` (port 0: a free one), worker threads of grpcio's own."""

    def __init__(self, host: str, port: int, ingest: Ingest, max_body: int) -> None:
        self._host = host
        self._port = port
        self._ingest = ingest
        self._max_body = max_body
        self._server: Any = None
        self.address: str | None = None

    def start(self) -> str:
        """Bind and serve; the address bound (``HOST:PORT``)."""
        check_free(self._host, self._port, "grpc")  # (the OS's words; grpcio would log)
        server = grpc.server(
            ThreadPoolExecutor(max_workers=4, thread_name_prefix="tracespec-otlp-grpc"),
            options=[
                ("grpc.max_receive_message_length", self._max_body),
                ("grpc.so_reuseport", 0),
            ],
        )
        # no request_deserializer: Export gets the bytes
        handler = grpc.unary_unary_rpc_method_handler(_Servicer(self._ingest).Export)
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(SERVICE, {"Export": handler}),))
        host = f"[{self._host}]" if ":" in self._host else self._host
        wanted = f"{host}:{self._port}"
        try:
            port = server.add_insecure_port(wanted)
        except RuntimeError:
            port = 0
        if not port:
            server.stop(None)
            raise ReceiverError(
                f"cannot listen on {self._host}:{self._port}: address already in use or "
                "not available", address=f"{self._host}:{self._port}", protocol="grpc",
            )
        server.start()
        self._server = server
        self.address = f"{self._host}:{port}"
        return self.address

    def stop(self) -> None:
        """Stop serving (calls in flight are cancelled after a short grace) and wait."""
        if self._server is not None:
            self._server.stop(grace=0.5).wait()
            self._server = None
