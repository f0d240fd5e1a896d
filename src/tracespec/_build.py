"""Assembling traces from the flat span columns a loader fills in.

Every loader appends, per span and in file order: trace id, span id, parent span id (``b""`` for
none), start and end time in ns, its raw object (read lazily later by its group's adapter) and
its group number.  :meth:`TraceBuilder.build` groups spans by trace id and assembles each trace
the way Tracetest does, with these documented repairs (each one recorded in ``Trace.repairs``):

* a span id seen twice: the first span is kept, later ones are dropped;
* a parent id that is not in the trace (an orphan): the span becomes a root;
* a parent cycle (a span that is its own ancestor, or its own parent): it is broken at the span
  of the cycle that starts first (ties: lowest id), which becomes a root;
* spans named ``Temporary Tracetest root span`` (written by Tracetest itself) are dropped and
  their children become roots;
* several roots: a root named ``Tracetest trigger`` adopts the others; otherwise a synthetic
  ``Temporary Tracetest root span`` does (its id is derived from the trace id, its times span
  its children's).

Children are ordered by start time, then span id; positions are pre-order numbers.  The tree is
built with flat integer arrays (a compressed child list and an explicit stack), never one Python
object per span beyond what the columns already hold: this runs on traces of a million spans.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
from itertools import accumulate, compress, repeat
from operator import add, eq
from typing import Any

from .errors import TraceLoadError
from .trace import (
    RECORD_ADAPTER,
    TEMPORARY_ROOT_NAME,
    TRIGGER_SPAN_NAME,
    Group,
    Resource,
    Scope,
    SpanRecord,
    Trace,
    TraceIndex,
)

__all__ = ["TraceBuilder"]

_SYNTHETIC_GROUP = Group(Resource(), Scope(present=False), RECORD_ADAPTER)
_MAX_LISTED = 10  # repairs of one kind listed one by one before "... and N more"
_FAST_MIN = 2000  # spans from which the numpy layout pays for itself
_FAST_MAX_DEPTH = 2000  # deeper trees (one numpy step per level) take the plain path


class TraceBuilder:
    """Collects span columns from a loader, then assembles :class:`Trace` objects."""

    def __init__(self, *, source: str | None, format: str) -> None:
        self.source = source
        self.format = format
        self.trace_ids: list[bytes] = []
        self.span_ids: list[bytes] = []
        self.parent_ids: list[bytes] = []
        self.starts: array[int] = array("q")
        self.ends: array[int] = array("q")
        self.raws: list[Any] = []
        self.group_of: array[int] = array("i")
        self.groups: list[Group] = []
        self.places: list[str] | None = None  # optional, for error messages
        self.repairs: list[str] = []  # loader repairs, given to every trace of the load

    def add_group(self, group: Group) -> int:
        self.groups.append(group)
        return len(self.groups) - 1

    def error(self, message: str, place: str | None = None) -> TraceLoadError:
        return TraceLoadError(message, source=self.source, place=place, format=self.format)

    # ----------------------------------------------------------------------------------------
    def build(self) -> list[Trace]:
        """Assemble every trace; the builder's columns are handed over (and emptied)."""
        n = len(self.span_ids)
        if not (
            len(self.trace_ids)
            == len(self.parent_ids)
            == len(self.starts)
            == len(self.ends)
            == len(self.raws)
            == len(self.group_of)
            == n
        ):  # pragma: no cover - a loader bug
            raise AssertionError("span columns out of step")
        if n == 0:
            return []
        trace_ids = self.trace_ids
        cols = (self.span_ids, self.parent_ids, self.starts, self.ends, self.raws, self.group_of)
        # hand the columns over so that they are freed as soon as assembly no longer needs them
        self.trace_ids, self.span_ids, self.parent_ids, self.raws = [], [], [], []
        self.starts, self.ends, self.group_of = array("q"), array("q"), array("i")
        distinct = list(dict.fromkeys(trace_ids))
        if len(distinct) == 1:
            del trace_ids
            return [self._assemble(distinct[0], *cols)]
        members: dict[bytes, list[int]] = {t: [] for t in distinct}
        for i, t in enumerate(trace_ids):
            members[t].append(i)
        del trace_ids
        out = []
        ids, pids, starts, ends, raws, gof = cols
        for t in distinct:
            sub = members.pop(t)
            out.append(
                self._assemble(
                    t,
                    [ids[i] for i in sub],
                    [pids[i] for i in sub],
                    array("q", [starts[i] for i in sub]),
                    array("q", [ends[i] for i in sub]),
                    [raws[i] for i in sub],
                    array("i", [gof[i] for i in sub]),
                )
            )
        return out

    def _name(self, raws: Sequence[Any], group_of: Sequence[int], i: int) -> str:
        return self.groups[group_of[i]].adapter.name(raws[i])

    def _adopt_roots(
        self,
        roots: list[int],
        trace_id: bytes,
        span_ids: list[bytes],
        starts: array[int],
        ends: array[int],
        raws: list[Any],
        group_of: array[int],
        par: array[int],
        repairs: list[str],
    ) -> tuple[int, int]:
        """One root: a trigger span adopts the other roots, else a synthetic span (appended to
        the columns) does.  Returns (the root, the synthetic span's load index or -1)."""
        if len(roots) == 1:
            return roots[0], -1
        nroots = len(roots)
        trigger = [i for i in roots if self._name(raws, group_of, i) == TRIGGER_SPAN_NAME]
        synthetic = -1
        if trigger:
            top = trigger[0]
            repairs.append(f"{nroots} root spans; the {TRIGGER_SPAN_NAME!r} span adopts the others")
        else:
            top = synthetic = len(span_ids)
            repairs.append(
                f"{nroots} root spans; a synthetic {TEMPORARY_ROOT_NAME!r} span adopts them"
            )
            span_ids.append(_synthetic_id(trace_id, set(span_ids)))
            starts.append(min(starts[i] for i in roots))
            ends.append(max(ends[i] for i in roots))
            raws.append(SpanRecord(name=TEMPORARY_ROOT_NAME))
            group_of.append(len(self.groups))  # the synthetic group comes after the load's
            par.append(-1)
        for i in roots:
            if i != top:
                par[i] = top
        return top, synthetic

    def _assemble(
        self,
        trace_id: bytes,
        span_ids: list[bytes],
        parent_ids: list[bytes],
        starts: array[int],
        ends: array[int],
        raws: list[Any],
        group_of: array[int],
    ) -> Trace:
        repairs: list[str] = list(self.repairs)
        groups = self.groups
        n = len(span_ids)

        # -- ids and parents: numpy for big traces of 8-byte ids without duplicates ---------
        par: array[int] | None = None
        by_id = None  # load indexes in span id order, for the numpy path
        live: list[int] | None = None  # None: every load index is live
        if (
            n >= _FAST_MIN
            and set(map(len, span_ids)) == {8}
            and set(map(len, parent_ids)) <= {0, 8}
        ):
            found = _np_parents(span_ids, parent_ids, _np_ids(span_ids))
            if found is not None:
                par, by_id = found
            del found
        if par is None:
            par, live = _py_parents(span_ids, parent_ids, repairs)
        if live is not None or par.count(-1) != parent_ids.count(b""):
            orphan_msgs = [
                f"span {span_ids[i].hex()} has parent {parent_ids[i].hex()}, which is not in "
                "the trace; it is treated as a root"
                for i in (range(n) if live is None else live)
                if par[i] < 0 and parent_ids[i]
            ]
            _listed(repairs, orphan_msgs, "spans whose parent is missing")
        del parent_ids

        # -- the fast path: big, clean traces (no duplicate ids, no cycles, no temporary
        # roots) are laid out with numpy; anything else takes the plain path below ---------
        layout: _Layout | None = None
        synthetic = -1
        order: list[int] = []
        pre: array[int] | None = None
        np_order = None
        if by_id is not None:
            np_order, roots = _np_order(by_id, starts, par)
            del by_id
            if any(self._name(raws, group_of, i) == TEMPORARY_ROOT_NAME for i in roots):
                np_order = None
            else:
                layout = _np_layout(np_order, par, n)  # None: a cycle, or too deep
                if layout is None:
                    np_order = None
                elif len(roots) > 1:
                    _, synthetic = self._adopt_roots(
                        roots, trace_id, span_ids, starts, ends, raws, group_of, par, repairs
                    )
                    if synthetic >= 0:
                        groups = [*groups, _SYNTHETIC_GROUP]
                        n += 1
                        np_order = _np_prepend(np_order, synthetic)
                    layout = _np_layout(np_order, par, n, _FAST_MAX_DEPTH + 1)
                    if layout is None:  # pragma: no cover - one level more than before
                        order = np_order.tolist()
        if np_order is not None:
            del np_order
        else:
            # -- trace order of siblings: start time, then span id ----------------------------
            order = sorted(range(n) if live is None else live, key=starts.__getitem__)
            _order_ties(order, starts, span_ids)

            # -- temporary roots written by Tracetest are dropped -----------------------------
            roots = [i for i in order if par[i] < 0]
            temp = [i for i in roots if self._name(raws, group_of, i) == TEMPORARY_ROOT_NAME]
            if temp and len(order) > len(temp):
                tset = set(temp)
                for i in order:
                    if par[i] in tset:
                        par[i] = -1
                order = [i for i in order if i not in tset]
                repairs.append(
                    f"dropped {len(temp)} {TEMPORARY_ROOT_NAME!r} span(s) written by Tracetest; "
                    "their children are roots"
                )

            # -- cycles ---------------------------------------------------------------------
            off, kids = _children(order, par, n)
            pre = _preorder(off, kids)
            if len(pre) < len(order):
                _break_cycles(order, par, pre, span_ids, starts, repairs)
                off, kids = _children(order, par, n)
                pre = None

            # -- one root -------------------------------------------------------------------
            roots = list(kids[off[0] : off[1]])
            if len(roots) > 1:
                pre = None
                _, synthetic = self._adopt_roots(
                    roots, trace_id, span_ids, starts, ends, raws, group_of, par, repairs
                )
                if synthetic >= 0:
                    groups = [*groups, _SYNTHETIC_GROUP]
                    n += 1
                    order.insert(0, synthetic)
            if pre is not None:  # one root, no cycle: the first pass is the layout
                order = []
            del off, kids

        if layout is None:
            if order:
                off, kids = _children(order, par, n)
                pre = _preorder(off, kids)
                del off, kids
            del order
            assert pre is not None
            m = len(pre)
            rank = array("i", [-1]) * (n + 1)  # rank[-1] (= rank[n]) stays -1: roots' parent
            for k, i in enumerate(pre):
                rank[i] = k
            par_pre = array("i", map(rank.__getitem__, map(par.__getitem__, pre)))
            synthetic_pos = frozenset({rank[synthetic]}) if synthetic >= 0 else frozenset()
            del rank
            size = [1] * m
            for k, q in zip(range(m - 1, 0, -1), reversed(par_pre[1:]), strict=True):
                size[q] += size[k]
            end = array("i", map(add, range(m), size))
            del size
            depth = None
        else:
            pre, par_pre, end, depth, rank_of_synthetic = layout
            synthetic_pos = frozenset({rank_of_synthetic}) if synthetic >= 0 else frozenset()
        del par

        # -- pre-order columns -----------------------------------------------------------------
        if len(pre) >= _FAST_MIN:
            start_ns, end_ns, group_pre = _np_take(pre, starts, ends, group_of)
        else:
            start_ns = array("q", map(starts.__getitem__, pre))
            end_ns = array("q", map(ends.__getitem__, pre))
            group_pre = array("i", map(group_of.__getitem__, pre))
        del starts, ends, group_of
        pre_list = pre.tolist()
        del pre
        index = TraceIndex(
            trace_id=trace_id,
            span_ids=list(map(span_ids.__getitem__, pre_list)),
            parent=par_pre,
            end=end,
            start_ns=start_ns,
            end_ns=end_ns,
            raws=list(map(raws.__getitem__, pre_list)),
            group_of=group_pre,
            groups=groups,
            synthetic=synthetic_pos,
        )
        if depth is not None:
            index._depth = depth
        return Trace(index, source=self.source, format=self.format, repairs=repairs)


