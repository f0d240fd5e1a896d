"""Trace and span ids: the one reading of an id a person wrote, padding, derived ids.

Trace ids are 16 bytes (32 hex characters).  Older systems (Jaeger, Zipkin, B3 headers) write
64-bit trace ids as 16 hex characters; OTLP and Jaeger's own translator read those as the
trace id left-padded with zeros, and so does tracespec, in loaders and wherever a user names a
trace.  Where a person names a trace, a unique prefix of at least :data:`MIN_PREFIX` hex
characters does too (what people copy from a listing); :func:`match_traces` gives every trace a
text names, so that each caller can say "none" or "which of these" in its own words.  Ids
tracespec makes up (the synthetic root span, the server half of a Zipkin shared span) are
derived from an existing id by hashing, so a trace loads to the same ids every time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

__all__ = [
    "MIN_PREFIX",
    "derived_id",
    "find_trace",
    "id_listing",
    "match_ids",
    "match_traces",
    "normalize_trace_id",
    "pad_trace_id",
    "trace_id_query",
]

TRACE_ID_BYTES = 16
#: The fewest hex characters of a trace id that name a trace by prefix.
MIN_PREFIX = 8
_HEX = re.compile(r"[0-9a-f]+")


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


def trace_id_query(text: str) -> str:
    """``text`` as it names a trace: lower case, without blanks, hex, between
    :data:`MIN_PREFIX` and 32 characters.  A ``ValueError`` says what is wrong otherwise (in
    words without a caller's name for the argument: the caller puts that in front)."""
    want = text.strip().lower()
    if want and not _HEX.fullmatch(want):
        raise ValueError(f"{text!r} is not a trace id (hex digits 0-9, a-f)")
    if len(want) > 2 * TRACE_ID_BYTES:
        raise ValueError(f"{text!r} is not a trace id (at most {2 * TRACE_ID_BYTES} hex digits)")
    if len(want) < MIN_PREFIX:
        raise ValueError(
            f"{text!r} is too short: give the trace id, or a prefix of at least {MIN_PREFIX} "
            "hex digits"
        )
    return want


def match_ids(ids: Iterable[str], text: str) -> list[str]:
    """Every trace id of ``ids`` (as :attr:`Trace.trace_id` has them) that ``text`` names (a
    ``ValueError`` when it is no trace id, see :func:`trace_id_query`): the id it is (16 hex
    digits left-padded to 32), else every id that starts with it, in the order given.  One:
    found; none: not there; more: the prefix is ambiguous, and these are the candidates."""
    want = trace_id_query(text)
    pool = list(ids)
    exact = [i for i in pool if i == normalize_trace_id(want)]
    if exact or len(want) == 2 * TRACE_ID_BYTES:
        return exact
    return [i for i in pool if i.startswith(want)]


def match_traces(traces: Iterable[_T], text: str) -> list[_T]:
    """Every trace ``text`` names (:func:`match_ids` on their ids), in the order given."""
    pool = list(traces)
    named = set(match_ids((t.trace_id for t in pool), text))
    return [t for t in pool if t.trace_id in named]


def find_trace(traces: Iterable[_T], trace_id: str) -> _T | None:
    """The one trace ``trace_id`` names (:func:`match_traces`), or None (none, or several)."""
    found = match_traces(traces, trace_id)
    return found[0] if len(found) == 1 else None


def id_listing(traces: Iterable[_HasTraceId], limit: int = 5) -> str:
    """The ids of ``traces`` for a message: the first ``limit``, then ``...``."""
    ids = [t.trace_id for t in traces]
    return ", ".join(ids[:limit]) + (", ..." if len(ids) > limit else "")


def derived_id(salt: bytes, seed: bytes, taken: Callable[[bytes], bool]) -> bytes:
    """An 8-byte span id derived from ``seed`` by hashing with ``salt``, the first of the
    chain sha256(salt + seed), sha256(salt + that), ... that ``taken`` does not refuse."""
    import hashlib  # imported here: ~3 ms, and most runs never need a derived id

    while True:
        new = hashlib.sha256(salt + seed).digest()[:8]
        if not taken(new):
            return new
        seed = new
