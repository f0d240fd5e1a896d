"""Waiting for a pushed trace to be whole: Tracetest's periodic polling profile, for spans that
arrive on their own.

Tracetest polls a tracing backend every ``retryDelay`` and calls the trace complete when its
span count stopped changing and every selector matches.  tracespec *receives* the spans, so it
waits instead of polling: the trace is checked each time ``retryDelay`` passes with no new span
of it (so the verdict comes at most one ``retryDelay`` after its last span).  A check finds the
trace complete when every spec and output selector selects some span; one where some selector
selects nothing counts toward ``selectorMatchRetries``, and after that many such checks in a
row with no new span between them the trace is taken as it is (those specs then fail on their
own, as in Tracetest).  At ``timeout`` the wait ends with a message saying what was seen.

The spans come from a *feed* (the :class:`~tracespec.receiver.Receiver`, or anything with its
``span_count``/``wait``/``trace``/``services``); the clock is injectable, everything else is the
feed's business.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Protocol

import attrs

from .._frozen import FieldsRepr
from ..errors import TracespecError
from ..selectors import Query, compile_selector
from ..trace import Trace
from .model import PollingProfile

__all__ = ["Arrival", "SpanFeed", "Waiting", "go_duration", "wait_for_trace"]

_UNIT_S = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0,
           "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def go_duration(text: str) -> float:
    """Seconds in a Go duration (``500ms``, ``1m30s``, ``1.5h``; ``0`` alone is zero)."""
    written = text.strip()
    if written == "0":
        return 0.0
    pos, total = 0, 0.0
    while pos < len(written):
        m = _PART.match(written, pos)
        if m is None:
            raise TracespecError(f"{text!r} is not a duration (write e.g. 500ms, 5s, 1m30s)")
        total += float(m.group(1)) * _UNIT_S[m.group(2)]
        pos = m.end()
    if not written:
        raise TracespecError("an empty duration (write e.g. 500ms, 5s, 1m30s)")
    return total


@attrs.frozen(repr=False)
class Waiting(FieldsRepr):
    """A polling profile in seconds: how long a quiet spell is (``retry_delay``), how long to
    wait at most (``timeout``), and how many checks with a selector matching nothing to allow
    (``selector_match_retries``)."""

    retry_delay: float = 1.0
    timeout: float = 60.0
    selector_match_retries: int = 3

    @classmethod
    def of(cls, profile: PollingProfile | None) -> Waiting:
        """The waiting of a polling profile; tracespec's default (1 s, 1 m, 3) without one:
        spans are pushed, so the reference's 5 s between two polls of a backend would only
        delay every verdict."""
        if profile is None:
            return cls()
        return cls(
            retry_delay=go_duration(profile.retry_delay),
            timeout=go_duration(profile.timeout),
            selector_match_retries=max(0, profile.selector_match_retries),
        )


class SpanFeed(Protocol):
    """Where the spans of live traces arrive (what :class:`~tracespec.receiver.Receiver` is)."""

    def span_count(self, trace_id: str) -> int: ...  # noqa: D102

    def wait(self, trace_id: str | None = None, *, since: int = 0, timeout: float) -> int: ...  # noqa: D102

    def trace(self, trace_id: str) -> Trace | None: ...  # noqa: D102

    def services(self, trace_id: str) -> list[str]: ...  # noqa: D102


@attrs.frozen(repr=False)
class Arrival(FieldsRepr):
    """What waiting for a trace gave: the trace as it is (``None`` when no span came), whether
    it is complete, the checks made, the selectors that selected nothing at the last check, and,
    when it is not complete, ``message``: what was seen."""

    trace: Trace | None
    complete: bool
    checks: int = 0
    unmatched: tuple[str, ...] = ()
    message: str | None = None


def _seconds(value: float) -> str:
    if value >= 60 and value % 60 == 0:
        return f"{value / 60:g}m"
    return f"{value:g}s"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _Check:
    """The selectors a complete trace must match, compiled once."""

    def __init__(self, selectors: Sequence[str]) -> None:
        self.selectors = list(dict.fromkeys(selectors))
        self.queries: list[Query | None] = []
        for text in self.selectors:
            try:
                self.queries.append(compile_selector(text))
            except TracespecError:
                self.queries.append(None)  # the spec reports it; it cannot hold the wait

    def unmatched(self, trace: Trace) -> tuple[str, ...]:
        return tuple(
            text for text, query in zip(self.selectors, self.queries, strict=True)
            if query is not None and not query.positions(trace)
        )


def _timed_out(
    feed: SpanFeed, trace_id: str, trace: Trace | None, count: int, own_spans: int,
    waiting: Waiting, unmatched: tuple[str, ...], checks: int, source: str,
) -> Arrival:
    waited = _seconds(waiting.timeout)
    if count <= own_spans:
        message = (f"no span of trace {trace_id} arrived in {waited}: is the application "
                   f"exporting its spans to {source}?")
    else:
        services = [s for s in feed.services(trace_id) if s]
        message = (f"trace {trace_id} still incomplete after {waited}: "
                   f"{_plural(count - own_spans, 'span')} received"
                   + (f" from {', '.join(services)}" if services else ""))
        if unmatched:
            message += "; selecting nothing: " + ", ".join(unmatched)
        else:
            message += f"; spans still arriving {_seconds(waiting.retry_delay)} apart"
    return Arrival(trace, False, checks, unmatched, message)


def wait_for_trace(
    feed: SpanFeed,
    trace_id: str,
    selectors: Sequence[str],
    waiting: Waiting,
    *,
    own_spans: int = 0,
    clock: Callable[[], float] = time.monotonic,
    source: str = "tracespec's OTLP endpoint",
) -> Arrival:
    """Wait until the trace ``trace_id`` of ``feed`` is complete (see the module's words) or
    ``waiting.timeout`` passed.  ``own_spans`` is how many of its spans tracespec added itself
    (the trigger span): the trace has not arrived while it holds no other.  ``source`` is
    where the spans should go, for the message when none came."""
    check = _Check(selectors)
    deadline = clock() + waiting.timeout
    count = feed.span_count(trace_id)
    last_change = clock()
    trace: Trace | None = None
    unmatched: tuple[str, ...] = ()
    checks = agreeing = 0
    checked_count = -1
    while True:
        left = deadline - clock()
        if left <= 0:
            trace = feed.trace(trace_id) if count else None
            if trace is not None and count > own_spans:
                unmatched = check.unmatched(trace)
            return _timed_out(feed, trace_id, trace, count, own_spans, waiting, unmatched,
                              checks, source)
        quiet_left = waiting.retry_delay - (clock() - last_change)
        if quiet_left > 0:
            new = feed.wait(trace_id, since=count, timeout=min(quiet_left, left))
            if new != count:
                count, last_change = new, clock()
            continue
        # a quiet spell of retry_delay: check the trace
        checks += 1
        last_change = clock()  # the next check after another quiet spell
        if count <= own_spans:
            continue
        trace = feed.trace(trace_id)
        if trace is None:
            continue
        unmatched = check.unmatched(trace)
        if not unmatched:
            return Arrival(trace, True, checks)
        agreeing = agreeing + 1 if count == checked_count or checked_count < 0 else 1
        checked_count = count
        if agreeing > waiting.selector_match_retries:
            return Arrival(trace, True, checks, unmatched)
