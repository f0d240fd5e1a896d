"""What trace_capture costs the code under test: time per span with the plugin's recorder.

The code under test makes spans (a parent and 9 children, each with three attributes) through
an SDK ``TracerProvider``.  Four ways, measured in the same run as ratios: the provider with no
processor (the floor), with the SDK's own ``SimpleSpanProcessor`` writing to an
``InMemorySpanExporter`` (what a hand-written test fixture does, the baseline), with the
plugin's recorder and no capture started (between tests), and with a capture started (during a
test).  Then the cost of reading what was recorded as traces (``trace_capture.traces()``).

Usage: ``python -m benchmarks.bench_capture [--spans N] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tracespec.pytest_plugin.capture import TraceCapture
from tracespec.pytest_plugin.recorder import Recorder


def make_spans(provider: TracerProvider, count: int) -> None:
    """``count`` spans, in requests of a parent and 9 children."""
    tracer = provider.get_tracer("bench")
    for _ in range(count // 10):
        with tracer.start_as_current_span("request") as parent:
            parent.set_attribute("http.method", "GET")
            for i in range(9):
                with tracer.start_as_current_span("step") as child:
                    child.set_attributes({"step": i, "db.system": "postgresql", "ok": True})


def best(run: Callable[[], None], repeat: int) -> float:
    """The best of ``repeat`` timings, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    """Print the time per span of each way, and the ratio to the baseline."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--spans", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n = args.spans

    bare = TracerProvider()
    exporter = InMemorySpanExporter()
    in_memory = TracerProvider()
    in_memory.add_span_processor(SimpleSpanProcessor(exporter))
    recorder = Recorder()
    idle = TracerProvider()
    recorder.watch(idle)
    busy = TracerProvider()
    recorder.watch(busy)
    capture = TraceCapture()

    def recording() -> None:
        capture.clear()
        recorder.attach(capture)
        try:
            make_spans(busy, n)
        finally:
            recorder.detach(capture)

    def exporting() -> None:
        exporter.clear()
        make_spans(in_memory, n)

    rows = [
        ("no processor", best(lambda: make_spans(bare, n), args.repeat)),
        ("SimpleSpanProcessor + InMemorySpanExporter (baseline)", best(exporting, args.repeat)),
        ("recorder, no capture started", best(lambda: make_spans(idle, n), args.repeat)),
        ("recorder, a capture started", best(recording, args.repeat)),
    ]
    baseline = rows[1][1]
    print(f"{n} spans (requests of 10), best of {args.repeat}")
    for name, seconds in rows:
        print(f"  {name:55} {seconds / n * 1e6:7.2f} µs/span  {seconds / baseline:5.2f}x")
    recording()
    started = time.perf_counter()
    traces = capture.traces()
    took = time.perf_counter() - started
    print(f"  traces(): {len(traces)} traces of {n} spans in {took * 1e3:.1f} ms "
          f"({took / n * 1e6:.2f} µs/span)")


if __name__ == "__main__":
    main()
