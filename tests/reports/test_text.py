"""str() of results: the pretty report, then the trace tree with the selected spans marked
(reports/text.py, reports/tree.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import tracespec
from tracespec.reports.tree import MAX_TREE_SPANS

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


@pytest.fixture(scope="module")
def orders() -> tracespec.Trace:
    return tracespec.load_trace(EXAMPLES / "orders-trace.json")


def test_str_of_a_failed_spec_result_names_spans_and_draws_the_tree(
    orders: tracespec.Trace,
) -> None:
    result = tracespec.check('span[tracetest.span.type="database"]', 'attr:db.system = "mysql"',
                             orders)
    lines = str(result).splitlines()
    assert lines[0] == '✘ span[tracetest.span.type="database"]'
    database = [s for s in orders if s.attributes.get("tracetest.span.type") == "database"]
    for span in database:
        service = span.attributes["service.name"]
        label = f"#{span.span_id} {span.name} ({service}, {span.kind.value})"
        assert f"\t✘ {label}" in lines  # the span group
        assert any(line.startswith("  ✘ ") and line.endswith(label) for line in lines)  # the tree
    assert f"{len(database)} spans of {len(orders)} selected" in lines
    unmarked = [line for line in lines if line.startswith("    ") and "#" in line]
    assert len(unmarked) == len(orders) - len(database)  # every other span, not marked


def test_str_of_a_passed_spec_has_no_tree(orders: tracespec.Trace) -> None:
    text = str(tracespec.check('span[name="fraud-check"]', "attr:name = 'fraud-check'", orders))
    assert text.startswith("✔ span[name=\"fraud-check\"]")
    assert "trace " not in text


def test_a_big_trace_is_drawn_around_the_selected_spans(tmp_path: Path) -> None:
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider()
    tracer = provider.get_tracer("t")
    spans = []
    with tracer.start_as_current_span("root") as root:
        spans.append(root)
        for i in range(MAX_TREE_SPANS + 10):
            with tracer.start_as_current_span(f"child {i}") as child:
                spans.append(child)
    trace = tracespec.load_trace(spans)
    text = str(tracespec.check('span[name="child 7"]', "attr:name = 'x'", trace))
    tree = text.split("\n\n", 1)[1].splitlines()
    assert len(tree) == 4  # the title, root, the selected child, the count of the others
    assert tree[-1].strip() == f"… {len(trace) - 2} more spans not drawn"


def test_str_of_a_failed_suite_draws_the_failed_steps_trace(
    tmp_path: Path, orders: tracespec.Trace,
) -> None:
    shutil.copytree(EXAMPLES / "suite", tmp_path / "suite")
    shutil.copy(EXAMPLES / "orders-suite.yaml", tmp_path / "orders-suite.yaml")
    step = tmp_path / "suite" / "process-order.yaml"
    step.write_text(step.read_text(encoding="utf-8").replace(
        'attr:messaging.destination.name = "orders"', 'attr:messaging.destination.name = "x"'),
        encoding="utf-8")
    lines = str(tracespec.run_suite(tmp_path / "orders-suite.yaml", orders)).splitlines()
    assert lines[0].startswith("✘ Order flow (")
    assert "step 2, The worker processes the order:" in lines
    assert "step 1, Create the order:" not in lines  # (it passed)
    assert "  ✘       └─ #a1b2c3d4e5f60008 orders process (worker, consumer)" in lines
