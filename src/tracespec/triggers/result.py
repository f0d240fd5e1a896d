"""What a trigger got back: the :class:`Response`, and the :class:`TriggerResult` a run joins to
the application's trace (the trigger span's ids and times, and that span as OTLP)."""

from __future__ import annotations

import attrs

from .settings import Headers

__all__ = ["Response", "TriggerResult"]


@attrs.frozen
class Response:
    """What the application answered.

    ``status`` is the HTTP status, or for gRPC the status code's number (``status_name`` its
    name: ``OK``, ``NOT_FOUND``, ...); ``headers`` the HTTP headers (names as Go writes them,
    ``Content-Type``) or the gRPC response metadata, in the order received; ``body`` the body
    as text, or for gRPC the reply message as JSON (empty when the call failed).
    """

    status: int
    headers: Headers
    body: str
    status_name: str = ""


@attrs.frozen
class TriggerResult:
    """A trigger that was sent: the trace the application's spans join (``trace_id``, 32 hex),
    the trigger span (``span_id``, 16 hex: the parent of the application's first span), the
    :class:`Response`, when the request started and ended (Unix nanoseconds), and the trigger
    type (``http``, ``grpc``, ``graphql``)."""

    trace_id: str
    span_id: str
    response: Response
    start_ns: int
    end_ns: int
    type: str = "http"

    def span_request(self) -> bytes:
        """The trigger span, ``Tracetest trigger``, as a serialized OTLP
        ``ExportTraceServiceRequest``, to be added to the spans received for ``trace_id``."""
        from .span import response_attributes, trigger_span_request

        response = self.response
        return trigger_span_request(
            trace_id=self.trace_id,
            span_id=self.span_id,
            start_ns=self.start_ns,
            end_ns=self.end_ns,
            attributes=response_attributes(response.status, response.headers, response.body),
        )
