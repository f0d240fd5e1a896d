"""The OTLP/HTTP server: ``POST /v1/traces`` with aiohttp, on an event loop in its own thread.

The listening socket is bound by the caller's thread (so a port in use is an error of
:meth:`HttpServer.start`, and port 0 gives the port actually bound); aiohttp serves it from a
background thread running its own asyncio loop (:class:`~._served.ServedApp`).  aiohttp's own
decompression is turned off:
the body is read in chunks, and a gzip body inflated chunk by chunk under the size cap
(:class:`~.decode.Inflater`), so neither a large body nor a gzip bomb is ever held whole.
Answers follow the OTLP/HTTP contract: 200 with an ``ExportTraceServiceResponse`` (its
``partial_success`` set when spans were rejected) in the request's encoding, 400/413/415 with a
``google.rpc.Status`` in that encoding, 404 and 405 elsewhere.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import ReceiverError
from ._served import ServedApp
from .decode import JSON, PROTOBUF, Inflater, refuse, too_large

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["HttpServer", "status_body"]

#: ``ingest(body, content_type) -> (rejected spans, message)``; raises ReceiverError.
Ingest = Callable[[bytes, str], tuple[int, str]]

_GRPC_CODES = {400: 3, 413: 8, 415: 3}  # INVALID_ARGUMENT, RESOURCE_EXHAUSTED


def status_body(status: int, message: str, content_type: str) -> bytes:
    """A ``google.rpc.Status`` (code, message) in the request's encoding."""
    code = _GRPC_CODES.get(status, 2)
    if content_type == JSON:
        import orjson

        return orjson.dumps({"code": code, "message": message})
    text = message.encode("utf-8")
    out = b"\x08" + bytes([code])
    n = len(text)
    length = bytearray()
    while n > 0x7F:
        length.append((n & 0x7F) | 0x80)
        n >>= 7
    length.append(n)
    return out + b"\x12" + bytes(length) + text


def _success_body(rejected: int, message: str, content_type: str) -> bytes:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceResponse,
    )

    if content_type == JSON:
        import orjson

        if not rejected and not message:
            return b"{}"
        return orjson.dumps(
            {"partialSuccess": {"rejectedSpans": str(rejected), "errorMessage": message}}
        )
    reply = ExportTraceServiceResponse()
    if rejected or message:
        reply.partial_success.rejected_spans = rejected
        reply.partial_success.error_message = message
    return reply.SerializeToString()  # type: ignore[no-any-return]


def _refusal(error: ReceiverError, content_type: str) -> web.Response:
    from aiohttp import web

    status = error.status or 400
    return web.Response(status=status, content_type=content_type,
                        body=status_body(status, error.message, content_type))


class HttpServer:
    """OTLP/HTTP on one bound socket, served from a thread of its own until :meth:`stop`."""

    def __init__(
        self, sock: socket.socket, ingest: Ingest, refused: Callable[[], None], max_body: int
    ) -> None:
        self._ingest = ingest
        self._refused = refused
        self._max_body = max_body
        # (aiohttp's own decompression off: _read inflates under the cap)
        self._served = ServedApp(sock, self._app, "tracespec-otlp-http",
                                 {"auto_decompress": False})

    def start(self) -> None:
        """Serve from a background thread (returns once the server accepts connections)."""
        error = self._served.start()
        if error is not None:
            raise ReceiverError(f"the OTLP/HTTP server did not start: {error}", protocol="http")

    def stop(self) -> None:
        """Stop serving, close the socket, join the thread."""
        self._served.stop()

    def _app(self) -> web.Application:
        from aiohttp import web

        app = web.Application(client_max_size=self._max_body)
        app.router.add_post("/v1/traces", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        from aiohttp import web

        ctype = request.content_type
        reply_type = JSON if ctype == JSON else PROTOBUF
        try:
            if ctype not in (JSON, PROTOBUF):
                raise refuse(415, f"unsupported content type {ctype!r} (use {PROTOBUF} or "
                             f"{JSON})")
            body = await self._read(request)
        except ReceiverError as exc:
            self._refused()
            return _refusal(exc, reply_type)
        try:
            rejected, message = self._ingest(body, ctype)
        except ReceiverError as exc:  # (counted by ingest)
            return _refusal(exc, reply_type)
        return web.Response(status=200, content_type=reply_type,
                            body=_success_body(rejected, message, reply_type))

    async def _read(self, request: web.Request) -> bytes:
        """The body, decompressed, under the cap."""
        encoding = request.headers.get("Content-Encoding", "").strip().lower()
        if encoding not in ("", "identity", "gzip"):
            raise refuse(415, f"unsupported content encoding {encoding!r} (use gzip or none)")
        limit = self._max_body
        length = request.content_length
        if length is not None and length > limit:
            raise too_large(limit)
        inflater = Inflater(limit) if encoding == "gzip" else None
        parts: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            if inflater is not None:
                inflater.feed(chunk)
            else:
                parts.append(chunk)
        return inflater.finish() if inflater is not None else b"".join(parts)