def _py_parents(
    span_ids: list[bytes], parent_ids: list[bytes], repairs: list[str]
) -> tuple[array[int], list[int] | None]:
    """Parent load indexes (-1: none in the trace), and the live load indexes when some span
    ids are duplicated (the first occurrence wins; the others are dropped)."""
    n = len(span_ids)
    pos_of = dict(zip(span_ids, range(n), strict=True))
    live: list[int] | None = None
    if len(pos_of) != n:
        pos_of = {}
        live = []
        dropped: dict[bytes, int] = {}
        for i, sid in enumerate(span_ids):
            if sid in pos_of:
                dropped[sid] = dropped.get(sid, 0) + 1
            else:
                pos_of[sid] = i
                live.append(i)
        _listed(
            repairs,
            [
                f"span id {sid.hex()} appears {c + 1} times; kept the first, dropped {c}"
                for sid, c in dropped.items()
            ],
            "span ids appear more than once",
        )
    return array("i", map(pos_of.get, parent_ids, repeat(-1, n))), live


def _listed(repairs: list[str], messages: list[str], what: str) -> None:
    repairs.extend(messages[:_MAX_LISTED])
    if len(messages) > _MAX_LISTED:
        repairs.append(f"... and {len(messages) - _MAX_LISTED} more {what}")


