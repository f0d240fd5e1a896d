"""tracespec.testing's assertions, and pytest's own assertion output for a failed result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tracespec
from tracespec.testing import assert_spec, assert_test_file

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PLUGIN = ("-p", "tracespec.pytest_plugin", "-p", "no:cacheprovider")


@pytest.fixture(scope="module")
def orders() -> tracespec.Trace:
    return tracespec.load_trace(EXAMPLES / "orders-trace.json")


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
    assert text.startswith(f"spec failed (tests/test_testing.py:{line}) on trace "
                           f"{orders.trace_id}")
    assert re.search(rf"✘ attr:tracetest.span.duration < 1ms \(\d+ms\) "
                     rf"\(tests/test_testing.py:{line + 4}\)", text)
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
