"""One export request's body, as received, to validated OTLP protobuf bytes.

What the OTLP/HTTP and gRPC servers and :meth:`tracespec.Receiver.add` share: the size cap
(checked on the decompressed bytes, as they are inflated: a gzip bomb stops at the cap), the two
content types (``application/x-protobuf`` is checked by a full parse with the real OTLP schema,
so that a body which does not decode is refused whole; ``application/json`` is OTLP JSON, its
hex ids turned into bytes, converted once to protobuf), and the refusals as
:class:`~tracespec.errors.ReceiverError` carrying the HTTP status to answer with.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

from ..errors import ReceiverError

__all__ = [
    "JSON",
    "PROTOBUF",
    "Inflater",
    "refuse",
    "to_protobuf",
]

PROTOBUF = "application/x-protobuf"
JSON = "application/json"


def refuse(status: int, message: str) -> ReceiverError:
    """The error refusing a request with HTTP ``status``."""
    return ReceiverError(message, status=status)


def too_large(limit: int) -> ReceiverError:
    """The refusal of a body over the cap."""
    return refuse(413, f"the request body is larger than {limit} bytes (decompressed)")


class Inflater:
    """gzip decompression fed chunk by chunk, refusing output beyond ``limit`` bytes (the input
    past the point where the output reaches the cap is never inflated)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        self._fed = False
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, chunk: bytes) -> None:
        """Inflate ``chunk``; a :class:`ReceiverError` (413) once the output passes the cap,
        (400) for data that is not gzip."""
        data = chunk
        self._fed = self._fed or bool(chunk)
        while data:
            try:
                out = self._inflate.decompress(data, self.limit + 1 - self._size)
            except zlib.error as exc:
                raise refuse(400, f"the body is not valid gzip data ({exc})") from None
            self._size += len(out)
            if self._size > self.limit:
                raise too_large(self.limit)
            self._parts.append(out)
            data = self._inflate.unconsumed_tail
            if self._inflate.eof:  # another gzip member may follow (concatenated gzip)
                data = self._inflate.unused_data + data
                if not data:
                    break
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def finish(self) -> bytes:
        """The whole decompressed body; a 400 when the gzip stream is cut short."""
        if self._fed and not self._inflate.eof:
            raise refuse(400, "the body is truncated gzip data")
        return b"".join(self._parts)


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress a whole gzip body under the cap."""
    inflater = Inflater(limit)
    inflater.feed(data)
    return inflater.finish()


def to_protobuf(body: bytes, content_type: str) -> bytes:
    """The serialized ``ExportTraceServiceRequest`` a body of ``content_type`` holds, checked
    to decode; a :class:`ReceiverError` (400, or 415 for another content type) otherwise."""
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    if content_type == PROTOBUF:
        try:
            ExportTraceServiceRequest.FromString(body)
        except (DecodeError, RuntimeError) as exc:
            raise refuse(
                400, f"the body is not an OTLP ExportTraceServiceRequest ({_why(exc)})"
            ) from None
        return body
    if content_type == JSON:
        return _json_to_protobuf(body, ExportTraceServiceRequest)
    raise refuse(
        415, f"unsupported content type {content_type!r} (use {PROTOBUF} or {JSON})"
    )


def _why(exc: Exception) -> str:
    text = str(exc)
    for prefix in ("Error parsing message with type ", "Error parsing message"):
        if text.startswith(prefix):
            text = text[len(prefix):].lstrip(": ")
            text = text.split(" ", 1)[1] if text.startswith("'") and " " in text else text
    return text.strip() or "malformed protobuf"


def _json_to_protobuf(body: bytes, message_class: Any) -> bytes:
    import orjson
    from google.protobuf import json_format

    try:
        doc = orjson.loads(body)
    except (orjson.JSONDecodeError, RecursionError) as exc:
        raise refuse(400, f"the body is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise refuse(400, "the body is not an OTLP JSON object")
    for spans in _span_lists(doc):
        for span in spans:
            if isinstance(span, dict):
                _ids_to_base64(span, ("traceId", "trace_id", "spanId", "span_id",
                                      "parentSpanId", "parent_span_id"))
                for link in span.get("links") or ():
                    if isinstance(link, dict):
                        _ids_to_base64(link, ("traceId", "trace_id", "spanId", "span_id"))
    try:
        msg = json_format.ParseDict(doc, message_class(), ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError, AttributeError) as exc:
        raise refuse(400, f"the body is not OTLP JSON ({exc})") from None
    except RecursionError:
        raise refuse(400, "the body is not OTLP JSON (values nested too deeply)") from None
    return msg.SerializeToString()  # type: ignore[no-any-return]


def _items(obj: Any, *keys: str) -> list[Any]:
    for key in keys:
        value = obj.get(key) if isinstance(obj, dict) else None
        if isinstance(value, list):
            return value
    return []


def _span_lists(doc: dict[str, Any]) -> list[list[Any]]:
    out = []
    for rs in _items(doc, "resourceSpans", "resource_spans"):
        for ss in _items(rs, "scopeSpans", "scope_spans"):
            out.append(_items(ss, "spans"))
    return out


def _ids_to_base64(obj: dict[str, Any], keys: tuple[str, ...]) -> None:
    """OTLP JSON writes ids in hex, proto3 JSON reads bytes as base64: convert in place (an id
    that is not hex becomes empty, so the span is rejected for its id, not the whole body)."""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str):
            try:
                raw = bytes.fromhex(value)
            except ValueError:
                raw = b""
            obj[key] = base64.b64encode(raw).decode("ascii")


def hex_ids(obj: dict[str, Any], keys: tuple[str, ...]) -> None:
    """The reverse of :func:`_ids_to_base64`, for writing OTLP JSON: base64 ids to hex."""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str):
            try:
                obj[key] = base64.b64decode(value, validate=True).hex()
            except (binascii.Error, ValueError):
                obj[key] = ""
