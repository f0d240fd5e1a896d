"""Every bundled example file holds the same orders trace, in its own format."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import tracespec
from tracespec import SpanKind, StatusCode

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_spec = importlib.util.spec_from_file_location("generate", EXAMPLES / "generate.py")
assert _spec is not None and _spec.loader is not None
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


def _expected() -> list[tuple[object, ...]]:
    """The trace as the generator's description says it is (independent of any loader)."""
    by_id = {s[0]: s for s in generate.SPANS}
    kids: dict[str, list[str]] = {}
    for sid, pid, *_ in generate.SPANS:
        kids.setdefault(pid, []).append(sid)
    out: list[tuple[object, ...]] = []

    def walk(sid: str, depth: int) -> None:
        _, _, svc, name, kind, start, dur, status, _ = by_id[sid]
        out.append((depth, name.lower(), kind, status, generate.T0 + start * 1000, dur * 1000,
                    svc, len(generate.EVENTS.get(sid, []))))
        for c in sorted(kids.get(sid, []), key=lambda k: (by_id[k][5], k)):
            walk(c, depth + 1)

    walk(kids[""][0], 0)
    return out


_KIND = [SpanKind.UNSPECIFIED, SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT,
         SpanKind.PRODUCER, SpanKind.CONSUMER]
_STATUS = [StatusCode.UNSET, StatusCode.OK, StatusCode.ERROR]


def _summary(trace: tracespec.Trace) -> list[tuple[object, ...]]:
    return [
        (s.depth, s.name.lower(), _KIND.index(s.kind), _STATUS.index(s.status_code),
         s.start_time_ns, s.duration_ns, s.attributes["service.name"], len(s.events))
        for s in trace
    ]


def test_every_format_has_an_example() -> None:
    formats = set(generate.FILES.values())
    assert formats == set(tracespec.formats.FORMATS)
    for name in generate.FILES:
        assert (EXAMPLES / name).is_file(), name


@pytest.fixture(params=["read", "mmap"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Files are read, or (as big files are) mapped into memory."""
    if request.param == "mmap":
        # No public seam: a file is mapped from _MMAP_MIN bytes (8 MiB) on; lowered here.
        from tracespec.formats import _source as formats
        from tracespec.formats import _text

        monkeypatch.setattr(formats, "_MMAP_MIN", 1)
        monkeypatch.setattr(_text, "_RELEASE_STEP", 1)  # hand pages back after every line
    return str(request.param)


@pytest.mark.parametrize("name", sorted(generate.FILES))
def test_example_loads_as_the_described_trace(name: str, reading: str) -> None:
    trace = tracespec.load_trace(EXAMPLES / name)
    assert trace.format == generate.FILES[name]
    assert trace.trace_id == generate.TRACE_ID
    assert _summary(trace) == _expected()
    # naming the format gives the same trace
    again = tracespec.load_trace(EXAMPLES / name, format=generate.FILES[name])
    assert _summary(again) == _summary(trace)


@pytest.mark.parametrize("name", sorted(generate.FILES))
def test_example_error_span_and_event(name: str) -> None:
    trace = tracespec.load_trace(EXAMPLES / name)
    (span,) = [s for s in trace if s.name.lower() == "update inventory"]
    assert span.status_code is StatusCode.ERROR
    assert span.status_message == "no rows updated"
    assert span.attributes["tracetest.span.status_code"] == "STATUS_CODE_ERROR"
    assert span.attributes["tracetest.span.status_description"] == "no rows updated"
    (event,) = span.events
    assert event.name == "exception"
    assert event.time_ns == generate.T0 + 43_000_000
    assert span.attributes["tracetest.span.type"] == "database"
    assert span.parent is not None and span.parent.name.lower() == "orders process"


def test_same_span_ids_everywhere_but_zipkin_shared_span() -> None:
    ids = {sid for sid, *_ in generate.SPANS}
    for name in generate.FILES:
        trace = tracespec.load_trace(EXAMPLES / name)
        got = {s.span_id for s in trace}
        if name.endswith("zipkin.json"):
            # the server half of the shared payment span was renamed (a documented repair)
            assert got - ids and len(got - ids) == 1
            assert any("shared span a1b2c3d4e5f60004" in r for r in trace.repairs)
            server = trace.span((got - ids).pop())
            assert server.kind is SpanKind.SERVER
            assert server.parent is not None and server.parent.span_id == "a1b2c3d4e5f60004"
            assert [c.name for c in server.children] == ["fraud-check"]
        elif generate.FILES[name] == "otel-console":
            # a captured stdout: the application's four log lines are skipped, with a warning
            assert got == ids, name
            (warning,) = trace.repairs
            assert isinstance(warning, tracespec.formats.LoadWarning)
            assert warning.startswith(f"{EXAMPLES / name}: skipped 4 lines that are not trace data"
                                      " (line 1: '2024-11-25 07:59:59,999 INFO werkzeug")
        else:
            assert got == ids, name
            assert trace.repairs == ()


def test_typed_attributes_survive_typed_formats() -> None:
    for name in ("orders-trace.json", "orders-trace.pb", "orders-trace.tempo-v1.json",
                 "orders-trace.jaeger.json", "orders-trace.opensearch.json"):
        trace = tracespec.load_trace(EXAMPLES / name)
        (pay,) = [s for s in trace if s.name == "POST /charge" and s.kind is SpanKind.SERVER]
        assert pay.attributes["payment.amount"] == 42.5, name
        assert pay.attributes["http.status_code"] == 200, name
        assert type(pay.attributes["http.status_code"]) is int, name
        assert pay.resource.attributes["service.version"] == "0.9.0", name
        assert pay.scope.name == "opentelemetry.instrumentation", name
        assert pay.scope.version == "0.48b0", name


def test_zipkin_tags_are_strings() -> None:
    trace = tracespec.load_trace(EXAMPLES / "orders-trace.zipkin.json")
    (pay,) = [s for s in trace if s.name == "post /charge" and s.kind is SpanKind.SERVER]
    assert pay.attributes["payment.amount"] == "42.5"
    assert pay.attributes["http.status_code"] == "200"


def test_opensearch_at_signs_become_dots() -> None:
    trace = tracespec.load_trace(EXAMPLES / "orders-trace.opensearch.json")
    keys = set(trace.root.attributes)
    assert "http.request.method" in keys and "service.name" in keys
    assert not any("@" in k for k in keys)
