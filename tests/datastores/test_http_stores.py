"""``tracespec.datastores.fetch`` and the polling of a live run against loopback backends that
speak each store's real HTTP API (tests/datastores/backends.py): the trace comes whole and
with its values, arrives in parts, needs paging; 401, a malformed body, a server that never
answers and one that is not there are one-line errors naming the store and the endpoint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.datastores import backends as b
from tests.triggers.servers import serving
from tracespec import DataStoreError
from tracespec.datastores import fetch, read_config
from tracespec.datastores.feed import StoreFeed
from tracespec.testfiles.polling import Waiting, wait_for_trace

Config = Callable[[str], dict[str, Any]]


def tempo(url: str) -> dict[str, Any]:
    return {"type": "tempo", "tempo": {"type": "http", "http": {
        "url": url, "headers": {"X-Scope-OrgID": "team-a"}}}}


def tempo_v2(url: str) -> dict[str, Any]:
    return {"type": "tempo", "tempo": {"type": "http", "http": {"url": url, "api": "v2"}}}


def jaeger(url: str) -> dict[str, Any]:
    return {"type": "jaeger", "jaeger": {"type": "http", "http": {"url": url}}}


def zipkin(url: str) -> dict[str, Any]:
    return {"type": "zipkin", "zipkin": {"url": url}}


def opensearch(url: str) -> dict[str, Any]:
    return {"type": "opensearch", "opensearch": {
        "addresses": [url], "index": "otel-v1-apm-span", "username": "admin",
        "password": "s3cret-pw"}}


def elasticapm(url: str) -> dict[str, Any]:
    return {"type": "elasticapm", "elasticapm": {
        "addresses": [url], "index": "traces-apm-default", "username": "elastic",
        "password": "s3cret-pw"}}


def signalfx(url: str) -> dict[str, Any]:
    return {"type": "signalfx", "signalfx": {"realm": "us1", "token": "tok-SECRET-123",
                                             "url": url}}


STORES: dict[str, tuple[Callable[[Any, b.Plan], None], Config]] = {
    "tempo": (b.tempo_routes, tempo),
    "tempo-protobuf": (b.tempo_proto_routes, tempo),
    "tempo-json": (b.tempo_json_routes, tempo),
    "tempo-v2": (b.tempo_v2_routes, tempo_v2),
    "tempo-v2-json": (b.tempo_v2_json_routes, tempo_v2),
    "jaeger-v3": (b.jaeger_routes, jaeger),
    "jaeger-v1": (b.jaeger_v1_routes, jaeger),
    "zipkin": (b.zipkin_routes, zipkin),
    "opensearch": (b.search_routes, opensearch),
    "elasticapm": (b.elastic_routes, elasticapm),
    "signalfx": (b.signalfx_routes, signalfx),
}


@pytest.mark.parametrize("name", list(STORES))
def test_fetch_reads_the_whole_trace_with_its_values(name: str) -> None:
    routes, config = STORES[name]
    data = b.make_trace(7)
    plan = b.Plan([data])
    with b.backend(routes, plan) as url:
        trace = fetch(config(url), b.TRACE_ID)
    assert trace is not None
    assert trace.trace_id == b.TRACE_ID
    assert {s.span_id for s in trace} == b.span_ids(data)
    root = trace.root
    assert root.name == ("get /orders" if name == "zipkin" else "GET /orders")
    assert root.resource.attributes["service.name"] == "shop"
    children = sorted(root.children, key=lambda s: s.span_id)
    assert [c.name for c in children][:2] == ["child-1", "child-2"]
    assert len(children) == 6
    if name not in ("elasticapm",):
        assert root.attributes["http.method"] == "GET"
        assert str(root.kind.name) == "SERVER"


@pytest.mark.parametrize("name", list(STORES))
def test_not_found_is_none(name: str) -> None:
    routes, config = STORES[name]
    with b.backend(routes, b.Plan([None])) as url:
        assert fetch(config(url), b.TRACE_ID) is None


def test_tempo_sends_its_headers_and_the_hex_id() -> None:
    plan = b.Plan([b.make_trace(2)])
    with b.backend(b.tempo_routes, plan) as url:
        fetch(tempo(url), b.TRACE_ID)
    assert plan.requests[0]["path"] == f"/api/traces/{b.TRACE_ID}"
    assert plan.requests[0]["headers"]["X-Scope-Orgid"] == "team-a"
    assert plan.requests[0]["headers"]["Accept"] == "application/protobuf"


def test_signalfx_sends_the_token_as_bearer() -> None:
    plan = b.Plan([b.make_trace(3)])
    with b.backend(b.signalfx_routes, plan) as url:
        trace = fetch(signalfx(url), b.TRACE_ID)
    assert trace is not None and len(trace) == 3  # both segments read
    assert [r["path"] for r in plan.requests] == [
        f"/v2/apm/trace/{b.TRACE_ID}/segments", f"/v2/apm/trace/{b.TRACE_ID}/1700000000000",
        f"/v2/apm/trace/{b.TRACE_ID}/1700000060000"]
    assert {r["headers"]["Authorization"] for r in plan.requests} == {"Bearer tok-SECRET-123"}


def test_jaeger_without_api_v3_is_read_with_v1_from_then_on() -> None:
    plan = b.Plan([None, b.make_trace(4)])
    with b.backend(b.jaeger_v1_routes, plan) as url:
        feed = StoreFeed(read_config(jaeger(url)), retry_delay=0.01)
        try:
            assert feed.poll(b.TRACE_ID) == 0
            assert feed.poll(b.TRACE_ID) == 4
        finally:
            feed.close()
    assert [r["path"] for r in plan.requests] == [
        f"/api/v3/traces/{b.TRACE_ID}", f"/api/traces/{b.TRACE_ID}",
        f"/api/traces/{b.TRACE_ID}"]


@pytest.mark.parametrize("name", ["opensearch", "elasticapm"])
def test_a_trace_of_25000_spans_is_paged_whole(name: str) -> None:
    routes, config = STORES[name]
    data = b.make_trace(25_000)
    plan = b.Plan([data])
    with b.backend(routes, plan) as url:
        trace = fetch(config(url), b.TRACE_ID, timeout=60)
    assert trace is not None and len(trace) == 25_000
    assert {s.span_id for s in trace} == b.span_ids(data)
    searches = [r["json"] for r in plan.requests]
    assert len(searches) == 25  # 1000 a page, and no page beyond 10,000 hits
    assert all(s["size"] <= 10_000 for s in searches)
    assert "search_after" not in searches[0] and all("search_after" in s for s in searches[1:])


@pytest.mark.parametrize("name", ["tempo", "jaeger-v3", "opensearch", "signalfx", "zipkin"])
def test_the_poll_waits_for_the_trace_arriving_in_parts(name: str) -> None:
    routes, config = STORES[name]
    data = b.make_trace(10)
    plan = b.Plan([None, b.part(data, 5), data])
    with b.backend(routes, plan) as url:
        feed = StoreFeed(read_config(config(url)), retry_delay=0.05)
        try:
            arrival = wait_for_trace(feed, b.TRACE_ID, ['span[name="child-9"]'],
                                     Waiting(retry_delay=0.05, timeout=20))
        finally:
            feed.close()
    assert arrival.complete and arrival.message is None
    assert arrival.trace is not None and len(arrival.trace) == 10
    # not found, half, all, and all again: the count stayed over two polls
    assert plan.asked >= 4


def test_a_count_stable_over_two_polls_ends_the_wait_when_the_selectors_match() -> None:
    data = b.make_trace(6)
    plan = b.Plan([b.part(data, 3), data])
    with b.backend(b.tempo_routes, plan) as url:
        feed = StoreFeed(read_config(tempo(url)), retry_delay=0.05)
        try:
            arrival = wait_for_trace(feed, b.TRACE_ID, ["span"], Waiting(0.05, 20, 3))
        finally:
            feed.close()
    assert arrival.complete and arrival.trace is not None and len(arrival.trace) == 6
    assert plan.asked == 3  # 3 spans, 6 spans, 6 spans again: complete


def test_the_trigger_span_joins_the_fetched_trace() -> None:
    from tracespec.formats import load_trace

    data = b.make_trace(3)
    extra = b.make_trace(1)
    span = extra.resource_spans[0].scope_spans[0].spans[0]
    span.span_id = bytes.fromhex("00000000000000aa")
    span.name = "Tracetest trigger"
    span.ClearField("parent_span_id")
    data.resource_spans[0].scope_spans[0].spans[0].parent_span_id = span.span_id
    plan = b.Plan([data])
    with b.backend(b.tempo_routes, plan) as url:
        feed = StoreFeed(read_config(tempo(url)), retry_delay=0.05)
        feed.add(b.TRACE_ID, extra.SerializeToString())
        try:
            assert feed.poll(b.TRACE_ID) == 4
            trace = feed.trace(b.TRACE_ID)
        finally:
            feed.close()
    assert trace is not None and trace.root.name == "Tracetest trigger"
    assert load_trace(extra.SerializeToString()).root.name == "Tracetest trigger"


@pytest.mark.parametrize("name", ["tempo", "jaeger-v3", "zipkin", "opensearch", "signalfx"])
def test_401_says_what_to_check_and_no_secret(name: str) -> None:
    routes, config = STORES[name]
    with b.backend(routes, b.Plan([None], mode="401")) as url, \
            pytest.raises(DataStoreError) as caught:
        fetch(config(url), b.TRACE_ID)
    text = str(caught.value)
    assert "\n" not in text and "401" in text and url.split("//")[1] in text
    assert "check the" in text
    assert "s3cret" not in text and "SECRET" not in text and "team-a" not in text
    assert caught.value.store == config(url)["type"]


@pytest.mark.parametrize("name", ["tempo-json", "jaeger-v3", "zipkin", "opensearch"])
def test_a_malformed_body_is_an_error(name: str) -> None:
    routes, config = STORES[name]
    with b.backend(routes, b.Plan([None], mode="malformed")) as url, \
            pytest.raises(DataStoreError) as caught:
        fetch(config(url), b.TRACE_ID)
    assert "not JSON" in str(caught.value) or "not a trace" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_server_that_never_answers_times_out() -> None:
    with b.backend(b.tempo_routes, b.Plan([None], mode="hang")) as url, \
            pytest.raises(DataStoreError, match=r"no answer in 0\.3s"):
        fetch(tempo(url), b.TRACE_ID, timeout=0.3)


def test_connection_refused_names_the_store_and_endpoint() -> None:
    from tests.support.live import free_port

    port = free_port()
    with pytest.raises(DataStoreError) as caught:
        fetch(tempo(f"http://127.0.0.1:{port}"), b.TRACE_ID)
    assert str(caught.value).startswith(f"data store tempo at http://127.0.0.1:{port}/api/")
    assert "connection refused" in str(caught.value)


def test_the_answer_of_another_trace_is_not_the_trace() -> None:
    other = b.make_trace(2, trace_id="1" * 32)
    with b.backend(b.tempo_proto_routes, b.Plan([other])) as url:
        assert fetch(tempo(url), b.TRACE_ID) is None


def test_a_bad_trace_id_is_refused_before_asking() -> None:
    with pytest.raises(DataStoreError, match="not a trace id"):
        fetch(tempo("http://127.0.0.1:9"), "xyz")


def test_a_name_that_does_not_resolve_says_dns() -> None:
    with pytest.raises(DataStoreError, match="does not resolve"):
        fetch(tempo("http://nosuch-host.invalid:3200"), b.TRACE_ID, timeout=5)


def test_tls_unknown_ca_is_an_error_and_the_ca_file_makes_it_work(tmp_path: Path) -> None:
    from tests.triggers.servers import self_signed, server_tls

    cert, key = self_signed(tmp_path)
    data = b.make_trace(3)
    with serving(b._app(b.Plan([data]), b.tempo_routes), server_tls(cert, key)) as url:
        with pytest.raises(DataStoreError, match="TLS failed"):
            fetch(tempo(url), b.TRACE_ID)
        trusted = tempo(url)
        trusted["tempo"]["http"]["tls"] = {"settings": {"cAFile": str(cert)}}
        got = fetch(trusted, b.TRACE_ID)
        skipping = tempo(url)
        skipping["tempo"]["http"]["tls"] = {"insecureSkipVerify": True}
        skipped = fetch(skipping, b.TRACE_ID)
    assert got is not None and len(got) == 3 and skipped is not None and len(skipped) == 3
