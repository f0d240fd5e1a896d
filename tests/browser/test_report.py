"""The HTML report in a real browser (headless Chromium): what a failing run shows, a span's
attributes on click, hostile text shown as text, and a 100,000-span report that loads and
scrolls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import tracespec
from tests.support.traces import make_trace
from tracespec.reports.html import html_report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _open(page: Any, html: str, path: Path) -> None:
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']")


def test_a_failing_run_shows_the_failing_spec_span_and_observed_value(
        page: Any, tmp_path: Path, shot: Callable[[Any, str], Path]) -> None:
    from playwright.sync_api import expect

    test = tracespec.load_test(EXAMPLES / "orders-fail.yaml")
    result = tracespec.run_test(test, tracespec.load_trace(EXAMPLES / "orders-trace.json"))
    _open(page, html_report([result]), tmp_path / "report.html")
    expect(page.locator("header .verdict")).to_have_text("✘ 1 of 1 failed")
    failing = page.locator('.spec[data-passed="false"]')
    expect(failing).to_have_count(2)
    first = failing.first
    expect(first).to_contain_text("The inventory is updated")
    expect(first).to_contain_text("orders-fail.yaml:21")
    expect(first.locator(".result.fail").first).to_contain_text("UPDATE inventory")
    expect(first.locator(".result.fail .observed").first).to_have_text("STATUS_CODE_ERROR")
    # the failing spec is open: its span is marked in the waterfall and shown in full
    expect(page.locator(".srow.current .sname")).to_have_text("UPDATE inventory")
    expect(page.locator("#span-detail")).to_contain_text("no rows updated")
    shot(page, "report-failing")
    # another span, clicked in the waterfall: its attributes
    page.locator('.srow:has(.sname:text-is("INSERT orders"))').click()
    detail = page.locator("#span-detail")
    expect(detail.locator("h3")).to_have_text("INSERT orders")
    expect(detail.locator('tr:has(td.k:text-is("db.statement")) td.v')).to_have_text(
        '"INSERT INTO orders (user_id, total) VALUES ($1, $2)"')
    expect(detail.locator('tr:has(td.k:text-is("service.name")) td.v')).to_have_text('"api"')
    shot(page, "report-span")


def test_hostile_text_is_shown_as_text(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    evil = '<img src=x onerror="document.title=\'pwned\'"></script><script>document.title="pwned"'
    trace = make_trace([{"name": evil, "attributes": {"note": evil}}])
    _open(page, html_report((), [trace]), tmp_path / "hostile.html")
    expect(page.locator(".srow .sname").first).to_have_text(evil)
    page.locator(".srow").first.click()
    expect(page.locator('#span-detail tr:has(td.k:text-is("note")) td.v')).to_have_text(
        '"' + evil.replace('"', '\\"') + '"')
    assert page.title() != "pwned" and page.locator("img").count() == 0


@pytest.fixture(scope="module")
def big_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.synth import trace_bytes

    trace = tracespec.load_trace(trace_bytes(100_000, seed=7))
    path = tmp_path_factory.mktemp("big") / "big.html"
    path.write_text(html_report((), [trace]), encoding="utf-8")
    return path


def test_a_100000_span_report_loads_and_scrolls(
        page: Any, big_report: Path, shot: Callable[[Any, str], Path]) -> None:
    from playwright.sync_api import expect

    page.goto(big_report.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    expect(page.locator(".toolbar")).to_contain_text("100000 spans")
    rows = page.locator(".srow:visible")
    assert 20 <= rows.count() <= 80  # only the rows in view are drawn
    page.mouse.move(700, 450)
    last = page.locator('.srow[data-pos="99999"]')
    for _ in range(200):  # (bounded: the viewport is 100,000 rows of 24 px)
        if last.count() and last.is_visible():
            break
        page.mouse.wheel(0, 200_000)
    expect(last).to_be_visible()
    last.click()
    expect(page.locator("#span-detail h3")).not_to_be_empty()
    shot(page, "report-100000-bottom")
