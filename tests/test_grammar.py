"""Where the parsers come from: saved once, then loaded without analysing a grammar, never failing.

A wheel ships the parsers prebuilt (``tests/test_packaging.py`` checks the installed wheel); a
source checkout, as here, keeps them in the user cache directory, which these tests point at a
temporary folder with ``TRACESPEC_CACHE_DIR``.  "Not analysed" is observed by making lark's
grammar loader fail: a parser that still comes is a loaded one.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lark.lark
import pytest

import tracespec
from tracespec import _grammar

SELECTORS = [
    'span[service.name="api" tracetest.span.type="database"]',
    'span[name="x"] > span:has(span[db.system]):first',
    "span[a=1, b!=2]:nth_child(3)",
    "span[a='x']",
    'span[a="x]',
    "span[a=]",
    "span[a==1]",
    "span[a=-1]",
    "span[a,]",
    "span[a] :bogus",
    "span[a startsWith \"x\"]",
    "span[",
    "",
]
ASSERTIONS = [
    "attr:tracetest.span.duration < 10ms",
    'attr:body | json_path \'$.id\' = "${attr:a}"',
    "(attr:a + 2) * -3 >= 4",
    "attr:a = ",
    "attr:a == 1",
    "foo.bar = 1",
    "attr:a = foo",
    "attr:a = '${attr:}'",
    "= 1",
]


def _outcome(parse: Any, text: str, strict: bool = False) -> object:
    try:
        return parse(text, strict=strict)
    except tracespec.ParseError as exc:
        return ("error", str(exc), exc.span, exc.expected)


def _outcomes() -> list[object]:
    out = []
    for strict in (False, True):
        out += [_outcome(tracespec.parse_selector, t, strict) for t in SELECTORS]
        out += [_outcome(tracespec.parse_assertion, t, strict) for t in ASSERTIONS]
        out += [_outcome(tracespec.parse_expression, t, strict) for t in ASSERTIONS]
    return out


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty user cache directory, and parsers obtained anew (and again after the test)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(_grammar.CACHE_DIR_VARIABLE, str(folder))
    clear = _grammar.parser.cache_clear  # the test may wrap parser
    clear()
    yield folder
    clear()


def _forbid_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    def analyse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a grammar was analysed at run time")

    monkeypatch.setattr(lark.lark, "load_grammar", analyse)


def _expected_files() -> set[str]:
    return {_grammar.cache_file_name(*entry) for entry in _grammar.PREBUILT}


def test_the_languages_ask_only_for_the_prebuilt_parsers(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = set()
    real = _grammar.parser

    def recording(name: str, start: Any = "start", transformer: Any = None) -> lark.Lark:
        starts = (start,) if isinstance(start, str) else tuple(start)
        asked.add((name, starts, transformer is not None))
        return real(name, start, transformer)

    monkeypatch.setattr(_grammar, "parser", recording)
    _outcomes()
    assert asked == set(_grammar.PREBUILT)


def test_a_source_checkout_analyses_once_then_loads(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _outcomes()
    assert {p.name for p in cache.iterdir()} == _expected_files()
    _grammar.parser.cache_clear()
    _forbid_analysis(monkeypatch)
    assert _outcomes() == built  # the same trees, the same messages, spans and expectations


def test_prebuilt_files_load_without_analysis(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _grammar.prebuild(cache)
    assert {p.name for p in written} == _expected_files()
    _forbid_analysis(monkeypatch)
    assert _outcomes()
    assert {p.name for p in cache.iterdir()} == _expected_files()  # nothing more written


def test_a_parser_saved_for_another_lark_is_left_alone(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _outcomes()
    before = {p.name: p.read_bytes() for p in cache.iterdir()}
    monkeypatch.setattr(lark, "__version__", "0.0.0-other")
    _grammar.parser.cache_clear()
    assert _outcomes() == built
    after = {p.name: p.read_bytes() for p in cache.iterdir()}
    assert len(after) == 2 * len(before)
    assert {name: after[name] for name in before} == before


def test_an_unreadable_saved_parser_is_analysed_again_and_replaced(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _outcomes()
    for path in cache.iterdir():
        path.write_bytes(path.read_bytes()[:100])  # truncated, as by a full disk
    _grammar.parser.cache_clear()
    assert _outcomes() == built
    assert {p.name for p in cache.iterdir()} == _expected_files()  # no temporary file left
    _grammar.parser.cache_clear()
    _forbid_analysis(monkeypatch)
    assert _outcomes() == built


class _Planted:
    """Unpickling this makes a directory: a saved parser must never be able to run code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def test_a_saved_parser_is_read_as_data_only(cache: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(_Planted(tmp_path / "works")))  # as plain pickle would
    assert (tmp_path / "works").is_dir()
    cache.mkdir()
    for name in _expected_files():
        (cache / name).write_bytes(pickle.dumps({"data": _Planted(marker), "memo": {}}))
    built = _outcomes()
    assert not marker.exists()
    assert built == _outcomes()
    assert {p.name for p in cache.iterdir()} == _expected_files()  # replaced by real parsers


def test_without_a_writable_cache_the_parsers_live_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(_grammar.CACHE_DIR_VARIABLE, str(blocker / "cache"))
    _grammar.parser.cache_clear()
    try:
        assert _outcomes()
    finally:
        _grammar.parser.cache_clear()
    assert blocker.read_text() == "not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_the_cache_directory_follows_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_grammar.CACHE_DIR_VARIABLE, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert _grammar.cache_dir() == Path("/somewhere/cache/tracespec")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert _grammar.cache_dir() == Path.home() / ".cache" / "tracespec"
    monkeypatch.setattr("sys.platform", "darwin")
    assert _grammar.cache_dir() == Path.home() / "Library" / "Caches" / "tracespec"
    monkeypatch.setenv(_grammar.CACHE_DIR_VARIABLE, "/chosen")
    assert _grammar.cache_dir() == Path("/chosen")
