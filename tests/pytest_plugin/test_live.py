"""Live runs under pytest: YAML tests with a trigger sent to the real shop of examples/live (two
Flask services under the real OpenTelemetry agent, in processes of their own, exporting over
OTLP/HTTP), their traces received by the session's receiver; and trace_capture holding the
spans those processes export, merged with the test's own trigger span."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live import Shop, running_shop

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent.parent
PLUGIN = ("-p", "tracespec.pytest_plugin", "-p", "no:cacheprovider")


@pytest.fixture(scope="module")
def shop() -> Iterator[Shop]:
    with running_shop("http/protobuf") as started:
        yield started


@pytest.fixture(autouse=True)
def _tracespec_on_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))


def _receiving(shop: Shop) -> tuple[str, ...]:
    """The options that make the session's receiver listen where the shop exports."""
    return (*PLUGIN, "--tracespec-otlp-http", f"127.0.0.1:{shop.otlp_port}",
            "--tracespec-otlp-grpc", "off")


def test_yaml_tests_with_a_trigger_run_live(shop: Shop, pytester: pytest.Pytester) -> None:
    files = shop.test_files(pytester.path / "live")
    for name in ("order-suite.yaml", "suite"):  # (only the two tests of a pass and a fail)
        target = files / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    pytester.makeini("[pytest]\ntracespec_files = live/*.yaml\n")
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess(*_receiving(shop), f"--junitxml={junit}")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*_ tracespec: Order an item that is out of stock _*",
        "✘ Order an item that is out of stock (live/order-fail.yaml) - trace id: *",
        "\t\t\t✘ attr:tracetest.response.status = 201 (409) (live/order-fail.yaml:*)",
        "*◀*",  # the trace tree, a selected span marked
    ])
    assert "attr:tracetest.response.status = 201 (409)" in junit.read_text(encoding="utf-8")


def test_trace_capture_holds_the_spans_of_other_processes(
    shop: Shop, pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_shop=f'''
        import requests
        from tracespec.testing import assert_spec

        def test_an_order(trace_capture, tracespec_receiver):
            assert trace_capture.otlp_endpoint() == "http://127.0.0.1:{shop.otlp_port}"
            response, first = trace_capture.request(
                requests, "POST", "http://127.0.0.1:{shop.orders_port}/orders",
                json={{"sku": "A-1", "qty": 1}})
            assert response.status_code == 201
            # each service exports on its own schedule: wait for the last span of each
            trace_capture.wait_for('span[service.name="orders" kind="server"]',
                                   trace_id=first.trace_id, timeout=30)
            trace = trace_capture.wait_for(
                'span[service.name="orders"] span[service.name="inventory" kind="server"]',
                trace_id=first.trace_id, timeout=30)
            assert_spec(trace, 'span[name="Tracetest trigger"] span[service.name="orders"]'
                               ' span[service.name="inventory" kind="server"]',
                        "attr:tracetest.selected_spans.count = 2", "attr:http.status_code = 200")
            assert trace.root.name == "Tracetest trigger"
            assert trace.root.attributes["service.name"] == "tracetest"
    ''')
    pytester.runpytest_subprocess(*_receiving(shop)).assert_outcomes(passed=1)


def test_an_address_in_use_is_a_clear_failure(shop: Shop, pytester: pytest.Pytester) -> None:
    """The shop's own port is taken: the receiver cannot listen there."""
    pytester.makepyfile(test_busy='''
        def test_busy(tracespec_receiver):
            pass
    ''')
    result = pytester.runpytest_subprocess(
        *PLUGIN, "--tracespec-otlp-http", f"127.0.0.1:{shop.orders_port}",
        "--tracespec-otlp-grpc", "off")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*ReceiverError: *127.0.0.1:{shop.orders_port}*"
                                 "--tracespec-otlp-http*"])
