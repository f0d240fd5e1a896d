"""The HTML report: test runs and their traces as one self-contained page (no network, no CDN).

:func:`html_report` is a pure function of results (and traces) to text: the run's verdicts per
test, spec and assertion, with each selected span's observed value and the place in the test
file; each trace as a waterfall and tree (service colours, nesting, durations, errors), the
spans a spec selected marked; a span's attributes, resource, events and links on click.  The
page is the same whether opened from disk or kept as a CI artifact: its script and style
(``html_assets/``) are inlined, and the data sits in a ``<script type="application/json">``
element, escaped so that no text of a trace can end it (:func:`~._htmldata.script_json`); the
script writes every text of the data with ``textContent``, never as markup.  The trace is
embedded compactly (:mod:`._htmldata`) and only the rows in view are drawn, so a
100,000-span trace opens in a few seconds.  :func:`html_page` is the page the explorer
(``tracespec ui``) serves, the same script in its explorer mode.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any

from .._gc import paused as gc_paused
from ..results import Outcome, SpecResult
from ..testfiles.model import Spec, Test
from ..testfiles.results import SuiteResult, TestResult
from ..trace import Trace
from ._htmldata import script_json, trace_data
from ._rows import span_results_of
from ._trace import selection_hints
from .escape import json_text

__all__ = ["html_page", "html_report", "results_data"]

_OUTCOME = {Outcome.PASSED: 0, Outcome.FAILED: 1, Outcome.ERROR: 2}


@cache
def _asset(name: str) -> str:
    return (resources.files("tracespec.reports") / "html_assets" / name).read_text("utf-8")


class _Traces:
    """The traces of a page, each once (by identity), and the position of each span id."""

    def __init__(self) -> None:
        self.traces: list[Trace] = []
        self._at: dict[int, int] = {}

    def add(self, trace: Trace | None) -> int | None:
        if trace is None:
            return None
        found = self._at.get(id(trace))
        if found is None:
            found = self._at[id(trace)] = len(self.traces)
            self.traces.append(trace)
        return found


def _position(trace: Trace | None, span_id: str | None) -> int:
    if trace is None or span_id is None:
        return -1
    span = trace.get(span_id)
    return -1 if span is None else span.position


def _place(spec: Spec | None, field: str, index: int = 0) -> str:
    if spec is None:
        return ""
    if field == "selector":
        return spec.selector_place.file_line
    if field == "assertion":
        return spec.assertion_place(index).file_line
    return spec.place.file_line


def spec_data(result: SpecResult, trace: Trace | None, spec: Spec | None = None) -> dict[str, Any]:
    """One spec's verdicts: its selected spans (positions), each assertion's span results
    (position, observed value, outcome 0 passed / 1 failed / 2 error, message)."""
    positions = [_position(trace, i) for i in result.span_ids]
    by_id = dict(zip(result.span_ids, positions, strict=True))
    assertions = []
    for k, assertion in enumerate(result.assertions):
        rows = [[by_id.get(s.span_id, _position(trace, s.span_id)) if s.span_id else -1,
                 s.observed, _OUTCOME[s.outcome], s.error]
                for s in span_results_of(result, assertion)]
        assertions.append({"text": assertion.text, "passed": result.error is None
                           and assertion.passed, "error": assertion.error,
                           "place": _place(spec, "assertion", k), "results": rows})
    return {
        "title": result.title, "name": result.name or "", "selector": result.selector,
        "passed": result.passed, "error": result.error, "place": _place(spec, "spec"),
        "hints": selection_hints(result, trace), "spans": positions, "assertions": assertions,
    }


def _test(result: TestResult, traces: _Traces, suite: str | None) -> dict[str, Any]:
    test: Test = result.test
    specs = test.specs if len(test.specs) == len(result.specs) else (None,) * len(result.specs)
    return {
        "name": test.name, "id": test.id, "file": test.path, "suite": suite,
        "passed": result.passed, "error": result.error, "incomplete": result.incomplete,
        "problems": list(result.problems), "traceId": result.trace_id,
        "trace": traces.add(result.trace), "duration": result.duration_s,
        "specs": [spec_data(r, result.trace, s) for r, s in zip(result.specs, specs,
                                                                  strict=True)],
        "outputs": [{"name": o.name, "value": o.value, "resolved": o.resolved,
                     "error": o.error, "span": _position(result.trace, o.span_id)}
                    for o in result.outputs],
    }


def results_data(
    results: Iterable[TestResult | SuiteResult], traces: Sequence[Trace] = (),
) -> tuple[list[dict[str, Any]], list[Trace]]:
    """The tests of ``results`` (a suite's steps each a test, naming the suite) and the traces
    they ran on, each once, after ``traces``."""
    seen = _Traces()
    for trace in traces:
        seen.add(trace)
    tests: list[dict[str, Any]] = []
    for result in results:
        if isinstance(result, SuiteResult):
            name = result.suite.name or result.suite.id or result.suite.path
            tests.extend(_test(step, seen, name) for step in result.steps)
        else:
            tests.append(_test(result, seen, None))
    return tests, seen.traces


def html_page(data: dict[str, Any], *, title: str) -> str:
    """The page around ``data`` (``mode``: ``"report"`` or ``"explorer"``): the inlined style
    and script, the data as escaped JSON."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
        "connect-src 'self'; frame-src 'self' blob:\">"
        f"<title>{html.escape(title)}</title><style>{_asset('report.css')}</style></head>"
        "<body><div id=\"app\"></div>"
        f"<script type=\"application/json\" id=\"tracespec-data\">{json_text(script_json(data))}"
        f"</script><script>{_asset('report.js')}</script></body></html>\n"
    )


def html_report(
    results: Iterable[TestResult | SuiteResult] = (),
    traces: Sequence[Trace] = (),
    *,
    title: str | None = None,
) -> str:
    """The HTML report of test runs (``results``) and of ``traces`` (shown even when no test
    ran on them, as ``tracespec show --html`` does): one self-contained page."""
    with gc_paused():
        tests, shown = results_data(results, traces)
        sources = [t.source for t in shown]
        data = {
            "mode": "report",
            "title": title or _title(tests, shown),
            "tests": tests,
            "traces": [trace_data(t, source=s) for t, s in zip(shown, sources, strict=True)],
        }
    return html_page(data, title=str(data["title"]))


def _title(tests: list[dict[str, Any]], traces: list[Trace]) -> str:
    if tests:
        failed = sum(not t["passed"] for t in tests)
        names = tests[0]["name"] if len(tests) == 1 else f"{len(tests)} tests"
        return f"{'✘' if failed else '✔'} {names} — tracespec"
    if traces:
        return f"trace {traces[0].trace_id} — tracespec"
    return "tracespec"
