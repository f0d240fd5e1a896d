"""Sending a request from a test as Tracetest's trigger does: inside a ``Tracetest trigger``
span that carries the response, with the trace context in the request's headers.

:func:`send` (``trace_capture.request(client, method, url, **kwargs)``) sends through a Flask or
Werkzeug test client, a Starlette or FastAPI ``TestClient``, a Django test client, an
``httpx.Client``, a ``requests.Session`` or the ``requests`` module.  The trigger span is made
by a tracer provider of its own (``service.name`` ``tracetest``, as the reference's trigger
span has), recorded by the capture, never exported; it is the root of the request's trace and
carries ``tracetest.response.status``, ``tracetest.response.body`` and
``tracetest.response.headers``, written as the live runs write them
(:func:`tracespec.triggers.span.response_attributes`).  Its context goes into the
request's headers with the global propagator (W3C ``traceparent`` unless the application set
another), where the instrumentations read it.  For in-process test clients the span is not made
current: the instrumentations would then make the application's span an internal child of it
instead of a server span.  For network clients (httpx, requests) it is current while the
request is sent, so an instrumented client's span sits between the two.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, NamedTuple, Protocol

from opentelemetry import context as context_api
from opentelemetry import propagate
from opentelemetry import trace as trace_api
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_ON

from ..trace import Trace
from ..trace.tracetest import TRIGGER_SPAN_NAME
from ..triggers.span import response_attributes
from .recorder import RECORDER, CaptureError

__tracebackhide__ = True  # (pytest leaves these frames out of a failing test's traceback)

__all__ = ["CLIENTS", "Exchange", "send"]

#: The kinds of client :func:`send` knows, by the package their class comes from.
CLIENTS = ("werkzeug", "starlette", "django", "httpx", "requests")
_NETWORK = frozenset({"httpx", "requests"})

_lock = threading.Lock()
_provider: TracerProvider | None = None


class _Capture(Protocol):
    def trace(self, trace_id: str | None = None) -> Trace: ...


class Exchange(NamedTuple):
    """What :func:`send` gives: the client's response and the trace of the request."""

    response: Any
    trace: Trace


def _trigger_tracer() -> trace_api.Tracer:
    """The tracer of the trigger spans: a provider of its own, watched by the recorder."""
    global _provider
    with _lock:
        if _provider is None:
            # always sampled, whatever OTEL_TRACES_SAMPLER says: the request's trace is the test's
            _provider = TracerProvider(sampler=ALWAYS_ON,
                                       resource=Resource({"service.name": "tracetest"}))
            RECORDER.watch(_provider)
        return _provider.get_tracer("tracespec.pytest_plugin")


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
def _current(span: trace_api.Span) -> Iterator[None]:
    token = context_api.attach(trace_api.set_span_in_context(span))
    try:
        yield
    finally:
        context_api.detach(token)


def send(capture: _Capture, client: Any, method: str, url: str, **kwargs: Any) -> Exchange:
    """Send ``method url`` through ``client`` (``kwargs`` go to the client: ``json=``,
    ``data=``, ``headers=``, ...) inside a trigger span; return the response and the trace of
    the request, as recorded when the response came back (spans that end later:
    ``trace_capture.wait_for``)."""
    kind = _kind(client)
    span = _trigger_tracer().start_span(TRIGGER_SPAN_NAME)
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace_api.set_span_in_context(span))
    headers = {**dict(kwargs.pop("headers", None) or {}), **carrier}
    try:
        with _current(span) if kind in _NETWORK else nullcontext():
            response = _call(kind, client, method, url, headers, kwargs)
        status, response_headers, body = _response_parts(kind, response)
        span.set_attributes(response_attributes(status, response_headers, body))
    except BaseException as exc:
        span.record_exception(exc)
        raise
    finally:
        span.end()
    trace_id = format(span.get_span_context().trace_id, "032x")
    return Exchange(response, capture.trace(trace_id))