def _order_ties(order: list[int], starts: array[int], span_ids: Sequence[bytes]) -> None:
    """Sort every run of equal start times in ``order`` by span id (in place)."""
    keys = list(map(starts.__getitem__, order))
    ties = list(compress(range(1, len(keys)), map(eq, keys[1:], keys)))
    del keys
    if not ties:
        return
    # group tie positions into runs [a, b)
    a = ties[0] - 1
    b = ties[0] + 1
    for k in ties[1:]:
        if k == b:
            b += 1
            continue
        order[a:b] = sorted(order[a:b], key=span_ids.__getitem__)
        a, b = k - 1, k + 1
    order[a:b] = sorted(order[a:b], key=span_ids.__getitem__)


def _children(order: Sequence[int], par: array[int], n: int) -> tuple[array[int], array[int]]:
    """Children lists as one flat array: the children of load index ``i`` (in ``order``) are
    ``kids[off[i + 1]:off[i + 2]]``, the roots ``kids[off[0]:off[1]]``."""
    count = array("i", bytes(4 * (n + 2)))
    for i in order:
        count[par[i] + 2] += 1
    off = array("i", accumulate(count))
    fill = array("i", off)
    kids = array("i", bytes(4 * len(order)))
    for i in order:
        b = par[i] + 1
        kids[fill[b]] = i
        fill[b] += 1
    return off, kids


