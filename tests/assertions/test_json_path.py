"""``json_path``: plain paths (``$.a.b[0]``) are read without python-jsonpath, and mean the same.

The library is imported only for a path it must read (filters, wildcards, unions, ``..``) or a
walk that is not sure (a name step on a list): importing it costs tens of milliseconds, which a
run whose paths are all plain never pays.  Everything else is the library's reading, so the
plain reading is checked against it on generated paths and documents.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonpath
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracespec.assertions import json_path as jp

SRC = Path(__file__).resolve().parents[2] / "src"

_NAMES = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True),
    st.sampled_from(["true", "false", "null", "length", "count", "in", "and", "or", "not",
                     "nil", "keys", "match", "search", "value", "__proto__", "_", "A"]),
)
_INDEXES = st.one_of(st.integers(0, 20), st.integers(0, 10**15 - 1))  # 15 digits at most
_STEPS = st.lists(st.one_of(_NAMES, _INDEXES), min_size=1, max_size=6)


def _text(steps: list[str | int]) -> str:
    return "$" + "".join(f".{s}" if isinstance(s, str) else f"[{s}]" for s in steps)


def _library_steps(text: str) -> tuple[str | int, ...] | None:
    return jp._simple_steps(jsonpath.compile(text))


@given(_STEPS)
def test_a_plain_path_is_read_as_the_library_reads_it(steps: list[str | int]) -> None:
    text = _text(steps)
    assert jp._plain_steps(text) == tuple(steps) == _library_steps(text)


@pytest.mark.parametrize("text", [
    "$", ".a", "a", "a.b", "$ .a", "$.a ", " $.a", "$[ 0 ]", "$[-1]", "$[01]", "$.1a", "$.é",
    "$..a", "$.*", "$[*]", "$['a']", '$["a"]', "$.a-b", "$[9007199254740992]", "$.a~",
    "$[?(@.a == 1)]", "$['a','b']", "true", "$.", "$[1000000000000000]",
])
def test_other_paths_are_the_librarys(text: str) -> None:
    assert jp._plain_steps(text) is None
    try:
        expected: Any = _library_steps(text)
    except jsonpath.JSONPathError as exc:
        with pytest.raises(jp.JSONPathError) as caught:
            jp.compile_path(text)
        assert str(caught.value) == str(exc).splitlines()[0]
    else:
        assert jp.compile_path(text).steps == expected


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["a", "b", "c", "0"]), inner, max_size=3),
    max_leaves=12,
)
_SMALL_STEPS = st.lists(st.one_of(st.sampled_from(["a", "b", "c"]), st.integers(0, 3)),
                        min_size=1, max_size=4)


def _found(find: Any, doc: Any) -> object:
    try:
        return list(find(doc))
    except Exception as exc:  # the library reads a str document as JSON text, and may fail
        return type(exc)


@given(_SMALL_STEPS, _JSON)
def test_a_plain_path_finds_what_the_library_finds(steps: list[str | int], doc: Any) -> None:
    text = _text(steps)
    jp.compile_path.cache_clear()
    path = jp.compile_path(text)
    assert _found(path.findall, doc) == _found(jsonpath.compile(text).findall, doc)


def test_plain_paths_do_not_import_the_library() -> None:
    code = (
        "import sys\n"
        "from tracespec.assertions import json_path as jp\n"
        "assert jp.query(jp.compile_path('$.items[0].sku'), {'items': [{'sku': 'A-1'}]}) == "
        "['A-1']\n"
        "assert jp.query(jp.compile_path('$.a'), {'b': 1}) == []\n"
        "assert 'jsonpath' not in sys.modules, 'imported for a plain path'\n"
        "assert jp.query(jp.compile_path('$.a'), [{'a': 1}]) is not None\n"  # the library decides
        "assert 'jsonpath' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(SRC)})


_EQUALS_HINT = "a filter compares with '==', not '='"


@pytest.mark.parametrize(
    "text",
    ["$.items[?(@.id = 1)].name", "$[?@.a='x']", '$[?(@.a == "x=y" && @.b = 2)]',
     '$[?@["k="] = 1]', '$[?@.a=="]" && @.b = 1]'],
)
def test_a_single_equals_in_a_filter_suggests_double_equals(text: str) -> None:
    with pytest.raises(jp.JSONPathError) as caught:
        jp.compile_path(text)
    column = text.rindex(" = ") + 2 if " = " in text else text.index("=") + 1
    assert str(caught.value) == (
        f"unexpected token '=' (column {column} of the path): {_EQUALS_HINT}"
    )
    # and the advice is right: with '==' the path compiles
    fixed = text[: column - 1] + "==" + text[column:]
    jp.compile_path(fixed)


@pytest.mark.parametrize("text", ["$.a=1", "$[?@.a === 1]", "$['a=b'"])
def test_no_hint_where_double_equals_is_not_the_fix(text: str) -> None:
    with pytest.raises(jp.JSONPathError) as caught:
        jp.compile_path(text)
    assert _EQUALS_HINT not in str(caught.value)


def test_the_hint_reaches_the_span_result() -> None:
    import tracespec
    from tests.support.traces import make_trace

    trace = make_trace([{"name": "root", "attributes": {"body": '{"items": [{"id": 1}]}'}}])
    result = tracespec.check(
        "", ["attr:body | json_path '$.items[?(@.id = 1)].id' = 1"], trace
    )
    (span,) = result.assertions[0].spans
    assert span.error is not None and span.error.endswith(
        "invalid json_path: unexpected token '=' (column 16 of the path): " + _EQUALS_HINT
    )
