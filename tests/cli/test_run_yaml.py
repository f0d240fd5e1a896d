"""``tracespec run -o yaml``: the JSON report's data, in YAML, streamed the same way.

Tracetest's CLI accepts ``-o yaml`` for a run and prints an empty line; tracespec prints the
documents ``-o json`` prints, so the check is that a YAML loader reads back exactly what a JSON
loader reads from ``-o json`` (PyYAML's pure-Python loader and, where built, libyaml's), on the
bundled examples, on a big run, and on any value and string hypothesis makes up.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.cli.test_run import EXAMPLES, FAILING, PASSING, TRACE, big_trace, run_cli, write
from tracespec.cli import main
from tracespec.reports._json import Lazy
from tracespec.reports.yamlreport import iter_yaml, iter_yaml_report, yaml_scalar

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


def load_all_ways(text: str) -> Any:
    """The value every loader reads from ``text`` (they must agree)."""
    values = [yaml.load(text, Loader=loader) for loader in LOADERS]
    for value in values[1:]:
        assert _same(value, values[0])
    return values[0]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize(
    "files",
    [
        ["orders-fail.yaml"],
        ["orders-pass.yaml"],
        ["orders-suite.yaml"],
        ["orders-fail.yaml", "orders-pass.yaml", "orders-suite.yaml"],
    ],
)
def test_yaml_reads_back_as_the_json_report(
    capsys: pytest.CaptureFixture[str], files: list[str]
) -> None:
    args = [a for f in files for a in ("-f", str(EXAMPLES / f))]
    code_json, out_json, _ = run_cli(capsys, "run", *args, "--trace", TRACE, "-o", "json")
    code_yaml, out_yaml, err = run_cli(capsys, "run", *args, "--trace", TRACE, "-o", "yaml")
    assert (code_yaml, err) == (code_json, "")
    assert _same(load_all_ways(out_yaml), json.loads(out_json))
    assert out_yaml.endswith("\n") and not out_yaml.endswith("\n\n")


def test_a_test_that_could_not_run_and_its_error(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", "-f", str(EXAMPLES / "orders-pass.yaml")]  # a live trigger, no --trace
    code, out_json, _ = run_cli(capsys, *args, "-o", "json")
    assert code == 1
    code, out_yaml, err = run_cli(capsys, *args, "-o", "yaml")
    assert code == 1 and err.startswith("error: ")
    assert load_all_ways(out_yaml) == json.loads(out_json)
    assert load_all_ways(out_yaml)["error"].startswith("not supported yet")


def test_the_block_style_is_tracetests(capsys: pytest.CaptureFixture[str]) -> None:
    """Two-space indentation, a list's dashes at its key's indentation (as Tracetest writes its
    resource files), each span result seven lines under its dash."""
    _, out, _ = run_cli(capsys, "run", "-f", str(EXAMPLES / "orders-fail.yaml"), "--trace",
                        TRACE, "-o", "yaml")
    assert out.startswith("testRunWebUrl: ''\nresults:\n  allPassed: false\n  results:\n"
                          "  - selector:\n      query: ")
    assert (
        "      spanResults:\n"
        "      - spanId: a1b2c3d4e5f60009\n"
        "        spanName: UPDATE inventory\n"
        "        service: worker\n"
        "        kind: client\n"
        "        observedValue: STATUS_CODE_ERROR\n"
        "        passed: false\n"
        "        error: no match\n"
    ) in out
    assert ("traceId: '4bf92f3577b34da6a3ce929d0e0e4736'\nrepairs: []\noutputs: []\n"
            "error: null\n") in out


def test_a_big_report_streams_in_chunks_and_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = big_trace(tmp_path, 3000)  # 6000 span results: several chunks
    files = [write(tmp_path, "fail.yaml", FAILING), write(tmp_path, "pass.yaml", PASSING)]
    args = [a for f in files for a in ("-f", f)]
    _, out_json, _ = run_cli(capsys, "run", *args, "--trace", trace, "-o", "json")
    code, out_yaml, _ = run_cli(capsys, "run", *args, "--trace", trace, "-o", "yaml")
    assert code == 2
    assert load_all_ways(out_yaml) == json.loads(out_json)
    from tests.cli.test_run import expected_results

    results = expected_results(files, trace)
    chunks = list(iter_yaml_report(iter(results), as_list=True))
    assert len(chunks) > 2 and "".join(chunks) == out_yaml
    with pytest.raises(ValueError, match="exactly one result"):
        list(iter_yaml_report(iter(results), as_list=False))


def test_help_lists_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--help"]) == 0
    assert "[pretty|json|yaml]" in capsys.readouterr().out


# -- the writer: any value the reports hold reads back as itself ------------------------------

def _no_surrogates(text: str) -> bool:
    return not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


_ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None)
_TRICKY = st.sampled_from([
    "", " ", "a ", " a", "0", "007", "0x1f", "0o17", "1_000", "1e3", "1.5", "-1", "+1", ".5",
    ".inf", "-.inf", ".nan", ".NaN", "~", "null", "Null", "NULL", "true", "True", "yes", "No",
    "on", "OFF", "y", "n", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "12:30:00", "1:20",
    "<<", "=", "-", "--- a", "...", "- a", "? a", ": a", "a: b", "a:", "a #b", "a#b", "#a",
    "[a]", "{a}", "a, b", "*a", "&a", "!a", "|", ">", "'", '"', "%a", "@a", "`a", "a\tb",
    "a\nb", "a\n", "\n", "\r\n", "\x00", "\x1b[31m", "\x7f", "\x85", "\xa0", "\u2028", "\u2029",
    "\ufeff", "\ufffe", "\ud800", "é", "日本", "😀", "a'b", "a\"b", "a\\b", "span[a=\"x\"]",
    "attr:db.rows_affected > 0", "a1b2c3d4e5f60009", "0000000000000001", "(x)", "/a/b",
])
_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)  # where plain text is written
_TEXT: st.SearchStrategy[str] = st.one_of(
    _TRICKY, st.text(_ASCII, max_size=12), st.text(_ANY_CHARACTER, max_size=12),
    st.text(max_size=12),
)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                     _TEXT.filter(_no_surrogates))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(_TEXT.filter(_no_surrogates), inner, max_size=3),
    max_leaves=10,
)


@given(_TEXT.filter(_no_surrogates))
def test_any_string_reads_back_as_itself(text: str) -> None:
    written = yaml_scalar(text)
    assert written is not None and "\n" not in written
    assert load_all_ways(f"key: {written}\n") == {"key": text}
    assert load_all_ways(f"- {written}\n") == [text]


@given(_SCALARS)
def test_any_scalar_reads_back_as_itself(value: Any) -> None:
    written = yaml_scalar(value)
    assert written is not None
    assert _same(load_all_ways(f"key: {written}\n")["key"], value)


@given(_VALUES)
def test_any_value_reads_back_as_itself(value: Any) -> None:
    text = "".join(iter_yaml(value))
    assert _same(load_all_ways(text), value)
    lazy = "".join(iter_yaml(_lazy(value)))  # arrays read as they are reached
    assert lazy == text


def _lazy(value: Any) -> Any:
    if isinstance(value, list):
        return Lazy(_lazy(v) for v in value)
    if isinstance(value, dict):
        return {k: _lazy(v) for k, v in value.items()}
    return value


def test_plain_where_nothing_else_could_be_read() -> None:
    """Names, ids that start with a letter, selectors and assertions are written plain; text a
    loader would read as another type is quoted (the round trip above checks both are right)."""
    for text in ("a1b2c3d4e5f60009", "no match", 'span[a="x" b=1]', "attr:db.rows_affected > 0",
                 "Create an order", "examples/orders-fail.yaml"):
        assert yaml_scalar(text) == text
    for text in ("0000000000000001", "3ms", "true", "null", "", "1:20", "a: b", "- a", "~"):
        assert yaml_scalar(text) == "'" + text + "'"
    assert yaml_scalar("a\nb") == '"a\\nb"'
    surrogate = yaml_scalar("a\ud800b")
    assert surrogate is not None and load_all_ways("k: " + surrogate) == {"k": "a\ufffdb"}
    assert yaml_scalar(1e20) == "1.0e+20" and yaml_scalar(math.inf) == ".inf"
