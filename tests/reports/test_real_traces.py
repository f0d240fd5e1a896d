"""What a user reads about a trace an application really left: spans named in the reports, the
trace's repairs, and the semantic-convention renames in the messages.

The traces come from the OpenTelemetry SDK, with the attribute names of the semantic-conventions
package it ships: an HTTP server span written with the old names (``http.status_code``, as the
Flask and WSGI instrumentations still write by default), a database client span and an HTTP
client span with the stable ones (``db.query.text``, ``http.response.status_code``).  Span ids
are the SDK's (random), so the expected lines are built from them.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

import tracespec
from tracespec.reports import pretty_test, render, test_json
from tracespec.testfiles import load_test, run_test

ROUTE = "GET /api/orders/<int:order_id>"


def orders_spans() -> list[ReadableSpan]:
    """An order lookup: server span (old HTTP names), a query and a call to the stock service
    (stable names), the call answering 503."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "orders-api"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("orders")
    with tracer.start_as_current_span(ROUTE, kind=SpanKind.SERVER, attributes={
        "http.method": "GET",
        "http.target": "/api/orders/7",
        "http.route": "/api/orders/<int:order_id>",
        "http.status_code": 200,
    }):
        with tracer.start_as_current_span("SELECT orders", kind=SpanKind.CLIENT, attributes={
            "db.system.name": "postgresql",
            "db.query.text": "SELECT * FROM orders WHERE id = $1",
        }):
            pass
        with tracer.start_as_current_span("GET", kind=SpanKind.CLIENT, attributes={
            "http.request.method": "GET",
            "url.full": "http://stock:8080/items/7",
            "http.response.status_code": 503,
        }):
            pass
    provider.shutdown()
    return sorted(exporter.get_finished_spans(), key=lambda s: s.start_time or 0)


def hex_id(span: ReadableSpan) -> str:
    context = span.get_span_context()
    assert context is not None
    return f"{context.span_id:016x}"


def write_test(tmp_path: Path, specs: str) -> Path:
    path = tmp_path / "orders.yaml"
    path.write_text("type: Test\nspec:\n  name: Order lookup\n  specs:\n"
                    + textwrap.indent(textwrap.dedent(specs).strip("\n"), "    ") + "\n",
                    encoding="utf-8")
    return path


def report(tmp_path: Path, spans: Sequence[ReadableSpan], specs: str) -> tuple[list[str], Any]:
    test = load_test(write_test(tmp_path, specs))
    result = run_test(test, tracespec.load_otel_spans(spans))
    return render(pretty_test(result)).splitlines(), test_json(result)


def test_failure_lines_name_the_span_in_the_run_report_and_the_json(tmp_path: Path) -> None:
    spans = orders_spans()
    server, query, call = spans
    lines, doc = report(tmp_path, spans, """
        - name: HTTP answers are not errors
          selector: span[tracetest.span.type="http"]
          assertions:
            - attr:http.response.status_code < 500
    """)
    path = tmp_path / "orders.yaml"
    trace_id = f"{server.get_span_context().trace_id:032x}"
    assert lines == [
        f"✘ Order lookup ({path}) - trace id: {trace_id}",
        "\t✘ HTTP answers are not errors",
        f"\t\t✘ #{hex_id(server)} {ROUTE} (orders-api, server)",
        '\t\t\t✘ attr:http.response.status_code < 500 error: attribute '
        '"http.response.status_code" not found; this span has "http.status_code" (its name '
        f'before semconv v1.21.0) ({path}:8)',
        f"\t\t✘ #{hex_id(call)} GET (orders-api, client)",
        f"\t\t\t✘ attr:http.response.status_code < 500 (503) ({path}:8)",
    ]
    (spec_doc,) = doc["results"]["results"]
    (assertion,) = spec_doc["results"]
    assert [(r["spanId"], r["spanName"], r["service"], r["kind"], r["passed"])
            for r in assertion["spanResults"]] == [
        (hex_id(server), ROUTE, "orders-api", "server", False),
        (hex_id(call), "GET", "orders-api", "client", False),
    ]
    # Tracetest's keys are all still there
    assert set(assertion["spanResults"][0]) >= {"spanId", "observedValue", "passed", "error"}
    assert doc["repairs"] == [] and spec_doc["hints"] == []
    assert query  # (the query is no HTTP span: not selected)


@pytest.mark.parametrize("text", [
    "attr:db.statement contains \"orders\"",  # the general path (no fast loop for contains)
    "attr:db.statement = \"SELECT * FROM orders WHERE id = $1\"",  # the fast path
    "attr:db.statement | length > 0",  # the general path, through a filter
    "attr:db.system = \"postgresql\"",  # the fast path
])
def test_attribute_not_found_names_the_renamed_form_on_both_paths(text: str) -> None:
    spans = orders_spans()
    trace = tracespec.load_otel_spans(spans)
    result = tracespec.check('span[name="SELECT orders"]', [text], trace)
    (span,) = result.assertions[0].spans
    asked = text.split()[0].removeprefix("attr:")
    new = {"db.statement": "db.query.text", "db.system": "db.system.name"}[asked]
    since = {"db.statement": "1.26.0", "db.system": "1.30.0"}[asked]
    assert span.outcome is tracespec.Outcome.ERROR
    assert span.error == (f'attribute "{asked}" not found; this span has "{new}" '
                          f"(its name since semconv v{since})")


