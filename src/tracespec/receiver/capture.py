"""Writing what the receiver accepts as OTLP JSON Lines, one request a line.

Each accepted request (the spans kept, rejected ones left out) becomes one line: an
``ExportTraceServiceRequest`` in the OTLP JSON encoding (hex ids, enums as integers, 64-bit
integers as strings), the format of the Collector's file exporter, which ``tracespec run
--trace`` and every loader read back.  Lines are written whole under a lock and flushed, so a
file is readable while a capture runs and complete when it is stopped.
"""

from __future__ import annotations

import os
import threading
from typing import IO, Any

from .decode import hex_ids

__all__ = ["CaptureWriter", "to_otlp_json"]

_SPAN_IDS = ("traceId", "spanId", "parentSpanId")
_LINK_IDS = ("traceId", "spanId")


def to_otlp_json(data: bytes) -> bytes:
    """A serialized ``ExportTraceServiceRequest`` as one line of OTLP JSON (no newline)."""
    import orjson
    from google.protobuf import json_format
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    doc: dict[str, Any] = json_format.MessageToDict(
        ExportTraceServiceRequest.FromString(data), use_integers_for_enums=True
    )
    for rs in doc.get("resourceSpans", ()):
        for ss in rs.get("scopeSpans", ()):
            for span in ss.get("spans", ()):
                hex_ids(span, _SPAN_IDS)
                for link in span.get("links", ()):
                    hex_ids(link, _LINK_IDS)
    return orjson.dumps(doc)


class CaptureWriter:
    """JSON Lines into a file named by a path (created, closed by :meth:`close`) or into a
    binary file object (left open)."""

    def __init__(self, target: str | os.PathLike[str] | IO[bytes]) -> None:
        self._lock = threading.Lock()
        if isinstance(target, str | os.PathLike):
            self._file: IO[bytes] = open(target, "wb")  # noqa: SIM115 (closed by close())
            self._owned = True
        else:
            self._file = target
            self._owned = False
        self.lines = 0

    def write(self, data: bytes) -> None:
        """Append one request (a serialized ``ExportTraceServiceRequest``) as a line."""
        line = to_otlp_json(data) + b"\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()
            self.lines += 1

    def close(self) -> None:
        """Flush, and close the file when it was opened here."""
        with self._lock:
            if self._file.closed:
                return
            self._file.flush()
            if self._owned:
                self._file.close()
