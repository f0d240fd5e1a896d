"""Several sources, several traces: a capture of a real application split over many files.

The capture (``app_capture``, :mod:`tests.support.apps`) is what a collector receives from two
instrumented Flask services: one file per export batch, a request's trace spread over several
files, files holding spans of several traces.  Its oracle is the files read with the OTLP
protobuf classes.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import tracespec
from tests.support.apps import Capture, SpanInfo, shared_prefix_capture
from tracespec import TraceFileNotFoundError, TraceLoadError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def shape(trace: tracespec.Trace) -> set[tuple[str, str, str, str]]:
    """A trace as (service, name, span id, parent id) of each span."""
    return {
        (str(s.attributes["service.name"]), s.name, s.span_id,
         s.parent.span_id if s.parent is not None else "")
        for s in trace
    }


def oracle(spans: list[SpanInfo]) -> set[tuple[str, str, str, str]]:
    return {(s.service, s.name, s.span_id, s.parent_id) for s in spans}


def test_the_capture_is_split_as_real_exports_are(app_capture: Capture) -> None:
    assert app_capture.statuses == (201, 409, 502)
    assert set(app_capture.spans) == set(app_capture.trace_ids)
    for trace_id in app_capture.trace_ids:  # every trace over several files ...
        assert len(app_capture.files_of(trace_id)) >= 2
    # ... and some file holds spans of several traces
    assert any(len(app_capture.traces_in(f.name)) > 1 for f in app_capture.files)


def check_merged(traces: list[tracespec.Trace], capture: Capture) -> None:
    assert sorted(t.trace_id for t in traces) == sorted(capture.trace_ids)
    for trace in traces:
        assert shape(trace) == oracle(capture.spans[trace.trace_id])
        assert trace.repairs == ()  # the parents are all found, across files
        root = capture.root_of(trace.trace_id)
        assert root.service == "orders"
        assert (trace.root.name, trace.root.attributes["service.name"]) == (root.name, "orders")


def test_a_list_of_files_merges_spans_by_trace_id(app_capture: Capture) -> None:
    traces = tracespec.load_traces(list(app_capture.files))
    check_merged(traces, app_capture)
    assert traces[0].format == "otlp-proto"


@pytest.mark.parametrize("how", ["directory", "pattern", "path objects", "Path.glob"])
def test_directories_and_globs_stand_for_their_files(app_capture: Capture, how: str) -> None:
    source: Any = {
        "directory": str(app_capture.directory),
        "pattern": app_capture.pattern,
        "path objects": tuple(app_capture.files),
        "Path.glob": app_capture.directory.glob("*.pb"),
    }[how]
    check_merged(tracespec.load_traces(source), app_capture)


def test_one_file_alone_holds_broken_traces(app_capture: Capture) -> None:
    """Why merging matters: a file of one service's batch alone lacks the other spans."""
    name = next(f.name for f in app_capture.files if f.name.startswith("inventory"))
    traces = tracespec.load_traces(app_capture.directory / name)
    assert traces and all(t.repairs for t in traces)
    assert all(t.root.name == "Temporary Tracetest root span" or t.root.parent is None
               for t in traces)


def test_a_file_named_twice_is_read_once(app_capture: Capture) -> None:
    traces = tracespec.load_traces([app_capture.files[0], app_capture.pattern])
    check_merged(traces, app_capture)


