"""Trace assembly: one root, pre-order with children by (start, span id), and every repair."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracespec
from tracespec.trace import _layout_np, assemble
from tracespec.trace.tracetest import TEMPORARY_ROOT_NAME, TRIGGER_SPAN_NAME

# No public seam picks the layout: the tests lower assemble._FAST_MIN and _FAST_MIN_COLD (the
# numpy layout's thresholds: 2000 spans with numpy imported, 40,000 without) and
# _layout_np.FAST_MAX_DEPTH to run both layouts on small traces.

TID = "0af7651916cd43dd8448eb211c80319c"
ROOT = Path(__file__).resolve().parent.parent.parent


def sid(i: int) -> str:
    return f"{i:016x}"


def make(spans: list[tuple[int, int | None, int, str]]) -> dict[str, Any]:
    """spans: (id, parent id or None, start, name) → an OTLP JSON document."""
    out = []
    for i, p, start, name in spans:
        d: dict[str, Any] = {"traceId": TID, "spanId": sid(i), "name": name,
                             "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 5)}
        if p is not None:
            d["parentSpanId"] = sid(p)
        out.append(d)
    return {"resourceSpans": [{"scopeSpans": [{"spans": out}]}]}


def shape(t: tracespec.Trace) -> list[tuple[int, str]]:
    return [(s.depth, s.name) for s in t]


def test_children_by_start_then_span_id_in_preorder(layout: str) -> None:
    t = tracespec.load_trace(make([
        (9, None, 0, "root"), (3, 9, 20, "late"), (5, 9, 10, "tie-b"), (4, 9, 10, "tie-a"),
        (7, 4, 11, "grandchild"),
    ]))
    assert shape(t) == [(0, "root"), (1, "tie-a"), (2, "grandchild"), (1, "tie-b"), (1, "late")]
    assert [c.name for c in t.root.children] == ["tie-a", "tie-b", "late"]
    assert t.repairs == ()
    idx = t.index
    assert list(idx.parent) == [-1, 0, 1, 0, 0] and list(idx.end) == [5, 3, 3, 4, 5]
    assert list(idx.depth) == [0, 1, 2, 1, 1]
    assert 0 < 2 < idx.end[0] and not 1 < 3 < idx.end[1]  # 2 is below 0, 3 not below 1
    assert [s.position for s in t] == list(range(5))


def test_orphans_go_under_a_temporary_root(layout: str) -> None:
    t = tracespec.load_trace(make([(1, None, 5, "root"), (2, 0x77, 3, "orphan")]))
    assert shape(t) == [(0, TEMPORARY_ROOT_NAME), (1, "orphan"), (1, "root")]
    assert t.root.is_synthetic and not t[1].is_synthetic
    assert t.root.start_time_ns == 3 and t.root.end_time_ns == 10
    assert any("0000000000000077" in r and "not in the trace" in r for r in t.repairs)
    assert any("synthetic" in r for r in t.repairs)
    assert t.span(t.root.span_id) is t.root


def test_trigger_span_adopts_other_roots(layout: str) -> None:
    t = tracespec.load_trace(make([(1, None, 5, "root"), (2, None, 1, TRIGGER_SPAN_NAME),
                                   (3, 2, 7, "kid")]))
    assert shape(t) == [(0, TRIGGER_SPAN_NAME), (1, "root"), (1, "kid")]
    assert not t.root.is_synthetic


def test_tracetest_temporary_roots_are_dropped(layout: str) -> None:
    t = tracespec.load_trace(make([(1, None, 0, TEMPORARY_ROOT_NAME), (2, 1, 1, "real"),
                                   (3, 2, 2, "kid")]))
    assert shape(t) == [(0, "real"), (1, "kid")]
    assert any("dropped 1" in r for r in t.repairs)


def test_duplicate_span_ids_keep_the_first() -> None:
    t = tracespec.load_trace(make([(1, None, 0, "root"), (2, 1, 1, "first"), (2, 1, 2, "second")]))
    assert shape(t) == [(0, "root"), (1, "first")]
    assert t.repairs == ("span id 0000000000000002 appears 2 times; kept the first, dropped 1",)


def test_cycles_are_broken_at_the_earliest_span(layout: str) -> None:
    t = tracespec.load_trace(make([(1, 3, 20, "a"), (2, 1, 10, "b"), (3, 2, 30, "c"),
                                   (4, 3, 40, "below-cycle")]))
    assert shape(t) == [(0, "b"), (1, "c"), (2, "a"), (2, "below-cycle")]
    assert any("broken at span 0000000000000002" in r for r in t.repairs)


def test_self_parent() -> None:
    t = tracespec.load_trace(make([(1, 1, 0, "me")]))
    assert shape(t) == [(0, "me")]
    assert t.repairs == ("span 0000000000000001 is its own parent; it is treated as a root",)


def test_many_repairs_are_summarised() -> None:
    spans = [(1, None, 0, "root")] + [(i, 1000 + i, i, f"o{i}") for i in range(2, 40)]
    t = tracespec.load_trace(make(spans))
    assert any(r.startswith("... and 28 more spans whose parent is missing") for r in t.repairs)


# -- property: any parent assignment gives a consistent tree -----------------------------------

@st.composite
def forests(draw: st.DrawFn) -> list[tuple[int, int | None, int, str]]:
    n = draw(st.integers(1, 30))
    ids = draw(st.lists(st.integers(1, 40), min_size=n, max_size=n))
    out = []
    for k, i in enumerate(ids):
        parent = draw(st.one_of(st.none(), st.integers(1, 45)))
        out.append((i, parent, draw(st.integers(0, 6)), f"s{k}"))
    return out


@pytest.fixture(params=["plain", "numpy"])
def layout(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the plain layout, and with the numpy one even for tiny traces."""
    if request.param == "numpy":
        monkeypatch.setattr(assemble, "_FAST_MIN", 1)
        monkeypatch.setattr(assemble, "_FAST_MIN_COLD", 1)
    return str(request.param)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # the patch is constant
