"""An OTLP trace receiver inside the test process: :class:`Receiver`.

Applications (or their OpenTelemetry Collector) export to it over OTLP/HTTP (:mod:`.otlp_http`,
aiohttp) and OTLP/gRPC (:mod:`.otlp_grpc`, grpcio), both served from background threads.  Each
request is decoded (:mod:`.decode`), cut per trace id (:mod:`.split`) and held (:mod:`.store`,
bounded by ``max_spans``); :meth:`Receiver.trace` assembles a trace from what arrived so far
with the normal loader, and :meth:`Receiver.wait` sleeps until spans arrive.  A capture file
(:mod:`.capture`) gets every accepted request as a line of OTLP JSON.

This package sits between the test files and the floors it uses (it decodes with
:mod:`tracespec.formats` and assembles with :mod:`tracespec.trace`); aiohttp and grpcio are
imported only when a server starts.
"""

from __future__ import annotations

import os
import threading
from typing import IO, TYPE_CHECKING, Any

from ..errors import ReceiverError
from .decode import PROTOBUF, to_protobuf
from .split import split, traces_data
from .store import Store

if TYPE_CHECKING:
    from ..trace import Trace
    from .capture import CaptureWriter

__all__ = ["Receiver", "ReceiverError", "parse_address"]

_PROTOCOLS = {"http": "OTLP/HTTP", "grpc": "OTLP/gRPC"}


