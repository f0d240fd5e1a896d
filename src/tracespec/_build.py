"""Assembling traces from the flat span columns a loader fills in.

Every loader appends, per span and in file order: trace id, span id, parent span id (``b""`` for
none), start and end time in ns, its raw object (read lazily later by its group's adapter) and
its group number.  :meth:`TraceBuilder.build` groups spans by trace id and assembles each trace
the way Tracetest does, with these documented repairs (each one recorded in ``Trace.repairs``):

* a span id seen twice: the first span is kept, later ones are dropped;
* a parent id that is not in the trace (an orphan): the span becomes a root;
* a parent cycle: it is broken at the span of the cycle that starts first (ties: lowest id),
  which becomes a root;
* spans named ``Temporary Tracetest root span`` (written by Tracetest itself) are dropped and
  their children become roots;
* several roots: a root named ``Tracetest trigger`` adopts the others; otherwise a synthetic
  ``Temporary Tracetest root span`` does (its id is derived from the trace id, its times span
  its children's).

Children are ordered by start time, then span id; positions are pre-order numbers.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
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
        self.repairs: list[str] = []

    def add_group(self, group: Group) -> int:
        self.groups.append(group)
        return len(self.groups) - 1

    def error(self, message: str, place: str | None = None) -> TraceLoadError:
        return TraceLoadError(message, source=self.source, place=place, format=self.format)

    # ----------------------------------------------------------------------------------------
    def build(self) -> list[Trace]:
        n = len(self.span_ids)
        if not (
            len(self.trace_ids) == len(self.parent_ids) == len(self.starts) == len(self.ends)
            == len(self.raws) == len(self.group_of) == n
        ):  # pragma: no cover - a loader bug
            raise AssertionError("span columns out of step")
        if n == 0:
            return []
        distinct = list(dict.fromkeys(self.trace_ids))
        if len(distinct) == 1:
            return [self._assemble(distinct[0], None)]
        members: dict[bytes, list[int]] = {t: [] for t in distinct}
        for i, t in enumerate(self.trace_ids):
            members[t].append(i)
        return [self._assemble(t, members[t]) for t in distinct]

    def _assemble(self, trace_id: bytes, subset: list[int] | None) -> Trace:
        repairs: list[str] = []
        if subset is None:
            span_ids = self.span_ids
            parent_ids = self.parent_ids
            starts = self.starts
            ends = self.ends
            raws = self.raws
            group_of = self.group_of
        else:
            span_ids = [self.span_ids[i] for i in subset]
            parent_ids = [self.parent_ids[i] for i in subset]
            starts = array("q", [self.starts[i] for i in subset])
            ends = array("q", [self.ends[i] for i in subset])
            raws = [self.raws[i] for i in subset]
            group_of = array("i", [self.group_of[i] for i in subset])
        groups = list(self.groups)
        n = len(span_ids)

        # -- ids: first occurrence wins ---------------------------------------------------
        pos_of = dict(zip(span_ids, range(n), strict=True))
        keep: list[int] | None = None
        if len(pos_of) != n:
            pos_of = {}
            keep = []
            dropped: dict[bytes, int] = {}
            for i, sid in enumerate(span_ids):
                if sid in pos_of:
                    dropped[sid] = dropped.get(sid, 0) + 1
                else:
                    pos_of[sid] = i
                    keep.append(i)
            for sid, count in dropped.items():
                repairs.append(
                    f"span id {sid.hex()} appears {count + 1} times; kept the first, "
                    f"dropped {count}"
                )
        live = keep if keep is not None else range(n)

        # -- parents, and children lists in (start, span id) order -----------------------
        order = sorted(live, key=starts.__getitem__)
        if len(set(starts)) != len(starts):  # equal start times: break ties by span id
            order = sorted(live, key=span_ids.__getitem__)
            order.sort(key=starts.__getitem__)
        get = pos_of.get
        parent = array("i", [-1]) * n
        kids: dict[int, list[int]] = {}
        roots_sorted: list[int] = []
        orphans: list[int] = []
        for i in order:
            pid = parent_ids[i]
            if pid:
                p = get(pid, -1)
                if p >= 0 and p != i:
                    parent[i] = p
                    lst = kids.get(p)
                    if lst is None:
                        kids[p] = [i]
                    else:
                        lst.append(i)
                    continue
                orphans.append(i)
            roots_sorted.append(i)
        del order
        _report_orphans(orphans, span_ids, parent_ids, repairs)

        # -- temporary roots written by Tracetest are dropped ---------------------------------
        temp_roots = [
            i for i in roots_sorted
            if _name_of(raws[i], groups[group_of[i]]) == TEMPORARY_ROOT_NAME
        ]
        if temp_roots and len(roots_sorted) + len(kids) > len(temp_roots):
            for t in temp_roots:
                for c in kids.pop(t, ()):
                    parent[c] = -1
                    roots_sorted.append(c)
            temp = set(temp_roots)
            roots_sorted = [i for i in roots_sorted if i not in temp]
            roots_sorted.sort(key=lambda r: (starts[r], span_ids[r]))
            live = [i for i in live if i not in temp]

        # -- cycles: spans not reachable from any root ------------------------------------
        total_live = len(live)
        if self._count_reachable(roots_sorted, kids) < total_live:
            roots_sorted = self._break_cycles(
                live, parent, kids, roots_sorted, span_ids, starts, repairs
            )

        # -- one root ---------------------------------------------------------------------
        synthetic: set[int] = set()
        if len(roots_sorted) == 1:
            root = roots_sorted[0]
        else:
            trigger = [
                i for i in roots_sorted
                if _name_of(raws[i], groups[group_of[i]]) == TRIGGER_SPAN_NAME
            ]
            if trigger:
                root = trigger[0]
                others = [i for i in roots_sorted if i != root]
                repairs.append(
                    f"{len(roots_sorted)} root spans; the {TRIGGER_SPAN_NAME!r} span adopts "
                    "the others"
                )
            else:
                root = len(span_ids)  # a new load index for the synthetic span
                others = roots_sorted
                repairs.append(
                    f"{len(roots_sorted)} root spans; a synthetic {TEMPORARY_ROOT_NAME!r} "
                    "adopts them"
                )
                if subset is None:  # don't mutate the builder's shared columns
                    span_ids = list(span_ids)
                    starts = array("q", starts)
                    ends = array("q", ends)
                    raws = list(raws)
                    group_of = array("i", group_of)
                span_ids.append(_synthetic_id(trace_id, pos_of))
                starts.append(min(starts[i] for i in others))
                ends.append(max(ends[i] for i in others))
                raws.append(SpanRecord(name=TEMPORARY_ROOT_NAME))
                groups.append(_SYNTHETIC_GROUP)
                group_of.append(len(groups) - 1)
                parent.append(-1)
                synthetic.add(root)
            for i in others:
                parent[i] = root
            merged = sorted(kids.get(root, []) + others, key=span_ids.__getitem__)
            merged.sort(key=starts.__getitem__)
            kids[root] = merged

        # -- pre-order, subtree ends ---------------------------------------------------------
        pre: list[int] = []
        push = pre.append
        stack = [root]
        pop = stack.pop
        extend = stack.extend
        kget = kids.get
        while stack:
            i = pop()
            push(i)
            ch = kget(i)
            if ch:
                extend(reversed(ch))
        del kids
        m = len(pre)
        total = len(span_ids)
        rank = array("i", [-1]) * (total + 1)  # rank[total] = -1: the "parent" of roots
        for k, i in enumerate(pre):
            rank[i] = k
        parent.append(-1)
        for k in range(len(parent) - 1):
            if parent[k] == -1:
                parent[k] = total
        par_pre = array("i", [rank[parent[i]] for i in pre])
        del parent, rank
        size = [1] * m
        for k in range(m - 1, 0, -1):
            size[par_pre[k]] += size[k]
        end = array("i", map(int.__add__, range(m), size))
        del size

        index = TraceIndex(
            trace_id=trace_id,
            span_ids=[span_ids[i] for i in pre],
            parent=par_pre,
            end=end,
            start_ns=array("q", [starts[i] for i in pre]),
            end_ns=array("q", [ends[i] for i in pre]),
            raws=[raws[i] for i in pre],
            group_of=array("i", [group_of[i] for i in pre]),
            groups=groups,
            synthetic=frozenset(rank[i] for i in synthetic),
        )
        self.repairs.extend(repairs)
        return Trace(index, source=self.source, format=self.format, repairs=repairs)

    @staticmethod
    def _count_reachable(roots: Sequence[int], kids: dict[int, list[int]]) -> int:
        count = 0
        stack = list(roots)
        while stack:
            i = stack.pop()
            count += 1
            ch = kids.get(i)
            if ch:
                stack.extend(ch)
        return count

    @staticmethod
    def _break_cycles(
        live: Sequence[int],
        parent: array[int],
        kids: dict[int, list[int]],
        roots: list[int],
        span_ids: Sequence[bytes],
        starts: Sequence[int],
        repairs: list[str],
    ) -> list[int]:
        reached: set[int] = set()
        stack = list(roots)
        while stack:
            i = stack.pop()
            reached.add(i)
            stack.extend(kids.get(i, ()))
        new_roots = list(roots)
        for i in live:
            if i in reached:
                continue
            # walk up to find the cycle this span hangs from
            path: dict[int, None] = {}
            j = i
            while j not in path and j not in reached:
                path[j] = None
                j = parent[j]
            if j in reached:  # hangs below a span we reached meanwhile
                continue
            cycle = list(path)[list(path).index(j):]
            breaker = min(cycle, key=lambda c: (starts[c], span_ids[c]))
            old = parent[breaker]
            kids[old].remove(breaker)
            parent[breaker] = -1
            repairs.append(
                f"parent cycle through {len(cycle)} span(s) broken at span "
                f"{span_ids[breaker].hex()}, which is treated as a root"
            )
            new_roots.append(breaker)
            stack = [breaker]
            while stack:
                k = stack.pop()
                reached.add(k)
                stack.extend(kids.get(k, ()))
        new_roots.sort(key=lambda r: (starts[r], span_ids[r]))
        return new_roots


def _report_orphans(
    orphans: list[int], span_ids: Sequence[bytes], parent_ids: Sequence[bytes], repairs: list[str]
) -> None:
    for i in orphans[:10]:
        pid = parent_ids[i]
        if pid == span_ids[i]:
            repairs.append(f"span {pid.hex()} is its own parent; it is treated as a root")
        else:
            repairs.append(
                f"span {span_ids[i].hex()} has parent {pid.hex()}, which is not in the trace; "
                "it is treated as a root"
            )
    if len(orphans) > 10:
        repairs.append(f"... and {len(orphans) - 10} more spans whose parent is missing")


def _name_of(raw: Any, group: Group) -> str:
    return group.adapter.name(raw)


def _synthetic_id(trace_id: bytes, taken: dict[bytes, int]) -> bytes:
    seed = trace_id
    while True:
        sid = hashlib.sha256(b"tracespec-temporary-root" + seed).digest()[:8]
        if sid not in taken:
            return sid
        seed = sid
