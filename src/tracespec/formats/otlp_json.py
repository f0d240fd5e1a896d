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

import functools
import re
from array import array
from collections.abc import Iterable, MutableSequence, Sequence
from itertools import compress
from operator import itemgetter, methodcaller, not_
from types import MappingProxyType
from typing import Any

import orjson

from ..errors import TraceLoadError
from ..trace import Adapter, Event, Group, Link, Resource, Scope, SpanKind, StatusCode, TraceBuilder
from ..trace.attrvalue import AttrValue
from ..trace.tracetest import FAMILY_PREFIXES, NO_FAMILY, family_rank
from ._cut import CUT_KEY, PLACEHOLDER, Cut
from ._json_values import decode_id, field, json_any_value, json_key_values
from ._records import make_event, make_link, read_int

__all__ = ["JSON_ADAPTER", "JsonAdapter", "load_document"]

# A span's compact record: (name, kind, status code, status message, attributes JSON bytes,
# JSON bytes of {events, links, traceState, flags} or None).  The attributes' bytes are their
# list's JSON without its brackets (``b""`` for none): that is how one ``orjson.dumps`` of a
# scope's lists cuts into them (:func:`_attribute_records`).
JsonRecord = tuple[str, int, int, str, bytes, bytes | None]
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


def _loads(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # (our own bytes, or a cut of them: _flat_values)
        return None


def _items(data: bytes) -> Any:
    """The attribute list of a record's attributes' bytes (``None`` when there are none)."""
    return _loads(b"[" + data + b"]") if data else None


def _rest(raw: JsonRecord) -> dict[str, Any]:
    if raw[5] is None:
        return {}
    rest = _loads(raw[5])
    return rest if isinstance(rest, dict) else {}


class JsonAdapter(Adapter):
    """Reads spans kept as compact records of their OTLP JSON objects."""

    def name(self, raw: Any) -> str:
        return raw[0]  # type: ignore[no-any-return]

    def kind(self, raw: Any) -> int:
        return raw[1]  # type: ignore[no-any-return]

    def status(self, raw: Any) -> tuple[int, str]:
        return raw[2], raw[3]

    def attributes(self, raw: Any) -> dict[str, AttrValue]:
        return json_key_values(_items(raw[4]))

    def attribute_keys(self, raw: Any) -> Iterable[str]:
        items = _items(raw[4])
        if not isinstance(items, list):
            return ()
        return [
            kv["key"] for kv in items if isinstance(kv, dict) and isinstance(kv.get("key"), str)
        ]

    def events(self, raw: Any) -> tuple[Event, ...]:
        items = _rest(raw).get("events")
        if not isinstance(items, list):
            return ()
        out = []
        for e in items:
            if not isinstance(e, dict):
                continue
            t = read_int(field(e, "timeUnixNano", "time_unix_nano")) or 0
            out.append(make_event(e.get("name"), t, json_key_values(e.get("attributes"))))
        return tuple(out)

    def links(self, raw: Any) -> tuple[Link, ...]:
        items = _rest(raw).get("links")
        if not isinstance(items, list):
            return ()
        out = []
        for lk in items:
            if not isinstance(lk, dict):
                continue
            tid = decode_id(field(lk, "traceId", "trace_id"), 16) or b""
            sid = decode_id(field(lk, "spanId", "span_id"), 8) or b""
            ts = field(lk, "traceState", "trace_state")
            out.append(make_link(tid, sid, ts, json_key_values(lk.get("attributes"))))
        return tuple(out)

    def trace_state(self, raw: Any) -> str:
        ts = field(_rest(raw), "traceState", "trace_state")
        return ts if isinstance(ts, str) else ""

    def flags(self, raw: Any) -> int:
        return read_int(_rest(raw).get("flags")) or 0

    def scan(
        self, raws: Sequence[Any], positions: Iterable[int], key: str, out: list[AttrValue | None]
    ) -> None:
        needle = b'"key":' + _dumps(key)
        for p in positions:
            data = raws[p][4]
            if needle in data:
                val = json_key_values(_items(data)).get(key)
                if val is not None:
                    out[p] = val

    def fill(
        self,
        raws: Sequence[Any],
        positions: Sequence[int],
        keys: Sequence[str],
        outs: Sequence[list[AttrValue | None]],
        ranks: list[int] | None,
    ) -> None:
        """One pass, one regular expression search over each record that holds no nested
        key/value list and no escape (:func:`_keys_pattern`): it finds the family heads of its
        keys and the wanted keys with their flat values, each value then parsed on its own.  A
        record with a wanted key whose value is not flat (an array, a brace in a string, the
        value before the key), or with nested keys or escapes, is parsed whole."""
        wanted = {_dumps(k)[1:-1]: out for k, out in zip(keys, outs, strict=True)}
        by_key = dict(zip(keys, outs, strict=True))
        key_rank = {k: family_rank([k.decode("utf-8")]) for k in wanted}
        findall = _keys_pattern(tuple(wanted), ranks is not None).findall
        rank_of_head = _RANK_OF_HEAD
        # (a key's bytes as the records write it: orjson's, or a cut list's, with no escape)
        needles = [b'"key":"' + k + b'"' for k in wanted]
        for p in positions:
            data = raws[p][4]
            if not data:
                continue  # (ranks[p] is NO_FAMILY already)
            if b"kvlist" in data or b"\\" in data:
                if ranks is not None:
                    ranks[p] = _rank_of_record(data)
                for needle in needles:
                    if needle in data:
                        _fill_parsed(data, by_key, p)
                        break
                continue
            rank = NO_FAMILY
            values = None
            for key, value, other, head in findall(data):
                if head:
                    r = rank_of_head[head]
                elif value:
                    r = key_rank[key]
                    if values is None:
                        values = [(key, value)]
                    else:
                        values.append((key, value))
                else:  # a wanted key, its value not flat
                    r = key_rank[other]
                    values = _WHOLE
                if r < rank:
                    rank = r
            if ranks is not None:
                ranks[p] = rank
            if values is None:
                continue
            if values is _WHOLE or not _flat_values(values, wanted, p):
                _fill_parsed(data, by_key, p)

    def family_rank_of(self, raw: Any) -> int:
        return _rank_of_record(raw[4])

    def names(self, raws: Sequence[Any], positions: Iterable[int], out: list[str]) -> None:
        for p in positions:
            out[p] = raws[p][0]


JSON_ADAPTER = JsonAdapter()


def _flat_values(pairs: list[tuple[bytes, bytes]],
                 wanted: dict[bytes, list[AttrValue | None]], p: int) -> bool:
    """Set the wanted keys' values at ``p`` from a record's ``(key, flat value)`` matches, each
    value parsed on its own; ``False`` when one is not JSON (a brace in a string cut the match
    short), and the caller parses the whole record.  The last of a repeated key wins, as in the
    whole parse."""
    parsed = [_loads(value) for _, value in pairs]
    if None in parsed:
        return False
    for (key, _), obj in zip(pairs, parsed, strict=True):
        val = json_any_value(obj)
        if val is not None:
            wanted[key][p] = val
    return True


_WHOLE: list[tuple[bytes, bytes]] = []  # (a record to parse whole)


def _fill_parsed(data: bytes, wanted: dict[str, list[AttrValue | None]], p: int) -> None:
    """Set the wanted keys' values at ``p`` from the whole parse of a record."""
    items = _items(data)
    if isinstance(items, list):
        for kv in items:
            if isinstance(kv, dict) and type(key := kv.get("key")) is str:
                out = wanted.get(key)
                if out is not None:
                    val = json_any_value(kv.get("value"))
                    if val is not None:
                        out[p] = val


@functools.lru_cache(maxsize=64)
def _keys_pattern(wanted: tuple[bytes, ...], heads: bool) -> re.Pattern[bytes]:
    """The search of a plain record (no nested key/value list, no escape: there every
    ``"key":"`` is a top-level attribute's key, a quote in a string being escaped) for, in
    this order: a wanted key and its flat value (an object with no braces in it), a wanted key
    with any other value, and (with ``heads``) the family head of any other key.  Groups:
    key, value, key, head."""
    alternatives = []
    if wanted:
        names = b"|".join(map(re.escape, wanted))
        alternatives += [b"(" + names + rb')","value":(\{[^{}]*\})', b"(" + names + b')"']
    else:
        alternatives += [b"()()()(?!)"]
    if heads:
        alternatives.append(b"(" + b"|".join(map(re.escape, _RANK_OF_HEAD)) + rb")\.")
    else:
        alternatives.append(b"()(?!)")
    return re.compile(rb'"key":"(?:' + b"|".join(alternatives) + b")")


# A key of an attribute of a family as the compact records write it (orjson: no blanks, quotes
# escaped): in a record with no nested key/value list and no escape, every match is a whole
# top-level key, and the family its prefix names is present.
_FAMILY_KEY = re.compile(rb'"key":"(' + b"|".join(re.escape(p[:-1].encode())
                                                   for p in FAMILY_PREFIXES) + rb')\.')
_RANK_OF_HEAD = {p[:-1].encode(): rank for rank, p in enumerate(FAMILY_PREFIXES)}


def _rank_of_record(data: bytes) -> int:
    """:func:`family_rank` of a record's top-level attribute keys: the lowest rank among the
    family prefixes its bytes hold as keys, or from its parse when it holds a nested key/value
    list or an escape."""
    if not data:
        return NO_FAMILY
    if b"kvlist" in data or b"\\" in data:  # nested keys, or escapes: parse the list
        items = _items(data)
        if not isinstance(items, list):
            return NO_FAMILY
        return family_rank(
            kv["key"] for kv in items if isinstance(kv, dict) and isinstance(kv.get("key"), str)
        )
    heads = _FAMILY_KEY.findall(data)
    return min(map(_RANK_OF_HEAD.__getitem__, heads)) if heads else NO_FAMILY


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
        attributes = _items(cut.take())
    return Scope(_str(sc.get("name")), _str(sc.get("version")),
                 MappingProxyType(json_key_values(attributes)), present=True)


def _uncut(spans: list[Any], cut: Cut) -> list[Any]:
    """The spans with the cut lists put back as their attributes (taken in order)."""
    out = []
    for sp in spans:
        if type(sp) is dict and sp.get("attributes") == PLACEHOLDER:
            sp = {**sp, "attributes": _items(cut.take())}
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
