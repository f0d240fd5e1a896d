"""A GraphQL trigger: an HTTP POST of ``{"query", "variables", "operationName"}`` as JSON.

As in the reference, empty ``variables`` and ``operationName`` are left out of the body, and
the request goes through the HTTP trigger (:mod:`.http`) with the GraphQL trigger's URL,
headers and ``sslVerification``.  tracespec also sends its ``auth`` (the reference drops it)
and a ``Content-Type: application/json`` header when none is written (GraphQL servers
require it; the reference sends none).
"""

from __future__ import annotations

import orjson

from .context import TraceContext
from .result import Response
from .settings import GraphqlRequest, HttpRequest

__all__ = ["as_http", "graphql_body", "send_graphql"]


def graphql_body(request: GraphqlRequest) -> str:
    """The JSON body of ``request``."""
    body: dict[str, object] = {"query": request.query}
    if request.variables:
        body["variables"] = request.variables
    if request.operation_name:
        body["operationName"] = request.operation_name
    return orjson.dumps(body).decode()


def as_http(request: GraphqlRequest) -> HttpRequest:
    """The HTTP request a GraphQL trigger sends."""
    headers = request.headers
    if not any(k.strip().lower() == "content-type" for k, _ in headers):
        headers = (*headers, ("Content-Type", "application/json"))
    return HttpRequest(
        url=request.url,
        method="POST",
        headers=headers,
        body=graphql_body(request),
        auth=request.auth,
        ssl_verification=request.ssl_verification,
    )


def send_graphql(request: GraphqlRequest, context: TraceContext, *, timeout: float) -> Response:
    """Send ``request`` in trace ``context`` and return the answer."""
    from .http import send_http

    return send_http(as_http(request), context, timeout=timeout)
