"""The explorer's server over real HTTP (aiohttp on 127.0.0.1, a free port): the page, the API,
what it refuses, and traces appearing as a real OpenTelemetry SDK exports them to the receiver."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import tracespec
from tests.receiver.sdk import make_trace, provider
from tests.support.htmlpage import page_data
from tracespec.ui import Session, UiServer

TRACE = Path(__file__).resolve().parents[2] / "examples" / "orders-trace.json"


@pytest.fixture(scope="module")
def server() -> Iterator[UiServer]:
    with UiServer(Session([tracespec.load_trace(TRACE)])) as running:
        yield running


def test_the_page_embeds_the_listing_in_explorer_mode(server: UiServer) -> None:
    reply = httpx.get(server.url, timeout=10)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    data = page_data(reply.text)
    assert data["mode"] == "explorer"
    assert [t["traceId"] for t in data["traces"]] == ["4bf92f3577b34da6a3ce929d0e0e4736"]


def test_the_api_answers_json(server: UiServer) -> None:
    trace = httpx.get(server.url + "api/traces/0", timeout=10).json()
    assert trace["n"] == 9 and len(trace["ids"]) == 9 * 16
    got = httpx.post(server.url + "api/select",
                     json={"trace": 0, "selector": 'span[kind="server"]'}, timeout=10).json()
    assert len(got["positions"]) == 2  # POST /api/orders and POST /charge (payments)
    missing = httpx.get(server.url + "api/traces/7", timeout=10)
    assert missing.status_code == 404 and "no trace number 7" in missing.json()["error"]
    assert httpx.get(server.url + "api/traces/..%2f..%2fetc", timeout=10).status_code == 404


def test_what_another_site_could_send_is_refused(server: UiServer) -> None:
    form = httpx.post(server.url + "api/select", content='{"trace": 0, "selector": "span"}',
                      headers={"Content-Type": "text/plain"}, timeout=10)
    assert form.status_code == 415
    rebound = httpx.get(server.url + "api/traces", headers={"Host": "evil.example:80"}, timeout=10)
    assert rebound.status_code == 403
    assert httpx.get(server.url + "etc/passwd", timeout=10).status_code == 404
    bad = httpx.post(server.url + "api/check", content="[1]",
                     headers={"Content-Type": "application/json"}, timeout=10)
    assert bad.status_code == 400


def test_received_traces_appear_as_they_arrive() -> None:
    with tracespec.Receiver(http="127.0.0.1:0", grpc=None) as receiver, \
            UiServer(Session([], receiver)) as server:
        assert httpx.get(server.url + "api/traces", timeout=10).json() == []
        with provider(receiver, "http", "shop") as (tp, _):
            trace_id = make_trace(tp)
        receiver.wait(trace_id, timeout=10)
        deadline = time.monotonic() + 10
        listing: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            listing = httpx.get(server.url + "api/traces", timeout=10).json()
            if listing and listing[0]["n"] == 4:
                break
            time.sleep(0.05)
        assert [(t["traceId"], t["n"], t["root"]) for t in listing] == [
            (trace_id, 4, "POST /checkout")]
        data = httpx.get(server.url + "api/traces/0", timeout=10).json()
        assert data["traceId"] == trace_id and data["groups"][0]["service"] == "shop"
