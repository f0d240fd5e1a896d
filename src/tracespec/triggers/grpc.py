"""Calling a gRPC trigger with grpcio: the method found in the schema, the request read from
JSON, the reply written as JSON, the status and metadata kept.

``method`` is ``package.Service.Method`` or ``package.Service/Method`` (the reference's forms),
or a bare method name of ``service``.  ``request`` is the request message as JSON (protobuf's
JSON mapping, unknown fields ignored as the reference does); a client-streaming method takes
several JSON objects one after the other, or a JSON array of them.  The reply is ``body``:
protobuf's JSON with default values written and two-space indents (for a server-streaming
method the last message, as the reference keeps it); ``status`` the gRPC status code,
``headers`` the response's initial metadata.  A call the server answers with an error status
is a response like any other; one that reaches no server (connection refused, DNS failure,
timeout) is a :class:`TriggerError`.

The connection is plaintext, as in the reference.  Metadata keys are sent in lowercase (as
gRPC requires); values of ``-bin`` keys are base64, as grpcurl reads them.  ``auth`` (which the
reference ignores for gRPC) is sent as metadata: ``authorization: Basic ...`` or ``Bearer
...``, or the API key's own key.  Reflection questions carry the same metadata, without the
trace context.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from ..errors import TriggerError
from .context import TraceContext
from .protos import Method, Schema, compile_schema, reflect_schema
from .result import Response
from .settings import Auth, GrpcRequest, Headers

__all__ = ["find_method", "metadata_of", "send_grpc", "split_method"]

_FIELD = "spec.trigger.grpc"
_CONNECT_FAILURES = (
    "failed to connect", "connection refused", "dns resolution failed", "name resolution",
    "errors resolving", "lookup", "no address", "connect failed", "socket closed",
    "connection reset", "handshake",
)


def _grpc() -> Any:
    try:
        import grpc
    except ImportError:
        raise TriggerError(
            "gRPC triggers need grpcio: pip install 'tracespec[grpc]'", field=_FIELD) from None
    return grpc


def split_method(request: GrpcRequest) -> tuple[str, str]:
    """The service and method names ``request`` calls."""
    text = request.method.strip().lstrip("/")
    if "/" in text:
        service, name = text.rsplit("/", 1)
    elif "." in text:
        service, name = text.rsplit(".", 1)
    else:
        service, name = request.service.strip(), text
    if not service:
        raise TriggerError(
            f"method {text!r} names no service (write package.Service.Method, or give service)",
            field=_FIELD + ".method",
        )
    return service, name


def find_method(schema: Schema, request: GrpcRequest) -> Method:
    """The method of ``schema`` that ``request`` names; a :class:`TriggerError` listing the
    services when there is none."""
    service, name = split_method(request)
    tried = [(service, name)]
    if request.service.strip():
        tried.append((request.service.strip(), request.method.strip()))
    for key in tried:
        if key in schema.methods:
            return schema.methods[key]
    services = ", ".join(schema.services()) or "none"
    raise TriggerError(
        f"no method {service}/{name} in the schema (services: {services})",
        field=_FIELD + ".method",
    )


def _auth_metadata(auth: Auth | None) -> list[tuple[str, str]]:
    if auth is None:
        return []
    if auth.type == "apiKey":
        return [(auth.key.strip().lower(), auth.value)]
    if auth.type == "basic":
        pair = f"{auth.username}:{auth.password}".encode()
        return [("authorization", "Basic " + base64.b64encode(pair).decode("ascii"))]
    token = auth.token.strip()
    if not token.lower().startswith("bearer "):
        token = "Bearer " + token
    return [("authorization", token)]


def metadata_of(request: GrpcRequest, context: TraceContext) -> list[tuple[str, str | bytes]]:
    """The metadata the call sends: what is written (empty keys skipped), the auth, the trace
    context; keys lowercase, ``-bin`` values decoded from base64."""
    pairs = [(k.strip().lower(), v) for k, v in request.metadata if k.strip()]
    pairs += _auth_metadata(request.auth)
    trace_keys = {k for k, _ in context.headers()}
    pairs = [(k, v) for k, v in pairs if k not in trace_keys] + list(context.headers())
    out: list[tuple[str, str | bytes]] = []
    for i, (key, value) in enumerate(pairs):
        if key.endswith("-bin"):
            try:
                out.append((key, base64.b64decode(value, validate=True)))
            except (binascii.Error, ValueError):
                raise TriggerError(
                    f"the value of binary key {key!r} is not base64",
                    field=f"{_FIELD}.metadata[{i}].value") from None
        else:
            out.append((key, value))
    return out


def _messages(text: str, method: Method, schema: Schema) -> list[Any]:
    """The request messages: each JSON object of ``text`` (none: one empty message)."""
    from google.protobuf import json_format

    cls = schema.message_class(method.input_type)
    decoder = json.JSONDecoder()
    objects: list[Any] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        try:
            obj, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise TriggerError(f"the request is not JSON: {exc}", field=_FIELD + ".request") \
                from None
        if isinstance(obj, list) and method.client_streaming:
            objects.extend(obj)  # a JSON array of the messages of a stream
        else:
            objects.append(obj)
        pos = end
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
    if not objects:
        objects = [{}]
    if len(objects) > 1 and not method.client_streaming:
        raise TriggerError(
            f"{method.service}/{method.name} takes one request message, got {len(objects)}",
            field=_FIELD + ".request",
        )
    out = []
    for obj in objects:
        message = cls()
        try:
            json_format.ParseDict(obj, message, ignore_unknown_fields=True,
                                  descriptor_pool=schema.pool)
        except json_format.ParseError as exc:
            raise TriggerError(
                f"the request does not fit {method.input_type}: {exc}", field=_FIELD + ".request"
            ) from None
        out.append(message)
    return out


def _json(message: Any, schema: Schema) -> str:
    from google.protobuf import json_format

    try:  # protobuf 5.26 renamed the option
        return str(json_format.MessageToJson(
            message, descriptor_pool=schema.pool, always_print_fields_with_no_presence=True))
    except TypeError:
        return str(json_format.MessageToJson(
            message, descriptor_pool=schema.pool, including_default_value_fields=True))


def _headers(metadata: Any) -> Headers:
    out = []
    for key, value in metadata or ():
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        out.append((str(key), str(value)))
    return tuple(out)


def _schema(request: GrpcRequest, channel: Any, timeout: float, base_dir: Path,
            metadata: list[tuple[str, str | bytes]]) -> Schema:
    if request.protobuf_file.strip():
        return compile_schema(request.protobuf_file, request.protobuf_path, str(base_dir),
                              _FIELD + ".protobufFile")
    service, _ = split_method(request)
    return reflect_schema(channel, service, timeout, _FIELD + ".protobufFile", metadata)


def _invoke(channel: Any, method: Method, messages: list[Any], schema: Schema,
            metadata: list[tuple[str, str | bytes]], timeout: float) -> tuple[Any, list[Any]]:
    """Make the call; the call object (for status and metadata) and the reply messages."""
    kinds = {
        (False, False): channel.unary_unary,
        (False, True): channel.unary_stream,
        (True, False): channel.stream_unary,
        (True, True): channel.stream_stream,
    }
    callable_ = kinds[(method.client_streaming, method.server_streaming)](
        method.path,
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=schema.message_class(method.output_type).FromString,
    )
    argument = iter(messages) if method.client_streaming else messages[0]
    if method.server_streaming:
        call = callable_(argument, timeout=timeout, metadata=metadata)
        return call, list(call)
    reply, call = callable_.with_call(argument, timeout=timeout, metadata=metadata)
    return call, [reply]


def _failure(exc: Any, grpc: Any, request: GrpcRequest, timeout: float) -> TriggerError | None:
    """The :class:`TriggerError` of a call that reached no server, or ``None`` for a status
    the server gave."""
    code, details = exc.code(), str(exc.details() or "")
    where = f"grpc {request.address.strip()}"
    if code == grpc.StatusCode.DEADLINE_EXCEEDED and details.lower() == "deadline exceeded":
        return TriggerError(f"{where}: timed out after {timeout:g}s")
    if code == grpc.StatusCode.UNAVAILABLE and not exc.initial_metadata() and any(
        word in details.lower() for word in _CONNECT_FAILURES
    ):
        reason = " ".join(details.split())
        if "connection refused" in reason.lower():
            reason = "connection refused"
        elif any(w in reason.lower() for w in ("dns", "resolution", "resolving", "lookup")):
            reason = f"DNS failure: {reason}"
        return TriggerError(f"{where}: cannot connect: {reason}")
    return None


def send_grpc(
    request: GrpcRequest, context: TraceContext, *, timeout: float, base_dir: Path
) -> Response:
    """Call ``request`` in trace ``context`` and return the answer."""
    grpc = _grpc()
    metadata = metadata_of(request, context)
    trace_keys = {k for k, _ in context.headers()}
    own = [(k, v) for k, v in metadata if k not in trace_keys]
    secrets = [v for _, v in request.metadata if len(v) >= 3]
    if request.auth is not None:
        secrets.extend(request.auth.secrets)
    with grpc.insecure_channel(request.address.strip()) as channel:
        try:
            schema = _schema(request, channel, timeout, base_dir, own)
        except grpc.RpcError as exc:
            failure = _failure(exc, grpc, request, timeout) or TriggerError(
                f"grpc {request.address.strip()}: server reflection failed: "
                f"{exc.code().name}: {exc.details()}", field=_FIELD + ".protobufFile")
            raise _scrubbed(failure, secrets) from None
        method = find_method(schema, request)
        messages = _messages(request.request, method, schema)
        try:
            call, replies = _invoke(channel, method, messages, schema, metadata, timeout)
        except grpc.RpcError as exc:
            lost = _failure(exc, grpc, request, timeout)
            if lost is not None:
                raise _scrubbed(lost, secrets) from None
            return Response(
                status=exc.code().value[0],
                headers=_headers(exc.initial_metadata()),
                body="",
                status_name=exc.code().name,
            )
    code = call.code()
    return Response(
        status=code.value[0],
        headers=_headers(call.initial_metadata()),
        body=_json(replies[-1], schema) if replies else "",
        status_name=code.name,
    )


def _scrubbed(error: TriggerError, secrets: list[str]) -> TriggerError:
    message = error.message
    for secret in sorted(secrets, key=len, reverse=True):
        message = message.replace(secret, "***")
    return TriggerError(message, field=error.field)