def parse_address(text: str, protocol: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:4317`` for IPv6; port 0 picks a free one) as (host, port)."""
    host, sep, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ReceiverError(
            f"not an address to listen on: {text!r} (expected HOST:PORT, e.g. 127.0.0.1:4318)",
            address=text, protocol=protocol,
        )
    return host, int(port)


class Receiver:
    """An OTLP receiver (HTTP and/or gRPC) holding the spans it receives, grouped per trace.

    ``http`` and ``grpc`` are ``"HOST:PORT"`` addresses (port 0: a free port, read back from
    :attr:`http_address` and :attr:`grpc_address` after :meth:`start`), or ``None`` to leave that
    protocol off.  At most ``max_spans`` spans are held (the oldest traces are dropped first,
    with a line in :attr:`warnings`); a request body larger than ``max_body_bytes`` once
    decompressed is refused (HTTP 413, gRPC ``RESOURCE_EXHAUSTED``).  ``capture`` (a path or a
    binary file object) gets every accepted request as a line of OTLP JSON.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`::

        with tracespec.Receiver(http="127.0.0.1:0", grpc=None) as rx:
            os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = rx.endpoint()
            ...  # the application exports its spans
            rx.wait(trace_id, timeout=10)
            trace = rx.trace(trace_id)

    Every method is thread-safe.
    """

    def __init__(
        self,
        *,
        http: str | None = "127.0.0.1:4318",
        grpc: str | None = "127.0.0.1:4317",
        max_spans: int = 2_000_000,
        max_body_bytes: int = 64 * 2**20,
        capture: str | os.PathLike[str] | IO[bytes] | None = None,
    ) -> None:
        self._http = parse_address(http, "http") if http is not None else None
        self._grpc = parse_address(grpc, "grpc") if grpc is not None else None
        if max_body_bytes < 1:
            raise ValueError("max_body_bytes must be at least 1")
        self.max_body_bytes = max_body_bytes
        self._store = Store(max_spans)
        self._capture_target = capture
        self._capture: CaptureWriter | None = None
        self._servers: list[Any] = []
        self._ready = threading.Event()
        self._ready.set()
        self.http_address: str | None = None
        self.grpc_address: str | None = None

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> Receiver:
        """Bind and serve; a :class:`ReceiverError` naming the address when one cannot be bound
        (nothing is left listening then).  Returns the receiver."""
        if self._servers:
            return self
        self._ready.clear()  # requests wait for the capture file (opened once bound)
        try:
            if self._grpc is not None:
                from .otlp_grpc import GrpcServer

                grpc_server = GrpcServer(*self._grpc, self._ingest, self.max_body_bytes)
                self.grpc_address = grpc_server.start()
                self._servers.append(grpc_server)
            if self._http is not None:
                self._start_http(*self._http)
            if self._capture_target is not None and self._capture is None:
                from .capture import CaptureWriter  # (an existing file is kept on a bind error)

                self._capture = CaptureWriter(self._capture_target)
        except BaseException:
            self.stop()
            raise
        finally:
            self._ready.set()
        return self

    def _start_http(self, host: str, port: int) -> None:
        from ._sockets import bind
        from .otlp_http import HttpServer

        sock = bind(host, port, "http")
        bound = sock.getsockname()
        server = HttpServer(sock, self._ingest, self._store.refused, self.max_body_bytes)
        server.start()
        self._servers.append(server)
        shown = f"[{host}]" if ":" in host else host
        self.http_address = f"{shown}:{bound[1]}"

    def stop(self) -> None:
        """Stop serving and join the server threads; flush and close the capture.  Idempotent."""
        servers, self._servers = self._servers, []
        for server in reversed(servers):
            server.stop()
        if self._capture is not None:
            self._capture.close()

    def __repr__(self) -> str:
        where = [f"{name}={address}" for name, address in
                 (("http", self.http_address), ("grpc", self.grpc_address)) if address]
        state = " ".join(where) if where and self._servers else "stopped"
        return (f"<Receiver {state} traces={len(self.trace_ids())} "
                f"spans={self._store.held_spans}>")

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def endpoint(self, protocol: str = "http") -> str:
        """The URL an OTLP exporter is given (``OTEL_EXPORTER_OTLP_ENDPOINT``), e.g.
        ``http://127.0.0.1:4318`` (``protocol`` is ``"http"`` or ``"grpc"``)."""
        if protocol not in _PROTOCOLS:
            raise ValueError(f"protocol must be 'http' or 'grpc', not {protocol!r}")
        address = self.http_address if protocol == "http" else self.grpc_address
        if address is None:
            raise ReceiverError(f"{_PROTOCOLS[protocol]} is not listening", protocol=protocol)
        return f"http://{address}"

    # -- receiving ---------------------------------------------------------------------------

    def _ingest(self, body: bytes, content_type: str) -> tuple[int, str]:
        """Decode, cut and hold one request; (spans rejected, why) for the reply."""
        self._ready.wait()
        try:
            data = to_protobuf(body, content_type)
            batch = split(data)
        except ReceiverError:
            self._store.refused()
            raise
        self._store.put(batch)
        if self._capture is not None and batch.parts:
            if batch.rejected or len(batch.parts) > 1:
                data = traces_data(c for p in batch.parts.values() for c in p[0])
            self._capture.write(data)
        return batch.rejected, batch.reason

    def add(self, body: bytes, content_type: str = PROTOBUF) -> None:
        """Take an export request as if it had been received (a serialized
        ``ExportTraceServiceRequest`` or ``TracesData``, or OTLP JSON with ``content_type``
        ``application/json``); a :class:`ReceiverError` when it does not decode.  Spans with
        invalid ids are left out (and counted in a warning)."""
        if len(body) > self.max_body_bytes:
            self._store.refused()
            raise ReceiverError(f"the body is larger than {self.max_body_bytes} bytes",
                                status=413)
        kind = content_type.split(";", 1)[0].strip().lower()  # (parameters such as charset)
        rejected, reason = self._ingest(bytes(body), kind)
        if rejected:
            self._store.warnings.append(reason)

    # -- what arrived ------------------------------------------------------------------------

    def trace_ids(self) -> list[str]:
        """The ids (32 hex digits) of the traces held, in order of first arrival."""
        return self._store.trace_ids()

    def span_count(self, trace_id: str) -> int:
        """How many spans of ``trace_id`` are held (0 when none)."""
        return self._store.span_count(trace_id.lower())

    def last_arrival(self, trace_id: str) -> float | None:
        """``time.monotonic()`` when the last span of ``trace_id`` arrived (``None``: none)."""
        return self._store.last_arrival(trace_id.lower())

    def services(self, trace_id: str) -> list[str]:
        """The ``service.name`` of the resources that sent spans of ``trace_id``."""
        return self._store.services(trace_id.lower())

    def trace(self, trace_id: str) -> Trace | None:
        """The :class:`~tracespec.Trace` of every span of ``trace_id`` received so far,
        assembled as from a file (repairs included), or ``None`` when none arrived."""
        return self._store.trace(trace_id.lower())

    def data(self, trace_id: str) -> bytes | None:
        """The spans of ``trace_id`` received so far as one serialized OTLP ``TracesData``
        (what :func:`tracespec.load_traces` reads, beside spans of other sources), or ``None``
        when none arrived."""
        return self._store.data(trace_id.lower())

    def traces(self) -> list[Trace]:
        """Every trace held, in order of first arrival."""
        out = []
        for trace_id in self.trace_ids():
            trace = self._store.trace(trace_id)
            if trace is not None:
                out.append(trace)
        return out

    def wait(self, trace_id: str | None = None, *, since: int = 0, timeout: float) -> int:
        """Block until more than ``since`` spans are held of ``trace_id`` (with ``None``: until
        more than ``since`` spans were received in all), or ``timeout`` seconds pass; return the
        count then.  Sleeps on a condition, never polls."""
        return self._store.wait(trace_id.lower() if trace_id else None, since, timeout)

    def forget(self, trace_id: str) -> None:
        """Drop the spans held of ``trace_id`` (its memory is freed)."""
        self._store.forget(trace_id.lower())

    @property
    def warnings(self) -> list[str]:
        """What the receiver had to drop, in words (e.g. a trace over ``max_spans``)."""
        return self._store.warnings

    @property
    def received_spans(self) -> int:
        """Spans accepted since the start (including those dropped or forgotten since)."""
        return self._store.received_spans

    @property
    def received_batches(self) -> int:
        """Export requests accepted."""
        return self._store.received_batches

    @property
    def rejected_batches(self) -> int:
        """Export requests refused whole (400, 413, 415)."""
        return self._store.rejected_batches
