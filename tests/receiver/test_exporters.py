"""The SDK's real OTLP exporters send to the receiver: what it holds is what the SDK finished."""

from __future__ import annotations

import io
import json

import pytest
from opentelemetry import trace as api

import tracespec

from .sdk import assert_same_spans, hex_id, make_trace, provider


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_spans_stored_are_the_spans_the_sdk_finished(
    receiver: tracespec.Receiver, protocol: str, gzip: bool
) -> None:
    with provider(receiver, protocol, "orders", gzip=gzip) as (tp, memory):
        trace_id = make_trace(tp)
    finished = memory.get_finished_spans()
    assert len(finished) == 4
    assert receiver.wait(trace_id, since=3, timeout=10) == 4  # (shutdown flushed already)
    assert receiver.trace_ids() == [trace_id]
    assert receiver.services(trace_id) == ["orders"]
    assert receiver.received_spans == 4 and receiver.received_batches == 4
    assert receiver.rejected_batches == 0 and receiver.warnings == []
    trace = receiver.trace(trace_id)
    assert trace is not None and trace.repairs == ()
    assert trace.root.name == "POST /checkout"
    assert_same_spans(trace, finished)


def test_two_services_over_both_protocols_make_one_trace(receiver: tracespec.Receiver) -> None:
    """A trace whose spans come from two exporters (one per service, one per protocol), in
    batches holding spans of several traces."""
    with provider(receiver, "http", "orders", batch=3) as (orders, orders_mem), \
            provider(receiver, "grpc", "inventory", batch=2) as (inventory, inventory_mem):
        ids = []
        for i in range(3):
            tracer = orders.get_tracer("orders")
            with tracer.start_as_current_span(f"order {i}") as root:
                ctx = root.get_span_context()
                ids.append(hex_id(ctx.trace_id, 32))
                with inventory.get_tracer("inventory").start_as_current_span(
                    "reserve", context=api.set_span_in_context(root)
                ):
                    pass
    for trace_id in ids:
        assert receiver.wait(trace_id, since=1, timeout=10) == 2
    assert sorted(receiver.trace_ids()) == sorted(ids)  # (batches arrive in any order)
    for trace_id in ids:
        assert sorted(receiver.services(trace_id)) == ["inventory", "orders"]
        trace = receiver.trace(trace_id)
        assert trace is not None and trace.repairs == ()
        assert [s.name for s in trace] == [trace.root.name, "reserve"]
        expected = [s for s in orders_mem.get_finished_spans() + inventory_mem.get_finished_spans()
                    if hex_id(s.context.trace_id, 32) == trace_id]
        assert_same_spans(trace, expected)
    assert len(receiver.traces()) == 3


def test_capture_lines_are_otlp_json_of_what_was_received() -> None:
    sink = io.BytesIO()
    sink.close = lambda: None  # type: ignore[method-assign]  (read it after the stop)
    with tracespec.Receiver(http="127.0.0.1:0", grpc="127.0.0.1:0", capture=sink) as rx, \
            provider(rx, "http", "orders") as (tp, memory):
        trace_id = make_trace(tp)
    lines = sink.getvalue().decode().splitlines()
    assert len(lines) == 4  # one request a line
    spans = [span for line in lines for rs in json.loads(line)["resourceSpans"]
             for ss in rs["scopeSpans"] for span in ss["spans"]]
    finished = {hex_id(s.context.span_id, 16): s for s in memory.get_finished_spans()}
    assert {s["spanId"] for s in spans} == set(finished)
    for span in spans:
        sdk = finished[span["spanId"]]
        assert span["traceId"] == trace_id
        assert span["name"] == sdk.name
        assert int(span["startTimeUnixNano"]) == sdk.start_time
        assert span.get("parentSpanId", "") == (hex_id(sdk.parent.span_id, 16)
                                                 if sdk.parent else "")
    again = tracespec.load_trace(io.BytesIO(sink.getvalue()))
    assert_same_spans(again, memory.get_finished_spans())
