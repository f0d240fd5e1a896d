"""OTLP JSON and its relatives: collector JSON Lines, Tempo v1/v2 and Jaeger API v3 bodies.

All of them are ``TracesData`` in the proto3 JSON mapping, with the traps of each: ids in hex
(OTLP) or base64 (Tempo's gogo jsonpb), 64-bit integers as strings or numbers, enums as numbers
or names (``SPAN_KIND_SERVER``), Tempo's ``batches`` key, the old
``instrumentationLibrarySpans``, snake_case keys from some writers (values and ids are read
by :mod:`._json_values`).  The document is walked by hand: ``google.protobuf.json_format`` would
silently decode hex ids as base64.

Only ids, parent ids, times, name, kind and status are read up front.  Each span then keeps a
compact record instead of its parsed JSON: its attribute list as one ``bytes`` of JSON (and
events, links, trace state and flags likewise when present), decoded only when asked for.  A
span's parsed JSON costs about 6 KB of Python objects; its record about 700 bytes, and the
objects of a JSON Lines file are alive only one line at a time.  The attribute lists of a line
of compact JSON are cut out of its bytes before it is parsed (:mod:`._cut`): their bytes are the
records as they are, never parsed nor written back; the others are written back by orjson.
Reading attributes over every span searches each record's bytes for the wanted keys (and the
family heads of all its keys, for the span types), so most spans are never decoded, and decodes
the others once for every column asked for together.
"""

from __future__ import annotations

from array import array
from collections.abc import MutableSequence, Sequence
from itertools import compress
from operator import itemgetter, methodcaller, not_
from types import MappingProxyType
from typing import Any

import orjson

from ..errors import TraceLoadError
from ..trace import Group, Resource, Scope, SpanKind, StatusCode, TraceBuilder
from ._cut import CUT_KEY, PLACEHOLDER, Cut
from ._json_adapter import JSON_ADAPTER, JsonAdapter, JsonRecord
from ._json_adapter import attribute_items as _attribute_items
from ._json_values import decode_id, field, json_key_values
from ._records import read_int

__all__ = ["JSON_ADAPTER", "JsonAdapter", "load_document"]

_REST_KEYS = ("events", "links", "traceState", "trace_state", "flags")
# keys of a span that need no "rest" bytes (read up front, or not kept)
_PLAIN_KEYS = frozenset(
    {
        "traceId", "spanId", "parentSpanId", "name", "kind", "startTimeUnixNano",
        "endTimeUnixNano", "attributes", "status", "droppedAttributesCount",
        "droppedEventsCount", "droppedLinksCount", "trace_id", "span_id", "parent_span_id",
        "start_time_unix_nano", "end_time_unix_nano",
    }
)  # fmt: skip


def compact(sp: dict[str, Any], repairs: list[str] | None = None) -> JsonRecord:
    """The compact record of one span object (never raises on malformed fields).  An
    attribute orjson cannot write back (nested more than 255 levels, an integer beyond 64
    bits) is left out, the others kept, and the repair noted in ``repairs``."""
    name = sp.get("name")
    kind = sp.get("kind", 0)
    status = sp.get("status")
    code = 0
    message = ""
    if status and isinstance(status, dict):
        code = _status_number(status.get("code"))
        msg = status.get("message")
        message = msg if isinstance(msg, str) else ""
    attrs = sp.get("attributes")
    try:
        attr_bytes = _attribute_bytes(attrs)
    except TypeError:  # values orjson cannot write back: keep the others
        attr_bytes = _writable_attributes(sp, attrs, repairs)
    rest = _rest_bytes(sp, repairs) if not _PLAIN_KEYS.issuperset(sp) else None
    return (
        name if type(name) is str else "",
        kind if type(kind) is int else SpanKind.parse(kind).number,
        code,
        message,
        attr_bytes,
        rest,
    )


