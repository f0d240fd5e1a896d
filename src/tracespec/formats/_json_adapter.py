"""Reading OTLP JSON spans kept as compact records: the adapter of the JSON loader's spans.

A record holds a span's name, kind and status, its attribute list as one ``bytes`` of JSON
(and its events, links, trace state and flags likewise, when it has any), decoded only when
asked for.  A column pass over every span searches each record's bytes for the wanted keys and
the family heads of its keys (one regular expression), parsing a record only when a wanted
value is not flat, once for every column asked for together.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from ..trace import Adapter, Event, Link
from ..trace.attrvalue import AttrValue
from ..trace.tracetest import FAMILY_PREFIXES, NO_FAMILY, family_rank
from ._json_values import decode_id, field, json_any_value, json_key_values
from ._records import make_event, make_link, read_int

__all__ = ["JSON_ADAPTER", "JsonAdapter", "JsonRecord", "attribute_items"]

# A span's compact record: (name, kind, status code, status message, attributes JSON bytes,
# JSON bytes of {events, links, traceState, flags} or None).  The attributes' bytes are their
# list's JSON without its brackets (``b""`` for none): that is how one ``orjson.dumps`` of a
# scope's lists cuts into them (``otlp_json._attribute_records``), and a line's (:mod:`._cut`).
JsonRecord = tuple[str, int, int, str, bytes, bytes | None]


def _loads(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # (our own bytes, or a cut of them: _flat_values)
        return None


def attribute_items(data: bytes) -> Any:
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
        return json_key_values(attribute_items(raw[4]))

    def attribute_keys(self, raw: Any) -> Iterable[str]:
        items = attribute_items(raw[4])
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
                val = json_key_values(attribute_items(data)).get(key)
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
    items = attribute_items(data)
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
        items = attribute_items(data)
        if not isinstance(items, list):
            return NO_FAMILY
        return family_rank(
            kv["key"] for kv in items if isinstance(kv, dict) and isinstance(kv.get("key"), str)
        )
    heads = _FAMILY_KEY.findall(data)
    return min(map(_RANK_OF_HEAD.__getitem__, heads)) if heads else NO_FAMILY


_dumps = orjson.dumps
