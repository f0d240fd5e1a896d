"""The trigger span, ``Tracetest trigger``, as the OTLP a run adds to the application's spans.

As in the reference, the span is the root of the test's trace: it has the trigger's start and
end, ``service.name`` ``tracetest`` (here a resource attribute), no parent, no status and no
kind (``unspecified``), and carries what the trigger got back: ``tracetest.response.status``
(the HTTP status, or the gRPC status code, as decimal text), ``tracetest.response.body`` and
``tracetest.response.headers`` (a JSON array of ``{"key", "value"}``, ``value`` left out when
empty, ``null`` for no headers, written as Go's encoder writes it).  Its id is the span id of
the ``traceparent`` the request carried, so the application's first span is its child.  Its
type is ``general`` (every attribute it has is a ``tracetest.`` one).
"""

from __future__ import annotations

import json

from ..trace.tracetest import TRIGGER_SPAN_NAME
from .settings import Headers

__all__ = ["SERVICE_NAME", "headers_json", "response_attributes", "trigger_span_request"]

#: The ``service.name`` of the trigger span, as the reference names it.
SERVICE_NAME = "tracetest"
_SCOPE = "tracespec.triggers"

_GO_ESCAPES = str.maketrans({
    "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029",
})


def headers_json(headers: Headers) -> str:
    """``tracetest.response.headers``: the JSON Go's ``encoding/json`` writes for the
    reference's header list (``omitempty`` keys and values, HTML characters escaped)."""
    if not headers:
        return "null"
    items = []
    for key, value in headers:
        item = {}
        if key:
            item["key"] = key
        if value:
            item["value"] = value
        items.append(item)
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_GO_ESCAPES)


def response_attributes(status: int, headers: Headers, body: str) -> dict[str, str]:
    """The ``tracetest.response.*`` attributes of the trigger span."""
    return {
        "tracetest.response.status": str(status),
        "tracetest.response.body": body,
        "tracetest.response.headers": headers_json(headers),
    }


def trigger_span_request(
    *, trace_id: str, span_id: str, start_ns: int, end_ns: int, attributes: dict[str, str]
) -> bytes:
    """The trigger span in a serialized ``ExportTraceServiceRequest``: ids in hex, times in
    Unix nanoseconds, its attributes (:func:`response_attributes`)."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.trace.v1.trace_pb2 import Span

    def attribute(key: str, value: str) -> KeyValue:
        return KeyValue(key=key, value=AnyValue(string_value=value))

    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.append(attribute("service.name", SERVICE_NAME))
    scope_spans = resource_spans.scope_spans.add()
    scope_spans.scope.name = _SCOPE
    span = scope_spans.spans.add()
    span.trace_id = bytes.fromhex(trace_id)
    span.span_id = bytes.fromhex(span_id)
    span.name = TRIGGER_SPAN_NAME
    span.kind = Span.SPAN_KIND_UNSPECIFIED
    span.start_time_unix_nano = start_ns
    span.end_time_unix_nano = end_ns
    span.attributes.extend(attribute(k, v) for k, v in attributes.items())
    return bytes(request.SerializeToString())
