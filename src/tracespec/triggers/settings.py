"""A trigger's settings read from plain data into frozen values, with errors naming the field.

The test file gives the mapping under ``httpRequest``, ``grpc`` or ``graphql`` (the reference's
field names, ``tracetest-languages.md`` §4.3); the readers here check its shape (a mapping,
strings, a list of ``{key, value}`` headers, a boolean ``sslVerification``, a known ``auth.type``)
and keep every string as written: file references and ``${...}`` templating are applied later
(:mod:`.files`, :mod:`.templating`), and the values only templating can give (a URL, an API key's
``in``) are checked after it by :func:`check_url`, :func:`check_auth` and :func:`check_grpc`.
Secrets (auth values, header values, bodies) are left out of every ``repr``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from ..errors import TriggerError

__all__ = [
    "AUTH_TYPES",
    "HTTP_METHODS",
    "Auth",
    "GraphqlRequest",
    "GrpcRequest",
    "Headers",
    "HttpRequest",
    "check_auth",
    "check_grpc",
    "check_headers",
    "check_metadata",
    "check_url",
    "read_graphql",
    "read_grpc",
    "read_http",
]

#: The HTTP methods of the reference's schema.
HTTP_METHODS = (
    "GET", "PUT", "POST", "PATCH", "DELETE", "COPY", "HEAD", "OPTIONS", "LINK", "UNLINK", "PURGE",
    "LOCK", "UNLOCK", "PROPFIND", "VIEW",
)
#: ``auth.type`` values, as the reference spells them (read case-insensitively).
AUTH_TYPES = ("apiKey", "basic", "bearer")

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")

#: Headers (or gRPC metadata) in the order written: ``(key, value)`` pairs, repeats kept.
Headers = tuple[tuple[str, str], ...]


def _keys_only(headers: Headers) -> str:
    return repr(tuple(f"{key}: ..." for key, _ in headers))


def _hidden(value: object) -> str:
    return "..." if value else "''"


@attrs.frozen
class Auth:
    """``auth``: ``apiKey`` (``key``, ``value``, ``in`` = ``location``), ``basic``
    (``username``, ``password``) or ``bearer`` (``token``)."""

    type: str
    key: str = ""
    value: str = attrs.field(default="", repr=_hidden)
    location: str = "header"
    username: str = ""
    password: str = attrs.field(default="", repr=_hidden)
    token: str = attrs.field(default="", repr=_hidden)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values that must never be printed."""
        return tuple(s for s in (self.value, self.password, self.token) if s)


@attrs.frozen
class HttpRequest:
    """``httpRequest``: what an ``http`` trigger sends."""

    url: str
    method: str = "GET"
    headers: Headers = attrs.field(default=(), repr=_keys_only)
    body: str = attrs.field(default="", repr=_hidden)
    auth: Auth | None = None
    ssl_verification: bool = False


@attrs.frozen
class GrpcRequest:
    """``grpc``: what a ``grpc`` trigger calls.  ``protobuf_file`` is the ``.proto`` text (empty:
    ask the server by reflection); ``protobuf_path`` the file it was read from, when it was."""

    address: str
    method: str
    service: str = ""
    protobuf_file: str = attrs.field(default="", repr=_hidden)
    protobuf_path: str = ""
    metadata: Headers = attrs.field(default=(), repr=_keys_only)
    request: str = attrs.field(default="", repr=_hidden)
    auth: Auth | None = None


@attrs.frozen
class GraphqlRequest:
    """``graphql``: an HTTP POST of ``{query, variables, operationName}`` to ``url``.

    ``schema`` (text, or read from the file it names) is kept as data: tracespec does not
    validate queries against it.
    """

    url: str
    query: str = attrs.field(default="", repr=_hidden)
    variables: Mapping[str, Any] = attrs.field(factory=dict, repr=_hidden, eq=False)
    operation_name: str = ""
    headers: Headers = attrs.field(default=(), repr=_keys_only)
    auth: Auth | None = None
    ssl_verification: bool = False
    schema: str = attrs.field(default="", repr=_hidden)


# -- reading plain data ---------------------------------------------------------------------


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TriggerError(f"expected a mapping, got {_kind(value)}", field=field)
    return value


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


