"""The Receiver itself: many exporters at once, the span cap, waiting, ports, its life cycle."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import tracespec

from .sdk import hex_id, provider
from .test_http import TRACE_ID, post, request


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_concurrent_exporters_lose_no_span(receiver: tracespec.Receiver, protocol: str) -> None:
    """N services export at once from threads, in batches holding spans of many traces."""
    services, traces_each, spans_each = 6, 20, 5
    sent: dict[str, set[str]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def service(n: int) -> None:
        try:
            with provider(receiver, protocol, f"svc-{n}", batch=16) as (tp, memory):
                tracer = tp.get_tracer("load")
                for _ in range(traces_each):
                    with tracer.start_as_current_span("root"):
                        for k in range(spans_each - 1):
                            with tracer.start_as_current_span(f"child {k}"):
                                pass
            with lock:
                for s in memory.get_finished_spans():
                    sent.setdefault(hex_id(s.context.trace_id, 32), set()).add(
                        hex_id(s.context.span_id, 16))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=service, args=(n,)) for n in range(services)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    total = services * traces_each * spans_each
    assert sum(map(len, sent.values())) == total  # (what the SDK finished)
    assert receiver.wait(since=total - 1, timeout=10) == total  # shutdown flushed them all
    assert receiver.received_spans == total
    assert sorted(receiver.trace_ids()) == sorted(sent)
    for trace_id, span_ids in sent.items():
        trace = receiver.trace(trace_id)
        assert trace is not None and {s.span_id for s in trace} == span_ids
        assert trace.repairs == ()


def test_the_oldest_traces_are_dropped_over_max_spans() -> None:
    ids = [bytes([i + 1]) * 16 for i in range(4)]
    with tracespec.Receiver(http=None, grpc=None, max_spans=10) as rx:
        rx.add(request(4, ids[0]))
        rx.add(request(4, ids[1]))
        assert rx.trace_ids() == [ids[0].hex(), ids[1].hex()] and rx.warnings == []
        rx.add(request(3, ids[2]))  # 11 > 10: the first trace goes
        assert rx.trace_ids() == [ids[1].hex(), ids[2].hex()]
        assert rx.span_count(ids[0].hex()) == 0 and rx.trace(ids[0].hex()) is None
        assert rx.warnings == [
            f"dropped trace {ids[0].hex()} (4 spans): more than max_spans=10 spans held"]
        rx.add(request(2, ids[1]))  # more spans of a held trace: it stays, in its place
        assert rx.trace_ids() == [ids[1].hex(), ids[2].hex()]
        assert len(rx.warnings) == 1 and rx.span_count(ids[1].hex()) == 6
        rx.add(request(5, ids[3]))  # 14: the oldest (6 spans) goes, then 8 held
        assert rx.trace_ids() == [ids[2].hex(), ids[3].hex()]
        assert rx.warnings[-1].startswith(f"dropped trace {ids[1].hex()} (6 spans)")
        assert rx.received_spans == 18


def test_forget_frees_a_trace() -> None:
    with tracespec.Receiver(http=None, grpc=None, max_spans=5) as rx:
        rx.add(request(4))
        rx.forget(TRACE_ID.hex())
        assert rx.trace_ids() == [] and rx.trace(TRACE_ID.hex()) is None
        other = bytes(15) + b"\x07"
        rx.add(request(5, other))  # 5 held: nothing dropped, the forgotten spans do not count
        assert rx.warnings == [] and rx.trace_ids() == [other.hex()]
        rx.forget("not hex")  # nothing to forget


def test_wait_wakes_when_spans_arrive_and_times_out_otherwise() -> None:
    with tracespec.Receiver(http="127.0.0.1:0", grpc=None) as rx:
        assert rx.wait(TRACE_ID.hex(), timeout=0.05) == 0  # nothing came
        assert rx.wait(timeout=0) == 0

        def later() -> None:
            time.sleep(0.2)
            post(rx, request(3))

        sender = threading.Thread(target=later)
        sender.start()
        try:
            assert rx.wait(TRACE_ID.hex(), since=0, timeout=30) == 3
        finally:
            sender.join()
        assert rx.last_arrival(TRACE_ID.hex()) is not None
        assert rx.last_arrival(TRACE_ID.hex()) <= time.monotonic()  # type: ignore[operator]
        assert rx.wait(TRACE_ID.hex(), since=3, timeout=0.05) == 3
        assert rx.wait(since=2, timeout=0) == 3  # any trace: total spans
        assert rx.last_arrival("00" * 16) is None and rx.services("00" * 16) == []


def test_add_injects_a_batch_and_refuses_bad_data() -> None:
    with tracespec.Receiver(http=None, grpc=None) as rx:
        rx.add(request(2))
        span = {"traceId": TRACE_ID.hex(), "spanId": "00000000000000ee",
                "parentSpanId": "0000000000000001", "name": "trigger",
                "startTimeUnixNano": "1", "endTimeUnixNano": "2"}
        doc = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]})
        rx.add(doc.encode(), "Application/JSON; charset=utf-8")
        trace = rx.trace(TRACE_ID.hex())
        assert trace is not None and sorted(s.name for s in trace) == [
            "span 0", "span 1", "trigger"]
        with pytest.raises(tracespec.ReceiverError) as info:
            rx.add(b"\xff\xff")
        assert info.value.status == 400
        with pytest.raises(tracespec.ReceiverError) as info:
            rx.add(request(1), "text/plain")
        assert info.value.status == 415
        assert rx.rejected_batches == 2 and rx.received_batches == 2


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_a_port_in_use_is_an_error_naming_the_address(protocol: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        other = "127.0.0.1:0"
        kwargs = {"http": other, "grpc": other, protocol: f"127.0.0.1:{port}"}
        rx = tracespec.Receiver(**kwargs)
        with pytest.raises(tracespec.ReceiverError) as info:
            rx.start()
        assert info.value.address == f"127.0.0.1:{port}"
        assert info.value.protocol == protocol
        assert f"127.0.0.1:{port}" in str(info.value)
        rx.stop()  # (idempotent)
    if protocol == "http":  # gRPC had started first: it was stopped, its port is free again
        assert rx.grpc_address is not None
        with socket.create_server(("127.0.0.1", int(rx.grpc_address.rsplit(":", 1)[1]))):
            pass


def test_addresses_endpoints_and_a_second_stop() -> None:
    rx = tracespec.Receiver(http="127.0.0.1:0", grpc="127.0.0.1:0")
    assert rx.http_address is None
    with rx:
        assert rx.http_address is not None and rx.grpc_address is not None
        assert rx.endpoint() == f"http://{rx.http_address}"
        assert rx.endpoint("grpc") == f"http://{rx.grpc_address}"
        assert post(rx, request(1))[0] == 200
        assert repr(rx) == (f"<Receiver http={rx.http_address} grpc={rx.grpc_address} "
                            "traces=1 spans=1>")
        with pytest.raises(ValueError):
            rx.endpoint("zipkin")
    rx.stop()
    assert repr(rx) == "<Receiver stopped traces=1 spans=1>"
    with socket.create_server(("127.0.0.1", int(rx.http_address.rsplit(":", 1)[1]))):
        pass  # the port is free again
    off = tracespec.Receiver(http=None, grpc="127.0.0.1:0")
    with off, pytest.raises(tracespec.ReceiverError):
        off.endpoint("http")
    with pytest.raises(tracespec.ReceiverError, match="HOST:PORT"):
        tracespec.Receiver(http="localhost")


def test_the_server_libraries_are_imported_only_when_a_server_starts() -> None:
    code = (
        "import sys, tracespec\n"
        "rx = tracespec.Receiver(http=None, grpc=None).start()\n"
        "print(sorted(m for m in ('aiohttp', 'grpc') if m in sys.modules))\n"
        "rx = tracespec.Receiver(http='127.0.0.1:0', grpc=None).start(); rx.stop()\n"
        "print(sorted(m for m in ('aiohttp', 'grpc') if m in sys.modules))\n"
    )
    src = str(Path(__file__).resolve().parent.parent.parent / "src")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": src}, timeout=60)
    assert out.stdout.splitlines() == ["[]", "['aiohttp']"]
