"""Tracetest YAML files collected as pytest items (the ini option tracespec_files)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
PLUGIN = ("-p", "tracespec.pytest_plugin", "-p", "no:cacheprovider")


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with the example test files under trace/ and the example trace."""
    (pytester.path / "trace").mkdir()
    for name in ("orders-pass.yaml", "orders-fail.yaml", "orders-suite.yaml",
                 "orders-traceid.yaml", "orders-vars.yaml"):
        shutil.copy(EXAMPLES / name, pytester.path / "trace" / name)
    shutil.copytree(EXAMPLES / "suite", pytester.path / "trace" / "suite")
    shutil.copy(EXAMPLES / "orders-trace.json", pytester.path / "orders-trace.json")
    pytester.makeini("[pytest]\ntracespec_files = trace/orders-*.yaml\n")
    return pytester


def test_each_test_and_suite_file_is_an_item(project: pytest.Pytester) -> None:
    result = project.runpytest(*PLUGIN, "--collect-only", "-q")
    result.stdout.fnmatch_lines([
        "trace/orders-fail.yaml::Create an order and update the inventory",
        "trace/orders-pass.yaml::Create an order",
        "trace/orders-suite.yaml::Order flow",
        "trace/orders-traceid.yaml::*",
    ])
    assert "orders-vars" not in result.stdout.str()  # a variable set is no test
    assert "suite/create-order" not in result.stdout.str()  # (not matched by the pattern)


def test_items_run_on_the_trace_and_fail_with_the_report(project: pytest.Pytester) -> None:
    junit = project.path / "report.xml"
    result = project.runpytest(*PLUGIN, "--tracespec-trace", "orders-trace.json",
                               "--tracespec-var", "TRACE_ID=4bf92f3577b34da6a3ce929d0e0e4736",
                               "--tracespec-var", "API_SERVICE=api",
                               "--tracespec-var", "DB_SYSTEM=postgresql",
                               f"--junitxml={junit}")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([
        "*_ tracespec: Create an order and update the inventory _*",
        "✘ Create an order and update the inventory (trace/orders-fail.yaml) - trace id: 4bf9*",
        "\t✘ The inventory is updated",
        "\t\t✘ #a1b2c3d4e5f60009 UPDATE inventory (worker, client)",
        "\t\t\t✘ attr:db.rows_affected > 0 (0) (trace/orders-fail.yaml:25)",
        "*✘ *└─ #a1b2c3d4e5f60009 UPDATE inventory (worker, client)  ◀ spec 2, 3",
    ])
    (failure,) = ET.parse(junit).getroot().iter("failure")
    assert "✘ attr:db.rows_affected > 0 (0) (trace/orders-fail.yaml:25)" in str(failure.text)
    assert "◀ spec 2, 3" in str(failure.text)


def test_without_a_trace_an_item_says_what_to_pass(project: pytest.Pytester) -> None:
    text = (project.path / "trace" / "orders-pass.yaml").read_text(encoding="utf-8")
    start, end = text.index("  trigger:"), text.index("  specs:")
    (project.path / "trace" / "orders-notrigger.yaml").write_text(
        text[:start] + text[end:], encoding="utf-8")
    result = project.runpytest(*PLUGIN, "trace/orders-notrigger.yaml", "trace/orders-pass.yaml",
                               "--tracespec-otlp-http", "127.0.0.1:0",  # (any free port)
                               "--tracespec-otlp-grpc", "off")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        # no trigger: nothing to run live
        "Create an order (*orders-notrigger.yaml): no trace to run on: give pytest "
        "--tracespec-trace FILE (a trace file, a directory or a glob pattern), or the test a "
        "trigger to run it live",
        # a trigger: run live, and its request goes nowhere
        "\tReason: trigger http: POST http://api:8080/api/orders: cannot connect*",
    ])


def test_a_broken_test_file_is_a_collection_error_in_one_line(
    project: pytest.Pytester,
) -> None:
    (project.path / "trace" / "orders-broken.yaml").write_text(
        "type: Test\nspec:\n  name: broken\n  specs:\n    - selector: 3\n      assertions: x\n",
        encoding="utf-8")
    result = project.runpytest(*PLUGIN, "trace/orders-broken.yaml")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["trace/orders-broken.yaml:6 (spec.specs[0].assertions): expected a list, got a string"])


def test_a_bad_variable_option_is_a_usage_error(project: pytest.Pytester) -> None:
    result = project.runpytest(*PLUGIN, "--tracespec-trace", "orders-trace.json",
                               "--tracespec-var", "nothing", "trace/orders-pass.yaml")
    result.stdout.fnmatch_lines(["*--tracespec-var 'nothing': expected KEY=VALUE*"])
    assert result.ret != 0


def test_the_option_in_pyproject_toml(project: pytest.Pytester) -> None:
    (project.path / "tox.ini").unlink()
    project.makepyprojecttoml('[tool.pytest.ini_options]\n'
                              'tracespec_files = ["trace/orders-pass.yaml", "*/*-fail.yaml"]\n')
    result = project.runpytest(*PLUGIN, "--collect-only", "-q")
    result.stdout.fnmatch_lines([
        "trace/orders-fail.yaml::Create an order and update the inventory",
        "trace/orders-pass.yaml::Create an order",
        "2 tests collected*",
    ])
