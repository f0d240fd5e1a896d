"""The spans received so far, grouped per trace, with bounded memory; thread-safe.

Each trace is held as the serialized ``ResourceSpans`` of its parts (:mod:`.split`), in order of
arrival, so memory is about the spans' own protobuf bytes and :meth:`Store.trace` is one load of
those bytes with the normal loader.  Traces are kept in order of their first span's arrival;
when more than ``max_spans`` are held, the oldest traces are dropped (each with a warning).
Every change notifies a condition, on which :meth:`Store.wait` sleeps (never polls).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from .split import Batch, traces_data

if TYPE_CHECKING:
    from ..trace import Trace

__all__ = ["Store"]


class _Held:
    """One trace's parts (mutable, owned by the store, touched under its lock)."""

    __slots__ = ("chunks", "last", "services", "spans")

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.spans = 0
        self.last = 0.0
        self.services: dict[str, None] = {}


class Store:
    """Traces by id (32 hex digits outside, 16 bytes inside), spans held at most ``max_spans``."""

    def __init__(self, max_spans: int) -> None:
        if max_spans < 1:
            raise ValueError("max_spans must be at least 1")
        self.max_spans = max_spans
        self._cond = threading.Condition()
        self._traces: dict[bytes, _Held] = {}
        self._held = 0
        self.received_spans = 0
        self.received_batches = 0
        self.rejected_batches = 0
        self.warnings: list[str] = []

    def put(self, batch: Batch) -> None:
        """Add the parts of one accepted request, drop the oldest traces while over the cap."""
        now = time.monotonic()
        with self._cond:
            traces = self._traces
            added = 0
            for tid, (chunks, spans, services) in batch.parts.items():
                held = traces.get(tid)
                if held is None:
                    held = traces[tid] = _Held()
                held.chunks += chunks
                held.spans += spans
                held.last = now
                for service in services:
                    held.services[service] = None
                added += spans
            self._held += added
            self.received_spans += added
            self.received_batches += 1
            while self._held > self.max_spans and self._traces:
                tid = next(iter(self._traces))
                dropped = self._traces.pop(tid)
                self._held -= dropped.spans
                self.warnings.append(
                    f"dropped trace {tid.hex()} ({dropped.spans} spans): more than max_spans="
                    f"{self.max_spans} spans held"
                )
            self._cond.notify_all()

    def refused(self) -> None:
        """Count a request refused whole."""
        with self._cond:
            self.rejected_batches += 1

    def trace_ids(self) -> list[str]:
        """The ids held, in order of first arrival."""
        with self._cond:
            return [t.hex() for t in self._traces]

    def _get(self, trace_id: str) -> _Held | None:
        try:
            key = bytes.fromhex(trace_id)
        except ValueError:
            return None
        return self._traces.get(key)

    def span_count(self, trace_id: str) -> int:
        """Spans held of one trace (0 when unknown)."""
        with self._cond:
            held = self._get(trace_id)
            return held.spans if held is not None else 0

    def last_arrival(self, trace_id: str) -> float | None:
        """``time.monotonic()`` when the trace's last span arrived."""
        with self._cond:
            held = self._get(trace_id)
            return held.last if held is not None else None

    def services(self, trace_id: str) -> list[str]:
        """The services the trace's spans came from, in order of arrival."""
        with self._cond:
            held = self._get(trace_id)
            return list(held.services) if held is not None else []

    def data(self, trace_id: str) -> bytes | None:
        """The trace's spans as one serialized ``TracesData``."""
        with self._cond:
            held = self._get(trace_id)
            chunks = list(held.chunks) if held is not None else None
        return None if chunks is None else traces_data(chunks)

    def trace(self, trace_id: str) -> Trace | None:
        """The trace of every span held of ``trace_id``, assembled by the normal loader."""
        data = self.data(trace_id)
        if data is None:
            return None
        return _load(data, trace_id)

    def forget(self, trace_id: str) -> None:
        """Drop one trace (nothing when unknown)."""
        with self._cond:
            try:
                key = bytes.fromhex(trace_id)
            except ValueError:
                return
            held = self._traces.pop(key, None)
            if held is not None:
                self._held -= held.spans
            self._cond.notify_all()

    def wait(self, trace_id: str | None, since: int, timeout: float) -> int:
        """Sleep until the count (of one trace, or of every span received) passes ``since``, or
        ``timeout`` seconds pass; return the count."""

        def count() -> int:
            if trace_id is None:
                return self.received_spans
            held = self._get(trace_id)
            return held.spans if held is not None else 0

        with self._cond:
            self._cond.wait_for(lambda: count() > since, timeout=max(0.0, timeout))
            return count()

    @property
    def held_spans(self) -> int:
        """Spans held now, all traces together."""
        with self._cond:
            return self._held


def _load(data: bytes, trace_id: str) -> Trace:
    import io

    from ..formats import load_traces, pick_trace

    source = io.BytesIO(data)
    source.name = "<otlp receiver>"
    traces = load_traces(source, format="otlp-proto")
    return pick_trace(traces, trace_id, "<otlp receiver>")