def _text(value: Any, field: str) -> str:
    """A scalar as text: strings as they are, numbers in decimal, booleans ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise TriggerError(f"expected text, got {_kind(value)}", field=field)


def _document(value: Any, field: str) -> str:
    """A body or a request: text, or a mapping/list written in YAML, sent as JSON."""
    if isinstance(value, Mapping | list):
        import orjson

        try:
            return orjson.dumps(value).decode()
        except TypeError as exc:
            raise TriggerError(f"cannot be written as JSON: {exc}", field=field) from None
    return _text(value, field)


def _flag(value: Any, field: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise TriggerError(f"expected true or false, got {value!r}", field=field)


def _headers(value: Any, field: str) -> Headers:
    """``[{key, value}, ...]`` (the reference's form) or a plain ``{key: value}`` mapping."""
    if value is None:
        return ()
    if isinstance(value, Mapping):
        return tuple((_text(k, field), _text(v, f"{field}.{k}")) for k, v in value.items())
    if not isinstance(value, list | tuple):
        raise TriggerError(f"expected a list of {{key, value}}, got {_kind(value)}", field=field)
    out = []
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        entry = _mapping(item, where)
        out.append((_text(entry.get("key"), where + ".key"),
                    _text(entry.get("value"), where + ".value")))
    return tuple(out)


def _auth(value: Any, field: str) -> Auth | None:
    raw = _mapping(value, field)
    written = _text(raw.get("type"), field + ".type").strip()
    if not written:
        return None  # the reference ignores an auth without a type
    kind = {t.lower(): t for t in AUTH_TYPES}.get(written.lower())
    if kind is None:
        raise TriggerError(
            f"unknown auth type {written!r} (expected apiKey, basic or bearer)",
            field=field + ".type",
        )
    body = _mapping(raw.get(kind), f"{field}.{kind}")
    where = f"{field}.{kind}."
    if kind == "apiKey":
        return Auth(
            type=kind,
            key=_text(body.get("key"), where + "key"),
            value=_text(body.get("value"), where + "value"),
            location=_text(body.get("in"), where + "in") or "header",
        )
    if kind == "basic":
        # ``user`` is how the reference's own gRPC docs spell it; its code reads ``username``
        name = body.get("username", body.get("user"))
        return Auth(
            type=kind,
            username=_text(name, where + "username"),
            password=_text(body.get("password"), where + "password"),
        )
    return Auth(type=kind, token=_text(body.get("token"), where + "token"))


def read_http(raw: Mapping[str, Any], field: str = "httpRequest") -> HttpRequest:
    """The ``httpRequest`` mapping as an :class:`HttpRequest` (strings as written)."""
    raw = _mapping(raw, field)
    method = _text(raw.get("method"), field + ".method").strip().upper() or "GET"
    if method not in HTTP_METHODS:
        raise TriggerError(
            f"unknown HTTP method {method!r} (expected one of {', '.join(HTTP_METHODS)})",
            field=field + ".method",
        )
    return HttpRequest(
        url=_text(raw.get("url"), field + ".url"),
        method=method,
        headers=_headers(raw.get("headers"), field + ".headers"),
        body=_document(raw.get("body"), field + ".body"),
        auth=_auth(raw.get("auth"), field + ".auth"),
        ssl_verification=_flag(raw.get("sslVerification"), field + ".sslVerification"),
    )


def read_grpc(raw: Mapping[str, Any], field: str = "grpc") -> GrpcRequest:
    """The ``grpc`` mapping as a :class:`GrpcRequest` (strings as written)."""
    raw = _mapping(raw, field)
    return GrpcRequest(
        address=_text(raw.get("address"), field + ".address"),
        method=_text(raw.get("method"), field + ".method"),
        service=_text(raw.get("service"), field + ".service"),
        protobuf_file=_text(raw.get("protobufFile"), field + ".protobufFile"),
        metadata=_headers(raw.get("metadata"), field + ".metadata"),
        request=_document(raw.get("request"), field + ".request"),
        auth=_auth(raw.get("auth"), field + ".auth"),
    )


def read_graphql(raw: Mapping[str, Any], field: str = "graphql") -> GraphqlRequest:
    """The ``graphql`` mapping as a :class:`GraphqlRequest` (strings as written)."""
    raw = _mapping(raw, field)
    body = _mapping(raw.get("body"), field + ".body")
    variables = body.get("variables")
    if isinstance(variables, str):  # a JSON object written as text
        import orjson

        try:
            variables = orjson.loads(variables) if variables.strip() else None
        except orjson.JSONDecodeError as exc:
            raise TriggerError(f"not JSON: {exc}", field=field + ".body.variables") from None
    return GraphqlRequest(
        url=_text(raw.get("url"), field + ".url"),
        query=_text(body.get("query"), field + ".body.query"),
        variables=dict(_mapping(variables, field + ".body.variables")),
        operation_name=_text(body.get("operationName"), field + ".body.operationName"),
        headers=_headers(raw.get("headers"), field + ".headers"),
        auth=_auth(raw.get("auth"), field + ".auth"),
        ssl_verification=_flag(raw.get("sslVerification"), field + ".sslVerification"),
        schema=_text(raw.get("schema"), field + ".schema"),
    )


# -- the values templating gives ------------------------------------------------------------


def check_url(url: str, field: str) -> str:
    """``url`` as sent: stripped, ``http://`` added when it names no scheme (as the reference's
    URL parser does); an empty URL, another scheme or no host is an error."""
    text = url.strip()
    if not text:
        raise TriggerError("the URL is empty", field=field)
    if not _SCHEME.match(text):
        text = "http://" + text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as exc:
        raise TriggerError(f"not a URL: {exc}", field=field) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise TriggerError(
            f"unsupported URL scheme {parts.scheme!r} (expected http or https)", field=field
        )
    if not parts.hostname:
        raise TriggerError("the URL names no host", field=field)
    return text


_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_METADATA_KEY = re.compile(r"[0-9a-z_.\-]+")
_METADATA_VALUE = re.compile(r"[\x20-\x7e]*")


def check_headers(headers: Headers, field: str) -> None:
    """The templated headers: names HTTP allows, values without line breaks or NUL (the
    value is never shown: it may be a secret)."""
    for i, (key, value) in enumerate(headers):
        if not key.strip():
            continue
        if not _HEADER_NAME.fullmatch(key.strip()):
            raise TriggerError(f"{key!r} is not an HTTP header name", field=f"{field}[{i}].key")
        if any(c in value for c in "\r\n\0"):
            raise TriggerError(
                f"the value of header {key.strip()} holds a line break or NUL",
                field=f"{field}[{i}].value",
            )


def check_metadata(metadata: Headers, field: str) -> None:
    """The templated gRPC metadata: keys gRPC allows (``0-9 a-z _ . -``, any case written),
    text values of printable ASCII (``-bin`` values are base64)."""
    for i, (key, value) in enumerate(metadata):
        name = key.strip().lower()
        if not name:
            continue
        if not _METADATA_KEY.fullmatch(name) or name.startswith("grpc-"):
            raise TriggerError(f"{key!r} is not a gRPC metadata key", field=f"{field}[{i}].key")
        if not name.endswith("-bin") and not _METADATA_VALUE.fullmatch(value):
            raise TriggerError(
                f"the value of {name} is not printable ASCII (binary values go in a -bin key, "
                "as base64)", field=f"{field}[{i}].value",
            )


def check_auth(auth: Auth | None, field: str, *, grpc: bool = False) -> None:
    """The templated auth values: an API key needs a name and ``in`` of header or query (for
    gRPC, header: metadata has no query)."""
    if auth is None:
        return
    if auth.type == "bearer" and any(c in auth.token.strip() for c in "\r\n\0"):
        raise TriggerError("the token holds a line break or NUL", field=field + ".bearer.token")
    if auth.type != "apiKey":
        return
    where = f"{field}.apiKey."
    if not auth.key.strip():
        raise TriggerError("the API key has no name", field=where + "key")
    allowed = ("header",) if grpc else ("header", "query")
    if auth.location not in allowed:
        raise TriggerError(
            f"'in' must be {' or '.join(allowed)}, got {auth.location!r}", field=where + "in"
        )
    if auth.location == "header":
        try:
            (check_metadata if grpc else check_headers)(((auth.key, auth.value),), "")
        except TriggerError as exc:
            part = "key" if (exc.field or "").endswith("key") else "value"
            raise TriggerError(exc.message, field=where + part) from None


def check_grpc(request: GrpcRequest, field: str) -> None:
    """The templated gRPC values: an address and a method."""
    if not request.address.strip():
        raise TriggerError("the address is empty (expected host:port)", field=field + ".address")
    if not request.method.strip():
        raise TriggerError(
            "the method is empty (expected package.Service.Method)", field=field + ".method"
        )
    check_metadata(request.metadata, field + ".metadata")
    check_auth(request.auth, field + ".auth", grpc=True)