@given(forests())
def test_any_input_assembles_into_one_consistent_tree(
    layout: str, spans: list[tuple[int, int | None, int, str]]
) -> None:
    t = tracespec.load_trace(make(spans))
    idx = t.index
    n = idx.n
    first: dict[int, tuple[int, int | None, int, str]] = {}
    for s in spans:
        first.setdefault(s[0], s)
    real = [s for s in t if not s.is_synthetic]
    # every distinct id once (the first of duplicates), plus at most one synthetic root
    assert sorted(int(s.span_id, 16) for s in real) == sorted(first)
    assert {s.name for s in real} == {v[3] for v in first.values()}
    assert n - len(real) in (0, 1)
    # one root, pre-order, subtree intervals
    assert idx.parent[0] == -1 and all(idx.parent[p] >= 0 for p in range(1, n))
    for p in range(1, n):
        q = idx.parent[p]
        assert q < p and p < idx.end[q] and idx.end[p] <= idx.end[q]
        assert idx.depth[p] == idx.depth[q] + 1
    # children in (start, span id) order
    for s in t:
        kids = [(c.start_time_ns, c.span_id) for c in s.children]
        assert kids == sorted(kids)
    # a kept parent link is honoured unless the repairs say otherwise
    for s in real:
        want = first[int(s.span_id, 16)][1]
        adopted = s.parent is None or s.parent.is_synthetic or s.parent.name == TRIGGER_SPAN_NAME
        if not adopted:
            assert s.parent is not None
            assert want is not None and int(s.parent.span_id, 16) == want
        elif want is not None and want in first and want != int(s.span_id, 16):
            assert any("cycle" in r for r in t.repairs)


def test_both_layouts_agree_on_a_big_synthetic_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    rnd = random.Random(7)
    spans: list[tuple[int, int | None, int, str]] = [(1, None, 0, "root")]
    for i in range(2, 3000):
        spans.append((i, rnd.randrange(1, i), rnd.randrange(0, 50), f"s{i}"))
    spans.append((5000, 4999, 3, "orphan"))
    doc = make(spans)
    monkeypatch.setattr(assemble, "_FAST_MIN", 10**9)
    plain = tracespec.load_trace(doc)
    monkeypatch.setattr(assemble, "_FAST_MIN", 1)
    monkeypatch.setattr(assemble, "_FAST_MIN_COLD", 1)
    fast = tracespec.load_trace(doc)
    assert [s.span_id for s in plain] == [s.span_id for s in fast]
    for name in ("parent", "end", "depth", "start_ns", "end_ns", "group_of"):
        assert list(getattr(plain.index, name)) == list(getattr(fast.index, name)), name
    assert plain.repairs == fast.repairs
    monkeypatch.setattr(_layout_np, "FAST_MAX_DEPTH", 3)  # too deep: the numpy layout gives up
    assert [s.span_id for s in tracespec.load_trace(doc)] == [s.span_id for s in plain]


def test_spans_that_end_before_they_start_are_named_in_a_repair() -> None:
    from tests.support.traces import make_trace

    trace = make_trace([{"name": "a"}, {"name": "b", "duration_ns": -5}])
    assert trace[1].duration_ns == 0
    assert any(r.startswith("1 span ends before starting (kept; a duration of 0): "
                            "0000000000000002") for r in trace.repairs)
    many = make_trace([{"name": f"s{i}", "duration_ns": -1 if i % 2 else 1} for i in range(3000)])
    [note] = [r for r in many.repairs if "before starting" in r]
    assert note.startswith("1500 spans end before starting") and note.endswith(", ...")
    assert not [r for r in make_trace([{"name": "ok"}]).repairs if "before starting" in r]


def test_numpy_is_imported_for_a_mid_sized_trace_only_when_already_there() -> None:
    """Below 40,000 spans the numpy layout saves less than importing numpy costs (~45 ms): a
    fresh process lays out a 3,000-span trace without it, and with it once numpy is imported;
    from 40,000 spans it imports numpy."""
    code = (
        "import sys, tracespec\n"
        f"def flat(n):\n"
        f"    spans = [{{'traceId': {TID!r}, 'spanId': f'{{i:016x}}', 'name': 's',\n"
        f"              'startTimeUnixNano': str(i), 'endTimeUnixNano': str(i + 1),\n"
        f"              **({{'parentSpanId': f'{{1:016x}}'}} if i > 1 else {{}})}}\n"
        f"             for i in range(1, n + 1)]\n"
        f"    return {{'resourceSpans': [{{'scopeSpans': [{{'spans': spans}}]}}]}}\n"
        "t = tracespec.load_trace(flat(3000)); print(len(t), 'numpy' in sys.modules)\n"
        "t = tracespec.load_trace(flat(40_000)); print(len(t), 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert out.stdout.split() == ["3000", "False", "40000", "True"]
