"""Bad input: every file either loads (maybe with a documented repair) or raises TraceLoadError
naming the source and the place.  Never a hang, never an exception from a dependency."""

from __future__ import annotations

import contextlib
import copy
import gzip
import json
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

import tracespec
from tests.support.strategies.hostile import (
    compressed,
    hostile_json_values,
    json_text,
    nasty_texts,
)
from tracespec import TraceFileNotFoundError, TraceLoadError
from tracespec.formats import FORMATS
from tracespec.trace.tracetest import family_rank

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(p.name for p in EXAMPLES.glob("orders-trace.*"))
DATA = {name: (EXAMPLES / name).read_bytes() for name in FILES}
JSON_DOCS = {n: orjson.loads(d) for n, d in DATA.items() if n.endswith(".json")}


def touch_everything(trace: tracespec.Trace) -> None:
    """Read every lazily decoded part: none of it may raise, whatever the data held."""
    idx = trace.index
    assert len(idx.names()) == len(idx.kinds()) == len(idx.types()) == idx.n
    assert sum(map(len, idx.name_index().values())) == idx.n
    assert sum(map(len, idx.kind_index().values())) == idx.n
    for key in ("http.status_code", "service.name", "span.events", "tracetest.span.duration",
                "tracetest.span.status_description", "name", "kind"):
        idx.column(key)
        idx.text_index(key)
    for s in trace:
        attrs = dict(s.attributes)
        assert attrs["tracetest.span.name"] == s.name
        # the column readings agree with the span's own materialised attributes
        assert idx.types()[s.position] == attrs["tracetest.span.type"]
        assert idx.column("http.status_code")[s.position] == attrs.get("http.status_code")
        assert idx.column("service.name")[s.position] == attrs.get("service.name")
        # an adapter's quick family reading equals the one from the decoded keys
        adapter, raw = idx.adapter_at(s.position)
        assert adapter.family_rank_of(raw) == family_rank(adapter.attribute_keys(raw))
        assert isinstance(s.events, tuple) and isinstance(s.links, tuple)
        assert isinstance(s.trace_state, str) and isinstance(s.status_message, str)
        assert s.status_code in tracespec.StatusCode and s.kind in tracespec.SpanKind
        assert s.parent is None or s in s.parent.children


def load_or_error(data: bytes | Any, **kw: Any) -> None:
    try:
        traces = tracespec.load_traces(data, **kw)
    except TraceLoadError as exc:
        assert str(exc)  # a message, naming the source
        assert exc.source is not None
        return
    for t in traces:
        touch_everything(t)


# -- named errors --------------------------------------------------------------------------------

def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(TraceFileNotFoundError) as info:
        tracespec.load_trace(tmp_path / "nope.json")
    assert isinstance(info.value, FileNotFoundError) and "nope.json" in str(info.value)
    with pytest.raises(TraceLoadError, match="directory"):
        tracespec.load_trace(tmp_path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty input"),
        (b"  \n\t ", "empty input"),
        (b"{}", "unknown trace format"),
        (b'{"foo": [1, 2]}', "unknown trace format"),
        (b"[1, 2, 3]", "unknown trace format"),
        (b"{\"resourceSpans\": [", "invalid JSON"),
        (b"hello world", r"text \(UTF-8, 1 line\), not OTLP protobuf .*: line 1 starts with "
                         "'hello world'"),
        (b"\x0a\x05\x0a\x03\x01", "not valid OTLP protobuf"),  # binary: corrupt protobuf
        (b"\x1f\x8b\x08\x00garbage", "gzip"),
        (b"\x28\xb5\x2f\xfdgarbage", "zstd"),
    ],
)
def test_unreadable_input_names_the_problem(data: bytes, message: str) -> None:
    with pytest.raises(TraceLoadError, match=message) as info:
        tracespec.load_trace(data)
    assert info.value.source == "<bytes>"


@pytest.mark.parametrize("mapped", [False, True])
def test_invalid_json_names_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mapped: bool
) -> None:
    if mapped:
        # No public seam: a file is mapped from _MMAP_MIN bytes (8 MiB) on; lowered here.
        from tracespec.formats import _source as formats

        monkeypatch.setattr(formats, "_MMAP_MIN", 1)
    path = tmp_path / "t.json"
    path.write_bytes(b'{"resourceSpans": [\n  {"scopeSpans": [}]\n]}')
    with pytest.raises(TraceLoadError) as info:
        tracespec.load_trace(path)
    assert info.value.source == str(path)
    assert info.value.place == "line 2, column 19"
    assert str(path) in str(info.value)
    path.write_bytes(b"\x00\x00\x00\x20truncated")
    with pytest.raises(TraceLoadError, match="length-prefixed"):
        tracespec.load_trace(path)
    path.write_bytes(b"   ")
    with pytest.raises(TraceLoadError, match="empty input"):
        tracespec.load_trace(path)


