"""A trace and its span views hold no reference cycle: a dropped trace is freed by reference
counting alone, even with the cyclic GC paused (as loaders and long runs pause it)."""

from __future__ import annotations

import gc
import weakref

import tracespec
from tests.support.traces import make_trace


def test_a_dropped_trace_is_freed_without_the_cyclic_gc() -> None:
    gc.disable()
    try:
        trace = make_trace([{"name": "a", "parent": max(0, i - 1)} for i in range(5)])
        spans = trace.spans_at([0, 1, 2])
        assert spans[1] is trace[1]  # (a view held is the view given again)
        assert spans[2].parent == spans[1] and spans[1].trace is trace
        _ = [s.attributes["name"] for s in trace]
        alive = weakref.ref(trace)
        del trace, spans, _
        assert alive() is None
    finally:
        gc.enable()


def test_a_span_held_keeps_its_trace() -> None:
    span = make_trace([{"name": "root"}, {"name": "child", "parent": 0}])[1]
    assert span.trace[0].name == "root" and span.parent is not None
    assert tracespec.compile_selector('span[name="child"]').positions(span.trace) == [1]