def _writable_attributes(sp: dict[str, Any], attrs: Any, repairs: list[str] | None) -> bytes:
    kept = []
    for kv in attrs if isinstance(attrs, list) else ():
        try:  # (written in a list: a value at orjson's depth limit alone is too deep in one)
            kept.append(_dumps([kv])[1:-1])
        except TypeError:
            if repairs is not None:
                key = kv.get("key") if isinstance(kv, dict) else None
                span = sp.get("spanId") or sp.get("span_id")
                repairs.append(
                    f"span {str(span)[:40]}: attribute {str(key)[:80]!r} left out: its value "
                    "nests too deeply or holds an integer beyond 64 bits"
                )
    return b",".join(kept)


def _rest_bytes(sp: dict[str, Any], repairs: list[str] | None) -> bytes | None:
    """The JSON of a span's events, links, trace state and flags (``None`` when it has none)."""
    if repairs is not None:
        repairs.extend(_odd_event_times(sp))
    extra = {k: sp[k] for k in _REST_KEYS if k in sp}
    if not extra:
        return None
    try:
        return bytes(memoryview(_dumps(extra)))  # (exactly sized: orjson keeps a 4 KB buffer)
    except TypeError:  # pragma: no cover
        return None


def _odd_event_times(sp: dict[str, Any]) -> list[str]:
    """The repairs for events whose time is not an integer (read as 0 when the events are)."""
    events = sp.get("events")
    out = []
    for e in events if isinstance(events, list) else ():
        t = field(e, "timeUnixNano", "time_unix_nano")
        if t is not None and read_int(t) is None:
            span = sp.get("spanId") or sp.get("span_id")
            out.append(f"span {str(span)[:40]}: event {str(e.get('name'))[:80]!r}: time "
                       f"{str(t)[:40]!r} is not an integer, read as 0")
    return out


_dumps = orjson.dumps


def _resource_spans_of(doc: Any, builder: TraceBuilder) -> tuple[list[Any], str]:
    """Find the list of ResourceSpans in any of the accepted envelopes."""
    if isinstance(doc, list):
        out: list[Any] = []
        for i, item in enumerate(doc):
            rs, _ = _resource_spans_of(item, builder)
            out.extend(rs)
            del i
        return out, ""
    if not isinstance(doc, dict):
        raise builder.error("expected a JSON object holding resourceSpans", builder.place(""))
    for key in ("resourceSpans", "resource_spans", "batches"):
        if key in doc:
            rs = doc[key]
            if rs is None:
                return [], "/" + key
            if not isinstance(rs, list):
                raise builder.error(f"{key!r} must be a list", builder.place("/" + key))
            return rs, "/" + key
    for wrapper in ("trace", "result"):
        inner = doc.get(wrapper)
        if isinstance(inner, dict):
            rs, ptr = _resource_spans_of(inner, builder)
            return rs, "/" + wrapper + ptr
    if "error" in doc and isinstance(doc["error"], dict):
        msg = doc["error"].get("message", "")
        raise builder.error(f"the document is an error response: {msg}", builder.place("/error"))
    raise builder.error(
        "no resourceSpans (or Tempo 'batches') in the document", builder.place("")
    )


def load_document(doc: Any, builder: TraceBuilder) -> None:
    """Walk one parsed OTLP JSON / Tempo / Jaeger v3 document into ``builder``.

    A document whose line had its attribute lists cut out (:mod:`._cut`) gives its spans the
    cut lists in order; when they are not one per span (a list cut from an event, a link or a
    scope), what it added is taken back and the line read as written."""
    cut = doc.pop(CUT_KEY, None) if type(doc) is dict else None
    if not isinstance(cut, Cut):
        _load_document(doc, builder, None)
        return
    sizes = _sizes(builder)
    try:
        _load_document(doc, builder, cut)
        if cut.used == len(cut.lists):
            return
    except TraceLoadError:
        pass  # (told again by the line as written)
    del doc
    _truncate(builder, sizes)
    _load_document(cut.whole(), builder, None)


