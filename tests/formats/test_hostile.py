"""Hostile trace input (issue 11): decompression bombs, special files, deep and huge values.

Each input ends, within seconds and without a large allocation, with the right trace or one
:class:`~tracespec.TraceLoadError`.  Big inputs are generated here, small ones live in
``tests/data``.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import orjson
import pytest
import zstandard

import tracespec
from tracespec import TraceLoadError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROTO = (EXAMPLES / "orders-trace.pb").read_bytes()


def zstd_zeros(size: int) -> bytes:
    """``size`` zero bytes, zstd-compressed a chunk at a time (never held in memory)."""
    comp = zstandard.ZstdCompressor().compressobj()
    chunk = bytes(1 << 20)
    out = [comp.compress(chunk) for _ in range(size >> 20)]
    out.append(comp.flush())
    return b"".join(out)


def gzip_zeros(size: int) -> bytes:
    import zlib

    comp = zlib.compressobj(9, wbits=31)
    chunk = bytes(1 << 20)
    out = [comp.compress(chunk) for _ in range(size >> 20)]
    out.append(comp.flush())
    return b"".join(out)


def spans(trace: tracespec.Trace) -> list[tuple[str, str, dict[str, object]]]:
    return [(s.span_id, s.name, dict(s.attributes)) for s in trace]


EXPECTED = spans(tracespec.load_trace(PROTO))


# -- decompression -------------------------------------------------------------------------------

def test_two_layers_load() -> None:
    trace = tracespec.load_trace(gzip.compress(zstandard.ZstdCompressor().compress(PROTO)))
    assert spans(trace) == EXPECTED


@pytest.mark.parametrize("layers", [3, 2000])
def test_a_third_layer_is_refused(layers: int) -> None:
    data = PROTO
    for i in range(layers):
        data = gzip.compress(data, 1) if i % 2 else zstandard.ZstdCompressor().compress(data)
    with pytest.raises(TraceLoadError, match="more than 2 layers of compression"):
        tracespec.load_trace(data)


def test_zstd_bomb_stops_at_the_default_bound() -> None:
    # 64 KiB that would inflate to 32 GiB: stopped at 512 MiB (the default floor)
    inner = zstd_zeros(1 << 30)
    bomb = zstandard.ZstdCompressor(level=19).compress(inner * 32)
    assert len(bomb) < 1 << 16
    with pytest.raises(TraceLoadError, match="inflates past 512 MiB") as info:
        tracespec.load_trace(bomb)
    assert "TRACESPEC_MAX_INFLATE" in str(info.value) and info.value.source == "<bytes>"


def test_gzip_gzip_bomb_under_a_lowered_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACESPEC_MAX_INFLATE", str(8 << 20))
    bomb = gzip.compress(gzip_zeros(64 << 20))  # 300 bytes, 64 MiB inflated
    with pytest.raises(TraceLoadError, match=r"gzip data inflates past 8 MiB"):
        tracespec.load_trace(bomb)


def test_the_bound_counts_the_output_and_is_configurable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blob = gzip.compress(PROTO)
    monkeypatch.setenv("TRACESPEC_MAX_INFLATE", str(len(PROTO)))
    assert spans(tracespec.load_trace(blob)) == EXPECTED
    monkeypatch.setenv("TRACESPEC_MAX_INFLATE", str(len(PROTO) - 1))
    with pytest.raises(TraceLoadError, match="inflates past"):
        tracespec.load_trace(blob)
    monkeypatch.setenv("TRACESPEC_MAX_INFLATE", "lots")
    with pytest.raises(TraceLoadError, match="TRACESPEC_MAX_INFLATE"):
        tracespec.load_trace(blob)


def test_multi_member_gzip_and_multi_frame_zstd() -> None:
    half = len(PROTO) // 2
    # (protobuf messages concatenate: two halves cut at a field boundary are not needed here,
    # the members are joined back into the same bytes before parsing)
    two_members = gzip.compress(PROTO[:half]) + gzip.compress(PROTO[half:])
    assert spans(tracespec.load_trace(two_members)) == EXPECTED
    z = zstandard.ZstdCompressor()
    two_frames = z.compress(PROTO[:half]) + z.compress(PROTO[half:])
    assert spans(tracespec.load_trace(two_frames)) == EXPECTED


# -- special files -------------------------------------------------------------------------------

@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused(device: str) -> None:
    with pytest.raises(TraceLoadError, match="a character device, not a regular file") as info:
        tracespec.load_trace(device)
    assert info.value.source == device


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)  # no writer: an open() that waits would never return
    with pytest.raises(TraceLoadError, match="a FIFO, not a regular file"):
        tracespec.load_trace(fifo)
    with pytest.raises(TraceLoadError, match="a FIFO, not a regular file"):
        tracespec.load_traces([str(EXAMPLES / "orders-trace.json"), fifo])


def test_a_device_behind_a_file_object_is_refused() -> None:
    with open("/dev/zero", "rb") as f, pytest.raises(TraceLoadError, match="character device"):
        tracespec.load_trace(f)


def test_a_nul_byte_in_a_path_is_a_load_error() -> None:
    with pytest.raises(TraceLoadError, match="not a path"):
        tracespec.load_trace("orders\0.json")
    with pytest.raises(TraceLoadError, match="not a path"):
        tracespec.load_trace(Path("orders\0.json"))


# -- values that crashed the readers --------------------------------------------------------------

def _otlp(attributes: list[dict[str, object]], **extra: object) -> dict[str, object]:
    span = {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "0000000000000001",
            "name": "x", "startTimeUnixNano": "1700000000000000000",
            "endTimeUnixNano": "1700000000000001000", "attributes": attributes, **extra}
    return {"resourceSpans": [{"resource": {"attributes": []},
                               "scopeSpans": [{"spans": [span]}]}]}


def test_a_deep_array_value_drops_only_itself_and_says_so() -> None:
    value: dict[str, object] = {"stringValue": "x"}
    for _ in range(90):
        value = {"arrayValue": {"values": [value]}}
    doc = _otlp([{"key": "deep", "value": value},
                 {"key": "http.status_code", "value": {"intValue": "500"}}])
    trace = tracespec.load_trace(json.dumps(doc).encode())
    assert tracespec.compile_selector("span[http.status_code=500]").positions(trace) == [0]
    assert "deep" not in trace[0].attributes
    assert any("attribute 'deep' left out" in r for r in trace.repairs)


def test_integers_beyond_64_bits_are_kept_exact_and_printable() -> None:
    big = 2**70
    doc = _otlp([{"key": "a", "value": {"intValue": str(big)}}],
                events=[{"name": "e", "timeUnixNano": "1700000000000000001",
                         "attributes": [{"key": "a", "value": {"intValue": str(big)}}]}])
    span = tracespec.load_trace(doc)[0]
    assert span.attributes["a"] == big
    assert str(big) in span.attributes["span.events"]  # (the events' JSON text, exact)


@pytest.mark.parametrize("text", ["1_000", " 17", "\u0661\u0662\u0663", "0x10", "1.5", ""])
def test_int_values_proto3_json_refuses_are_left_out(text: str) -> None:
    doc = _otlp([{"key": "odd", "value": {"intValue": text}},
                 {"key": "ok", "value": {"intValue": "-17"}}])
    attributes = tracespec.load_trace(doc)[0].attributes
    assert "odd" not in attributes
    assert attributes["ok"] == -17


@pytest.mark.parametrize("time", [True, "1_000", "\u0661\u0662\u0663", 1.9, "soon"])
def test_an_event_time_that_is_not_an_integer_reads_as_0_and_says_so(time: object) -> None:
    doc = _otlp([], events=[{"name": "odd", "timeUnixNano": time},
                            {"name": "fine", "timeUnixNano": "1700000000000000500"}])
    trace = tracespec.load_trace(json.dumps(doc).encode())
    events = trace[0].events
    assert [(e.name, e.time_ns) for e in events] == \
        [("odd", 0), ("fine", 1700000000000000500)]
    assert [r for r in trace.repairs if "event 'odd'" in r and "not an integer" in r]
    assert not [r for r in trace.repairs if "'fine'" in r]


def test_a_jaeger_int64_beyond_64_bits() -> None:
    doc = orjson.loads((EXAMPLES / "orders-trace.jaeger.json").read_bytes())
    first = doc["data"][0]["spans"][0]
    first["tags"].append({"key": "big", "type": "int64", "value": "1180591620717411303424"})
    first["logs"] = [{"timestamp": first["startTime"] + 1,
                      "fields": [{"key": "big", "type": "int64", "value": 2**70}]}]
    span = tracespec.load_trace(doc).root
    assert span.attributes["big"] == 2**70
    assert "1180591620717411303424" in span.attributes["span.events"]


@pytest.mark.parametrize("nest", [lambda v: [v], lambda v: {"a": v}])
def test_deep_opensearch_values_are_a_load_error(nest: object) -> None:
    doc = orjson.loads((EXAMPLES / "orders-trace.opensearch.json").read_bytes())
    value: object = 1
    for _ in range(600):
        value = nest(value)  # type: ignore[operator]
    doc["hits"]["hits"][0]["_source"]["span.attributes.deep"] = value
    with pytest.raises(TraceLoadError, match="nested more than 64 levels deep") as info:
        tracespec.load_trace(doc)
    assert info.value.place == "hits.hits[0]._source"


def test_numbers_of_more_than_4300_digits_in_trace_data() -> None:
    digits = "9" * 5000
    trace = tracespec.load_trace(_otlp([{"key": "a", "value": {"stringValue": digits}},
                                        {"key": "b", "value": {"intValue": digits}}]))
    assert tracespec.compile_selector(f'span[a="{digits}"]').positions(trace) == [0]
    result = tracespec.check(
        "span[]", ["attr:a > 1", "attr:a < 1", f'attr:a = "{digits}"'], trace)
    assert [a.passed for a in result.assertions] == [True, False, True]


@pytest.mark.parametrize("name", ["orders-trace.json", "orders-trace.jsonl",
                                  "orders-trace.jaeger.json", "orders-trace.zipkin.json"])
def test_a_utf8_bom_before_json(name: str, tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + (EXAMPLES / name).read_bytes()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data))
    for source in (data, path):
        trace = tracespec.load_trace(source)
        assert len(trace) == 9 and trace.format != "otlp-proto"


# -- odd values the loaders used to bend -----------------------------------------------------------

@pytest.mark.parametrize("value", [True, 1.9, "1.9", "1_000", " 1700000000000000000",
                                   "١٢٣", "+5", "-5", "", "0x10"])
@pytest.mark.parametrize("encoded", [False, True])
def test_odd_times_are_refused_as_proto3_json_refuses_them(value: object, encoded: bool) -> None:
    doc = _otlp([])
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["startTimeUnixNano"] = value  # type: ignore[index]
    with pytest.raises(TraceLoadError, match="startTimeUnixNano") as info:
        tracespec.load_trace(json.dumps(doc).encode() if encoded else doc)
    assert info.value.place == "/resourceSpans/0/scopeSpans/0/spans/0/startTimeUnixNano"


@pytest.mark.parametrize("value", [1_700_000_000_000_000_000, 1.7e18, "1700000000000000000"])
def test_proto3_json_times_load(value: object) -> None:
    doc = _otlp([])
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["startTimeUnixNano"] = value  # type: ignore[index]
    span = tracespec.load_trace(json.dumps(doc).encode())[0]
    assert span.start_time_ns == 1_700_000_000_000_000_000


@pytest.mark.parametrize(("key", "value"), [
    ("spanId", "00000000 0000001"), ("spanId", "00000001"), ("spanId", "000000000001"),
    ("spanId", "AAAAAAAAAAAB"), ("traceId", " 0af7651916cd43dd8448eb211c80319c"),
    ("traceId", "0af76519"), ("traceId", "0af7651916cd43dd8448eb211c80319c00"),
    ("parentSpanId", "0001"),
])
def test_ids_of_the_wrong_length_are_refused(key: str, value: str) -> None:
    doc = _otlp([])
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0][key] = value  # type: ignore[index]
    with pytest.raises(TraceLoadError, match=f"{key} .* bytes in hex or base64"):
        tracespec.load_trace(json.dumps(doc).encode())


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("traceId", "0af7651916cd43dd", "00000000000000000af7651916cd43dd"),  # a 64-bit trace id
    ("traceId", "CvdlGRbNQ92ESOshHIAxnA==", "0af7651916cd43dd8448eb211c80319c"),  # Tempo
    ("spanId", "AAAAAAAAAAE=", "0000000000000001"),
])
def test_ids_that_load(key: str, value: str, expected: str) -> None:
    doc = _otlp([])
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0][key] = value  # type: ignore[index]
    trace = tracespec.load_trace(json.dumps(doc).encode())
    assert (trace.trace_id if key == "traceId" else trace[0].span_id) == expected


# -- protobuf errors name the byte ---------------------------------------------------------------

def test_protobuf_errors_name_the_byte_and_the_field() -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    request = ExportTraceServiceRequest.FromString(PROTO)
    request.resource_spans[1].scope_spans[0].spans[0].name = "MARKER"
    data = bytearray(request.SerializeToString())
    at = data.index(b"MARKER")
    data[at + 2] = 0xFF  # not UTF-8
    with pytest.raises(TraceLoadError, match="bad UTF-8") as info:
        tracespec.load_trace(bytes(data))
    assert f"at byte {at + 2}: bad UTF-8 in resource_spans[1].scope_spans[0].spans[0].name" \
        in str(info.value)
    with pytest.raises(TraceLoadError, match=r"at byte 0: length \d+ runs past the end"):
        tracespec.load_trace(PROTO[:len(PROTO) // 2])


def test_clamped_times_are_recorded() -> None:
    doc = orjson.loads((EXAMPLES / "orders-trace.jaeger.json").read_bytes())
    doc["data"][0]["spans"][0]["startTime"] = -5  # µs before 1970
    trace = tracespec.load_trace(doc)
    assert trace.root.start_time_ns == 0
    assert any(r.startswith("span a1b2c3d4e5f60001: times -5000..") for r in trace.repairs)