def otlp_json_of(path: Path) -> dict[str, Any]:
    """An OTLP protobuf file as OTLP JSON (ids in hex, as the OTLP JSON encoding says)."""
    from google.protobuf.json_format import MessageToDict
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    doc = MessageToDict(ExportTraceServiceRequest.FromString(path.read_bytes()))
    for rs in doc["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for span in ss["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64decode(span[key]).hex()
    return doc


def test_a_list_may_mix_formats(app_capture: Capture, tmp_path: Path) -> None:
    """Each source is sniffed on its own: inventory's batches as OTLP JSON files and parsed
    JSON, orders' as protobuf bytes."""
    sources: list[Any] = []
    for k, path in enumerate(app_capture.files):
        if path.name.startswith("inventory"):
            doc = otlp_json_of(path)
            if k % 2:
                sources.append(doc)
            else:
                out = tmp_path / f"{path.stem}.json"
                out.write_text(json.dumps(doc))
                sources.append(out)
        else:
            sources.append(path.read_bytes())
    traces = tracespec.load_traces(sources)
    check_merged(traces, app_capture)
    assert set(traces[0].format.split("+")) == {"otlp-json", "otlp-proto"}


def test_sdk_spans_load_as_the_files_do(app_capture: Capture) -> None:
    spans = app_capture.sdk_spans
    check_merged(tracespec.load_traces(spans), app_capture)
    first = app_capture.trace_ids[0]
    assert tracespec.load_trace(spans, trace_id=first[:8]).trace_id == first
    assert tracespec.load_otel_spans(spans, trace_id=first).trace_id == first
    with pytest.raises(TraceLoadError, match="holds 3 traces") as info:
        tracespec.load_trace(spans)
    assert "load_traces()" in str(info.value)  # and the call it names works:
    assert len(tracespec.load_traces(spans)) == 3
    with pytest.raises(TraceLoadError, match="holds 3 traces"):
        tracespec.load_otel_spans(list(spans))


def test_sdk_spans_and_files_merge(app_capture: Capture) -> None:
    """The orders service's spans as the SDK finished them, inventory's from its files."""
    orders = [s for s in app_capture.sdk_spans
              if s.resource.attributes["service.name"] == "orders"]
    files = [f for f in app_capture.files if f.name.startswith("inventory")]
    check_merged(tracespec.load_traces([orders, *files]), app_capture)


def test_load_trace_picks_by_a_prefix(app_capture: Capture) -> None:
    for trace_id in app_capture.trace_ids:
        trace = tracespec.load_trace(app_capture.pattern, trace_id=trace_id[:8].upper())
        assert trace.trace_id == trace_id
        assert shape(trace) == oracle(app_capture.spans[trace_id])
    with pytest.raises(TraceLoadError, match=r"holds 3 traces .*pass trace_id="):
        tracespec.load_trace(app_capture.pattern)
    with pytest.raises(TraceLoadError, match="no trace with id 00000000"):
        tracespec.load_trace(app_capture.pattern, trace_id="00000000")


@pytest.mark.parametrize(
    ("trace_id", "message"),
    [("abc", "too short"), ("zz" * 8, "not a trace id"), ("a" * 33, "at most 32"),
     ("", "too short")],
)
def test_a_malformed_trace_id_is_a_wrong_argument(
    app_capture: Capture, trace_id: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        tracespec.load_trace(app_capture.pattern, trace_id=trace_id)
    with pytest.raises(ValueError, match=message):
        tracespec.load_otel_spans(app_capture.sdk_spans, trace_id=trace_id)


def test_an_ambiguous_prefix_lists_the_candidates(tmp_path: Path) -> None:
    ids = shared_prefix_capture(tmp_path / "jobs")
    with pytest.raises(TraceLoadError, match="ambiguous") as info:
        tracespec.load_trace(tmp_path / "jobs", trace_id=ids[0][:12])
    assert all(i in str(info.value) for i in ids)
    assert tracespec.load_trace(tmp_path / "jobs", trace_id=ids[1][:24]).trace_id == ids[1]


def test_what_cannot_be_read_names_the_file(app_capture: Capture, tmp_path: Path) -> None:
    folder = tmp_path / "capture"
    shutil.copytree(app_capture.directory, folder)
    (folder / "orders-002.pb").write_bytes(b'{"not": "a trace"')
    with pytest.raises(TraceLoadError) as info:
        tracespec.load_traces(folder)
    assert info.value.source == str(folder / "orders-002.pb")
    with pytest.raises(TraceFileNotFoundError, match="no file matches"):
        tracespec.load_traces(str(tmp_path / "none" / "*.pb"))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden").write_text("x")
    with pytest.raises(TraceLoadError, match="holds no trace files"):
        tracespec.load_traces(tmp_path / "empty")
    with pytest.raises(TraceLoadError, match="no trace sources given"):
        tracespec.load_traces(())
    with pytest.raises(TraceFileNotFoundError):
        tracespec.load_traces([app_capture.files[0], tmp_path / "missing.pb"])
    with pytest.raises(TypeError, match="or a list of these"):
        tracespec.load_traces([app_capture.files[0], 42])


def test_parsed_json_lists_are_still_parsed_json() -> None:
    """A list holding only JSON containers is one parsed JSON document, as before."""
    doc = json.loads((EXAMPLES / "orders-trace.zipkin.json").read_text())
    assert isinstance(doc, list) and isinstance(doc[0], dict)
    assert tracespec.load_trace(doc).format == "zipkin"