def _sizes(builder: TraceBuilder) -> tuple[int, ...]:
    return (len(builder.trace_ids), len(builder.span_ids), len(builder.parent_ids),
            len(builder.starts), len(builder.ends), len(builder.raws), len(builder.group_of),
            len(builder.groups), len(builder.repairs))


def _truncate(builder: TraceBuilder, sizes: tuple[int, ...]) -> None:
    """Take back what was added to ``builder`` since it had these :func:`_sizes`."""
    columns: tuple[MutableSequence[Any], ...] = (
        builder.trace_ids, builder.span_ids, builder.parent_ids, builder.starts, builder.ends,
        builder.raws, builder.group_of, builder.groups, builder.repairs,
    )
    for column, size in zip(columns, sizes, strict=True):
        del column[size:]


def _load_document(doc: Any, builder: TraceBuilder, cut: Cut | None) -> None:
    rs_list, base = _resource_spans_of(doc, builder)
    adapter = JSON_ADAPTER
    for ri, rs in enumerate(rs_list):
        if not isinstance(rs, dict):
            raise builder.error("resource spans must be objects", builder.place(f"{base}/{ri}"))
        res = rs.get("resource")
        resource = Resource(
            MappingProxyType(
                json_key_values(res.get("attributes") if isinstance(res, dict) else None)
            ),
            _str(field(rs, "schemaUrl", "schema_url")),
        )
        scope_key = "scopeSpans"
        scopes = rs.get("scopeSpans")
        if scopes is None:
            for alt in (
                "scope_spans",
                "instrumentationLibrarySpans",
                "instrumentation_library_spans",
            ):
                if alt in rs:
                    scope_key = alt
                    scopes = rs[alt]
                    break
        if scopes is None:
            continue
        if not isinstance(scopes, list):
            raise builder.error(
                f"{scope_key!r} must be a list", builder.place(f"{base}/{ri}/{scope_key}")
            )
        for si, ss in enumerate(scopes):
            if not isinstance(ss, dict):
                raise builder.error(
                    "scope spans must be objects", builder.place(f"{base}/{ri}/{scope_key}/{si}")
                )
            scope = _scope(ss, cut)
            spans = ss.get("spans")
            if spans is None:
                continue
            if not isinstance(spans, list):
                raise builder.error(
                    "'spans' must be a list", builder.place(f"{base}/{ri}/{scope_key}/{si}/spans")
                )
            g = builder.add_group(Group(resource, scope, adapter))
            try:
                _fast_scope(spans, g, builder, cut)
            except (KeyError, ValueError, TypeError, OverflowError, AttributeError):
                # Slow path: read every span carefully, naming the place of a problem.
                if cut is not None:
                    spans = _uncut(spans, cut)
                for k, sp in enumerate(spans):
                    _careful_span(sp, g, builder, f"{base}/{ri}/{scope_key}/{si}/spans/{k}")


# The fields of a plain span, read in one pass over the spans (each span's dict is visited once
# per pass, and at a million spans every visit is a cache miss): all of them, else the ones
# OTLP requires (proto3 JSON leaves out an empty name, kind 0 and no attributes).
_get_row = itemgetter(
    "traceId", "spanId", "startTimeUnixNano", "endTimeUnixNano", "name", "kind", "attributes"
)
_get_all = itemgetter(  # (and the parent and the status: all but the root's scope have them)
    "traceId", "spanId", "startTimeUnixNano", "endTimeUnixNano", "name", "kind", "attributes",
    "parentSpanId", "status",
)
_get_required = itemgetter("traceId", "spanId", "startTimeUnixNano", "endTimeUnixNano")
_get_pid = methodcaller("get", "parentSpanId")
_get_name = methodcaller("get", "name", "")
_get_kind = methodcaller("get", "kind", 0)
_get_status = methodcaller("get", "status")
_get_attrs = methodcaller("get", "attributes", ())
_ROW_KEYS = 7  # (the keys _get_row reads)


