"""A trigger made ready to send: :func:`prepare` reads its settings, the files they name and
the run's templating, and checks every value before anything is sent.

Only the request triggers of the reference are sent: ``http``, ``grpc`` and ``graphql``.
``traceid`` sends nothing (its trace comes from the receiver or a file); ``kafka`` and the
integrations (``cypress``, ``playwright``, ``playwrightengine``, ``artillery``, ``k6``) are a
:class:`TriggerError` naming the type: tracespec does not fake what it cannot send.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ..errors import TriggerError
from .files import read_reference
from .settings import (
    GraphqlRequest,
    GrpcRequest,
    HttpRequest,
    check_auth,
    check_grpc,
    check_headers,
    check_url,
    read_graphql,
    read_grpc,
    read_http,
)
from .templating import Resolve, resolve_graphql, resolve_grpc, resolve_http

__all__ = ["REQUEST_TRIGGERS", "UNSUPPORTED_TRIGGERS", "PreparedTrigger", "prepare"]

#: The trigger types tracespec sends, and the key of their settings in a test file.
REQUEST_TRIGGERS = {"http": "httpRequest", "grpc": "grpc", "graphql": "graphql"}
#: Trigger types of the reference that tracespec does not send.
UNSUPPORTED_TRIGGERS = ("kafka", "cypress", "playwright", "playwrightengine", "artillery", "k6")

_FIELD = "spec.trigger"


@attrs.frozen
class PreparedTrigger:
    """A trigger ready to :func:`~tracespec.triggers.fire`: its type and its settings, files
    read and templating applied."""

    type: str
    request: HttpRequest | GrpcRequest | GraphqlRequest
    base_dir: Path = attrs.field(converter=Path, default=Path())


def _unsupported(ttype: str) -> TriggerError:
    if ttype == "traceid":
        return TriggerError(
            "a traceid trigger sends no request: its trace comes from the receiver or from "
            "--trace FILE", field=_FIELD + ".type")
    if ttype in UNSUPPORTED_TRIGGERS:
        return TriggerError(
            f"trigger type {ttype} is not supported: tracespec sends http, grpc and graphql "
            "triggers", field=_FIELD + ".type")
    return TriggerError(
        f"unknown trigger type {ttype!r} (expected http, grpc or graphql)", field=_FIELD + ".type")


def prepare(
    type: str,
    settings: Mapping[str, Any],
    *,
    base_dir: str | Path,
    resolve: Resolve = lambda s: s,
) -> PreparedTrigger:
    """Make a trigger of ``type`` from its ``settings`` (the plain mapping under
    ``httpRequest``, ``grpc`` or ``graphql``) ready to send.

    ``./file`` references are read relative to ``base_dir`` (the test file's folder), then
    ``resolve`` (the run's ``${var:X}`` / ``${env:X}`` templating) is applied to the fields
    the reference templates (:mod:`tracespec.triggers.templating`).  Every problem is a
    :class:`TriggerError` naming the field; what ``resolve`` raises (a variable that is not
    defined, say) goes through unchanged.
    """
    ttype = str(type).strip().lower()
    key = REQUEST_TRIGGERS.get(ttype)
    if key is None:
        raise _unsupported(ttype)
    field = f"{_FIELD}.{key}"
    request: HttpRequest | GrpcRequest | GraphqlRequest
    if ttype == "http":
        request = _prepare_http(settings, base_dir, resolve, field)
    elif ttype == "grpc":
        request = _prepare_grpc(settings, base_dir, resolve, field)
    else:
        request = _prepare_graphql(settings, base_dir, resolve, field)
    return PreparedTrigger(type=ttype, request=request, base_dir=Path(base_dir))


def _prepare_http(
    settings: Mapping[str, Any], base_dir: str | Path, resolve: Resolve, field: str
) -> HttpRequest:
    request = read_http(settings, field)
    body, _ = read_reference(request.body, base_dir, field + ".body")
    request = resolve_http(attrs.evolve(request, body=body), resolve)
    check_headers(request.headers, field + ".headers")
    check_auth(request.auth, field + ".auth")
    return attrs.evolve(request, url=check_url(request.url, field + ".url"))


def _prepare_grpc(
    settings: Mapping[str, Any], base_dir: str | Path, resolve: Resolve, field: str
) -> GrpcRequest:
    request = read_grpc(settings, field)
    text, path = read_reference(request.protobuf_file, base_dir, field + ".protobufFile")
    request = attrs.evolve(request, protobuf_file=text,
                           protobuf_path=str(path) if path is not None else "")
    request = resolve_grpc(request, resolve)
    check_grpc(request, field)
    return request


def _prepare_graphql(
    settings: Mapping[str, Any], base_dir: str | Path, resolve: Resolve, field: str
) -> GraphqlRequest:
    request = read_graphql(settings, field)
    query, _ = read_reference(request.query, base_dir, field + ".body.query")
    schema, _ = read_reference(request.schema, base_dir, field + ".schema")
    request = resolve_graphql(attrs.evolve(request, query=query, schema=schema), resolve)
    if not request.query.strip():
        raise TriggerError("the query is empty", field=field + ".body.query")
    check_headers(request.headers, field + ".headers")
    check_auth(request.auth, field + ".auth")
    return attrs.evolve(request, url=check_url(request.url, field + ".url"))
