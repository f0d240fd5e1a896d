"""Triggers of live runs: sending a test's request so the application makes the trace to check.

:func:`prepare` reads a trigger's settings (the plain mapping a test file holds under
``httpRequest``, ``grpc`` or ``graphql``), the files they name and the run's templating into a
:class:`PreparedTrigger`; :func:`fire` sends it with a new W3C trace context and returns a
:class:`TriggerResult`: the trace id the application's spans join, the trigger span's id, the
:class:`Response`, and the trigger span itself as OTLP (:meth:`TriggerResult.span_request`).
``docs/live-runs.md`` (Triggers) tells what is sent and how it differs from the reference.
Nothing here imports httpx or grpcio until a trigger of that kind is sent.
"""

from __future__ import annotations

from ..errors import TriggerError
from .firing import fire
from .prepared import REQUEST_TRIGGERS, UNSUPPORTED_TRIGGERS, PreparedTrigger, prepare
from .result import Response, TriggerResult
from .settings import Auth, GraphqlRequest, GrpcRequest, HttpRequest

__all__ = [
    "REQUEST_TRIGGERS",
    "UNSUPPORTED_TRIGGERS",
    "Auth",
    "GraphqlRequest",
    "GrpcRequest",
    "HttpRequest",
    "PreparedTrigger",
    "Response",
    "TriggerError",
    "TriggerResult",
    "fire",
    "prepare",
]