def _scope(ss: dict[str, Any], cut: Cut | None) -> Scope:
    """The scope of a scope spans object (its attributes maybe cut out: they come before its
    spans' in the line)."""
    sc = ss.get("scope")
    if sc is None:
        sc = field(ss, "instrumentationLibrary", "instrumentation_library")
    if not isinstance(sc, dict):
        return Scope("", "", MappingProxyType({}), present=False)
    attributes = sc.get("attributes")
    if attributes == PLACEHOLDER and cut is not None:
        attributes = _attribute_items(cut.take())
    return Scope(_str(sc.get("name")), _str(sc.get("version")),
                 MappingProxyType(json_key_values(attributes)), present=True)


def _uncut(spans: list[Any], cut: Cut) -> list[Any]:
    """The spans with the cut lists put back as their attributes (taken in order)."""
    out = []
    for sp in spans:
        if type(sp) is dict and sp.get("attributes") == PLACEHOLDER:
            sp = {**sp, "attributes": _attribute_items(cut.take())}
        out.append(sp)
    return out


def _fast_scope(spans: list[Any], g: int, builder: TraceBuilder, cut: Cut | None = None) -> None:
    """Well-formed OTLP JSON (hex ids, string or int times): one C-level pass per column.

    Raises (KeyError, ValueError, ...) without touching ``builder`` when anything is off.
    """
    n = len(spans)
    if not n:
        return
    pid_texts: Sequence[Any] | None = None
    try:
        rows = zip(*map(_get_all, spans), strict=True)
        tids, sid_texts, start_texts, end_texts, names, kinds, attrs, pid_texts, statuses = rows
        row_keys = (_ROW_KEYS + 2) * n
    except KeyError:
        try:
            rows = zip(*map(_get_row, spans), strict=True)
            tids, sid_texts, start_texts, end_texts, names, kinds, attrs = rows
            row_keys = _ROW_KEYS * n
        except KeyError:  # some span has no name, kind or attributes: read those one by one
            tids, sid_texts, start_texts, end_texts = zip(*map(_get_required, spans), strict=True)
            names = tuple(map(_get_name, spans))
            kinds = tuple(map(_get_kind, spans))
            attrs = tuple(map(_get_attrs, spans))
            row_keys = 0
    fromhex = bytes.fromhex
    by_text = {t: fromhex(t) for t in set(tids)}
    if any(len(b) != 16 or len(t) != 32 for t, b in by_text.items()):
        raise ValueError  # (fromhex passes over spaces: the text's length tells)
    if set(map(len, sid_texts)) != {16}:
        raise ValueError
    sids = list(map(fromhex, sid_texts))
    del sid_texts
    if pid_texts is None:
        pid_texts = list(map(_get_pid, spans))
        statuses = tuple(map(_get_status, spans))
        if row_keys:  # which spans hold keys beyond these (each holds at least these)
            row_keys += n - pid_texts.count(None) + n - statuses.count(None)
    if not set(map(len, filter(None, pid_texts))) <= {16}:
        raise ValueError
    pids = [fromhex(p) if p else b"" for p in pid_texts]
    starts = _times(start_texts)
    ends = _times(end_texts)
    if min(starts) < 0 or min(ends) < 0:
        raise ValueError
    records, used = _compact_all(spans, names, kinds, statuses, attrs, row_keys, cut)
    if cut is not None:
        cut.used = used
    builder.trace_ids += map(by_text.__getitem__, tids)
    builder.span_ids += sids
    builder.parent_ids += pids
    builder.starts += starts
    builder.ends += ends
    builder.raws += records
    builder.group_of += array("i", [g]) * n


