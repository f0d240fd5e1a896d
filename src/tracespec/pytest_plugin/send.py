"""Sending a request from a test as Tracetest's trigger does: inside a ``Tracetest trigger``
span that carries the response, with the trace context in the request's headers.

:func:`send` (``trace_capture.request(client, method, url, **kwargs)``) sends through a Flask or
Werkzeug test client, a Starlette or FastAPI ``TestClient``, a Django test client, an
``httpx.Client``, a ``requests.Session`` or the ``requests`` module.  The trigger span is made
as the live runs make it (:mod:`tracespec.triggers`: a new trace id and span id, the span as
OTLP with ``service.name`` ``tracetest``, kind unspecified, ``tracetest.response.status``,
``tracetest.response.body`` and ``tracetest.response.headers``) and handed to the capture,
never exported; it is the root of the request's trace.  Its context goes into the request's
headers with the global propagator (W3C ``traceparent`` unless the application set another),
where the instrumentations read it.  For in-process test clients it is not made current: the
instrumentations would then make the application's span an internal child instead of a server
span.  For network clients (httpx, requests) it is current while the request is sent, so an
instrumented client's span sits between the two.
"""

from __future__ import annotations

import time
import types
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, NamedTuple, Protocol

from opentelemetry import context as context_api
from opentelemetry import propagate
from opentelemetry import trace as trace_api

from ..trace import Trace
from ..triggers.context import new_context
from ..triggers.span import response_attributes, trigger_span_request
from .recorder import CaptureError

__tracebackhide__ = True  # (pytest leaves these frames out of a failing test's traceback)

__all__ = ["CLIENTS", "Exchange", "send"]

#: The kinds of client :func:`send` knows, by the package their class comes from.
CLIENTS = ("werkzeug", "starlette", "django", "httpx", "requests")
_NETWORK = frozenset({"httpx", "requests"})


class _Capture(Protocol):
    def add_otlp(self, data: bytes) -> None: ...

    def trace(self, trace_id: str | None = None) -> Trace: ...


class Exchange(NamedTuple):
    """What :func:`send` gives: the client's response and the trace of the request."""

    response: Any
    trace: Trace


def _kind(client: Any) -> str:
    """Which kind of client ``client`` is (one of :data:`CLIENTS`)."""
    if isinstance(client, types.ModuleType):
        if client.__name__ == "requests":
            return "requests"
    else:
        classes = type(client).__mro__
        if any(c.__name__ == "AsyncClient" for c in classes):
            raise CaptureError(
                f"cannot send through an {type(client).__name__} yet: give a synchronous client "
                "(httpx.Client, or Starlette's TestClient for an ASGI application)"
            )
        packages = {c.__module__.partition(".")[0] for c in classes}
        for kind in CLIENTS:  # (starlette's TestClient is an httpx.Client: starlette first)
            if kind in packages:
                return kind
    raise CaptureError(
        f"cannot send a request through a {type(client).__name__}: give a Flask/Werkzeug, "
        "Starlette/FastAPI or Django test client, an httpx.Client, a requests.Session or the "
        "requests module"
    )


def _call(kind: str, client: Any, method: str, url: str, headers: dict[str, str],
          kwargs: dict[str, Any]) -> Any:
    if kind == "werkzeug":
        return client.open(url, method=method.upper(), headers=headers, **kwargs)
    if kind == "django":
        verb = getattr(client, method.lower(), None)
        if verb is None:
            return client.generic(method.upper(), url, headers=headers, **kwargs)
        return verb(url, headers=headers, **kwargs)
    return client.request(method.upper(), url, headers=headers, **kwargs)


def _response_parts(kind: str, response: Any) -> tuple[int, tuple[tuple[str, str], ...], str]:
    """The status, the headers and the body (as text) of any client's response."""
    status = int(response.status_code)
    if kind == "httpx" or kind == "starlette":
        headers = list(response.headers.multi_items())
        body = response.content
    elif kind == "werkzeug":
        headers = list(response.headers.items())
        body = response.get_data()
    elif kind == "django":
        headers = list(response.items())
        body = b"" if getattr(response, "streaming", False) else response.content
    else:
        headers = list(response.headers.items())
        body = response.content
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
    return status, tuple((str(k), str(v)) for k, v in headers), text


@contextmanager
def _current(context: context_api.Context) -> Iterator[None]:
    token = context_api.attach(context)
    try:
        yield
    finally:
        context_api.detach(token)


def _parent(trace_id: str, span_id: str) -> context_api.Context:
    """A context whose current span is the trigger span (sampled), for the propagator."""
    span_context = trace_api.SpanContext(
        int(trace_id, 16), int(span_id, 16), is_remote=False,
        trace_flags=trace_api.TraceFlags(trace_api.TraceFlags.SAMPLED),
    )
    return trace_api.set_span_in_context(trace_api.NonRecordingSpan(span_context))


def send(capture: _Capture, client: Any, method: str, url: str, **kwargs: Any) -> Exchange:
    """Send ``method url`` through ``client`` (``kwargs`` go to the client: ``json=``,
    ``data=``, ``headers=``, ...) inside a trigger span; return the response and the trace of
    the request, as recorded when the response came back (spans that end later:
    ``trace_capture.wait_for``).  A request that raises leaves a trigger span with no
    ``tracetest.response.*`` attribute."""
    kind = _kind(client)
    ids = new_context()
    parent = _parent(ids.trace_id, ids.span_id)
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=parent)
    headers = {**dict(kwargs.pop("headers", None) or {}), **carrier}
    attributes: dict[str, str] = {}
    start = time.time_ns()
    try:
        with _current(parent) if kind in _NETWORK else nullcontext():
            response = _call(kind, client, method, url, headers, kwargs)
        attributes = response_attributes(*_response_parts(kind, response))
    finally:
        capture.add_otlp(trigger_span_request(
            trace_id=ids.trace_id, span_id=ids.span_id, start_ns=start,
            end_ns=max(time.time_ns(), start), attributes=attributes,
        ))
    return Exchange(response, capture.trace(ids.trace_id))
