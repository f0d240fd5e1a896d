"""The numpy layout: parents, sibling order and pre-order of big, clean traces, by arrays.

Used by :mod:`tracespec.trace.assemble` for traces of at least ``FAST_MIN`` spans whose ids are
all 8 bytes and unique, with no parent cycle and no temporary root, at most ``FAST_MAX_DEPTH``
levels deep; every other trace takes the plain path there.  Parents are found by sorting and
binary search, the pre-order level by level (one numpy step per tree level), so no Python
object is made per span.  numpy is imported here only, and only when a big trace loads.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

__all__ = ["FAST_MAX_DEPTH", "Layout", "layout", "order", "parents", "prepend", "take"]

FAST_MAX_DEPTH = 2000  # deeper trees (one numpy step per level) take the plain path

#: pre-order (load indexes), parent positions, subtree ends, depths, position of the last
#: load index (where a synthetic root, appended last, ends up).
Layout = tuple["array[int]", "array[int]", "array[int]", "array[int]", int]


def parents(span_ids: list[bytes], parent_ids: list[bytes]) -> tuple[array[int], Any] | None:
    """Parent load indexes by sorting and binary search, and the load indexes in span id
    order; ``None`` when a span id repeats or a parent id is not 8 bytes (the plain path
    handles those).  Every span id is 8 bytes: as big-endian uint64 their order is the order
    of the bytes."""
    n = len(span_ids)
    lengths = np.fromiter(map(len, parent_ids), dtype=np.int64, count=n)
    if not bool(((lengths == 0) | (lengths == 8)).all()):
        return None
    keys = np.frombuffer(b"".join(span_ids), dtype=">u8").astype(np.uint64)
    by_id = np.argsort(keys)
    sorted_ids = keys[by_id]
    del keys
    if n > 1 and bool((sorted_ids[1:] == sorted_ids[:-1]).any()):
        return None
    has = lengths > 0
    del lengths
    pids = np.frombuffer(b"".join(parent_ids), dtype=">u8").astype(np.uint64)
    # binary search with the queries sorted: sequential memory access, several times faster
    by_pid = np.argsort(pids)
    at_sorted = np.searchsorted(sorted_ids, pids[by_pid])
    at = np.empty_like(at_sorted)
    at[by_pid] = at_sorted
    del at_sorted, by_pid
    np.minimum(at, n - 1, out=at)
    found = sorted_ids[at] == pids
    par = np.full(n, -1, dtype=np.int32)
    par[has] = np.where(found, by_id[at], -1)
    return _as_array("i", par), by_id


def order(by_id: Any, starts: array[int], par: array[int]) -> tuple[Any, list[int]]:
    """Load indexes in sibling order (start, then span id) and the roots in that order.

    ``by_id`` is the load indexes in span id order: a stable sort of it by start time keeps
    spans that start together in span id order.
    """
    n = len(by_id)
    st = np.frombuffer(starts, dtype=np.int64, count=n)
    out = by_id[np.argsort(st[by_id], kind="stable")]
    del st
    p = np.frombuffer(par, dtype=np.int32, count=n)
    roots = out[p[out] < 0].tolist()
    del p
    return out, roots


def prepend(sibling_order: Any, first: int) -> Any:
    """``sibling_order`` with the load index ``first`` in front (a synthetic root)."""
    return np.concatenate((np.array([first], dtype=sibling_order.dtype), sibling_order))


def layout(sibling_order: Any, par: array[int], n: int, max_depth: int = 0) -> Layout | None:
    """Pre-order, parent positions, subtree ends and depths, level by level with numpy.

    Returns ``(pre, par_pre, end, depth, position of load index n - 1)``, or ``None`` when some
    span is not below a root (a parent cycle) or the tree is deeper than ``max_depth``
    (default ``FAST_MAX_DEPTH``): one numpy step per level would not pay.
    """
    max_depth = max_depth or FAST_MAX_DEPTH
    p = np.frombuffer(par, dtype=np.int32, count=n).astype(np.int64)
    pk = p[sibling_order]  # parent of each span, in sibling order
    perm = np.argsort(pk, kind="stable")
    kids = sibling_order[perm]  # grouped by parent, siblings in order; roots (-1) first
    del perm
    counts = np.bincount(pk + 1, minlength=n + 1)  # counts[i + 1]: children of i
    del pk
    off = np.zeros(n + 2, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    levels = [kids[: off[1]]]
    total = levels[0].size
    while True:
        cur = levels[-1]
        c = counts[cur + 1]
        tot = int(c.sum())
        if tot == 0:
            break
        if len(levels) >= max_depth:
            return None
        first = off[cur + 1]
        ends = np.cumsum(c)
        idx = np.repeat(first - ends + c, c) + np.arange(tot)
        levels.append(kids[idx])
        total += tot
    if total != n:  # spans in or below a parent cycle
        return None
    size = np.ones(n, dtype=np.int64)
    for lvl in reversed(levels[1:]):
        np.add.at(size, p[lvl], size[lvl])
    pos = np.zeros(n, dtype=np.int64)
    depth_of = np.zeros(n, dtype=np.int32)
    roots_size = size[levels[0]]
    pos[levels[0]] = np.cumsum(roots_size) - roots_size  # a forest: roots one after another
    for d, lvl in enumerate(levels[1:], 1):
        s = size[lvl]
        lvl_par = p[lvl]
        cs = np.cumsum(s)
        before = cs - s  # sizes of earlier spans in this level
        head = np.flatnonzero(np.concatenate(([True], lvl_par[1:] != lvl_par[:-1])))
        group_len = np.diff(np.append(head, lvl.size))
        before -= np.repeat(before[head], group_len)  # ... of earlier siblings only
        pos[lvl] = pos[lvl_par] + 1 + before
        depth_of[lvl] = d
    pre = np.empty(n, dtype=np.int64)
    pre[pos] = np.arange(n)
    par_pre_np = np.where(p[pre] >= 0, pos[np.maximum(p[pre], 0)], -1)
    end_np = np.arange(n) + size[pre]
    return (
        _as_array("i", pre),
        _as_array("i", par_pre_np),
        _as_array("i", end_np),
        _as_array("i", depth_of[pre]),
        int(pos[n - 1]),
    )


def _as_array(code: str, values: Any) -> array[int]:
    out = array(code)
    out.frombytes(values.astype(np.int32 if code == "i" else np.int64).tobytes())
    return out


def take(
    pre: array[int], starts: array[int], ends: array[int], group_of: array[int]
) -> tuple[array[int], array[int], array[int]]:
    """``starts``, ``ends`` and ``group_of`` in the order ``pre`` (numpy gathers)."""
    at = np.frombuffer(pre, dtype=np.int32)
    out = (
        _as_array("q", np.frombuffer(starts, dtype=np.int64)[at]),
        _as_array("q", np.frombuffer(ends, dtype=np.int64)[at]),
        _as_array("i", np.frombuffer(group_of, dtype=np.int32)[at]),
    )
    del at
    return out
