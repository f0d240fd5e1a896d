"""What a test runs on: the traces given, a trace file, or (later) a live run.

:func:`trace_for` picks a test's trace from its source: the one trace given, or for a
``traceid`` trigger the trace with that id (``${var:X}`` resolved from the run's variables)
among those given.  Every reason a test has no trace is a :class:`NoTrace` carrying the words
the report prints; triggers that need a live system say so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import TypeAlias

from ..formats import load_traces
from ..trace import Trace
from ..trace.ids import find_trace, normalize_trace_id
from .model import Test

__all__ = ["NoTrace", "TraceSource", "resolve_refs", "trace_for"]

#: What a test can run on: one trace, the traces of a file, or the path of a trace file.
TraceSource: TypeAlias = "Trace | Sequence[Trace] | str | os.PathLike[str] | None"

_REF = re.compile(r"\$\{\s*(?:var|env):\s*([\w.\-]+)\s*\}")


class NoTrace(Exception):
    """The test cannot run: no trace to run it on (the message says why)."""


def resolve_refs(text: str, variables: Mapping[str, str]) -> str:
    """Replace ``${var:NAME}`` and ``${env:NAME}`` with the run variables (missing → "")."""
    return _REF.sub(lambda m: variables.get(m.group(1), ""), text)


def trace_for(test: Test, source: TraceSource, variables: Mapping[str, str]) -> Trace:
    """The trace ``test`` runs on; raises :class:`NoTrace` with the reason when there is none."""
    trigger = test.trigger
    want: str | None = None
    if trigger is not None and trigger.trace_id is not None:
        want = normalize_trace_id(resolve_refs(trigger.trace_id, variables)) or None
    if source is None:
        if trigger is not None and trigger.needs_network:
            raise NoTrace(
                f"not supported yet: needs a live trigger ({trigger.type}); run it on a trace "
                "you already have with --trace FILE"
            )
        if trigger is not None and trigger.type == "traceid":
            raise NoTrace(
                "trigger traceid needs the trace in a file (--trace FILE); fetching traces "
                "from a backend is not supported yet"
            )
        raise NoTrace("no trace given (--trace FILE)")
    if isinstance(source, str | os.PathLike):
        source = load_traces(source)
    if isinstance(source, Trace):
        if want is not None and source.trace_id != want:
            raise NoTrace(
                f"trigger traceid {want} is not the trace given ({source.trace_id})"
            )
        return source
    traces = list(source)
    if not traces:
        raise NoTrace("no trace given")
    if want is not None:
        found = find_trace(traces, want)
        if found is not None:
            return found
        shown = ", ".join(t.trace_id for t in traces[:5]) + (", ..." if len(traces) > 5 else "")
        raise NoTrace(f"no trace with id {want} in the trace file (found: {shown})")
    if len(traces) > 1:
        raise NoTrace(
            f"the trace file holds {len(traces)} traces; give the test a traceid trigger "
            "to say which one it checks"
        )
    return traces[0]
