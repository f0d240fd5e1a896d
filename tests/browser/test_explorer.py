"""The explorer (tracespec ui) in a real browser: a typed selector lights up its spans, a
selector that does not parse shows where, and a test written by clicking is downloaded as
YAML that `tracespec run` passes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import tracespec
from tests.support.live import tracespec as run_cli
from tracespec.ui import Session, UiServer

TRACE = Path(__file__).resolve().parents[2] / "examples" / "orders-trace.json"


@pytest.fixture(scope="module")
def server() -> Iterator[UiServer]:
    with UiServer(Session([tracespec.load_trace(TRACE)])) as running:
        yield running


@pytest.fixture
def explorer(page: Any, server: UiServer) -> Any:
    page.goto(server.url)
    page.wait_for_selector("body[data-ready='1'] .srow")
    return page


def _marked(page: Any) -> list[str]:
    return sorted(page.locator(".srow.marked .sname").all_inner_texts())


def test_a_typed_selector_lights_up_its_spans(
        explorer: Any, shot: Callable[[Any, str], Path]) -> None:
    from playwright.sync_api import expect

    explorer.locator("#selector").type('span[tracetest.span.type="database"]', delay=5)
    expect(explorer.locator("#selector-status")).to_have_text("3 spans match")
    expect(explorer.locator(".srow.marked")).to_have_count(3)
    assert _marked(explorer) == ["INSERT orders", "SELECT users", "UPDATE inventory"]
    nav = explorer.locator("#marked-nav")
    expect(nav).to_contain_text("3 marked")
    nav.get_by_role("button", name="▸").click()
    nav.get_by_role("button", name="▸").click()
    expect(nav).to_contain_text("2 of 3 marked")
    expect(explorer.locator("#span-detail h3")).to_have_text("INSERT orders")
    explorer.get_by_role("button", name="explain").click()
    expect(explorer.locator("pre").first).to_contain_text("selected: 3 spans of 9")
    shot(explorer, "explorer-selector")


def test_a_selector_that_does_not_parse_shows_where(
        explorer: Any, shot: Callable[[Any, str], Path]) -> None:
    from playwright.sync_api import expect

    explorer.locator("#selector").fill('span[name="x"')
    status = explorer.locator("#selector-status")
    expect(status).to_contain_text("(column 14)")
    caret = status.locator("pre.caret").inner_text().split("\n")
    assert caret == ['span[name="x"', " " * 13 + "^"]
    expect(explorer.locator(".srow.marked")).to_have_count(0)
    shot(explorer, "explorer-parse-error")


def test_a_test_written_by_clicking_passes_tracespec_run(
        explorer: Any, tmp_path: Path, shot: Callable[[Any, str], Path]) -> None:
    from playwright.sync_api import expect

    explorer.locator('.srow:has(.sname:text-is("UPDATE inventory"))').click()
    suggested = explorer.locator("#suggested")
    expect(suggested).to_have_text('span[name="UPDATE inventory"]')
    explorer.context.grant_permissions(["clipboard-read", "clipboard-write"])
    explorer.locator(".suggest").get_by_role("button", name="copy").click()
    expect(explorer.locator(".suggest").get_by_role("button", name="copied")).to_be_visible()
    assert explorer.evaluate("navigator.clipboard.readText()") == 'span[name="UPDATE inventory"]'
    explorer.locator(".suggest").get_by_role("button", name="use").click()
    expect(explorer.locator("#selector-status")).to_have_text("1 span matches")
    detail = explorer.locator("#span-detail")
    detail.locator('tr:has(td.k:text-is("db.system")) button').click()
    detail.locator('tr:has(td.k:text-is("db.rows_affected")) button').click()
    expect(explorer.locator("#assertions")).to_have_value(
        'attr:db.system = "postgresql"\nattr:db.rows_affected = 0')
    explorer.locator("#spec-name").fill("The inventory update is what I saw")
    explorer.get_by_role("button", name="check", exact=True).click()
    verdict = explorer.locator("#spec-verdict .spec")
    expect(verdict).to_have_attribute("data-passed", "true")
    explorer.get_by_role("button", name="add spec to test").click()
    explorer.locator("#test-name").fill("Orders as explored")
    shot(explorer, "explorer-spec")
    with explorer.expect_download() as download:
        explorer.get_by_role("button", name="download test YAML").click()
    assert download.value.suggested_filename == "orders-as-explored.yaml"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "type: Test" in text and 'span[name="UPDATE inventory"]' in text
    proc = run_cli("run", "-f", str(saved), "--trace", str(TRACE))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # and the same text, run from the page, opens its report
    explorer.get_by_role("button", name="run it → report").click()
    frame = explorer.frame_locator(".overlay iframe")
    expect(frame.locator("header .verdict")).to_have_text("✔ 1 test passed")
    shot(explorer, "explorer-run-report")


def test_a_trace_sent_to_the_receiver_appears_on_the_open_page(
        page: Any, shot: Callable[[Any, str], Path]) -> None:
    from playwright.sync_api import expect

    from tests.receiver.sdk import make_trace, provider

    with tracespec.Receiver(http="127.0.0.1:0", grpc=None) as receiver, \
            UiServer(Session([], receiver)) as server:
        page.goto(server.url)
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("aside.right")).to_contain_text("Waiting for traces")
        with provider(receiver, "http", "shop") as (tp, _):
            trace_id = make_trace(tp, "pay")
        expect(page.locator(".srow")).to_have_count(4, timeout=20_000)
        expect(page.locator(".toolbar")).to_contain_text(f"trace {trace_id}")
        expect(page.locator(".srow .sname").first).to_have_text("POST /pay")
        shot(page, "explorer-received")