def _times(values: tuple[Any, ...]) -> array[int]:
    """Span times given as decimal strings (or ints) as 64-bit integers (``ValueError`` or
    ``OverflowError`` when one is not, as :func:`_plain_ints` tells)."""
    plain = _plain_ints(values)
    if type(plain[0]) is str and set(map(type, plain)) == {str}:
        # orjson reads a thousand decimal numbers in one call faster than int() each; a
        # leading zero (not JSON) fails here and the careful path reads it
        return array("q", orjson.loads("[" + ",".join(plain) + "]"))
    return array("q", map(int, plain))


def _plain_ints(values: Sequence[Any]) -> Sequence[Any]:
    """``values`` when each is an int or a string of ASCII digits (checked by C-level passes),
    else ``ValueError``: ``int()`` would also read ``True``, ``1.9``, ``"1_000"``, ``" 17"``
    and ``"١٢٣"``, which the careful path reads as proto3 JSON does (refusing them)."""
    types = set(map(type, values))
    if types == {str}:
        joined = "".join(values)
        if joined.isascii() and joined.isdigit() and "" not in values:
            return values
        raise ValueError
    if types <= {str, int}:
        texts = [v for v in values if type(v) is str]
        joined = "".join(texts)
        if joined.isascii() and (joined.isdigit() or not joined) and "" not in texts:
            return values
    raise ValueError


def _compact_all(
    spans: list[Any],
    names: Sequence[Any],
    kinds: Sequence[Any],
    statuses: Sequence[Any],
    attrs: Sequence[Any],
    row_keys: int,
    cut: Cut | None,
) -> tuple[list[JsonRecord], int]:
    """:func:`compact` of every span, by C-level passes where the spans are plain, and how many
    of the ``cut`` lists they took in all (0 without).

    ``row_keys`` is how many keys the spans hold together at least (0: not known): when their
    lengths add up to it, no span holds a key whose bytes go into the record's rest."""
    if set(map(type, names)) != {str} or set(map(type, kinds)) != {int}:
        if cut is not None and PLACEHOLDER in attrs:
            raise ValueError  # (the careful path puts the cut lists back first)
        return list(map(compact, spans)), cut.used if cut is not None else 0
    n = len(spans)
    if n > 16:  # span names repeat: keep one string object per distinct name
        distinct = dict(zip(names, names, strict=True))
        if len(distinct) * 2 < n:
            names = list(map(distinct.__getitem__, names))
    codes = [0] * n
    messages = [""] * n
    for k in compress(range(n), statuses):
        codes[k], messages[k] = _status_of(statuses[k])
    records, used = _attribute_records(attrs, cut)
    rests: list[bytes | None] = [None] * n
    if not row_keys or sum(map(len, spans)) != row_keys:
        for k in compress(range(n), map(not_, map(_PLAIN_KEYS.issuperset, spans))):
            if _odd_event_times(spans[k]):
                raise ValueError  # (the careful path records the repair)
            rests[k] = _rest_bytes(spans[k], None)
    return list(zip(names, kinds, codes, messages, records, rests, strict=True)), used


def _attribute_records(attrs: Sequence[Any], cut: Cut | None) -> tuple[list[bytes], int]:
    """The record bytes of each span's attributes (its list's JSON without the brackets), and
    how many of the ``cut`` lists were taken in all.

    Cut lists are taken as they are.  The others: one ``orjson.dumps`` of all the lists, cut at
    each ``],[`` between two of them: that is exact when the bytes hold no more of those than
    the lists have gaps (one in a string or in a nested array adds a cut; then each list is
    written on its own)."""
    if cut is None:
        return _written_records(attrs), 0
    used = cut.used
    n = len(attrs)
    holes = attrs.count(PLACEHOLDER)
    if holes == n and used + n <= len(cut.lists):
        return cut.lists[used : used + n], used + n
    if not holes:
        return _written_records(attrs), used
    out = []
    for a in attrs:
        if a == PLACEHOLDER:
            if used >= len(cut.lists):
                raise ValueError  # (more holes than lists: the line is read as written)
            out.append(cut.lists[used])
            used += 1
        else:
            out.append(_attribute_bytes(a))
    return out, used


