"""What the HTML report costs: its size per span (raw and gzip-compressed), the time to make
it, and the time until it is drawn in headless Chromium, for 10^3, 10^4 and 10^5 spans.

Each size is a synthetic trace (``synth.cached``, protobuf) shown as ``tracespec show --html``
would (``html_report((), [trace])``).  Per size: the page's bytes per span and gzip's, the
median time of ``html_report`` (``--repeat`` times, default 3), and in Debian's chromium
(``/usr/bin/chromium``, through Playwright's driver; never a browser of its own) the median over
``--repeat`` fresh loads of the file of: the first contentful paint, and the time until the page
is ready (its script decoded the trace and drew the rows in view: ``data-ready-ms``, both from
the navigation's start), plus the wall time from ``goto`` to ready.  Last, the issue-15 targets
with PASS or MISS: the 10^5-span page ready in under 3 s, and under 150 bytes per span.

    python -m benchmarks.bench_report                  # 10^3, 10^4, 10^5
    python -m benchmarks.bench_report 1000 100000 --repeat 5
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from pathlib import Path

import tracespec
from benchmarks import synth
from benchmarks.targets import Target, report
from tracespec.reports.html import html_report

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TARGETS = (
    Target("ready", "the 100,000-span report drawn in headless Chromium", 100_000, 3.0, "s"),
    Target("bytes", "the 100,000-span report's size per span", 100_000, 150.0, "B/span"),
)


def _make(n: int, repeat: int, folder: Path) -> tuple[Path, float, int, int]:
    trace = tracespec.load_trace(synth.cached(n, 1, "pb"))
    times, page = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        page = html_report((), [trace])
        times.append(time.perf_counter() - start)
    data = page.encode("utf-8")
    path = folder / f"report-{n}.html"
    path.write_bytes(data)
    return path, statistics.median(times), len(data), len(gzip.compress(data))


def _paint(context: object, path: Path, repeat: int) -> tuple[float, float, float]:
    """Median first contentful paint, ready time (ms from navigation start) and wall time (s)."""
    fcp, ready, wall = [], [], []
    for _ in range(repeat):
        page = context.new_page()  # type: ignore[attr-defined]
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        wall.append(time.perf_counter() - start)
        ready.append(float(page.get_attribute("body", "data-ready-ms")))
        paints = page.evaluate(
            "performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)")
        fcp.append(paints[0] if paints else float("nan"))
        page.close()
    return statistics.median(fcp), statistics.median(ready), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    measured_ready: dict[int | None, float] = {}
    measured_bytes: dict[int | None, float] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        folder = Path(tmp)
        context = pw.chromium.launch_persistent_context(
            str(folder / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1500, "height": 860}, bypass_csp=True)
        print(f"{'spans':>8}  {'B/span':>7}  {'gzip B/span':>11}  {'make s':>7}  "
              f"{'FCP ms':>7}  {'ready ms':>8}  {'goto→ready s':>12}")
        try:
            for n in args.sizes:
                path, make_s, size, zipped = _make(n, args.repeat, folder)
                fcp, ready, wall = _paint(context, path, args.repeat)
                measured_ready[n] = ready / 1000
                measured_bytes[n] = size / n
                print(f"{n:>8}  {size / n:>7.1f}  {zipped / n:>11.1f}  {make_s:>7.2f}  "
                      f"{fcp:>7.0f}  {ready:>8.0f}  {wall:>12.2f}")
        finally:
            context.close()
    report("issue 15: the HTML report", [(TARGETS[0], measured_ready),
                                          (TARGETS[1], measured_bytes)])


if __name__ == "__main__":
    main()
