"""Trace assembly as Tracetest does it (spec §3.2-§3.5, upstream traces_test.go §3.7).

Each case builds a small OTLP JSON document and checks the assembled tree: one root, the
temporary root adopting several roots, the trigger span preferred as root, children by start
time then span id, meta attributes and span types.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import tracespec
from tracespec.trace.tracetest import TEMPORARY_ROOT_NAME

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TID = "0af7651916cd43dd8448eb211c80319c"


def sid(n: int) -> str:
    return f"{n:016x}"


def span(
    n: int,
    name: str,
    parent: int | None = None,
    start: int = 0,
    end: int | None = None,
    attrs: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "traceId": TID,
        "spanId": sid(n),
        "name": name,
        "startTimeUnixNano": str(1_000_000 + start),
        "endTimeUnixNano": str(1_000_000 + (end if end is not None else start + 100)),
        "attributes": [
            {"key": k, "value": {"stringValue": v} if isinstance(v, str) else {"intValue": str(v)}}
            for k, v in (attrs or {}).items()
        ],
    }
    if parent is not None:
        out["parentSpanId"] = sid(parent)
    out.update(extra)
    return out


def doc(*spans: dict[str, Any], service: str = "svc") -> dict[str, Any]:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": service}}]
                },
                "scopeSpans": [{"scope": {"name": "lib"}, "spans": list(spans)}],
            }
        ]
    }


def shape(trace: tracespec.Trace) -> list[tuple[int, str]]:
    return [(s.depth, s.name) for s in trace]


def test_tree_with_root_children_and_grandchild() -> None:
    t = tracespec.load_trace(
        doc(
            span(1, "root"),
            span(2, "child 1", 1, 10),
            span(3, "child 2", 1, 20),
            span(4, "grandchild", 3, 30),
        )
    )
    assert shape(t) == [(0, "root"), (1, "child 1"), (1, "child 2"), (2, "grandchild")]
    assert t.root.parent is None and t.root.parent_id is None
    assert [c.name for c in t.root.children] == ["child 1", "child 2"]
    assert t.span(sid(4)).parent == t.span(sid(3))
    assert t.repairs == ()


def test_three_independent_roots_get_a_temporary_root_in_start_order() -> None:
    t = tracespec.load_trace(
        doc(span(3, "Root 3", None, 30), span(1, "Root 1", None, 10), span(2, "Root 2", None, 20))
    )
    assert shape(t) == [(0, TEMPORARY_ROOT_NAME), (1, "Root 1"), (1, "Root 2"), (1, "Root 3")]
    assert t.root.is_synthetic
    assert t.root.start_time_ns == 1_000_010 and t.root.end_time_ns == 1_000_130
    assert any("adopts" in r for r in t.repairs)


def test_temporary_roots_written_by_tracetest_are_replaced() -> None:
    t = tracespec.load_trace(
        doc(
            span(9, TEMPORARY_ROOT_NAME),
            span(8, TEMPORARY_ROOT_NAME),
            span(1, "a", 9, 10),
            span(2, "b", 8, 20),
            span(3, "c", 8, 30),
        )
    )
    assert shape(t) == [(0, TEMPORARY_ROOT_NAME), (1, "a"), (1, "b"), (1, "c")]
    assert sum(1 for s in t if s.name == TEMPORARY_ROOT_NAME) == 1


def test_missing_middle_span_gives_a_temporary_root() -> None:
    t = tracespec.load_trace(doc(span(1, "root"), span(3, "grandchild", 2, 30)))
    assert shape(t) == [(0, TEMPORARY_ROOT_NAME), (1, "root"), (1, "grandchild")]
    assert any(sid(2) in r and "not in the trace" in r for r in t.repairs)


def test_trigger_span_is_preferred_as_root() -> None:
    t = tracespec.load_trace(
        doc(span(1, "api root", None, 10), span(5, "Tracetest trigger", None, 0))
    )
    assert shape(t) == [(0, "Tracetest trigger"), (1, "api root")]
    assert not t.root.is_synthetic
    assert t.span(sid(1)).attributes["tracetest.span.parent_id"] == sid(5)


def test_trigger_preferred_over_temporary_root() -> None:
    t = tracespec.load_trace(
        doc(
            span(9, TEMPORARY_ROOT_NAME), span(1, "a", 9, 10), span(5, "Tracetest trigger", None, 0)
        )
    )
    assert shape(t) == [(0, "Tracetest trigger"), (1, "a")]


def test_children_sorted_by_start_time_recursively_then_span_id() -> None:
    t = tracespec.load_trace(
        doc(
            span(1, "root"),
            span(7, "late", 1, 50),
            span(6, "early", 1, 5),
            span(5, "tie-b", 1, 20),
            span(4, "tie-a", 1, 20),
            span(3, "g2", 6, 9),
            span(2, "g1", 6, 7),
        )
    )
    assert shape(t) == [
        (0, "root"),
        (1, "early"),
        (2, "g1"),
        (2, "g2"),
        (1, "tie-a"),
        (1, "tie-b"),
        (1, "late"),
    ]
    positions = [s.position for s in t]
    assert positions == list(range(len(t)))


def test_descendant_intervals_match_the_tree() -> None:
    t = tracespec.load_trace(
        doc(span(1, "root"), span(2, "a", 1, 1), span(3, "a1", 2, 2), span(4, "b", 1, 3))
    )
    idx = t.index
    a = t.span(sid(2)).position
    assert [t[p].name for p in range(a + 1, idx.end[a])] == ["a1"]
    assert [s.name for s in t.root.descendants()] == ["a", "a1", "b"]


def test_meta_attributes() -> None:
    t = tracespec.load_trace(
        doc(
            span(
                1,
                "GET /x",
                None,
                0,
                2000,
                {"http.method": "GET", "http.status_code": 200},
                kind=2,
                status={"code": 2, "message": "boom"},
                events=[
                    {
                        "name": "exception",
                        "timeUnixNano": "1500000000",
                        "attributes": [{"key": "exception.type", "value": {"stringValue": "E"}}],
                    }
                ],
            ),
            span(2, "SELECT 1", 1, 10, 20, {"db.system": "postgresql"}, kind=3),
        )
    )
    root, db = t
    a = root.attributes
    assert a["tracetest.span.name"] == "GET /x"
    assert a["tracetest.span.type"] == "http"
    assert a["tracetest.span.duration"] == 2000
    assert a["tracetest.span.start_time"] == 1_000_000
    assert a["tracetest.span.end_time"] == 1_002_000
    assert a["tracetest.span.parent_id"] == "0000000000000000"
    assert a["tracetest.span.status_code"] == "STATUS_CODE_ERROR"
    assert a["tracetest.span.status_description"] == "boom"
    assert a["http.status_code"] == 200 and isinstance(a["http.status_code"], int)
    assert a["name"] == "GET /x" and a["kind"] == "server"
    assert a["service.name"] == "svc"
    assert '"name":"exception"' in a["span.events"] and "1970-01-01T00:00:01.5Z" in a["span.events"]
    assert db.attributes["tracetest.span.type"] == "database"
    assert db.attributes["tracetest.span.parent_id"] == sid(1)
    assert "tracetest.span.status_description" not in db.attributes
    assert db.attributes["span.events"] == "[]"
    assert root.kind == tracespec.SpanKind.SERVER and root.kind == "server"
    assert root.status_code == tracespec.StatusCode.ERROR and root.status_message == "boom"


@pytest.mark.parametrize(
    ("attrs", "name", "expected"),
    [
        ({"http.url": "http://x"}, "GET", "http"),
        ({"event_type": "click", "http.url": "http://x"}, "click", "general"),
        ({"http.url": "http://x"}, "documentLoad", "general"),
        ({"db.system": "redis", "http.url": "x"}, "mixed", "http"),
        ({"messaging.system": "kafka", "db.system": "x"}, "mixed", "database"),
        ({"exception.type": "E", "faas.trigger": "x"}, "mixed", "faas"),
        ({"rpc.system": "grpc"}, "call", "rpc"),
        ({"custom": "x"}, "work", "general"),
    ],
)
def test_span_type(attrs: dict[str, Any], name: str, expected: str) -> None:
    t = tracespec.load_trace(doc(span(1, name, attrs=attrs)))
    assert t.root.attributes["tracetest.span.type"] == expected
    assert t.index.types() == [expected]
    assert t.index.column("tracetest.span.type") == [expected]


def test_resource_attributes_win_and_scope_name_is_service_name() -> None:
    d = doc(span(1, "op", attrs={"service.name": "from-span", "host": "span"}))
    assert tracespec.load_trace(d).root.attributes["service.name"] == "svc"
    d["resourceSpans"][0]["resource"] = {"attributes": []}
    t = tracespec.load_trace(d)
    assert t.root.attributes["service.name"] == "lib"  # scope name, as Tracetest does
    assert t.index.column("service.name") == ["lib"]


def test_columns_agree_with_span_attributes() -> None:
    t = tracespec.load_trace(EXAMPLES / "orders-trace.json")
    keys = {k for s in t for k in s.attributes}
    for key in sorted(keys):
        assert list(t.index.column(key)) == [s.attributes.get(key) for s in t], key


def test_proto_and_json_examples_load_the_same_trace() -> None:
    a = tracespec.load_trace(EXAMPLES / "orders-trace.json")
    b = tracespec.load_trace(EXAMPLES / "orders-trace.pb")
    assert a.trace_id == b.trace_id
    assert [s.span_id for s in a] == [s.span_id for s in b]
    for x, y in zip(a, b, strict=True):
        assert dict(x.attributes) == dict(y.attributes)
        assert x.events == y.events and x.resource == y.resource and x.scope == y.scope