def test_wrong_format_given() -> None:
    with pytest.raises(TraceLoadError):
        tracespec.load_trace(DATA["orders-trace.json"], format="jaeger")
    with pytest.raises(TraceLoadError, match="JSON document"):
        tracespec.load_trace(DATA["orders-trace.pb"], format="zipkin")
    with pytest.raises(ValueError, match="unknown trace format"):
        tracespec.load_trace(DATA["orders-trace.json"], format="nope")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tracespec.load_trace(42)  # type: ignore[arg-type]


def test_missing_ids_name_the_span() -> None:
    doc = copy.deepcopy(JSON_DOCS["orders-trace.json"])
    del doc["resourceSpans"][1]["scopeSpans"][0]["spans"][1]["spanId"]
    with pytest.raises(TraceLoadError, match="no spanId") as info:
        tracespec.load_trace(doc)
    assert info.value.place == "/resourceSpans/1/scopeSpans/0/spans/1/spanId"
    msg = ExportTraceServiceRequest.FromString(DATA["orders-trace.pb"])
    msg.resource_spans[2].scope_spans[0].spans[0].ClearField("trace_id")
    with pytest.raises(TraceLoadError, match="no trace id") as info:
        tracespec.load_trace(msg.SerializeToString())
    assert info.value.place == "resource_spans[2].scope_spans[0].spans[0]"


def test_sixteen_char_ids_in_otlp_json_are_padded() -> None:
    doc = copy.deepcopy(JSON_DOCS["orders-trace.json"])
    for rs in doc["resourceSpans"]:
        for sp in rs["scopeSpans"][0]["spans"]:
            sp["traceId"] = "a3ce929d0e0e4736"
    t = tracespec.load_trace(doc)
    assert t.trace_id == "0000000000000000a3ce929d0e0e4736" and len(t) == 9


def test_enormous_attribute_values_load() -> None:
    big = "x" * 5_000_000
    for name in ("orders-trace.json", "orders-trace.pb"):
        if name.endswith(".json"):
            doc = copy.deepcopy(JSON_DOCS[name])
            doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"].append(
                {"key": "huge", "value": {"stringValue": big}})
            data = orjson.dumps(doc)
        else:
            msg = ExportTraceServiceRequest.FromString(DATA[name])
            kv = msg.resource_spans[0].scope_spans[0].spans[0].attributes.add()
            kv.key = "huge"
            kv.value.string_value = big
            data = msg.SerializeToString()
        t = tracespec.load_trace(data)
        assert t.root.attributes["huge"] == big
        assert t.index.column("huge")[0] == big


def test_deeply_nested_values() -> None:
    # JSON nested deeper than orjson allows
    deep = b'{"resourceSpans": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    with pytest.raises(TraceLoadError):
        tracespec.load_trace(deep)
    # an attribute nested deeper than protobuf's recursion limit: the span loads, the
    # attribute cannot be decoded and is left out
    msg = ExportTraceServiceRequest.FromString(DATA["orders-trace.pb"])
    kv = msg.resource_spans[0].scope_spans[0].spans[0].attributes.add()
    kv.key = "deep"
    v = kv.value
    for _ in range(150):
        v = v.kvlist_value.values.add(key="k").value
    v.string_value = "bottom"
    t = tracespec.load_trace(msg.SerializeToString())
    touch_everything(t)
    assert "http.route" in t.root.attributes


# -- mutations -----------------------------------------------------------------------------------

