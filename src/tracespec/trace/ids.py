"""Trace and span ids: the one reading of an id a person wrote, padding, derived ids.

Trace ids are 16 bytes (32 hex characters).  Older systems (Jaeger, Zipkin, B3 headers) write
64-bit trace ids as 16 hex characters; OTLP and Jaeger's own translator read those as the
trace id left-padded with zeros, and so does tracespec, in loaders and wherever a user names a
trace.  Ids tracespec makes up (the synthetic root span, the server half of a Zipkin shared
span) are derived from an existing id by hashing, so a trace loads to the same ids every time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

__all__ = ["derived_id", "find_trace", "normalize_trace_id", "pad_trace_id"]

TRACE_ID_BYTES = 16


def pad_trace_id(raw: bytes) -> bytes:
    """A trace id of fewer than 16 bytes (a 64-bit one), left-padded with zero bytes."""
    return raw.rjust(TRACE_ID_BYTES, b"\0") if len(raw) < TRACE_ID_BYTES else raw


def normalize_trace_id(text: str) -> str:
    """A trace id as a person wrote it, in the form :attr:`Trace.trace_id` has: lower case,
    without surrounding blanks, 16 hex characters left-padded to 32."""
    want = text.strip().lower()
    return want.rjust(2 * TRACE_ID_BYTES, "0") if len(want) == TRACE_ID_BYTES else want


class _HasTraceId(Protocol):
    @property
    def trace_id(self) -> str: ...


_T = TypeVar("_T", bound=_HasTraceId)


def find_trace(traces: Iterable[_T], trace_id: str) -> _T | None:
    """The trace whose id is ``trace_id`` (as :func:`normalize_trace_id` reads it), or None."""
    want = normalize_trace_id(trace_id)
    return next((t for t in traces if t.trace_id == want), None)


def derived_id(salt: bytes, seed: bytes, taken: Callable[[bytes], bool]) -> bytes:
    """An 8-byte span id derived from ``seed`` by hashing with ``salt``, the first of the
    chain sha256(salt + seed), sha256(salt + that), ... that ``taken`` does not refuse."""
    while True:
        new = hashlib.sha256(salt + seed).digest()[:8]
        if not taken(new):
            return new
        seed = new
