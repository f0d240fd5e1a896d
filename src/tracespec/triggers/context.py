"""The W3C trace context a trigger sends, so the application's spans join the test's trace.

A trigger gets a new random trace id (unless the run gives one) and a new random span id, the
id of the trigger span; the request carries ``traceparent: 00-<trace id>-<span id>-01`` (version
00, sampled) and, when the run gives one, ``tracestate``.  The application's instrumentation
reads them and makes its first span a child of the trigger span.  Ids and tracestate are
checked as the W3C Trace Context recommendation says: ids are lowercase hex and not all zeros;
a tracestate is at most 32 comma-separated ``key=value`` members.
"""

from __future__ import annotations

import os
import re

import attrs

from ..errors import TriggerError

__all__ = ["TraceContext", "new_context", "new_span_id", "new_trace_id"]

_HEX = re.compile(r"[0-9a-f]+")
_KEY = re.compile(
    r"[a-z][a-z0-9_\-*/]{0,255}"  # a simple key, or tenant@system
    r"|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13}"
)
_VALUE = re.compile(r"[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]")


def _random_hex(nbytes: int) -> str:
    while True:
        data = os.urandom(nbytes)
        if any(data):
            return data.hex()


def new_trace_id() -> str:
    """A random trace id: 32 lowercase hex digits, not all zeros."""
    return _random_hex(16)


def new_span_id() -> str:
    """A random span id: 16 lowercase hex digits, not all zeros."""
    return _random_hex(8)


def _check_id(value: str, digits: int, what: str) -> str:
    text = value.strip().lower()
    if len(text) != digits or not _HEX.fullmatch(text) or not text.strip("0"):
        raise TriggerError(f"{what} {value!r} is not {digits} hex digits (and not all zeros)")
    return text


def _check_tracestate(value: str) -> str:
    members = [m.strip() for m in value.split(",") if m.strip()]
    if not members:
        raise TriggerError("tracestate is empty")
    if len(members) > 32:
        raise TriggerError(f"tracestate has {len(members)} members (at most 32)")
    keys = set()
    for member in members:
        key, eq, val = member.partition("=")
        if not eq or not _KEY.fullmatch(key) or not _VALUE.fullmatch(val):
            raise TriggerError(f"tracestate member {member!r} is not key=value as W3C says")
        if key in keys:
            raise TriggerError(f"tracestate names {key!r} twice")
        keys.add(key)
    return ",".join(members)


@attrs.frozen
class TraceContext:
    """The trace and span a trigger request belongs to, and the tracestate it carries."""

    trace_id: str
    span_id: str
    tracestate: str | None = None

    @property
    def traceparent(self) -> str:
        """The ``traceparent`` header: version 00, sampled."""
        return f"00-{self.trace_id}-{self.span_id}-01"

    def headers(self) -> tuple[tuple[str, str], ...]:
        """The headers (or gRPC metadata) to send: ``traceparent``, and ``tracestate`` when
        there is one."""
        out = [("traceparent", self.traceparent)]
        if self.tracestate:
            out.append(("tracestate", self.tracestate))
        return tuple(out)


def new_context(trace_id: str | None = None, tracestate: str | None = None) -> TraceContext:
    """A new trigger span in trace ``trace_id`` (a new random trace when ``None``).

    A trace id that is not 32 hex digits, or a tracestate that is not W3C's, is a
    :class:`TriggerError`.
    """
    tid = new_trace_id() if trace_id is None else _check_id(trace_id, 32, "trace id")
    state = None if tracestate is None else _check_tracestate(tracestate)
    return TraceContext(trace_id=tid, span_id=new_span_id(), tracestate=state)
