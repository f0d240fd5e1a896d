"""The lite schema of OTLP protobuf, and the decoding of attribute values read through it.

:mod:`.otlp_proto` explains the design: messages wire-compatible with OTLP's that declare only
what assembly needs (``Span``), or one part of a span read on demand from its bytes (``Rest``:
attributes, events and links as raw bytes; ``Keys``: the attribute keys alone; ``Attributes``:
the attributes as a map from key to the bytes of the value).  Values are decoded here, by
protobuf (:func:`any_value`) or, for the canonical scalars, by hand (:func:`scalar`).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from types import MappingProxyType
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.resource.v1 import resource_pb2  # noqa: F401  (registers the type)
from opentelemetry.proto.trace.v1 import trace_pb2

from ..trace.attrvalue import AttrValue

__all__ = [
    "EMPTY_REST",
    "AnyValue",
    "Attributes",
    "FullSpan",
    "KeyValue",
    "Keys",
    "LiteTracesData",
    "Rest",
    "SpanEvent",
    "SpanLink",
    "any_value",
    "decode_kv",
    "key_values",
    "rest_of",
    "scalar",
]

_Field = tuple[str, int, int, int, str | None]


def _build_lite_schema() -> tuple[Any, Any, Any, Any]:
    f = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(
        name="tracespec/lite_trace_v2.proto", package="tracespec.lite2", syntax="proto3"
    )
    fdp.dependency.append("opentelemetry/proto/common/v1/common.proto")
    fdp.dependency.append("opentelemetry/proto/resource/v1/resource.proto")
    fdp.dependency.append("opentelemetry/proto/trace/v1/trace.proto")
    rep, opt = f.LABEL_REPEATED, f.LABEL_OPTIONAL

    def message(name: str, fields: list[_Field]) -> None:
        m = fdp.message_type.add(name=name)
        for fname, number, ftype, label, type_name in fields:
            fd = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = type_name

    message(
        "Span",
        [
            ("trace_id", 1, f.TYPE_BYTES, opt, None),
            ("span_id", 2, f.TYPE_BYTES, opt, None),
            ("parent_span_id", 4, f.TYPE_BYTES, opt, None),
            ("name", 5, f.TYPE_STRING, opt, None),
            ("kind", 6, f.TYPE_INT32, opt, None),
            ("start_time_unix_nano", 7, f.TYPE_FIXED64, opt, None),
            ("end_time_unix_nano", 8, f.TYPE_FIXED64, opt, None),
            ("status", 15, f.TYPE_MESSAGE, opt, ".opentelemetry.proto.trace.v1.Status"),
        ],
    )
    # the rest of a span, read from its bytes when asked for
    message(
        "Rest",
        [
            ("trace_state", 3, f.TYPE_STRING, opt, None),
            ("attributes", 9, f.TYPE_BYTES, rep, None),
            ("events", 11, f.TYPE_BYTES, rep, None),
            ("links", 13, f.TYPE_BYTES, rep, None),
            ("flags", 16, f.TYPE_FIXED32, opt, None),
        ],
    )
    # only the attribute keys of a span
    message("Key", [("key", 1, f.TYPE_STRING, opt, None)])
    message("Keys", [("attributes", 9, f.TYPE_MESSAGE, rep, ".tracespec.lite2.Key")])
    # a span's attributes as a map, key -> the bytes of its AnyValue (a map field is on the
    # wire a repeated entry of key = 1, value = 2: a KeyValue).  upb parses it in C and keeps it
    # in its arena, so a key's value is one lookup, with no Python object per attribute.
    attributes = fdp.message_type.add(name="Attributes")
    entry = attributes.nested_type.add(name="AttributesEntry")
    entry.field.add(name="key", number=1, type=f.TYPE_STRING, label=opt)
    entry.field.add(name="value", number=2, type=f.TYPE_BYTES, label=opt)
    entry.options.map_entry = True
    attributes.field.add(name="attributes", number=9, type=f.TYPE_MESSAGE, label=rep,
                         type_name=".tracespec.lite2.Attributes.AttributesEntry")
    scope_t = ".opentelemetry.proto.common.v1.InstrumentationScope"
    message(
        "ScopeSpans",
        [
            ("scope", 1, f.TYPE_MESSAGE, opt, scope_t),
            ("spans", 2, f.TYPE_MESSAGE, rep, ".tracespec.lite2.Span"),
            ("schema_url", 3, f.TYPE_STRING, opt, None),
        ],
    )
    message(
        "ResourceSpans",
        [
            ("resource", 1, f.TYPE_MESSAGE, opt, ".opentelemetry.proto.resource.v1.Resource"),
            ("scope_spans", 2, f.TYPE_MESSAGE, rep, ".tracespec.lite2.ScopeSpans"),
            ("schema_url", 3, f.TYPE_STRING, opt, None),
            (
                "instrumentation_library_spans",
                1000,
                f.TYPE_MESSAGE,
                rep,
                ".tracespec.lite2.ScopeSpans",
            ),
        ],
    )
    message(
        "TracesData",
        [("resource_spans", 1, f.TYPE_MESSAGE, rep, ".tracespec.lite2.ResourceSpans")],
    )
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(fdp.name)
    except KeyError:
        pool.AddSerializedFile(fdp.SerializeToString())

    def cls(name: str) -> Any:
        return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))

    return (
        cls("tracespec.lite2.TracesData"),
        cls("tracespec.lite2.Rest"),
        cls("tracespec.lite2.Keys"),
        cls("tracespec.lite2.Attributes"),
    )


LiteTracesData, Rest, Keys, Attributes = _build_lite_schema()
AnyValue = common_pb2.AnyValue
KeyValue = common_pb2.KeyValue
FullSpan = trace_pb2.Span
SpanEvent = trace_pb2.Span.Event
SpanLink = trace_pb2.Span.Link
EMPTY_REST = Rest()


# --------------------------------------------------------------------------------------------
# Values


def any_value(v: Any) -> AttrValue | None:
    """An ``AnyValue`` message as an attribute value (``None`` for an empty value)."""
    which = v.WhichOneof("value")
    if which == "string_value":
        return v.string_value  # type: ignore[no-any-return]
    if which == "int_value":
        return v.int_value  # type: ignore[no-any-return]
    if which == "bool_value":
        return v.bool_value  # type: ignore[no-any-return]
    if which == "double_value":
        return v.double_value  # type: ignore[no-any-return]
    if which == "array_value":
        return tuple(x for x in (any_value(item) for item in v.array_value.values) if x is not None)
    if which == "kvlist_value":
        return MappingProxyType(
            {
                kv.key: val
                for kv in v.kvlist_value.values
                if (val := any_value(kv.value)) is not None
            }
        )
    if which == "bytes_value":
        return bytes(v.bytes_value)
    return None  # empty, or the profiles-only string_value_strindex


def key_values(items: Iterable[Any]) -> dict[str, AttrValue]:
    """Decoded ``KeyValue`` messages as a dict (empty values dropped, last duplicate wins)."""
    out: dict[str, AttrValue] = {}
    for kv in items:
        val = any_value(kv.value)
        if val is not None:
            out[kv.key] = val
    return out


def decode_kv(raw: bytes) -> tuple[str, AttrValue | None] | None:
    try:
        kv = KeyValue.FromString(raw)
    except DecodeError:  # corrupt, or nested deeper than protobuf's recursion limit
        return None
    return kv.key, any_value(kv.value)


def rest_of(raw: Any) -> Any:
    try:
        return Rest.FromString(raw.SerializeToString())
    except DecodeError:  # pragma: no cover - the bytes were parsed once already
        return EMPTY_REST


_DOUBLE = struct.Struct("<d").unpack


def scalar(raw: bytes) -> AttrValue | None:
    """The value of an ``AnyValue``'s bytes that are exactly one canonically written string,
    int, bool or double field, read without a message; ``None`` for anything else (then
    protobuf reads it).  Most attribute values are one of these."""
    if len(raw) < 2:
        return None
    tag = raw[0]
    if tag == 0x0A:  # string_value, a one-byte length
        if raw[1] == len(raw) - 2:
            try:
                return raw[2:].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return None
    if tag == 0x18:  # int_value, a varint ending at the end
        return _int_value(raw)
    if tag == 0x10 and len(raw) == 2 and raw[1] < 2:  # bool_value
        return raw[1] == 1
    if tag == 0x21 and len(raw) == 9:  # double_value
        return _DOUBLE(raw[1:])[0]  # type: ignore[no-any-return]
    return None


def _int_value(raw: bytes) -> int | None:
    """The int of an ``AnyValue``'s bytes ``0x18`` + a varint that ends at the end (else None)."""
    n = len(raw)
    if n > 11 or raw[-1] >= 0x80:
        return None
    if n == 2:  # (the common small ints, under 2^21, without the loop)
        return raw[1]
    if n == 3:
        return (raw[1] & 0x7F) | raw[2] << 7 if raw[1] >= 0x80 else None
    if n == 4:
        if raw[1] < 0x80 or raw[2] < 0x80:
            return None
        return (raw[1] & 0x7F) | (raw[2] & 0x7F) << 7 | raw[3] << 14
    value, shift = 0, 0
    for b in raw[1:-1]:
        if b < 0x80:
            return None  # the varint ends early: more fields follow
        value |= (b & 0x7F) << shift
        shift += 7
    value |= raw[-1] << shift
    if value >= 1 << 64:
        return None
    return value - (1 << 64) if value >= 1 << 63 else value
