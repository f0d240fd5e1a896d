"""Sending a prepared trigger: :func:`fire` makes the trigger span's context, sends the request
with the module of its type (imported only then: httpx for HTTP and GraphQL, grpcio for gRPC)
and times it."""

from __future__ import annotations

import time

from .context import new_context
from .prepared import PreparedTrigger
from .result import Response, TriggerResult
from .settings import GraphqlRequest, GrpcRequest, HttpRequest

__all__ = ["fire"]


def fire(
    trigger: PreparedTrigger,
    *,
    timeout: float = 30.0,
    trace_id: str | None = None,
    tracestate: str | None = None,
) -> TriggerResult:
    """Send ``trigger`` and return what came back.

    The request belongs to trace ``trace_id`` (a new random one when ``None``) and carries a
    W3C ``traceparent`` naming a new trigger span (and ``tracestate`` when given), so the
    application's spans join that trace below the trigger span.  ``timeout`` (seconds) bounds
    connecting and each wait for the answer.  A request that gets no answer (connection
    refused, DNS failure, TLS error, timeout) is a :class:`~tracespec.TriggerError` with the
    reason in one line.
    """
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    context = new_context(trace_id, tracestate)
    request = trigger.request
    start = time.time_ns()
    response: Response
    if isinstance(request, HttpRequest):
        from .http import send_http

        response = send_http(request, context, timeout=timeout)
    elif isinstance(request, GraphqlRequest):
        from .graphql import send_graphql

        response = send_graphql(request, context, timeout=timeout)
    else:
        assert isinstance(request, GrpcRequest)
        from .grpc import send_grpc

        response = send_grpc(request, context, timeout=timeout, base_dir=trigger.base_dir)
    end = max(time.time_ns(), start)
    return TriggerResult(
        trace_id=context.trace_id,
        span_id=context.span_id,
        response=response,
        start_ns=start,
        end_ns=end,
        type=trigger.type,
    )
