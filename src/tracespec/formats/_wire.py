"""Where OTLP protobuf bytes go wrong: the byte offset and the field of the first problem.

upb, which parses the bytes, says only *what* is wrong (``String field had bad UTF-8``).  When
it refuses them, :func:`first_problem` walks the same bytes again by the protobuf wire format
and the OTLP trace schema (field numbers of the messages, which fields are strings), and names
the first byte where a tag, a varint, a length or a string's UTF-8 does not hold, with the
field's path (``resource_spans[0].scope_spans[1].spans[3].name``).  It runs on failure only,
so loading pays nothing for it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["first_problem"]

# message name -> {field number: (field name, message name or "string" / "bytes")}
_SCHEMA: dict[str, dict[int, tuple[str, str]]] = {
    "TracesData": {1: ("resource_spans", "ResourceSpans")},
    "ResourceSpans": {1: ("resource", "Resource"), 2: ("scope_spans", "ScopeSpans"),
                      3: ("schema_url", "string"), 1000: ("scope_spans", "ScopeSpans")},
    "Resource": {1: ("attributes", "KeyValue")},
    "ScopeSpans": {1: ("scope", "Scope"), 2: ("spans", "Span"), 3: ("schema_url", "string")},
    "Scope": {1: ("name", "string"), 2: ("version", "string"), 3: ("attributes", "KeyValue")},
    "Span": {1: ("trace_id", "bytes"), 2: ("span_id", "bytes"), 3: ("trace_state", "string"),
             4: ("parent_span_id", "bytes"), 5: ("name", "string"),
             9: ("attributes", "KeyValue"), 11: ("events", "Event"), 13: ("links", "Link"),
             15: ("status", "Status")},
    "Event": {2: ("name", "string"), 3: ("attributes", "KeyValue")},
    "Link": {1: ("trace_id", "bytes"), 2: ("span_id", "bytes"), 3: ("trace_state", "string"),
             4: ("attributes", "KeyValue")},
    "Status": {2: ("message", "string")},
    "KeyValue": {1: ("key", "string"), 2: ("value", "AnyValue")},
    "AnyValue": {1: ("string_value", "string"), 5: ("array_value", "ArrayValue"),
                 6: ("kvlist_value", "KeyValueList"), 7: ("bytes_value", "bytes")},
    "ArrayValue": {1: ("values", "AnyValue")},
    "KeyValueList": {1: ("values", "KeyValue")},
}
_MAX_DEPTH = 100  # upb's own recursion limit
_REPEATED = frozenset({"resource_spans", "scope_spans", "spans", "attributes", "events",
                       "links", "values"})


class _Problem(Exception):
    def __init__(self, offset: int, what: str) -> None:
        self.offset = offset
        self.what = what


def _varint(data: Any, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    start = pos
    while True:
        if pos >= end:
            raise _Problem(start, "truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift >= 70:
            raise _Problem(start, "varint longer than 10 bytes")


def _walk(data: Any, pos: int, end: int, message: str, path: str, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise _Problem(pos, f"messages nested more than {_MAX_DEPTH} deep at {path}")
    fields = _SCHEMA[message]
    counts: dict[int, int] = {}
    while pos < end:
        tag_at = pos
        tag, pos = _varint(data, pos, end)
        number, wire = tag >> 3, tag & 7
        if number == 0:
            raise _Problem(tag_at, f"field number 0 in {path or 'the message'}")
        if wire == 0:
            _, pos = _varint(data, pos, end)
        elif wire == 1 or wire == 5:
            pos += 8 if wire == 1 else 4
            if pos > end:
                raise _Problem(tag_at, f"truncated fixed-size field {number} in {path or '.'}")
        elif wire == 2:
            size, pos = _varint(data, pos, end)
            if pos + size > end:
                raise _Problem(tag_at, f"length {size} runs past the end of {path or 'the data'}")
            known = fields.get(number)
            if known is not None:
                name, kind = known
                i = counts.get(number, 0)
                counts[number] = i + 1
                here = f"{path}.{name}" if path else name
                if kind == "string":
                    try:
                        bytes(data[pos:pos + size]).decode("utf-8")
                    except UnicodeDecodeError as exc:
                        raise _Problem(pos + exc.start, f"bad UTF-8 in {here}") from None
                elif kind != "bytes":
                    inner = f"{here}[{i}]" if name in _REPEATED else here
                    _walk(data, pos, pos + size, kind, inner, depth + 1)
            pos += size
        else:
            raise _Problem(tag_at, f"wire type {wire} (groups are not OTLP) in {path or '.'}")


def first_problem(data: Any) -> tuple[int, str] | None:
    """(byte offset, what is wrong there) of the first problem in OTLP protobuf bytes, or
    ``None`` when the wire format and the strings hold (upb refused something else)."""
    try:
        _walk(memoryview(data), 0, len(data), "TracesData", "", 0)
    except _Problem as problem:
        return problem.offset, problem.what
    return None
