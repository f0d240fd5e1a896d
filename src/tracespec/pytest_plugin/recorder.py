"""The span processor every capture reads from, added once to each SDK ``TracerProvider``
watched, and the one error of the plugin's captures.

:data:`RECORDER` (an SDK ``SpanProcessor``) is added to the global provider (the one the
application set; a new SDK provider, set as the global, when it set none: the API's proxy) and
any the test hands to ``trace_capture.watch``.  It never replaces a provider the application
set.  It tells each started capture when a span starts, and hands it the span when it ends.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from opentelemetry import trace as trace_api
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider

from ..errors import TracespecError

__tracebackhide__ = True  # (pytest leaves these frames out of a failing test's traceback)

__all__ = ["RECORDER", "CaptureError", "Sink", "watched_provider"]


class Sink(Protocol):
    """What the recorder hands ended spans to (a started capture)."""

    def span_started(self, span: ReadableSpan) -> None:
        """A span started (called from the thread that started it)."""

    def add_span(self, span: ReadableSpan) -> None:
        """Keep one ended span (called from the thread that ended it)."""


class CaptureError(TracespecError):
    """The capture cannot give what was asked: no trace or several where one was wanted, a
    global tracer provider that is not the SDK's, a client it cannot send through."""


class Recorder(SpanProcessor):
    """Hands every span that ends to each started capture."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sinks: tuple[Sink, ...] = ()
        self._providers: set[int] = set()

    def watch(self, provider: TracerProvider) -> None:
        """Add this processor to ``provider``, once."""
        with self._lock:
            if id(provider) in self._providers:
                return
            self._providers.add(id(provider))
        provider.add_span_processor(self)

    def attach(self, sink: Sink) -> None:
        """Start handing spans to ``sink``."""
        with self._lock:
            self._sinks = (*self._sinks, sink)

    def detach(self, sink: Sink) -> None:
        """Stop handing spans to ``sink``."""
        with self._lock:
            self._sinks = tuple(s for s in self._sinks if s is not sink)

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        """Tell every started capture (a capture keeps only the spans started while it was)."""
        for sink in self._sinks:
            sink.span_started(span)

    def on_end(self, span: ReadableSpan) -> None:
        """Give the ended span to every started capture."""
        for sink in self._sinks:
            sink.add_span(span)

    def shutdown(self) -> None:
        """Nothing to release."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered."""
        return True


#: The one recorder of the process.
RECORDER = Recorder()


def watched_provider() -> TracerProvider:
    """The global SDK ``TracerProvider``, the recorder added to it: the one the application
    set, or a new one set as the global when it set none."""
    provider = trace_api.get_tracer_provider()
    if isinstance(provider, trace_api.ProxyTracerProvider):
        trace_api.set_tracer_provider(TracerProvider())
        provider = trace_api.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        raise CaptureError(
            f"the global tracer provider is a {type(provider).__module__}."
            f"{type(provider).__qualname__}, not the OpenTelemetry SDK's TracerProvider: "
            "trace_capture cannot see its spans (give it an SDK provider with "
            "trace_capture.watch(provider))"
        )
    RECORDER.watch(provider)
    return provider
