"""Polling a data store for a live run's trace, as Tracetest's poller does.

:class:`StoreFeed` is a span feed (what :func:`tracespec.testfiles.polling.wait_for_trace`
reads) over a remote store: each ``wait`` sleeps until the next poll is due (one
``retry_delay`` after the last), asks the store and gives the span count.  So the trace is
checked once its span count stayed the same over two polls, and is complete when the
selectors match, as in the reference.  A store that answers "not found" (404, an empty result,
gRPC ``NOT_FOUND``) has none of the trace *yet*; any other failure raises a
:class:`~tracespec.errors.DataStoreError`.  Spans tracespec adds itself (the trigger span,
``add``) join the trace fetched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..trace import Trace
from .client import Backend, load_answer, open_backend
from .config import DataStore

__all__ = ["StoreFeed"]


class StoreFeed:
    """The spans of the traces of one store, polled every ``retry_delay`` seconds."""

    def __init__(
        self,
        store: DataStore,
        *,
        retry_delay: float,
        timeout: float = 10.0,
        backend: Backend | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.retry_delay = retry_delay
        self.backend = backend or open_backend(store, timeout=timeout)
        self.clock = clock
        self.polls = 0
        self._own: dict[str, list[Any]] = {}
        self._traces: dict[str, Trace | None] = {}
        self._last_poll: dict[str, float] = {}
        self._stop = threading.Event()

    def close(self) -> None:
        """Close the store's client."""
        self._stop.set()
        self.backend.close()

    def add(self, trace_id: str, source: Any) -> None:
        """A source of spans of ``trace_id`` tracespec made (the trigger span's OTLP bytes)."""
        self._own.setdefault(trace_id, []).append(source)

    def poll(self, trace_id: str) -> int:
        """Ask the store for ``trace_id`` now; its span count (with the spans added)."""
        self.polls += 1
        self._last_poll[trace_id] = self.clock()
        sources = self.backend.get(trace_id) or []
        trace = load_answer(self.store, sources, trace_id, self._own.get(trace_id, ()))
        self._traces[trace_id] = trace
        return len(trace) if trace is not None else 0

    def span_count(self, trace_id: str) -> int:
        """The span count of the last poll (the first call polls)."""
        if trace_id not in self._traces:
            return self.poll(trace_id)
        trace = self._traces[trace_id]
        return len(trace) if trace is not None else 0

    def wait(self, trace_id: str | None = None, *, since: int = 0, timeout: float) -> int:
        """Sleep until the next poll of ``trace_id`` is due, at most ``timeout`` seconds, and
        poll when it is; the span count."""
        assert trace_id is not None, "a store is polled for one trace"
        due = self._last_poll.get(trace_id, self.clock()) + self.retry_delay - self.clock()
        if due > timeout:
            self._stop.wait(max(0.0, timeout))
            return self.span_count(trace_id)
        if due > 0:
            self._stop.wait(due)
        return self.poll(trace_id)

    def trace(self, trace_id: str) -> Trace | None:
        """The trace as the last poll found it."""
        if trace_id not in self._traces:
            self.poll(trace_id)
        return self._traces[trace_id]

    def services(self, trace_id: str) -> list[str]:
        """The services of the trace's spans at the last poll."""
        trace = self._traces.get(trace_id)
        if trace is None:
            return []
        names = (span.resource.attributes.get("service.name") for span in trace)
        return sorted({str(n) for n in names if n is not None} - {"", "tracetest"})
