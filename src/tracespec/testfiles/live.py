"""A live test run's trace: send the test's trigger, receive the application's spans, wait.

:class:`LiveRun` is the trace source of a live run: the receiver the application exports to,
and the polling profiles given with the tests.  :func:`live_trace` does for one test what
Tracetest's executor does before the assertions: the trigger is sent with a new trace context
(:mod:`tracespec.triggers`), its span joins the spans received for that trace, and the trace
is waited for as the test's polling profile says (:mod:`.polling`).  With a data store that
is asked (Tempo, Jaeger, ...: ``datastore``) the trace is polled from it instead, the
trigger span joining what it holds, with the reference's default profile (5 s, 1 m, 3).
A ``traceid`` trigger sends nothing and waits for the trace its id names.  What keeps a test
from running (a trigger that cannot be sent, an unsupported trigger type, an undefined
variable) is a :class:`~.sources.NoTrace`; a trace that does not arrive whole is no error:
the test runs on what came and fails, with the message saying what was seen.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from .._frozen import FieldsRepr
from ..errors import TracespecError
from ..trace import Trace
from ..trace.ids import match_ids, match_traces, normalize_trace_id
from .model import PollingProfile, Test
from .polling import Arrival, Waiting, wait_for_trace
from .sources import NoTrace, resolve_refs, wanted_trace_id

if TYPE_CHECKING:
    from ..datastores import DataStore
    from ..receiver import Receiver

__all__ = ["LiveRun", "live_trace"]


@attrs.frozen(repr=False)
class LiveRun(FieldsRepr):
    """Where a live run's traces come from: ``receiver`` (started by the caller, who stops
    it), the polling profiles given with the tests (a test's ``pollingProfile`` names one by
    id or name; a profile with ``default: true`` serves the tests naming none) and how long
    a trigger may take.  With a ``datastore`` that is asked (not a push type) the traces are
    polled from it, each request waiting at most ``store_timeout``; ``receiver`` may then be
    ``None``."""

    receiver: Receiver | None
    profiles: tuple[PollingProfile, ...] = ()
    trigger_timeout: float = 30.0
    datastore: DataStore | None = None
    store_timeout: float = 10.0

    @property
    def polls_store(self) -> bool:
        """Whether the traces are polled from a data store (not received)."""
        return self.datastore is not None and not self.datastore.is_push

    def waiting(self, test: Test) -> Waiting:
        """How long ``test`` waits for its trace."""
        chosen = test.polling_profile
        if isinstance(chosen, str):
            found = [p for p in self.profiles if chosen in (p.id, p.name)]
            if not found:
                known = ", ".join(p.id or p.name for p in self.profiles) or "none given"
                raise NoTrace(f"polling profile {chosen!r} not found (given with -f: {known})")
            chosen = found[0]
        if chosen is None:
            chosen = next((p for p in self.profiles if p.default), None)
        if chosen is None and self.polls_store:
            return Waiting(retry_delay=5.0, timeout=60.0, selector_match_retries=3)
        try:
            return Waiting.of(chosen)
        except TracespecError as exc:
            raise NoTrace(f"polling profile: {exc}") from None


def _selectors(test: Test) -> list[str]:
    return [*(o.selector for o in test.outputs), *(s.selector for s in test.specs)]


def live_trace(
    test: Test, live: LiveRun, variables: Mapping[str, str]
) -> tuple[Trace, str | None]:
    """The trace ``test`` runs on in a live run, and ``None`` or, when it did not arrive whole,
    what was seen.  Raises :class:`NoTrace` when the test cannot run."""
    trigger = test.trigger
    if trigger is None:
        raise NoTrace("the test has no trigger: nothing to send, no trace to wait for (give "
                      "it a trigger, or run it on a trace file with --trace FILE)")
    waiting = live.waiting(test)
    if trigger.type == "traceid":
        want = wanted_trace_id(trigger, variables)
        assert want is not None
        if live.polls_store:
            return _store_arrival(live, want, test, waiting, None)
        return _arrival(live, _received_id(live, want, waiting), test, waiting, own_spans=0)
    from ..triggers import fire, prepare

    try:
        prepared = prepare(
            trigger.type, trigger.settings,
            base_dir=Path(test.path).parent if test.path else Path(os.curdir),
            resolve=lambda text: resolve_refs(text, variables),
        )
        fired = fire(prepared, timeout=live.trigger_timeout)
    except TracespecError as exc:
        raise NoTrace(f"trigger {trigger.type}: {exc}") from None
    spans = fired.span_request()
    if test.skip_trace_collection:  # only the trigger span is checked
        from ..formats import load_trace

        return load_trace(spans), None
    if live.polls_store:
        return _store_arrival(live, fired.trace_id, test, waiting, spans)
    assert live.receiver is not None
    live.receiver.add(spans)
    return _arrival(live, fired.trace_id, test, waiting, own_spans=1)


def _received_id(live: LiveRun, want: str, waiting: Waiting) -> str:
    """The id of the received trace ``want`` (an id or a prefix) names, waiting for it to
    arrive; the id itself when none comes (the wait then says nothing arrived)."""
    import time

    deadline = time.monotonic() + waiting.timeout
    seen = 0
    assert live.receiver is not None
    while True:
        ids = live.receiver.trace_ids()
        found = match_ids(ids, want)  # (a 64-bit id names its zero-padded trace)
        if len(found) > 1:
            raise NoTrace(f"trigger traceid {want} is ambiguous: {len(found)} received traces "
                          f"start with it ({', '.join(found[:10])})")
        if found:
            return found[0]
        left = deadline - time.monotonic()
        if left <= 0:
            return normalize_trace_id(want)
        seen = live.receiver.wait(None, since=seen, timeout=left)


def _store_arrival(
    live: LiveRun, trace_id: str, test: Test, waiting: Waiting, own: bytes | None
) -> tuple[Trace, str | None]:
    """The trace polled from the run's data store, with the trigger span ``own``."""
    from ..datastores.feed import StoreFeed

    store = live.datastore
    assert store is not None
    trace_id = trace_id.strip().lower()
    if len(trace_id) not in (16, 32) or not all(c in "0123456789abcdef" for c in trace_id):
        raise NoTrace(f"trace id {trace_id!r}: a data store is asked for a whole trace id "
                      "(32 hex digits)")
    trace_id = trace_id.rjust(32, "0")
    try:
        feed = StoreFeed(store, retry_delay=waiting.retry_delay, timeout=live.store_timeout)
    except TracespecError as exc:
        raise NoTrace(str(exc)) from None
    try:
        if own is not None:
            feed.add(trace_id, own)
        arrival = wait_for_trace(feed, trace_id, _selectors(test), waiting,
                                 own_spans=0 if own is None else 1,
                                 source=f"the {store.type} data store at {store.where}")
    except TracespecError as exc:
        raise NoTrace(str(exc)) from None
    finally:
        feed.close()
    if arrival.trace is None:
        raise NoTrace(arrival.message or f"no span of trace {trace_id} in the data store")
    return arrival.trace, arrival.message


def _arrival(
    live: LiveRun, trace_id: str, test: Test, waiting: Waiting, *, own_spans: int
) -> tuple[Trace, str | None]:
    assert live.receiver is not None
    arrival: Arrival = wait_for_trace(live.receiver, trace_id, _selectors(test), waiting,
                                      own_spans=own_spans)
    trace = arrival.trace
    if trace is None:
        raise NoTrace(arrival.message or f"no span of trace {trace_id} arrived")
    if not match_traces([trace], trace_id):
        raise NoTrace(f"received a trace {trace.trace_id} for {trace_id}")
    live.receiver.forget(trace.trace_id)  # checked once: its spans are let go with the result
    return trace, arrival.message