def _preorder(off: array[int], kids: array[int]) -> array[int]:
    """Load indexes in pre-order from every root (children in their list order)."""
    pre = array("i")
    push = pre.append
    stack = list(reversed(kids[off[0] : off[1]]))
    pop = stack.pop
    extend = stack.extend
    while stack:
        i = pop()
        push(i)
        a = off[i + 1]
        b = off[i + 2]
        if a != b:
            if b - a == 1:
                stack.append(kids[a])
            else:
                extend(kids[a:b][::-1])
    return pre


def _break_cycles(
    order: Sequence[int],
    par: array[int],
    reached_pre: array[int],
    span_ids: Sequence[bytes],
    starts: Sequence[int],
    repairs: list[str],
) -> None:
    """Cut every parent cycle among the spans not reached from a root (mutates ``par``)."""
    reached = set(reached_pre)
    messages = []
    for i in order:
        if i in reached:
            continue
        path: dict[int, None] = {}
        j = i
        while j not in path and j not in reached and j >= 0:
            path[j] = None
            j = par[j]
        if j < 0 or j in reached:  # hangs below a span whose cycle was already cut
            reached.update(path)
            continue
        members = list(path)
        cycle = members[members.index(j) :]
        breaker = min(cycle, key=lambda c: (starts[c], span_ids[c]))
        par[breaker] = -1
        reached.update(path)
        if len(cycle) == 1:
            messages.append(
                f"span {span_ids[breaker].hex()} is its own parent; it is treated as a root"
            )
        else:
            messages.append(
                f"parent cycle through {len(cycle)} spans broken at span "
                f"{span_ids[breaker].hex()} (the one that starts first), which is treated as "
                "a root"
            )
    _listed(repairs, messages, "parent cycles")


