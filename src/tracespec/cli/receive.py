"""``tracespec receive``: listen for OTLP traces and write them to a JSON Lines file.

A capture mode: every request received (OTLP/HTTP or gRPC, as ``run`` listens) is written as a
line of OTLP JSON as soon as it arrives, so the file is ``tracespec run --trace``'s input later;
a trace is printed (id, root span, services, spans) once no new span of it came for ``--idle``
seconds (again if late spans come).  It runs until Ctrl-C (SIGINT), SIGTERM or ``--duration``
seconds, then prints the traces not printed yet and what it received, and exits 0 with the
file complete.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from ._common import ExitCode
from ._otlp import listening_line, otlp_options, start_receiver

if TYPE_CHECKING:
    from ..receiver import Receiver

__all__ = ["receive_command"]


def _trace_line(receiver: Receiver, trace_id: str) -> str:
    trace = receiver.trace(trace_id)
    root = trace[0].name if trace is not None and len(trace) else ""
    services = ", ".join(receiver.services(trace_id)) or "-"
    count = receiver.span_count(trace_id)
    return f"{trace_id}  {root}  [{services}]  {count} span{'s' if count != 1 else ''}"


@click.command(
    "receive",
    short_help="Listen for OTLP traces and write them to a JSON Lines file.",
    epilog="""\b
Examples:
  tracespec receive -o traces.jsonl
  tracespec receive -o traces.jsonl --otlp-grpc off --duration 60
  tracespec run -f test.yaml --trace traces.jsonl --trace-id 4bf92f35

Point the application at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 (HTTP) or
http://127.0.0.1:4317 with OTEL_EXPORTER_OTLP_PROTOCOL=grpc.""",
)
@otlp_options
@click.option("-o", "--output", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, writable=True),
              help="The JSON Lines file to write (one OTLP request a line; replaced).")
@click.option("--duration", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop after this many seconds (default: at Ctrl-C).")
@click.option("--idle", type=click.FloatRange(min=0, min_open=True), default=2.0,
              show_default=True, metavar="SECONDS",
              help="A trace is printed once no new span of it came for this long.")
def receive_command(otlp_http: str, otlp_grpc: str, output: str, duration: float | None,
                    idle: float) -> int:
    """Receive traces over OTLP (HTTP and gRPC) until Ctrl-C or --duration, writing every
    request to FILE as OTLP JSON Lines and printing each trace as it completes."""
    receiver = start_receiver(otlp_http, otlp_grpc, capture=output)
    click.echo(listening_line(receiver) + f"; writing {output} (Ctrl-C stops)", err=True)
    printed: dict[str, int] = {}
    stop = threading.Event()
    try:
        with _stopped_by_signals(stop):
            _listen(receiver, printed, duration, idle, stop)
    except KeyboardInterrupt:  # (where no handler could be set: not the main thread)
        pass
    finally:
        receiver.stop()
    for trace_id in receiver.trace_ids():  # what was still arriving
        if printed.get(trace_id) != receiver.span_count(trace_id):
            click.echo(_trace_line(receiver, trace_id))
    for warning in receiver.warnings:
        click.echo(f"warning: {warning}", err=True)
    traces = len(printed.keys() | set(receiver.trace_ids()))
    click.echo(
        f"received {receiver.received_spans} spans of {traces} traces in "
        f"{receiver.received_batches} requests ({receiver.rejected_batches} refused); "
        f"wrote {output}", err=True,
    )
    return ExitCode.PASSED


@contextlib.contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT (Ctrl-C) and SIGTERM set ``stop`` instead of interrupting whatever runs (a line
    half printed, a trace not marked as printed); the previous handlers are put back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [n for n in ("SIGINT", "SIGTERM") if hasattr(signal, n)]
    previous = {n: signal.signal(getattr(signal, n), lambda *_: stop.set()) for n in names}
    try:
        yield
    finally:
        for n, handler in previous.items():
            signal.signal(getattr(signal, n), handler)


def _listen(receiver: Receiver, printed: dict[str, int], duration: float | None,
            idle: float, stop: threading.Event) -> None:
    deadline = None if duration is None else time.monotonic() + duration
    seen = 0
    while not stop.is_set():
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            return
        step = min(idle / 4, 0.25)  # (a signal is seen within this)
        if deadline is not None:
            step = min(step, deadline - now)
        seen = receiver.wait(since=seen, timeout=step)
        now = time.monotonic()
        for trace_id in receiver.trace_ids():
            last = receiver.last_arrival(trace_id)
            count = receiver.span_count(trace_id)
            if last is not None and now - last >= idle and printed.get(trace_id) != count:
                click.echo(_trace_line(receiver, trace_id))
                printed[trace_id] = count
