"""The screenshots of docs/ui.md, taken in headless Chromium with Playwright (as the browser
tests drive it): the report of examples/orders-fail.yaml, a span clicked in it, the explorer
on examples/orders-trace.json (a selector typed, its parse error, a spec checked), and a
100,000-span trace.

    python tools/ui_screenshots.py          # writes docs/images/ui-*.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import tracespec  # noqa: E402
from tracespec.reports.html import html_report  # noqa: E402
from tracespec.ui import Session, UiServer  # noqa: E402

OUT = ROOT / "docs" / "images"
EXAMPLES = ROOT / "examples"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    """Take every screenshot, in one browser."""
    import os

    from playwright.sync_api import expect, sync_playwright

    os.chdir(ROOT)  # (the report names the test file as given: examples/orders-fail.yaml)
    trace = tracespec.load_trace("examples/orders-trace.json")
    result = tracespec.run_test(tracespec.load_test("examples/orders-fail.yaml"), trace)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        folder = Path(tmp)
        context = pw.chromium.launch_persistent_context(
            str(folder / "profile"), executable_path="/usr/bin/chromium", headless=True,
            args=ARGS, viewport={"width": 1440, "height": 800})
        page = context.new_page()
        report = folder / "report.html"
        report.write_text(html_report([result]), encoding="utf-8")
        page.goto(report.as_uri())
        page.wait_for_selector("body[data-ready='1']")
        page.screenshot(path=str(OUT / "ui-report.png"))
        page.locator('.srow:has(.sname:text-is("INSERT orders"))').click()
        page.screenshot(path=str(OUT / "ui-report-span.png"))

        with UiServer(Session([trace])) as server:
            page.goto(server.url)
            page.wait_for_selector("body[data-ready='1'] .srow")
            page.locator("#selector").fill('span[tracetest.span.type="database"]')
            expect(page.locator("#selector-status")).to_have_text("3 spans match")
            page.get_by_role("button", name="explain").click()
            page.wait_for_selector("pre.plain")
            page.screenshot(path=str(OUT / "ui-explorer-select.png"))
            page.locator("#selector").fill('span[tracetest.span.type="database"')
            expect(page.locator("#selector-status pre.caret")).to_be_visible()
            page.screenshot(path=str(OUT / "ui-explorer-error.png"))
            page.locator('.srow:has(.sname:text-is("UPDATE inventory"))').click()
            expect(page.locator("#suggested")).to_have_text('span[name="UPDATE inventory"]')
            page.locator(".suggest").get_by_role("button", name="use").click()
            detail = page.locator("#span-detail")
            detail.locator('tr:has(td.k:text-is("db.system")) button').click()
            detail.locator('tr:has(td.k:text-is("db.rows_affected")) button').click()
            page.locator("#spec-name").fill("The inventory update")
            page.get_by_role("button", name="check", exact=True).click()
            page.wait_for_selector("#spec-verdict .spec")
            page.get_by_role("button", name="add spec to test").click()
            page.screenshot(path=str(OUT / "ui-explorer-spec.png"))

        from benchmarks.synth import cached

        big = tracespec.load_trace(cached(100_000, 1, "pb"))
        big_page = folder / "big.html"
        big_page.write_text(html_report((), [big]), encoding="utf-8")
        page.goto(big_page.as_uri())
        page.wait_for_selector("body[data-ready='1']")
        page.mouse.move(700, 400)
        page.mouse.wheel(0, 1_200_000)
        page.wait_for_timeout(300)
        page.locator(".srow:visible").nth(8).click()
        page.screenshot(path=str(OUT / "ui-100k.png"))
        context.close()
    for path in sorted(OUT.glob("ui-*.png")):
        print(path.relative_to(ROOT), path.stat().st_size)


if __name__ == "__main__":
    main()
