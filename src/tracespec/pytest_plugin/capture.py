"""The capture of one test (``trace_capture``): the spans ended while it was started, read as
traces, with those other processes exported to the session's receiver meanwhile.

While a capture is started, the process's recorder (:mod:`.recorder`) hands it every span that
starts and ends in the process, in any thread; it keeps those that both started and ended while
it was started: spans of an earlier test that end late, and spans ending after it stopped, are
not kept (under pytest-xdist each worker is a process of its own, so tests never see each
other's spans).  :meth:`TraceCapture.traces` assembles what was kept with
:func:`tracespec.load_traces`; :meth:`TraceCapture.wait_for` waits for spans that end after the
response.  Spans other processes export to the session's OTLP receiver (:mod:`.live`:
``trace_capture.otlp_endpoint()``, the ``tracespec_receiver`` fixture) are the test's when they
arrive while it runs; they are merged with this process's spans by trace id.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider

from ..formats import load_traces
from ..selectors import Query, compile_selector
from ..trace import Trace
from ..trace.ids import match_traces
from .recorder import RECORDER, CaptureError, watched_provider

if TYPE_CHECKING:
    from ..receiver import Receiver
    from .live import SessionReceiver

__tracebackhide__ = True  # (pytest leaves these frames out of a failing test's traceback)

__all__ = ["CaptureError", "TraceCapture"]


def _summary(trace: Trace) -> str:
    root = trace.root
    noun = "span" if len(trace) == 1 else "spans"
    return f"{trace.trace_id} ({root.name}: {len(trace)} {noun})"


class TraceCapture:
    """The spans ended while one test ran, as traces (the ``trace_capture`` fixture)."""

    def __init__(self, receiver: SessionReceiver | None = None) -> None:
        self._spans: list[ReadableSpan] = []
        self._otlp: list[bytes] = []  # spans handed over as OTLP (the trigger spans)
        self._started: set[int] = set()  # the span ids started while the capture was
        self._changed = threading.Condition(threading.Lock())
        self._session = receiver
        self._bound: Receiver | None = None  # the receiver whose spans are this test's

    def __repr__(self) -> str:
        count = len(self.spans) + len(self._otlp)
        return f"<TraceCapture: {count} span{'s' if count != 1 else ''} recorded>"

    def start(self) -> TraceCapture:
        """Record every span ended from now on (the global provider watched), and the spans
        the session's receiver gets from now on, when it is started."""
        watched_provider()
        RECORDER.attach(self)
        if self._session is not None and self._session.started is not None:
            self._bind(self._session.started)
        return self

    def _bind(self, receiver: Receiver) -> None:
        """Take the spans ``receiver`` gets from now on (what it holds is an earlier test's)."""
        for trace_id in receiver.trace_ids():
            receiver.forget(trace_id)
        self._bound = receiver

    def otlp_endpoint(self, protocol: str = "http") -> str:
        """The URL another process exports its spans to (its ``OTEL_EXPORTER_OTLP_ENDPOINT``)
        so that they are recorded here too, merged by trace id with this process's spans: the
        session's receiver, started now if it was not (``protocol``: ``"http"`` or
        ``"grpc"``)."""
        if self._session is None:
            raise CaptureError("this capture has no receiver (it was made outside pytest)")
        receiver = self._session.get()
        if self._bound is not receiver:
            self._bind(receiver)
        return receiver.endpoint(protocol)

    def stop(self) -> None:
        """Record no more spans (those recorded stay)."""
        RECORDER.detach(self)

    def watch(self, provider: TracerProvider) -> None:
        """Also record the spans of ``provider``, an SDK provider the application made without
        setting it as the global one."""
        if not isinstance(provider, TracerProvider):
            raise CaptureError(
                f"watch() needs an OpenTelemetry SDK TracerProvider, not {type(provider).__name__}"
            )
        RECORDER.watch(provider)

    def span_started(self, span: ReadableSpan) -> None:
        """Note a span that started while the capture was (the recorder calls this)."""
        context = span.context
        if context is not None:
            with self._changed:
                self._started.add(context.span_id)

    def add_span(self, span: ReadableSpan) -> None:
        """Keep an ended span that started while the capture was (the recorder calls this,
        from the thread that ended it)."""
        context = span.context
        if context is None:
            return
        with self._changed:
            try:
                self._started.remove(context.span_id)
            except KeyError:  # (started before the capture did)
                return
            self._spans.append(span)
            self._changed.notify_all()

    def add_otlp(self, data: bytes) -> None:
        """Keep the spans of a serialized OTLP export request (``trace_capture.request``'s
        trigger span)."""
        with self._changed:
            self._otlp.append(data)
            self._changed.notify_all()

    @property
    def spans(self) -> tuple[ReadableSpan, ...]:
        """The SDK spans recorded so far, in the order they ended."""
        with self._changed:
            return tuple(self._spans)

    def clear(self) -> None:
        """Forget the spans recorded so far."""
        with self._changed:
            self._spans.clear()
            self._otlp.clear()

    def traces(self) -> list[Trace]:
        """Every trace recorded so far (this process's spans, and those other processes
        exported to the session's receiver), in the order they started."""
        with self._changed:
            spans, otlp = tuple(self._spans), list(self._otlp)
        sources: list[Any] = otlp
        if spans:
            sources.append(spans)  # (a tuple: a list holding only a list would read as JSON)
        receiver = self._bound
        if receiver is not None:
            for trace_id in receiver.trace_ids():
                data = receiver.data(trace_id)
                if data:
                    sources.append(data)
        if not sources:
            return []
        traces = load_traces(tuple(sources))
        return sorted(traces, key=lambda t: t.root.start_time_ns)

    def _count(self) -> int:
        """Spans recorded and received so far (what a wait watches)."""
        receiver = self._bound
        received = receiver.received_spans if receiver is not None else 0
        return len(self._spans) + len(self._otlp) + received

    def trace(self, trace_id: str | None = None) -> Trace:
        """The one trace recorded (or the one ``trace_id`` names: its id or a unique prefix of
        at least 8 hex digits); a :class:`CaptureError` listing them when there are several."""
        traces = self.traces()
        if trace_id is not None:
            traces = match_traces(traces, trace_id)
        if len(traces) == 1:
            return traces[0]
        which = "" if trace_id is None else f" with trace id {trace_id!r}"
        if not traces:
            raise CaptureError(
                f"no trace{which} was recorded during the test ({len(self.spans)} spans in "
                "all): did the code under test make spans with the global tracer provider?"
            )
        listing = "; ".join(_summary(t) for t in traces[:10])
        more = f"; and {len(traces) - 10} more" if len(traces) > 10 else ""
        raise CaptureError(
            f"{len(traces)} traces{which} were recorded during the test, not one: {listing}{more}"
            " (trace_capture.traces() gives them all, trace_capture.trace(ID) one of them)"
        )

    def wait_for(
        self, selector: str | Query, timeout: float = 5.0, *, trace_id: str | None = None
    ) -> Trace:
        """Wait until a recorded trace (the one of ``trace_id``, when given) has a span
        ``selector`` selects, and return that trace: for spans that end in background threads
        or after the response.  After ``timeout`` seconds, an :class:`AssertionError` saying
        what was recorded."""
        query = selector if isinstance(selector, Query) else compile_selector(selector)
        deadline = time.monotonic() + timeout
        seen = -1
        while True:
            with self._changed:
                count = self._count()
                if count == seen:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    # spans of this process wake the wait; received ones are looked for often
                    self._changed.wait(left if self._bound is None else min(left, 0.05))
                    continue
            seen = count
            found = self._matching(query, trace_id)
            if found is not None:
                return found
        traces = self.traces()
        listing = "; ".join(_summary(t) for t in traces) or "no trace"
        raise AssertionError(
            f"no span matched {query.source!r} within {timeout:g}s; recorded: {listing}"
        )

    def _matching(self, query: Query, trace_id: str | None) -> Trace | None:
        traces = self.traces()
        if trace_id is not None:
            traces = match_traces(traces, trace_id)
        for trace in traces:
            if query.positions(trace):
                return trace
        return None

    def request(self, client: Any, method: str, url: str, **kwargs: Any) -> Any:
        """Send a request through ``client`` inside a ``Tracetest trigger`` span, and return
        ``(response, trace)``: see :func:`tracespec.pytest_plugin.send.send`."""
        from .send import send

        return send(self, client, method, url, **kwargs)

