"""Whole pytest runs in processes of their own: the examples, an application that sets its own
tracer provider, a provider that is not the SDK's, and pytest-xdist (-n 2).

Each needs a fresh process: the global tracer provider can be set once per process.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent.parent
PLUGIN = ("-p", "tracespec.pytest_plugin", "-p", "no:cacheprovider")


@pytest.fixture(autouse=True)
def _tracespec_on_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child processes import this checkout's tracespec."""
    paths = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))


def test_the_examples_pass(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(*PLUGIN, str(ROOT / "examples" / "pytest"))
    result.assert_outcomes(passed=4)


def test_an_application_that_sets_its_own_provider_keeps_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(own_app='''
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        exporter = InMemorySpanExporter()
        provider = TracerProvider(resource=Resource.create({"service.name": "own"}))
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)

        def work():
            with trace.get_tracer("own").start_as_current_span("work"):
                pass
    ''', test_own='''
        from opentelemetry import trace
        import own_app

        def test_own(trace_capture):
            own_app.work()
            assert trace.get_tracer_provider() is own_app.provider
            captured = trace_capture.trace()
            assert captured.root.name == "work"
            assert captured.root.attributes["service.name"] == "own"
            assert [s.name for s in own_app.exporter.get_finished_spans()] == ["work"]
    ''')
    pytester.runpytest_subprocess(*PLUGIN).assert_outcomes(passed=1)


def test_a_provider_that_is_not_the_sdks_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_noop='''
        from opentelemetry import trace

        trace.set_tracer_provider(trace.NoOpTracerProvider())

        def test_noop(trace_capture):
            pass
    ''')
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*CaptureError: the global tracer provider is a opentelemetry.trace.NoOpTracerProvider, "
        "not the OpenTelemetry SDK's TracerProvider: trace_capture cannot see its spans*",
    ])


def test_under_xdist_each_test_sees_its_own_spans(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_many='''
        import os
        import pytest
        from opentelemetry import trace

        tracer = trace.get_tracer("t")

        @pytest.mark.parametrize("n", range(8))
        def test_own(trace_capture, n, tmp_path_factory):
            with tracer.start_as_current_span(f"test {n}"):
                with tracer.start_as_current_span("inner"):
                    pass
            (captured,) = trace_capture.traces()
            assert [s.name for s in captured] == [f"test {n}", "inner"]
            worker = os.environ["PYTEST_XDIST_WORKER"]
            (tmp_path_factory.getbasetemp().parent / f"ran-{n}-on-{worker}").touch()
    ''')
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "xdist", "-n", "2")
    result.assert_outcomes(passed=8)
    workers = {p.name.rsplit("-", 1)[1] for p in pytester.path.rglob("ran-*-on-*")}
    assert workers == {"gw0", "gw1"}


def test_through_a_django_test_client(pytester: pytest.Pytester) -> None:
    """Django's settings are the process's: this runs in a process of its own."""
    pytester.makepyfile(django_app='''
        import django
        from django.conf import settings
        from django.http import JsonResponse
        from django.urls import path

        settings.configure(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], MIDDLEWARE=[],
                           DEBUG=True, SECRET_KEY="not a secret")

        def echo(request):
            return JsonResponse({"traceparent": request.headers.get("traceparent")}, status=202)

        urlpatterns = [path("echo", echo)]

        from opentelemetry.instrumentation.django import DjangoInstrumentor
        DjangoInstrumentor().instrument()
        django.setup()
    ''', test_django='''
        import json
        import django_app
        from django.test import Client
        import tracespec

        def test_django(trace_capture):
            response, trace = trace_capture.request(Client(), "POST", "/echo")
            assert response.status_code == 202
            root = trace.root
            assert root.name == "Tracetest trigger"
            assert root.attributes["tracetest.response.status"] == "202"
            body = json.loads(root.attributes["tracetest.response.body"])
            assert body["traceparent"].startswith(f"00-{trace.trace_id}-{root.span_id}-")
            (server,) = tracespec.select('span[name="Tracetest trigger"] > span[]', trace)
            assert server.kind is tracespec.SpanKind.SERVER
    ''')
    pytester.runpytest_subprocess(*PLUGIN).assert_outcomes(passed=1)