def _written_records(attrs: Sequence[Any]) -> list[bytes]:
    if set(map(type, attrs)) <= {list, tuple}:
        try:
            out = _dumps(attrs)[2:-2].split(b"],[")
        except TypeError:  # (one more level than each list: one may be at the depth limit)
            out = []
        if len(out) == len(attrs):
            return out
    return [_attribute_bytes(a) for a in attrs]


def _attribute_bytes(attrs: Any) -> bytes:
    """The record bytes of one span's attributes (``b""`` for none, or for no list)."""
    if not attrs or not isinstance(attrs, list | tuple):
        return b""
    # (a slice of orjson's output: an exactly sized copy, where the output keeps a 4 KB buffer)
    return _dumps(attrs)[1:-1]


def _status_of(status: Any) -> tuple[int, str]:
    if not isinstance(status, dict):
        return 0, ""
    msg = status.get("message")
    return _status_number(status.get("code")), msg if isinstance(msg, str) else ""


def _status_number(code: Any) -> int:
    """The status as a number: an int as it is (the adapter reads unknown ones as unset), any
    other spelling through :meth:`StatusCode.parse`."""
    return code if type(code) is int else StatusCode.parse(code).number


def _str(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _careful_span(sp: Any, g: int, builder: TraceBuilder, ptr: str) -> None:
    if not isinstance(sp, dict):
        raise builder.error("a span must be a JSON object", builder.place(ptr))
    raw_tid = field(sp, "traceId", "trace_id")
    if raw_tid is None or raw_tid == "":
        raise builder.error("span has no traceId", builder.place(ptr + "/traceId"))
    tid = decode_id(raw_tid, 16)
    if tid is None:
        raise builder.error(
            f"traceId {str(raw_tid)[:40]!r} is not 16 (or 8) bytes in hex or base64",
            builder.place(ptr + "/traceId"),
        )
    raw_sid = field(sp, "spanId", "span_id")
    if raw_sid is None or raw_sid == "":
        raise builder.error("span has no spanId", builder.place(ptr + "/spanId"))
    sid = decode_id(raw_sid, 8)
    if sid is None:
        raise builder.error(
            f"spanId {str(raw_sid)[:40]!r} is not 8 bytes in hex or base64",
            builder.place(ptr + "/spanId"),
        )
    raw_pid = field(sp, "parentSpanId", "parent_span_id")
    if raw_pid in (None, ""):
        pid = b""
    else:
        decoded = decode_id(raw_pid, 8)
        if decoded is None:
            raise builder.error(
                f"parentSpanId {str(raw_pid)[:40]!r} is not 8 bytes in hex or base64",
                builder.place(ptr + "/parentSpanId"),
            )
        pid = decoded
    times = []
    for camel, snake in (
        ("startTimeUnixNano", "start_time_unix_nano"),
        ("endTimeUnixNano", "end_time_unix_nano"),
    ):
        raw_t = field(sp, camel, snake)
        if raw_t is None:
            t = 0
        else:
            t_or_none = read_int(raw_t)
            if t_or_none is None:
                raise builder.error(
                    f"{camel} {str(raw_t)[:40]!r} is not an integer",
                    builder.place(f"{ptr}/{camel}"),
                )
            t = t_or_none
        if not 0 <= t < 2**63:
            raise builder.error(f"{camel} {t} is out of range", builder.place(f"{ptr}/{camel}"))
        times.append(t)
    builder.trace_ids.append(tid)
    builder.span_ids.append(sid)
    builder.parent_ids.append(pid)
    builder.starts.append(times[0])
    builder.ends.append(times[1])
    builder.raws.append(compact(sp, builder.repairs))
    builder.group_of.append(g)
