"""Assembling traces from the flat span columns a loader fills in: the model's constructor.

Every loader appends, per span and in file order: trace id, span id, parent span id (``b""`` for
none), start and end time in ns, its raw object (read lazily later by its group's adapter) and
its group number (:meth:`TraceBuilder.add_span`, or whole columns at once).
:meth:`TraceBuilder.build` groups spans by trace id and assembles each trace the way Tracetest
does, with these documented repairs (each one recorded in ``Trace.repairs``):

* a span id seen twice: the first span is kept, later ones are dropped;
* a parent id that is not in the trace (an orphan): the span becomes a root;
* a parent cycle (a span that is its own ancestor, or its own parent): it is broken at the span
  of the cycle that starts first (ties: lowest id), which becomes a root;
* spans named ``Temporary Tracetest root span`` (written by Tracetest itself) are dropped and
  their children become roots;
* several roots: a root named ``Tracetest trigger`` adopts the others; otherwise a synthetic
  ``Temporary Tracetest root span`` does (its id is derived from the trace id, its times span
  its children's).

Children are ordered by start time, then span id; positions are pre-order numbers.  Assembly is
a row of phases over one trace's columns: parents, then the layout (sibling order, repairs,
pre-order, subtree ends), then the pre-order columns of the index.  Big clean traces are laid
out with numpy (:mod:`tracespec.trace._layout_np`; from 40,000 spans, or 2,000 once numpy is
imported: below that its import costs more than it saves); the plain layout uses flat integer
arrays (a compressed child list and an explicit stack), never one Python object per span beyond
what the columns already hold: both run on traces of a million spans.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from itertools import accumulate, compress, repeat
from operator import add, eq, lt
from typing import Any, NamedTuple

from ..errors import TraceLoadError
from .ids import derived_id
from .index import TraceIndex
from .model import Resource, Scope
from .raw import RECORD_ADAPTER, Group, SpanRecord
from .tracetest import TEMPORARY_ROOT_NAME, TRIGGER_SPAN_NAME
from .views import Trace

__all__ = ["TraceBuilder"]

_SYNTHETIC_GROUP = Group(Resource(), Scope(present=False), RECORD_ADAPTER)
_MAX_LISTED = 10  # repairs of one kind listed one by one before "... and N more"
#: Spans from which the numpy layout pays for itself once numpy is imported (it saves about
#: 1.3 µs a span), and from which it pays for importing numpy too (about 45 ms, ~35,000 spans).
_FAST_MIN = 2000
_FAST_MIN_COLD = 40_000
_MAX_TIME = 2**63 - 1


def _fast(n: int) -> bool:
    """Whether a trace of ``n`` spans takes the numpy paths: from ``_FAST_MIN`` spans when this
    process has imported numpy already, from ``_FAST_MIN_COLD`` when it would import it now."""
    return n >= _FAST_MIN and (n >= _FAST_MIN_COLD or "numpy" in sys.modules)


class TraceBuilder:
    """Collects span columns from a loader, then assembles :class:`Trace` objects.

    ``document`` names the part of the source being read when it has parts (``line 3`` of JSON
    Lines); :meth:`place` and :meth:`error` put it in front of a place within that part.
    """

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
        self.document: str | None = None
        self.repairs: list[str] = []  # loader repairs, given to every trace of the load

    def add_group(self, group: Group) -> int:
        """Register a group of spans; returns its number."""
        self.groups.append(group)
        return len(self.groups) - 1

    def add_span(
        self,
        trace_id: bytes,
        span_id: bytes,
        parent_id: bytes,
        start_ns: int,
        end_ns: int,
        raw: Any,
        group: int,
    ) -> None:
        """Append one span (times clamped to 0 .. 2**63 - 1, a repair noting it)."""
        self.trace_ids.append(trace_id)
        self.span_ids.append(span_id)
        self.parent_ids.append(parent_id)
        if not (0 <= start_ns <= _MAX_TIME and 0 <= end_ns <= _MAX_TIME):
            self.repairs.append(
                f"span {span_id.hex()}: times {start_ns}..{end_ns} ns held to 0..{_MAX_TIME} "
                "(before 1970 or after 2262)"
            )
            start_ns = max(0, min(start_ns, _MAX_TIME))
            end_ns = max(0, min(end_ns, _MAX_TIME))
        self.starts.append(start_ns)
        self.ends.append(end_ns)
        self.raws.append(raw)
        self.group_of.append(group)

    def place(self, path: str) -> str | None:
        """``path`` (a JSON pointer, a field path) within the current document, for errors."""
        if self.document and path:
            return f"{self.document}, {path}"
        return self.document or path or None

    def error(self, message: str, place: str | None = None) -> TraceLoadError:
        """The error to raise for a problem at ``place`` of the source."""
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
        cols = _Columns(trace_id, span_ids, starts, ends, raws, group_of, self.groups)
        repairs: list[str] = list(self.repairs)
        _note_backward_spans(span_ids, starts, ends, repairs)
        par, live, by_id = _link_parents(span_ids, parent_ids, repairs)
        del parent_ids
        layout = _fast_layout(cols, par, by_id, repairs) if by_id is not None else None
        del by_id
        if layout is None:
            layout = _plain_layout(cols, par, live, repairs)
        del par
        return Trace(_index(cols, layout), source=self.source, format=self.format,
                     repairs=repairs)


def _note_backward_spans(span_ids: list[bytes], starts: array[int], ends: array[int],
                         repairs: list[str]) -> None:
    """A repair naming the spans that end before they start (Tracetest keeps them, their
    duration of 0): one C-level pass (numpy's on a big trace) finds whether there are any."""
    n = len(starts)
    if _fast(n):
        import numpy as np

        backward = np.flatnonzero(np.frombuffer(ends, dtype=np.int64)
                                  < np.frombuffer(starts, dtype=np.int64))
        if not len(backward):
            return
        found = [int(i) for i in backward[:_LISTED]]
        count = len(backward)
    else:
        if not any(map(lt, ends, starts)):
            return
        every = [i for i in range(n) if ends[i] < starts[i]]
        found, count = every[:_LISTED], len(every)
    names = ", ".join(span_ids[i].hex() for i in found) + (", ..." if count > len(found) else "")
    noun = "span ends" if count == 1 else "spans end"
    repairs.append(f"{count} {noun} before starting (kept; a duration of 0): {names}")


_LISTED = 5  # spans named in a repair that counts many


class _Columns:
    """One trace's columns in load order, while it is assembled (adoption may append a span)."""

    __slots__ = ("ends", "group_of", "groups", "raws", "span_ids", "starts", "trace_id")

    def __init__(
        self,
        trace_id: bytes,
        span_ids: list[bytes],
        starts: array[int],
        ends: array[int],
        raws: list[Any],
        group_of: array[int],
        groups: list[Group],
    ) -> None:
        self.trace_id = trace_id
        self.span_ids = span_ids
        self.starts = starts
        self.ends = ends
        self.raws = raws
        self.group_of = group_of
        self.groups = groups

    def name(self, i: int) -> str:
        return self.groups[self.group_of[i]].adapter.name(self.raws[i])

    def adopt_roots(self, roots: list[int], par: array[int], repairs: list[str]) -> int:
        """Give the trace one root: a trigger span adopts the other roots, else a synthetic
        span (appended to the columns) does.  Returns the synthetic span's load index or -1."""
        if len(roots) == 1:
            return -1
        trigger = [i for i in roots if self.name(i) == TRIGGER_SPAN_NAME]
        synthetic = -1
        if trigger:
            top = trigger[0]
            repairs.append(
                f"{len(roots)} root spans; the {TRIGGER_SPAN_NAME!r} span adopts the others"
            )
        else:
            top = synthetic = len(self.span_ids)
            repairs.append(
                f"{len(roots)} root spans; a synthetic {TEMPORARY_ROOT_NAME!r} span adopts them"
            )
            taken = set(self.span_ids).__contains__
            self.span_ids.append(derived_id(b"tracespec-temporary-root", self.trace_id, taken))
            self.starts.append(min(self.starts[i] for i in roots))
            self.ends.append(max(self.ends[i] for i in roots))
            self.raws.append(SpanRecord(name=TEMPORARY_ROOT_NAME))
            self.group_of.append(len(self.groups))  # the synthetic group comes after the load's
            self.groups = [*self.groups, _SYNTHETIC_GROUP]  # (the load's list is shared)
            par.append(-1)
        for i in roots:
            if i != top:
                par[i] = top
        return synthetic


class _Layout(NamedTuple):
    """Where every span goes: ``pre`` (load indexes in pre-order), parent positions, subtree
    ends, depths when known, and the positions of synthetic spans."""

    pre: array[int]
    par_pre: array[int]
    end: array[int]
    depth: array[int] | None
    synthetic: frozenset[int]


# -- phase 1: parents ----------------------------------------------------------------------------


def _link_parents(
    span_ids: list[bytes], parent_ids: list[bytes], repairs: list[str]
) -> tuple[array[int], list[int] | None, Any]:
    """Parent load indexes (-1: none), the live load indexes when some span ids repeat (else
    None: all are live), and for the numpy layout the load indexes in span id order (or None
    when the trace takes the plain layout).  Orphans are listed in ``repairs``."""
    n = len(span_ids)
    found = None
    if _fast(n) and set(map(len, span_ids)) == {8}:
        from . import _layout_np

        found = _layout_np.parents(span_ids, parent_ids)
    if found is not None:
        par, by_id = found
        live = None
    else:
        par, live = _py_parents(span_ids, parent_ids, repairs)
        by_id = None
    del found
    if live is not None or par.count(-1) != parent_ids.count(b""):
        orphan_msgs = [
            f"span {span_ids[i].hex()} has parent {parent_ids[i].hex()}, which is not in "
            "the trace; it is treated as a root"
            for i in (range(n) if live is None else live)
            if par[i] < 0 and parent_ids[i]
        ]
        _listed(repairs, orphan_msgs, "spans whose parent is missing")
    return par, live, by_id


# -- phase 2: the layout -------------------------------------------------------------------------


def _fast_layout(cols: _Columns, par: array[int], by_id: Any, repairs: list[str]) -> _Layout | None:
    """The numpy layout of a trace with no duplicate ids; ``None`` when it has a temporary
    root, a cycle or too many levels (the plain layout then handles it)."""
    from . import _layout_np

    order, roots = _layout_np.order(by_id, cols.starts, par)
    if any(cols.name(i) == TEMPORARY_ROOT_NAME for i in roots):
        return None
    n = len(cols.span_ids)
    found = _layout_np.layout(order, par, n)
    if found is None:
        return None
    synthetic = -1
    if len(roots) > 1:
        synthetic = cols.adopt_roots(roots, par, repairs)
        if synthetic >= 0:
            n += 1
            order = _layout_np.prepend(order, synthetic)
        # one level more at most than the layout that just succeeded
        found = _layout_np.layout(order, par, n, _layout_np.FAST_MAX_DEPTH + 1)
        assert found is not None
    pre, par_pre, end, depth, last_pos = found
    return _Layout(pre, par_pre, end, depth, frozenset({last_pos} if synthetic >= 0 else ()))


def _plain_layout(
    cols: _Columns, par: array[int], live: list[int] | None, repairs: list[str]
) -> _Layout:
    """The layout of any trace: sibling order, temporary roots, cycles, one root, pre-order."""
    n = len(cols.span_ids)
    starts = cols.starts
    order = sorted(range(n) if live is None else live, key=starts.__getitem__)
    _order_ties(order, starts, cols.span_ids)
    order = _drop_temporary_roots(cols, order, par, repairs)
    off, kids = _children(order, par, n)
    reached = _preorder(off, kids)
    pre: array[int] | None = reached
    if len(reached) < len(order):  # spans not reached from a root: parent cycles
        _break_cycles(order, par, reached, cols.span_ids, starts, repairs)
        off, kids = _children(order, par, n)
        pre = None
    del reached
    roots = list(kids[off[0] : off[1]])
    del off, kids
    synthetic = cols.adopt_roots(roots, par, repairs)
    if len(roots) > 1:
        pre = None
        if synthetic >= 0:
            n += 1
            order.insert(0, synthetic)
    if pre is None:
        pre = _preorder(*_children(order, par, n))
    del order
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
    return _Layout(pre, par_pre, end, None, synthetic_pos)


def _drop_temporary_roots(
    cols: _Columns, order: list[int], par: array[int], repairs: list[str]
) -> list[int]:
    """Without the roots Tracetest itself wrote (their children become roots)."""
    temp = {i for i in order if par[i] < 0 and cols.name(i) == TEMPORARY_ROOT_NAME}
    if not temp or len(order) == len(temp):
        return order
    for i in order:
        if par[i] in temp:
            par[i] = -1
    repairs.append(
        f"dropped {len(temp)} {TEMPORARY_ROOT_NAME!r} span(s) written by Tracetest; "
        "their children are roots"
    )
    return [i for i in order if i not in temp]


# -- phase 3: the index --------------------------------------------------------------------------


def _index(cols: _Columns, layout: _Layout) -> TraceIndex:
    """The trace's index: every column in pre-order."""
    pre = layout.pre
    if _fast(len(pre)):
        from . import _layout_np

        start_ns, end_ns, group_pre = _layout_np.take(pre, cols.starts, cols.ends, cols.group_of)
    else:
        start_ns = array("q", map(cols.starts.__getitem__, pre))
        end_ns = array("q", map(cols.ends.__getitem__, pre))
        group_pre = array("i", map(cols.group_of.__getitem__, pre))
    # (a numpy object array would be slower for the raws: numpy probes each object's attributes)
    pre_list = pre.tolist()
    span_ids = list(map(cols.span_ids.__getitem__, pre_list))
    raws = list(map(cols.raws.__getitem__, pre_list))
    return TraceIndex(
        trace_id=cols.trace_id,
        span_ids=span_ids,
        parent=layout.par_pre,
        end=layout.end,
        start_ns=start_ns,
        end_ns=end_ns,
        raws=raws,
        group_of=group_pre,
        groups=cols.groups,
        synthetic=layout.synthetic,
        depth=layout.depth,
    )


# -- the plain layout's pieces -------------------------------------------------------------------


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
