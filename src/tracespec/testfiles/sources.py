"""What a test runs on: the traces given, trace files, or (later) a live run.

:func:`trace_for` picks a test's trace from its source: the one trace given, or for a
``traceid`` trigger the trace it names (its id or a unique prefix of at least 8 hex digits,
``${var:X}`` resolved from the run's variables: a variable not defined is an error naming it)
among those given.  Every reason a test has no trace is a :class:`NoTrace` carrying the words
the report prints; triggers that need a live system say so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from ..formats import load_traces
from ..trace import Trace
from ..trace.ids import id_listing, match_traces, trace_id_query
from .model import Test, Trigger

__all__ = [
    "NoTrace", "TraceSource", "load_source", "resolve_refs", "trace_for", "wanted_trace_id",
]

#: What a test can run on: one trace, several traces, or what ``load_traces`` reads (a trace
#: file's path, a directory, a glob pattern, a list of these, ...).
TraceSource: TypeAlias = "Trace | Sequence[Trace] | str | os.PathLike[str] | Iterable[Any] | None"

_REF = re.compile(r"\$\{\s*(?:var|env):\s*([\w.\-]+)\s*\}")


class NoTrace(Exception):
    """The test cannot run: no trace to run it on (the message says why)."""


def resolve_refs(text: str, variables: Mapping[str, str]) -> str:
    """Replace ``${var:NAME}`` and ``${env:NAME}`` with the run variables (missing → "")."""
    return _REF.sub(lambda m: variables.get(m.group(1), ""), text)


def wanted_trace_id(trigger: Trigger | None, variables: Mapping[str, str]) -> str | None:
    """The trace id (or id prefix) a ``traceid`` trigger names, its variables resolved."""
    written = trigger.trace_id if trigger is not None else None
    if written is None:
        return None
    missing = [name for name in _REF.findall(written) if name not in variables]
    if missing:
        raise NoTrace(f"trigger traceid {written}: variable {missing[0]} is not defined")
    text = resolve_refs(written, variables).strip()
    if not text:
        shown = f"{written} is empty" if written.strip() else "is empty"
        raise NoTrace(f"trigger traceid {shown}")
    try:
        return trace_id_query(text)
    except ValueError as exc:
        raise NoTrace(f"trigger traceid: {exc}") from None


def load_source(source: TraceSource) -> Trace | list[Trace]:
    """One trace, or the traces of ``source`` (loaded when it is not traces already; ``None``
    gives no traces)."""
    if source is None:
        return []
    if isinstance(source, Trace):
        return source
    if isinstance(source, Sequence) and not isinstance(source, str | bytes):
        items = list(source)
        if all(isinstance(t, Trace) for t in items):
            return items
    return load_traces(source)


def trace_for(test: Test, source: TraceSource, variables: Mapping[str, str]) -> Trace:
    """The trace ``test`` runs on; raises :class:`NoTrace` with the reason when there is none."""
    trigger = test.trigger
    if source is None:
        if trigger is not None and (trigger.needs_network or trigger.type == "traceid"):
            raise NoTrace(
                f"a {trigger.type} trigger runs live: run it with a receiver (tracespec run "
                "without --trace; run_test(test, LiveRun(receiver))), or on a trace you "
                "already have (--trace FILE)"
            )
        raise NoTrace("no trace given (--trace FILE)")
    want = wanted_trace_id(trigger, variables)
    traces = load_source(source)
    if isinstance(traces, Trace):
        if want is not None and not match_traces([traces], want):
            raise NoTrace(f"trigger traceid {want} is not the trace given ({traces.trace_id})")
        return traces
    if not traces:
        raise NoTrace("no trace given")
    if want is not None:
        found = match_traces(traces, want)
        if len(found) == 1:
            return found[0]
        if found:
            raise NoTrace(
                f"trigger traceid {want} is ambiguous: {len(found)} traces start with it "
                f"({id_listing(found, 10)})"
            )
        raise NoTrace(f"no trace with id {want} in the trace file (found: {id_listing(traces)})")
    if len(traces) > 1:
        raise NoTrace(
            f"the trace file holds {len(traces)} traces ({id_listing(traces)}); give the test a "
            "traceid trigger to say which one it checks, or run it on one of them (--trace-id)"
        )
    return traces[0]