def test_no_hint_when_the_span_has_neither_name() -> None:
    trace = tracespec.load_otel_spans(orders_spans())
    result = tracespec.check('span[name="SELECT orders"]',
                             ["attr:http.status_code = 200", "attr:http.route = \"/\""], trace)
    assert [s.error for a in result.assertions for s in a.spans] == [
        'attribute "http.status_code" not found', 'attribute "http.route" not found']


def test_a_selector_that_selects_nothing_says_which_name_the_spans_use(tmp_path: Path) -> None:
    lines, doc = report(tmp_path, orders_spans(), """
        - name: The queries
          selector: span[db.statement contains "orders"]
          assertions:
            - attr:tracetest.selected_spans.count = 1
    """)
    hint = ('no span has "db.statement"; 1 span has "db.query.text" '
            "(its name since semconv v1.26.0)")
    assert lines[1:4] == [
        "\t✘ The queries",
        f"\t\t! {hint}",
        "\t\t✘ #meta",
    ]
    assert doc["results"]["results"][0]["hints"] == [hint]


def test_the_run_report_shows_the_traces_repairs(tmp_path: Path) -> None:
    """The server span did not reach the exporter: its two children are orphans, each treated
    as a root, and a synthetic root adopts both."""
    server, query, call = orders_spans()
    lines, doc = report(tmp_path, [query, call], """
        - selector: span[]
          assertions:
            - attr:tracetest.selected_spans.count = 2
    """)
    missing = hex_id(server)
    repairs = [
        f"span {hex_id(query)} has parent {missing}, which is not in the trace; it is treated "
        "as a root",
        f"span {hex_id(call)} has parent {missing}, which is not in the trace; it is treated "
        "as a root",
        "2 root spans; a synthetic 'Temporary Tracetest root span' span adopts them",
    ]
    assert lines[1:4] == [f"\t! trace repaired: {r}" for r in repairs]
    assert lines[4] == "\t✘ span[]"
    assert doc["repairs"] == repairs
    # the count is 3, not 2: the synthetic root is a span; it has no service, so its line
    # names it by its name and kind only
    assert re.fullmatch(r"\t\t✘ #[0-9a-f]{16} Temporary Tracetest root span \(unspecified\)",
                        lines[5])
    assert lines[6].endswith("✘ attr:tracetest.selected_spans.count = 2 (3) "
                             f"({tmp_path / 'orders.yaml'}:7)")
    assert lines[7] == f"\t\t✘ #{hex_id(query)} SELECT orders (orders-api, client)"


def test_a_passing_test_shows_its_repairs_too(tmp_path: Path) -> None:
    _server, query, call = orders_spans()
    lines, _ = report(tmp_path, [query, call], """
        - selector: span[name="GET"]
          assertions:
            - attr:http.response.status_code = 503
    """)
    assert lines[0].startswith("✔ Order lookup")
    assert [line.split(":")[0] for line in lines[1:4]] == ["\t! trace repaired"] * 3
    assert lines[4:] == ['\t✔ span[name="GET"]']


def test_results_not_in_trace_order_are_named_by_their_ids() -> None:
    """A spec result made by hand, its span results in another order than the selected spans
    (and one of a span the trace does not hold): each group is still named by its own span."""
    from tracespec.reports import pretty_spec, spec_json
    from tracespec.results import AssertionResult, Outcome, SpanResult, SpecResult

    spans = orders_spans()
    server, query, call = spans
    trace = tracespec.load_otel_spans(spans)
    ids = [hex_id(s) for s in spans]
    results = tuple(SpanResult(i, "x", Outcome.FAILED, "no match")
                    for i in (ids[2], ids[0], "00000000000000aa"))
    spec = SpecResult("span[]", (AssertionResult("attr:a = 1", False, results),),
                      tuple(ids))
    lines = [text for text, _ in pretty_spec(spec, trace=trace)]
    assert lines[1:] == [
        f"\t✘ #{ids[0]} {ROUTE} (orders-api, server)", "\t\t✘ attr:a = 1 (x)",
        f"\t✘ #{ids[2]} GET (orders-api, client)", "\t\t✘ attr:a = 1 (x)",
        "\t✘ #00000000000000aa", "\t\t✘ attr:a = 1 (x)",
    ]
    names = [r["spanName"] for r in spec_json(spec, trace=trace)["results"][0]["spanResults"]]
    assert names == ["GET", ROUTE, None]
    assert query.name == "SELECT orders" and call.name == "GET" and server.name == ROUTE
