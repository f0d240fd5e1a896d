"""The HTML report: a pure function of results and traces; its embedded data, decoded again,
is the trace and the verdicts; no text of a trace can break out of the data element."""

from __future__ import annotations

import gzip
from pathlib import Path

import tracespec
from tests.support.htmlpage import decode, page_data
from tests.support.traces import make_trace
from tracespec.reports.html import html_report
from tracespec.trace.attrvalue import to_json_compatible

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _failing_run() -> tracespec.TestResult:
    test = tracespec.load_test(EXAMPLES / "orders-fail.yaml")
    return tracespec.run_test(test, tracespec.load_trace(EXAMPLES / "orders-trace.json"))


def test_the_embedded_trace_decodes_to_the_trace() -> None:
    trace = tracespec.load_trace(EXAMPLES / "orders-trace.json")
    data = page_data(html_report((), [trace]))
    (embedded,) = data["traces"]
    spans = decode(embedded)
    assert len(spans) == len(trace) == embedded["n"]
    t0 = trace.root.start_time_ns
    for span, got in zip(trace, spans, strict=True):
        adapter, raw = trace.index.adapter_at(span.position)
        assert got["id"] == span.span_id
        assert got["parent"] == (span.parent.position if span.parent else -1)
        assert got["start"] == span.start_time_ns - t0
        assert got["duration"] == span.duration_ns
        assert (got["name"], got["kind"]) == (span.name, span.kind.value)
        assert got["status"] == span.status_code.otlp_name
        assert got["type"] == span.attributes["tracetest.span.type"]
        assert got["attributes"] == {k: to_json_compatible(v)
                                     for k, v in adapter.attributes(raw).items()}
        group = embedded["groups"][got["group"]]
        assert group["service"] == span.attributes["service.name"]
    update = trace.span("a1b2c3d4e5f60009")
    extra = embedded["extra"][str(update.position)]
    assert extra["status"] == "no rows updated"
    assert extra["events"][0][0] == "exception"


def test_a_failing_run_carries_each_verdict_observed_value_and_place() -> None:
    data = page_data(html_report([_failing_run()]))
    (test,) = data["tests"]
    assert test["passed"] is False and test["file"].endswith("orders-fail.yaml")
    api, inventory, durations = test["specs"]
    assert api["passed"] and not inventory["passed"] and not durations["passed"]
    assert inventory["place"].endswith("orders-fail.yaml:21")
    status, rows = inventory["assertions"]
    assert status["place"].endswith("orders-fail.yaml:24")
    spans = decode(data["traces"][test["trace"]])
    ((pos, observed, outcome, _),) = status["results"]
    assert spans[pos]["name"] == "UPDATE inventory"
    assert (observed, outcome) == ("STATUS_CODE_ERROR", 1)
    assert rows["results"][0][1] == "0"
    slow = [(spans[r[0]]["name"], r[1]) for r in durations["assertions"][0]["results"] if r[2]]
    assert slow == [("INSERT orders", "7ms")]  # 6.8ms, as Tracetest rounds it


def test_hostile_text_stays_data() -> None:
    hostile = '</script><script>window.pwned=1</script>\u2028\u2029<!-- & \udc80'
    value = hostile[:-1]  # (the loader leaves out an attribute holding a lone surrogate)
    trace = make_trace([{"name": hostile, "attributes": {"k</script>": value}}])
    page = html_report((), [trace])
    body = page.split('id="tracespec-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body and ">" not in body and "&" not in body
    assert "\u2028" not in body and "\u2029" not in body
    page.encode("utf-8")  # (a lone surrogate is escaped, never written raw)
    spans = decode(page_data(page)["traces"][0])
    assert spans[0]["name"] == hostile
    assert spans[0]["attributes"] == {"k</script>": value}


def test_the_page_is_self_contained() -> None:
    page = html_report([_failing_run()])
    for needle in ("http://", "https://", "<link", "src=\"", "@import"):
        assert needle not in page.replace("http://api:8080", "").replace(
            "http://payments:8080", ""), needle


def test_a_big_trace_stays_under_150_bytes_a_span() -> None:
    from benchmarks.synth import trace_bytes

    trace = tracespec.load_trace(trace_bytes(20_000, seed=3))
    page = html_report((), [trace]).encode("utf-8")
    assert len(page) / len(trace) < 150
    assert len(gzip.compress(page)) / len(trace) < 60
    assert decode(page_data(page.decode())["traces"][0])[-1]["id"] == trace[-1].span_id
