"""One headless Chromium per test module, driven by Playwright for Python.

The browser is Debian's ``chromium`` package (``/usr/bin/chromium``; Playwright's own browser
downloads are never used), launched with a fresh profile and nothing that talks to the
network.  When it or Playwright is missing, the tests skip saying exactly what to install
(``.ci/run`` installs both, so in CI they run).  ``shot`` saves a screenshot into the test's
temporary folder and prints its path (``pytest -s`` shows it; it is in the captured output of
a failing test).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("TRACESPEC_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A browser context (Playwright ``BrowserContext``) shared by the module's tests."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no {CHROMIUM}: install Debian's chromium "
                    "(apt-get install -y --no-install-recommends chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is missing: pip install -e '.[test]' "
                    "(never 'playwright install': the tests use /usr/bin/chromium)")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, args=ARGS, viewport={"width": 1500, "height": 860},
            accept_downloads=True, timeout=60_000)
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new page; its script errors fail the test."""
    errors: list[str] = []
    new = browser.new_page()
    new.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield new
    finally:
        new.close()
    assert not errors, errors


@pytest.fixture
def shot(tmp_path: Path) -> Callable[[Any, str], Path]:
    """``shot(page, name)``: a PNG of the page in the test's folder, its path printed."""
    def take(page: Any, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path))
        print(f"screenshot: {path}")
        return path

    return take
