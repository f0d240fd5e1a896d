"""Hostile test files (issue 11): special files, YAML bombs, deep nesting, reference loops.

Each ends with a :class:`~tracespec.TestFileError` naming the file (and the line where there is
one), within seconds, or with the right resource.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.strategies.hostile import big_number_texts
from tracespec import TestFileError, TestFileNotFoundError, load_test
from tracespec.testfiles import load_resource


def test_special_files_and_nul_bytes(tmp_path: Path) -> None:
    fifo = tmp_path / "test.fifo"
    os.mkfifo(fifo)
    with pytest.raises(TestFileError, match="a FIFO, not a regular file"):
        load_test(fifo)
    with pytest.raises(TestFileError, match="a character device, not a regular file"):
        load_resource("/dev/zero")
    with pytest.raises(TestFileError, match="not a path: it holds a NUL byte"):
        load_test("test\0.yaml")
    with pytest.raises(TestFileNotFoundError):
        load_test(tmp_path / "missing.yaml")


DATA = Path(__file__).resolve().parents[1] / "data" / "yaml"


def test_a_lone_surrogate_escape_is_a_test_file_error(tmp_path: Path) -> None:
    # (libyaml, as the Go YAML parser Tracetest uses, refuses it: no such character exists)
    path = tmp_path / "s.yaml"
    path.write_text('type: Test\nspec:\n  id: s\n  name: "a \\ud800"\n', encoding="utf-8")
    with pytest.raises(TestFileError, match="invalid Unicode character escape") as info:
        load_test(path)
    assert info.value.line == 4


def test_a_merge_key_bomb_is_read_once_per_mapping() -> None:
    # each of 30 levels merges the level below twice: 2^30 pairs if merges were re-expanded
    test = load_test(DATA / "merge-bomb.yaml")
    assert test.id == "merge-bomb"
    from tracespec.testfiles._yaml import parse_document

    root = parse_document((DATA / "merge-bomb.yaml").read_text(), "merge-bomb.yaml").plain()
    top = root["x"]["a30"]
    assert sorted(top) == sorted(["k0", "k1", *(f"m{i}" for i in range(1, 31))])


def test_an_alias_bomb_is_refused_with_its_line() -> None:
    with pytest.raises(TestFileError, match=r"alias bomb\?") as info:
        load_test(DATA / "alias-bomb.yaml")
    assert info.value.line is not None and info.value.line > 7


def test_the_bound_counts_expansion_not_values(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    from tracespec.testfiles import _yaml

    monkeypatch.setattr(_yaml, "MAX_EXPANSION", 50)
    specs = "".join(f"    - selector: span[name=\"s{i}\"]\n      assertions: [attr:a = 1]\n"
                    for i in range(100))  # 500 values written out: no expansion at all
    path = tmp_path / "many.yaml"
    path.write_text(f"type: Test\nspec:\n  id: many\n  specs:\n{specs}")
    assert len(load_test(path).specs) == 100
    path.write_text("type: Test\nx: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
                    "y: [*a, *a, *a, *a, *a]\nspec:\n  id: few\n")
    with pytest.raises(TestFileError, match="more than 50 values"):
        load_test(path)


def test_overlapping_merges_take_the_first_mapping() -> None:
    test = load_test(DATA / "merge-overlap.yaml")
    assert test.trigger is not None
    request = test.trigger.settings
    assert (request["method"], request["url"], request["body"]) == ("GET", "http://a", "{}")


@pytest.mark.parametrize("name", ["nested-500.yaml", "nested-500.json"])
def test_deep_nesting_is_refused(name: str) -> None:
    with pytest.raises(TestFileError, match="nest more than 100 levels deep") as info:
        load_test(DATA / name)
    assert info.value.path == str(DATA / name)


def test_nesting_just_under_the_bound_loads(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("type: Test\nspec:\n  id: deep\nx: " + "[" * 97 + "]" * 97 + "\n")
    assert load_test(path).id == "deep"


@pytest.mark.parametrize(
    ("name", "loop"),
    [
        ("suite-self.yaml", ["suite-self.yaml", "suite-self.yaml"]),
        ("suite-a.yaml", ["suite-a.yaml", "suite-b.yaml", "suite-a.yaml"]),
        ("polling-self.yaml", ["polling-self.yaml", "polling-self.yaml"]),
    ],
)
def test_reference_loops_are_named(name: str, loop: list[str]) -> None:
    with pytest.raises(TestFileError, match="refers back to a file being read: ") as info:
        load_resource(DATA / name)
    named = str(info.value).split("being read: ", 1)[1].split(" -> ")
    assert [Path(p).name for p in named] == loop


def test_an_alias_inside_itself_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cycle.yaml"
    path.write_text("type: Test\nspec: &s\n  id: x\n  again: *s\n")
    with pytest.raises(TestFileError, match="refers to the value that holds it"):
        load_test(path)
    path.write_text("type: Test\nspec: &s\n  id: x\n  <<: *s\n")
    with pytest.raises(TestFileError, match="refers to the mapping that holds it"):
        load_test(path)


# -- fuzzing: deep nesting, aliases and merges, big numbers, escapes -----------------------------

_ESCAPES = ["\\ud800", "\\e[31m", "\\x00", "\\r", "\\u202e", "\\N", "\\x9b", "\\uDFFF"]


@st.composite
def hostile_yaml(draw: st.DrawFn) -> str:
    depth = draw(st.integers(1, 250))
    style = draw(st.sampled_from(["flow", "block", "json"]))
    if style == "flow":
        nested = "[" * depth + "1" + "]" * depth
    elif style == "json":
        nested = '{"a": ' * depth + "1" + "}" * depth
    else:
        nested = "".join("\n" + "  " * (i + 2) + "a:" for i in range(depth)) + " 1"
    n = draw(st.integers(1, 12))
    width = draw(st.integers(1, 6))
    anchors = ["  a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for i in range(1, n):
        if draw(st.booleans()):
            anchors.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
        else:
            anchors.append(f"  m{i}: &a{i} {{<<: [*a{i - 1}] , k{i}: 1}}"
                           if i > 1 and anchors[-1].startswith("  m") else
                           f"  m{i}: &a{i} {{k{i}: 1}}")
    number = draw(big_number_texts)
    escape = "".join(draw(st.lists(st.sampled_from(_ESCAPES), min_size=1, max_size=3)))
    return ("type: Test\nspec:\n  id: fuzz\n"
            f'  name: "x{escape}"\n  version: {number}\n  specs:\n'
            f'    - selector: span[name="{escape}"]\n      assertions: ["attr:a = {number}"]\n'
            f"deep: {nested}\nanchors:\n" + "\n".join(anchors) + "\n")


@settings(max_examples=max(100, settings.default.max_examples), deadline=None)
@given(hostile_yaml())
def test_hostile_yaml_gives_a_resource_or_a_test_file_error(text: str) -> None:
    path = Path(tempfile.mkdtemp()) / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        resource = load_resource(path)
    except TestFileError as exc:
        assert exc.path == str(path) and str(exc)
        return
    assert resource.id == "fuzz"  # type: ignore[union-attr]
