"""Waiting for a pushed trace (testfiles/polling.py) on a real Receiver: spans made by the real
OpenTelemetry SDK, encoded by its OTLP encoder, arrive from another thread while the test
waits.  The outcomes are checked against what was sent (which spans, how many checks the
profile allows), never against timings."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tracespec import TracespecError
from tracespec.receiver import Receiver
from tracespec.testfiles import PollingProfile
from tracespec.testfiles.polling import Waiting, go_duration, wait_for_trace


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(http=None, grpc=None) as rx:  # spans come through add(), as a trigger's do
        yield rx


def make_spans(names: Sequence[str], service: str = "shop") -> tuple[str, list[bytes]]:
    """A trace whose root is ``names[0]`` and whose other spans are its children, each span an
    export body of its own (in the order given); and its trace id."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span(names[0]) as root:
        for name in names[1:]:
            with tracer.start_as_current_span(name):
                pass
    spans: list[ReadableSpan] = list(exporter.get_finished_spans())
    by_name = {s.name: s for s in spans}
    bodies = [encode_spans([by_name[n]]).SerializeToString() for n in names]
    return f"{root.get_span_context().trace_id:032x}", bodies


def send_later(receiver: Receiver, bodies: Sequence[bytes], gap: float) -> threading.Thread:
    """Send ``bodies`` from another thread, ``gap`` seconds apart."""
    def run() -> None:
        for body in bodies:
            time.sleep(gap)
            receiver.add(body)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_complete_when_every_selector_selects(receiver: Receiver) -> None:
    trace_id, bodies = make_spans(["GET /", "SELECT", "POST /pay"])
    receiver.add(bodies[0])
    thread = send_later(receiver, bodies[1:], 0.05)
    arrival = wait_for_trace(receiver, trace_id, ['span[name="POST /pay"]', ""],
                             Waiting(retry_delay=0.3, timeout=20, selector_match_retries=3))
    thread.join()
    assert arrival.complete and arrival.message is None and arrival.unmatched == ()
    assert arrival.trace is not None
    assert sorted(s.name for s in arrival.trace) == ["GET /", "POST /pay", "SELECT"]


def test_a_late_span_a_selector_waits_for_is_in_the_trace(receiver: Receiver) -> None:
    """The late span comes after a first quiet spell: that check finds its selector selecting
    nothing, and the wait goes on until it comes."""
    trace_id, bodies = make_spans(["GET /", "late job"])
    receiver.add(bodies[0])
    thread = send_later(receiver, bodies[1:], 0.8)
    arrival = wait_for_trace(receiver, trace_id, ['span[name="late job"]'],
                             Waiting(retry_delay=0.2, timeout=20, selector_match_retries=10))
    thread.join()
    assert arrival.complete and arrival.checks >= 2
    assert arrival.trace is not None and {s.name for s in arrival.trace} == {"GET /", "late job"}


@pytest.mark.parametrize("retries", [0, 2])
def test_a_selector_selecting_nothing_gives_up_after_the_retries(
    receiver: Receiver, retries: int
) -> None:
    trace_id, bodies = make_spans(["GET /"])
    receiver.add(bodies[0])
    arrival = wait_for_trace(receiver, trace_id, ['span[name="never"]', ""],
                             Waiting(retry_delay=0.05, timeout=20,
                                     selector_match_retries=retries))
    assert arrival.complete  # taken as it is: the spec on it fails on its own
    assert arrival.unmatched == ('span[name="never"]',)
    assert arrival.checks == retries + 1


def test_nothing_but_our_own_span_times_out_saying_so(receiver: Receiver) -> None:
    trace_id, bodies = make_spans(["Tracetest trigger"], service="tracetest")
    receiver.add(bodies[0])
    arrival = wait_for_trace(receiver, trace_id, [""],
                             Waiting(retry_delay=0.05, timeout=0.4), own_spans=1)
    assert not arrival.complete
    assert arrival.message == (f"no span of trace {trace_id} arrived in 0.4s: is the "
                               "application exporting its spans to tracespec's OTLP endpoint?")
    assert arrival.trace is not None and [s.name for s in arrival.trace] == ["Tracetest trigger"]


def test_spans_that_keep_coming_time_out_with_what_was_seen(receiver: Receiver) -> None:
    names = ["GET /", *(f"step {i}" for i in range(40))]
    trace_id, bodies = make_spans(names, service="orders")
    receiver.add(bodies[0])
    thread = send_later(receiver, bodies[1:], 0.02)  # never a quiet spell of 0.5 s
    arrival = wait_for_trace(receiver, trace_id, ['span[name="GET /"]'],
                             Waiting(retry_delay=0.5, timeout=0.3))
    thread.join()
    assert not arrival.complete and arrival.message is not None
    assert arrival.message.startswith(f"trace {trace_id} still incomplete after 0.3s: ")
    assert " spans received from orders; spans still arriving 0.5s apart" in arrival.message


def test_an_unknown_trace_id_never_arrives(receiver: Receiver) -> None:
    arrival = wait_for_trace(receiver, "ab" * 16, [""], Waiting(retry_delay=0.05,
                                                                    timeout=0.2))
    assert (arrival.trace, arrival.complete) == (None, False)
    assert arrival.message is not None and arrival.message.startswith("no span of trace abab")


@pytest.mark.parametrize(("text", "seconds"), [
    ("0", 0.0), ("500ms", 0.5), ("1s", 1.0), ("1m30s", 90.0), ("1.5h", 5400.0),
    ("250us", 0.00025), ("2m0.5s", 120.5),
])
def test_go_durations(text: str, seconds: float) -> None:
    assert go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "5", "1d", "ms", "1s2", "-1s"])
def test_not_durations(text: str) -> None:
    with pytest.raises(TracespecError, match="duration"):
        go_duration(text)


def test_the_waiting_of_a_profile_and_the_default() -> None:
    assert Waiting.of(None) == Waiting(retry_delay=1.0, timeout=60.0, selector_match_retries=3)
    profile = PollingProfile(retry_delay="250ms", timeout="1m30s", selector_match_retries=5)
    assert Waiting.of(profile) == Waiting(retry_delay=0.25, timeout=90.0,
                                          selector_match_retries=5)
