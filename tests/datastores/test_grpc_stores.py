"""The gRPC data stores against loopback servers built from the upstream protos: Tempo's
``Querier/FindTraceByID``, Jaeger's api_v3 ``GetTrace`` (and api_v2 when v3 is unimplemented);
not found, parts, a big trace, UNAUTHENTICATED, a server that never answers, none there."""

from __future__ import annotations

from typing import Any

import pytest

from tests.datastores import backends as b
from tests.datastores.grpc_backends import grpc_backend
from tracespec import DataStoreError
from tracespec.datastores import fetch, read_config
from tracespec.datastores.feed import StoreFeed
from tracespec.testfiles.polling import Waiting, wait_for_trace


def tempo(endpoint: str) -> dict[str, Any]:
    return {"type": "tempo", "tempo": {"type": "grpc", "grpc": {
        "endpoint": endpoint, "tls": {"insecure": True},
        "headers": {"X-Scope-OrgID": "team-SECRET"}}}}


def jaeger(endpoint: str) -> dict[str, Any]:
    return {"type": "jaeger", "jaeger": {"endpoint": endpoint, "tls": {"insecure": True}}}


CONFIG = {"tempo": tempo, "jaeger-v3": jaeger, "jaeger-v2": jaeger}


@pytest.mark.parametrize("kind", list(CONFIG))
def test_fetch_reads_the_whole_trace_with_its_values(kind: str) -> None:
    data = b.make_trace(9)
    plan = b.Plan([data])
    with grpc_backend(kind, plan) as endpoint:
        trace = fetch(CONFIG[kind](endpoint), b.TRACE_ID)
    assert trace is not None and {s.span_id for s in trace} == b.span_ids(data)
    assert trace.root.name == "GET /orders" and trace.root.kind.name == "SERVER"
    assert trace.root.attributes["http.method"] == "GET"
    assert trace.root.resource.attributes["service.name"] == "shop"
    assert sorted(int(str(s.attributes["item.index"])) for s in trace) == list(range(9))
    assert plan.requests[0]["trace_id"] == b.TRACE_ID


def test_tempo_sends_the_headers_as_metadata() -> None:
    plan = b.Plan([b.make_trace(1)])
    with grpc_backend("tempo", plan) as endpoint:
        fetch(tempo(endpoint), b.TRACE_ID)
    assert plan.requests[0]["metadata"]["x-scope-orgid"] == "team-SECRET"


def test_jaeger_without_api_v3_is_asked_with_api_v2() -> None:
    plan = b.Plan([None, b.make_trace(4)])
    with grpc_backend("jaeger-v2", plan) as endpoint:
        feed = StoreFeed(read_config(jaeger(endpoint)), retry_delay=0.01)
        try:
            assert feed.poll(b.TRACE_ID) == 0
            assert feed.poll(b.TRACE_ID) == 4
        finally:
            feed.close()
    assert getattr(feed.backend, "api", None) == "v2"


@pytest.mark.parametrize("kind", list(CONFIG))
def test_not_found_first_then_half_then_all(kind: str) -> None:
    data = b.make_trace(10)
    plan = b.Plan([None, b.part(data, 5), data])
    with grpc_backend(kind, plan) as endpoint:
        feed = StoreFeed(read_config(CONFIG[kind](endpoint)), retry_delay=0.05)
        try:
            arrival = wait_for_trace(feed, b.TRACE_ID, ['span[name="child-9"]'],
                                     Waiting(0.05, 20, 3))
        finally:
            feed.close()
    assert arrival.complete and arrival.trace is not None and len(arrival.trace) == 10


@pytest.mark.parametrize("kind", ["tempo", "jaeger-v3"])
def test_a_trace_of_25000_spans_comes_whole(kind: str) -> None:
    data = b.make_trace(25_000)
    with grpc_backend(kind, b.Plan([data])) as endpoint:
        trace = fetch(CONFIG[kind](endpoint), b.TRACE_ID, timeout=60)
    assert trace is not None and len(trace) == 25_000


@pytest.mark.parametrize("kind", list(CONFIG))
def test_unauthenticated_says_what_to_check_and_no_secret(kind: str) -> None:
    with grpc_backend(kind, b.Plan([None], mode="401")) as endpoint, \
            pytest.raises(DataStoreError) as caught:
        fetch(CONFIG[kind](endpoint), b.TRACE_ID)
    text = str(caught.value)
    assert "UNAUTHENTICATED" in text and "check the token" in text and endpoint in text
    assert "SECRET" not in text and "\n" not in text


def test_a_server_that_never_answers_times_out() -> None:
    with grpc_backend("tempo", b.Plan([None], mode="hang")) as endpoint, \
            pytest.raises(DataStoreError, match=r"no answer in 0\.3s"):
        fetch(tempo(endpoint), b.TRACE_ID, timeout=0.3)


def test_nothing_listening_is_a_clear_error() -> None:
    from tests.support.live import free_port

    endpoint = f"127.0.0.1:{free_port()}"
    with pytest.raises(DataStoreError) as caught:
        fetch(tempo(endpoint), b.TRACE_ID, timeout=5)
    assert str(caught.value).startswith(f"data store tempo at {endpoint}: ")