def _synthetic_id(trace_id: bytes, taken: set[bytes]) -> bytes:
    seed = trace_id
    while True:
        sid = hashlib.sha256(b"tracespec-temporary-root" + seed).digest()[:8]
        if sid not in taken:
            return sid
        seed = sid


# ------------------------------------------------------------------------------------------
# The numpy fast path


def _np_ids(span_ids: list[bytes]) -> Any:
    """Span ids as big-endian uint64 (their order is the order of the bytes)."""
    import numpy as np

    return np.frombuffer(b"".join(span_ids), dtype=">u8")


def _np_parents(
    span_ids: list[bytes], parent_ids: list[bytes], ids: Any
) -> tuple[array[int], Any] | None:
    """Parent load indexes by sorting and binary search, and the load indexes in span id
    order; ``None`` when a span id repeats (the plain path handles that)."""
    import numpy as np

    n = len(span_ids)
    keys = ids.astype(np.uint64)
    by_id = np.argsort(keys)
    sorted_ids = keys[by_id]
    del keys
    if n > 1 and bool((sorted_ids[1:] == sorted_ids[:-1]).any()):
        return None
    has = np.fromiter(map(len, parent_ids), dtype=np.int8, count=n).astype(bool)
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


def _np_order(by_id: Any, starts: array[int], par: array[int]) -> tuple[Any, list[int]]:
    """Load indexes in sibling order (start, then span id) and the roots in that order.

    ``by_id`` is the load indexes in span id order: a stable sort of it by start time keeps
    spans that start together in span id order.
    """
    import numpy as np

    n = len(by_id)
    st = np.frombuffer(starts, dtype=np.int64, count=n)
    order = by_id[np.argsort(st[by_id], kind="stable")]
    del st
    p = np.frombuffer(par, dtype=np.int32, count=n)
    roots = order[p[order] < 0].tolist()
    del p
    return order, roots


def _np_prepend(order: Any, first: int) -> Any:
    import numpy as np

    return np.concatenate((np.array([first], dtype=order.dtype), order))


_Layout = tuple["array[int]", "array[int]", "array[int]", "array[int]", int]


def _np_layout(order: Any, par: array[int], n: int, max_depth: int = 0) -> _Layout | None:
    """Pre-order, parent positions, subtree ends and depths, level by level with numpy.

    Returns ``(pre, par_pre, end, depth, position of load index n - 1)``, or ``None`` when some
    span is not below a root (a parent cycle) or the tree is deeper than ``max_depth``
    (default ``_FAST_MAX_DEPTH``): one numpy step per level would not pay.
    """
    max_depth = max_depth or _FAST_MAX_DEPTH
    import numpy as np

    p = np.frombuffer(par, dtype=np.int32, count=n).astype(np.int64)
    pk = p[order]  # parent of each span, in sibling order
    perm = np.argsort(pk, kind="stable")
    kids = order[perm]  # grouped by parent, siblings in order; roots (-1) first
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
        parents = p[lvl]
        cs = np.cumsum(s)
        before = cs - s  # sizes of earlier spans in this level
        head = np.flatnonzero(np.concatenate(([True], parents[1:] != parents[:-1])))
        group_len = np.diff(np.append(head, lvl.size))
        before -= np.repeat(before[head], group_len)  # ... of earlier siblings only
        pos[lvl] = pos[parents] + 1 + before
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
    import numpy as np

    out = array(code)
    out.frombytes(values.astype(np.int32 if code == "i" else np.int64).tobytes())
    return out


def _np_take(
    pre: array[int], starts: array[int], ends: array[int], group_of: array[int]
) -> tuple[array[int], array[int], array[int]]:
    """``starts``, ``ends`` and ``group_of`` in the order ``pre`` (numpy gathers)."""
    import numpy as np

    order = np.frombuffer(pre, dtype=np.int32)
    out = (
        _as_array("q", np.frombuffer(starts, dtype=np.int64)[order]),
        _as_array("q", np.frombuffer(ends, dtype=np.int64)[order]),
        _as_array("i", np.frombuffer(group_of, dtype=np.int32)[order]),
    )
    del order
    return out