# TRACESPEC_FUZZ_EXAMPLES=2000 runs a longer fuzzing session locally
SETTINGS = settings(max_examples=int(os.environ.get("TRACESPEC_FUZZ_EXAMPLES", "60")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(name=st.sampled_from(FILES), data=st.data())
def test_truncated_files(name: str, data: st.DataObject) -> None:
    raw = DATA[name]
    cut = data.draw(st.integers(0, len(raw) - 1))
    load_or_error(raw[:cut])


def test_an_empty_attribute_is_read_as_no_attribute() -> None:
    """A span whose attribute is an empty ``KeyValue`` (a flip found by the fuzzer below made a
    length 0): reading the attributes another span holds does not stop at it."""
    request = ExportTraceServiceRequest.FromString(DATA["orders-trace.pb"])
    span = request.resource_spans[0].scope_spans[0].spans[0]
    span.attributes.add()  # key "" and no value: serialised as an empty field
    span.attributes.add(key="http.route").value.string_value = "/x"
    trace = tracespec.load_trace(request.SerializeToString())
    touch_everything(trace)
    assert trace.index.column("http.route")[0] is not None


@SETTINGS
@given(name=st.sampled_from(FILES), data=st.data())
def test_byte_flips(name: str, data: st.DataObject) -> None:
    raw = bytearray(DATA[name])
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    load_or_error(bytes(raw))


@SETTINGS
@given(data=st.data())
def test_byte_flips_inside_gzip_payload(data: st.DataObject) -> None:
    raw = bytearray(DATA["orders-trace.pb"])
    for _ in range(data.draw(st.integers(1, 5))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    load_or_error(gzip.compress(bytes(raw)))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=20) | st.sampled_from(["", "0" * 16, "0" * 32, "SPAN_KIND_SERVER", "zz"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


@SETTINGS
@given(name=st.sampled_from(sorted(JSON_DOCS)), data=st.data())
def test_json_mutations(name: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(JSON_DOCS[name])
    for _ in range(data.draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["delete", "replace", "duplicate"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = data.draw(JSON_VALUES)
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    load_or_error(doc)
    try:
        text = orjson.dumps(doc)
    except TypeError:  # an int beyond 64 bits: parsed JSON may hold it, orjson won't write it
        pass
    else:
        load_or_error(text)
    fmt = data.draw(st.sampled_from(FORMATS))
    load_or_error(doc, format=fmt)


@SETTINGS
@given(doc=JSON_VALUES, fmt=st.sampled_from([None, *FORMATS]))
def test_arbitrary_json_documents(doc: Any, fmt: Any) -> None:
    if fmt == "otlp-proto" or not isinstance(doc, dict | list):
        with contextlib.suppress(TypeError):
            load_or_error(orjson.dumps(doc), format=fmt)
        return
    load_or_error(doc, format=fmt)
    # and each format's envelope around it
    for wrapped in ({"data": [doc]}, {"resourceSpans": [doc]}, {"hits": {"hits": [doc]}},
                    [doc], [[doc]], {"result": {"resourceSpans": [{"scopeSpans": [doc]}]}},
                    {"resourceSpans": [{"scopeSpans": [{"spans": [doc]}]}]}):
        load_or_error(wrapped, format=fmt)


# -- hostile shapes (issue 11): deep nesting, big numbers, surrogates, control characters ------

def _written(trace: tracespec.Trace) -> None:
    """What the writers make of every span: encodable text, nothing raised."""
    from tracespec.cli._span import detail_json, detail_lines
    from tracespec.reports.escape import json_text, printable

    for span in trace:
        for line in detail_lines(span):
            printable(line).encode("utf-8")
        json_text(json.dumps(detail_json(span), ensure_ascii=False)).encode("utf-8")


def _load_and_write(data: Any, **kw: Any) -> None:
    try:
        traces = tracespec.load_traces(data, **kw)
    except TraceLoadError as exc:
        assert exc.source is not None and str(exc)
        return
    for t in traces:
        touch_everything(t)
        _written(t)


@SETTINGS
@given(name=st.sampled_from(sorted(JSON_DOCS)), data=st.data())
def test_hostile_values_in_json(name: str, data: st.DataObject) -> None:
    doc = copy.deepcopy(JSON_DOCS[name])
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = data.draw(hostile_json_values)
    _load_and_write(doc)
    _load_and_write(json_text(doc).encode("utf-8", "surrogatepass"))


@SETTINGS
@given(data=st.data(), value=hostile_json_values)
def test_hostile_otlp_attribute_values(data: st.DataObject, value: Any) -> None:
    doc = copy.deepcopy(JSON_DOCS["orders-trace.json"])
    kind = data.draw(st.sampled_from(["stringValue", "intValue", "doubleValue", "arrayValue",
                                      "kvlistValue", "boolValue", "bytesValue"]))
    wrapped: Any = value
    if kind == "arrayValue":
        for _ in range(data.draw(st.integers(1, 120))):
            wrapped = {"values": [{"arrayValue": wrapped}]} if isinstance(wrapped, dict) \
                else {"values": [{"stringValue": str(wrapped)[:50]}]}
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    span["attributes"].append({"key": "hostile", "value": {kind: wrapped}})
    span["name"] = data.draw(nasty_texts)
    _load_and_write(doc)
    _load_and_write(json_text(doc).encode("utf-8", "surrogatepass"))


@SETTINGS
@given(data=st.data())
def test_compression_layers(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["orders-trace.pb", "orders-trace.json"]))
    layers, blob = data.draw(compressed(DATA[name]))
    if layers <= 2:
        trace = tracespec.load_trace(blob)
        assert len(trace) == 9
    else:
        with pytest.raises(TraceLoadError, match="more than 2 layers"):
            tracespec.load_trace(blob)
