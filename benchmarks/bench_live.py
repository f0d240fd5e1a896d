"""From a live trace's last span to its verdict: how long a live run waits after the trace is in.

A live run checks the trace each time ``retryDelay`` passes with no new span of it
(``tracespec/testfiles/polling.py``), so its verdict should come one ``retryDelay`` after the
last span arrived and not much later.  This measures that delay on a real
:class:`~tracespec.Receiver` receiving over OTLP/HTTP: a trace of N spans (a root and its
children, made by the OpenTelemetry SDK) is sent in batches by a real ``OTLPSpanExporter`` in
another thread while the waiting runs; the time from the receiver having the last span to the
wait returning, minus ``retryDelay``, is the overhead (target: at most 50 ms).  The baseline,
measured in the same run, is the bare cost of the check itself: assembling the received trace
and running the specs' selectors once.

Usage: ``python -m benchmarks.bench_live [--spans N] [--retry-delay S] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import tracespec
from tracespec.testfiles.polling import Waiting, wait_for_trace

SELECTORS = ('span[name="GET /"]', 'span[name="step 0"]', "")


def _spans(n: int) -> tuple[str, list[list[object]]]:
    """A trace of ``n`` spans in batches of at most 512, and its id."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "bench"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("bench")
    with tracer.start_as_current_span("GET /") as root:
        for i in range(n - 1):
            with tracer.start_as_current_span(f"step {i}"):
                pass
    spans = list(memory.get_finished_spans())
    return (f"{root.get_span_context().trace_id:032x}",
            [spans[i:i + 512] for i in range(0, len(spans), 512)])


def one(receiver: tracespec.Receiver, n: int, retry_delay: float) -> tuple[float, float]:
    """(the wait's overhead past retry_delay, the bare check) for one trace, in seconds."""
    trace_id, batches = _spans(n)
    exporter = OTLPSpanExporter(endpoint=receiver.endpoint("http") + "/v1/traces")
    arrived: list[float] = []

    def send() -> None:
        for i, batch in enumerate(batches):
            if i:
                time.sleep(retry_delay / 4)  # batches closer together than a quiet spell
            exporter.export(batch)  # type: ignore[arg-type]
        arrived.append(time.monotonic())  # the receiver has answered the last export

    thread = threading.Thread(target=send)
    thread.start()
    arrival = wait_for_trace(receiver, trace_id, SELECTORS, Waiting(retry_delay, 60.0, 3))
    done = time.monotonic()
    thread.join()
    exporter.shutdown()
    assert arrival.complete and arrival.trace is not None and len(arrival.trace) == n
    started = time.perf_counter()
    trace = receiver.trace(trace_id)
    assert trace is not None
    for selector in SELECTORS:
        tracespec.select(selector, trace)
    bare = time.perf_counter() - started
    receiver.forget(trace_id)
    return done - arrived[0] - retry_delay, bare


def main() -> None:
    """Print the overhead for traces of 10^2 to 10^4 spans."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--spans", type=int, nargs="*", default=[100, 1_000, 10_000])
    parser.add_argument("--retry-delay", type=float, default=0.5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"retryDelay {args.retry_delay * 1000:.0f} ms; target: the verdict at most "
          "retryDelay + 50 ms after the last span")
    print(f"{'spans':>8} {'past retryDelay (median)':>26} {'bare check':>12}  target")
    with tracespec.Receiver(http="127.0.0.1:0", grpc=None) as receiver:
        for n in args.spans:
            runs = [one(receiver, n, args.retry_delay) for _ in range(args.repeat)]
            over = statistics.median(r[0] for r in runs)
            bare = statistics.median(r[1] for r in runs)
            verdict = "PASS" if over <= 0.050 else "MISS"
            print(f"{n:>8} {over * 1000:>23.1f} ms {bare * 1000:>9.1f} ms  {verdict}")


if __name__ == "__main__":
    main()
