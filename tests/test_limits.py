"""docs/limits.md tells the bounds the code enforces: each constant it names has the value it
gives, and the README links it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMITS = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "name", "shown"),
    [
        ("tracespec.formats._source", "INFLATE_MIN", "512 MiB"),
        ("tracespec.formats._source", "INFLATE_RATIO", "64 × the compressed size"),
        ("tracespec.formats._source", "MAX_LAYERS", "| 2 ("),
        ("tracespec.testfiles._yaml", "MAX_DEPTH", "| 100 levels |"),
        ("tracespec.testfiles._yaml", "MAX_EXPANSION", "| 1,000,000 |"),
        ("tracespec.selectors.limits", "MAX_LENGTH", "20,000 characters"),
        ("tracespec.selectors.limits", "MAX_CHAIN", "64 compounds"),
        ("tracespec.selectors.limits", "MAX_NESTING", "32 deep"),
        ("tracespec.trace.attrvalue", "MAX_DIGITS", "4,300"),
        ("tracespec.assertions.parser", "MAX_LENGTH", "100,000 characters"),
        ("tracespec.assertions.values", "MAX_JSON_DEPTH", "128 levels"),
        ("tracespec.trace.attrvalue", "MAX_VALUE_DEPTH", "64 levels"),
        ("tracespec.cli._listing", "MAX_GUIDES", "32 levels drawn"),
        ("tracespec.query.evaluate", "PICK_WORK_MIN", "20,000,000"),
        ("tracespec.query.evaluate", "PICK_WORK_PER_SPAN", "64 × the spans"),
    ],
)
def test_each_bound_is_told_with_its_value(module: str, name: str, shown: str) -> None:
    value = getattr(importlib.import_module(module), name)
    numbers = {"512 MiB": 512 << 20, "64 × the compressed size": 64}
    expected = numbers.get(shown)
    if expected is None:
        expected = int("".join(c for c in shown if c.isdigit()))
    assert value == expected
    row = next(line for line in LIMITS.splitlines() if shown in line)
    assert f"`{name}`" in row


def test_the_readme_links_the_limits() -> None:
    assert "(docs/limits.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
