"""Which fields of a trigger the run's templating (``${var:X}``, ``${env:X}``) applies to.

The reference resolves, for ``http``: the URL, each header's key and value, the body and the
auth values (an API key's name, value and ``in``; basic's username and password; bearer's
token); for ``grpc``: the address, the method, the metadata keys and values and the request.
tracespec does the same (the metadata too: the reference meant to and lost the result, a bug),
and also resolves what the reference sends without templating: gRPC's auth (which tracespec
sends as metadata) and GraphQL's URL, headers, auth, query, operation name and the string
values of its variables.  The method, ``sslVerification``, ``service`` and a ``protobufFile``
are used as written.  File references are read first, so a body read from a file is templated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .settings import Auth, GraphqlRequest, GrpcRequest, Headers, HttpRequest

__all__ = ["Resolve", "resolve_graphql", "resolve_grpc", "resolve_http"]

#: The run's templating: text in, text with its ``${...}`` references resolved out.
Resolve = Callable[[str], str]


def _headers(headers: Headers, resolve: Resolve) -> Headers:
    return tuple((resolve(key), resolve(value)) for key, value in headers)


def _auth(auth: Auth | None, resolve: Resolve) -> Auth | None:
    if auth is None:
        return None
    if auth.type == "apiKey":
        return attrs.evolve(auth, key=resolve(auth.key), value=resolve(auth.value),
                            location=resolve(auth.location))
    if auth.type == "basic":
        return attrs.evolve(auth, username=resolve(auth.username),
                            password=resolve(auth.password))
    return attrs.evolve(auth, token=resolve(auth.token))


def resolve_http(request: HttpRequest, resolve: Resolve) -> HttpRequest:
    """An HTTP trigger with its templated fields resolved."""
    return attrs.evolve(
        request,
        url=resolve(request.url),
        headers=_headers(request.headers, resolve),
        body=resolve(request.body) if request.body else "",
        auth=_auth(request.auth, resolve),
    )


def resolve_grpc(request: GrpcRequest, resolve: Resolve) -> GrpcRequest:
    """A gRPC trigger with its templated fields resolved."""
    return attrs.evolve(
        request,
        address=resolve(request.address),
        method=resolve(request.method),
        metadata=_headers(request.metadata, resolve),
        request=resolve(request.request) if request.request else "",
        auth=_auth(request.auth, resolve),
    )


def _deep(value: Any, resolve: Resolve) -> Any:
    if isinstance(value, str):
        return resolve(value)
    if isinstance(value, Mapping):
        return {k: _deep(v, resolve) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_deep(v, resolve) for v in value]
    return value


def resolve_graphql(request: GraphqlRequest, resolve: Resolve) -> GraphqlRequest:
    """A GraphQL trigger with its templated fields resolved."""
    return attrs.evolve(
        request,
        url=resolve(request.url),
        query=resolve(request.query) if request.query else "",
        variables=_deep(request.variables, resolve),
        operation_name=resolve(request.operation_name),
        headers=_headers(request.headers, resolve),
        auth=_auth(request.auth, resolve),
    )
