"""The trace_capture fixture in whole pytest runs (pytester): what it records, and its failures."""

from __future__ import annotations

import re

import pytest

from tests.pytest_plugin.sources import FLASK_APP, THREE_LINES

pytest_plugins = ["pytester"]

PLUGIN = ("-p", "tracespec.pytest_plugin", "-p", "no:cacheprovider")


def test_the_three_line_test_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(flask_shop=FLASK_APP, test_shop=THREE_LINES.replace("QUANTITY", "1"))
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=1)


def test_the_three_line_test_says_which_span_failed_and_why(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(flask_shop=FLASK_APP, test_shop=THREE_LINES.replace("QUANTITY", "5"))
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    # the span by id, name, service and kind, the assertion with its observed value and place
    # (the Flask instrumentation names the span "/orders" before 0.46b0, "POST /orders" since)
    assert re.search(r"✘ #[0-9a-f]{16} (POST )?/orders \(unknown_service[^,]*, server\)", text)
    assert re.search(r"✘ attr:http.status_code = 201 \(409\) \(test_shop.py:8\)", text)
    # the trace tree, the selected span marked, the other one not
    assert re.search(r"✘ +#[0-9a-f]{16} (POST )?/orders", text)
    assert re.search(r"^E +└─ #[0-9a-f]{16} check stock \(", text, re.M)
    assert "1 span of 2 selected" in text


def test_two_traces_in_one_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(flask_shop=FLASK_APP, test_two='''
        import pytest
        from flask_shop import app
        from tracespec.pytest_plugin.recorder import CaptureError

        def test_two(trace_capture):
            client = app.test_client()
            client.post("/orders", json={"item": "book", "quantity": 1})
            client.post("/orders", json={"item": "lamp", "quantity": 9})
            first, second = trace_capture.traces()
            assert first.root.attributes["http.status_code"] == 201
            assert second.root.attributes["http.status_code"] == 409
            assert trace_capture.trace(second.trace_id[:12]).trace_id == second.trace_id
            with pytest.raises(CaptureError) as info:
                trace_capture.trace()
            message = str(info.value)
            assert message.startswith("2 traces were recorded during the test, not one")
            assert first.trace_id in message and second.trace_id in message
    ''')
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=1)


def test_no_trace_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_none='''
        def test_none(trace_capture):
            trace_capture.trace()
    ''')
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CaptureError: no trace was recorded during the test (0 spans*"])


def test_each_test_sees_only_its_own_spans(pytester: pytest.Pytester) -> None:
    """A span that ends before the test, or one started before it, is no span of the test."""
    pytester.makepyfile(test_own='''
        import threading
        from opentelemetry import trace

        tracer = trace.get_tracer("t")
        late = threading.Event()
        ended = threading.Event()

        def test_first(trace_capture):
            with tracer.start_as_current_span("first"):
                pass
            def finish_later(span=tracer.start_span("straggler")):
                late.wait(10)
                span.end()
                ended.set()
            threading.Thread(target=finish_later).start()
            assert [t.root.name for t in trace_capture.traces()] == ["first"]

        def test_second(trace_capture):
            assert trace_capture.traces() == []
            with tracer.start_as_current_span("second"):
                pass
            late.set()
            ended.wait(10)
            assert [t.root.name for t in trace_capture.traces()] == ["second"]

        def test_third(trace_capture):
            assert trace_capture.traces() == []
    ''')
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=3)


def test_spans_of_other_threads_and_after_the_response(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_threads='''
        import threading
        import pytest
        from opentelemetry import trace

        tracer = trace.get_tracer("t")

        def work(name, go):
            go.wait(10)
            with tracer.start_as_current_span(name):
                pass

        def test_threads(trace_capture):
            go = threading.Event()
            threads = [threading.Thread(target=work, args=(f"job {i}", go)) for i in range(4)]
            for t in threads:
                t.start()
            go.set()
            trace = trace_capture.wait_for('span[name="job 3"]', timeout=10)
            assert trace.root.name == "job 3"
            for t in threads:
                t.join(10)
            assert sorted(t.root.name for t in trace_capture.traces()) == [
                "job 0", "job 1", "job 2", "job 3"]

        def test_wait_gives_up(trace_capture):
            with tracer.start_as_current_span("only"):
                pass
            with pytest.raises(AssertionError) as info:
                trace_capture.wait_for('span[name="never"]', timeout=0.2)
            message = str(info.value)
            assert message.startswith("no span matched 'span[name=\\"never\\"]' within 0.2s")
            assert "(only: 1 span)" in message
    ''')
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=2)


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    """pytest loads the plugin in every run where tracespec is installed: it costs nothing."""
    import subprocess
    import sys

    code = ("import sys, tracespec.pytest_plugin\n"
            "print(sorted(m for m in sys.modules if m.startswith(('tracespec.', 'opentelemetry',"
            " 'attrs', 'lark', 'yaml'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['tracespec.pytest_plugin']"


def test_watch_records_a_provider_that_is_not_the_global_one() -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    from tracespec.pytest_plugin.capture import TraceCapture
    from tracespec.pytest_plugin.recorder import CaptureError

    own = TracerProvider(resource=Resource.create({"service.name": "side"}))
    capture = TraceCapture().start()
    try:
        with own.get_tracer("t").start_as_current_span("unseen"):
            pass
        assert capture.traces() == []
        capture.watch(own)
        capture.watch(own)  # (once is enough: no span twice)
        with own.get_tracer("t").start_as_current_span("seen"):
            pass
        (seen,) = capture.traces()
        assert [(s.name, s.attributes["service.name"]) for s in seen] == [("seen", "side")]
        assert repr(capture) == "<TraceCapture: 1 span recorded>"
        capture.clear()
        assert capture.spans == ()
        with pytest.raises(CaptureError, match="needs an OpenTelemetry SDK TracerProvider, not "
                                                "NoOpTracerProvider"):
            capture.watch(trace.NoOpTracerProvider())  # type: ignore[arg-type]
    finally:
        capture.stop()
