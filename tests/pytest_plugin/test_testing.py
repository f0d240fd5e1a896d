"""tracespec.testing's assertions, str() of results, and pytest's own assertion output."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import tracespec
from tracespec.reports.tree import MAX_TREE_SPANS
from tracespec.testing import assert_spec, assert_test_file

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
PLUGIN = ("-p", "tracespec.pytest_plugin", "-p", "no:cacheprovider")


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


def test_assert_spec_places_each_assertion_where_it_was_written(
    orders: tracespec.Trace,
) -> None:
    with pytest.raises(AssertionError) as info:
        assert_spec(
            orders,
            'span[tracetest.span.type="http"]',
            "attr:http.status_code < 300",
            "attr:tracetest.span.duration < 1ms",
        )
    source = Path(__file__).read_text(encoding="utf-8").splitlines()
    line = source.index("            'span[tracetest.span.type=\"http\"]',") - 1  # (1-based)
    text = str(info.value)
    assert text.startswith(f"spec failed (tests/pytest_plugin/test_testing.py:{line}) on trace "
                           f"{orders.trace_id}")
    assert re.search(rf"✘ attr:tracetest.span.duration < 1ms \(\d+ms\) "
                     rf"\(tests/pytest_plugin/test_testing.py:{line + 4}\)", text)
    assert "✔ attr:http.status_code < 300 (200)" in text


def test_assert_spec_returns_the_result_when_it_passes(orders: tracespec.Trace) -> None:
    result = assert_spec(orders, 'span[name="fraud-check"]', "attr:name = 'fraud-check'")
    assert result.passed and len(result.span_ids) == 1


def test_a_spec_that_does_not_parse_is_a_parse_error(orders: tracespec.Trace) -> None:
    with pytest.raises(tracespec.ParseError):
        assert_spec(orders, "span[name=", "attr:a = 1")
    wanted = r"needs a tracespec\.Trace \(such as trace_capture\.trace\(\)\), not list"
    with pytest.raises(TypeError, match=wanted):
        assert_spec([], "span[]", "attr:a = 1")  # type: ignore[arg-type]


def test_assert_test_file_places_failures_in_the_yaml(orders: tracespec.Trace) -> None:
    with pytest.raises(AssertionError) as info:
        assert_test_file(EXAMPLES / "orders-fail.yaml", orders)
    text = str(info.value)
    assert text.startswith("✘ Create an order and update the inventory")
    assert re.search(r"✘ attr:db.rows_affected > 0 \(0\) \(\S*orders-fail.yaml:25\)", text)
    assert re.search(r"✘ +└─ #a1b2c3d4e5f60009 UPDATE inventory \(worker, client\)  ◀ spec 2, 3",
                     text)
    assert assert_test_file(EXAMPLES / "orders-pass.yaml", orders).passed


def test_pytest_shows_the_report_for_assert_result_passed(pytester: pytest.Pytester) -> None:
    trace = EXAMPLES / "orders-trace.json"
    pytester.makepyfile(test_it=f'''
        import tracespec

        def test_passed():
            trace = tracespec.load_trace({str(trace)!r})
            result = tracespec.check('span[name="fraud-check"]', "attr:name = 'nope'", trace)
            assert result.passed

        def test_compare():
            trace = tracespec.load_trace({str(trace)!r})
            run = tracespec.run_test({str(EXAMPLES / "orders-fail.yaml")!r}, trace)
            assert run == "passed"
    ''')
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*- tracespec report: result -*",
        "✘ span[name=\"fraud-check\"]",
        "*✘ #a1b2c3d4e5f60006 fraud-check (payments, internal)",
        "*✘ attr:name = 'nope' (fraud-check)",
        "E       assert tracespec result == str",
        "*E         ✘ Create an order and update the inventory*",
    ])


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
