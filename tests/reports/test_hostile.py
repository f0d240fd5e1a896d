"""Hostile text in reports (issue 11): control characters and lone surrogates from a trace or
a test file.  The pretty text escapes them (no terminal escape reaches the reader), JSON keeps
them exact (and encodable), JUnit stays well-formed XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import tracespec
from tests.support.traces import make_trace
from tracespec.reports import iter_json_report, junit_xml, pretty_test, render, test_json
from tracespec.reports.escape import json_text, printable
from tracespec.testfiles import load_test, run_test

EVIL = "evil\x1b]0;pwned\x07\x1b[31m\r\u202e\x9b"


def _result(tmp_path: Path) -> tuple[tracespec.Trace, object]:
    trace = make_trace([{"name": EVIL, "attributes": {"j": '{"x": "\\ud800"}', "n": EVIL}}])
    path = tmp_path / "test.yaml"
    path.write_text('type: Test\nspec:\n  id: t\n  name: "name \\e[31m \\u202e"\n  specs:\n'
                    '    - selector: span[]\n      assertions:\n'
                    "        - attr:j | json_path '$.x' = \"a\"\n"
                    '        - attr:n = "x"\n', encoding="utf-8")
    return trace, run_test(load_test(path), trace)


def test_pretty_text_escapes_control_characters(tmp_path: Path) -> None:
    _, result = _result(tmp_path)
    text = render(pretty_test(result))  # type: ignore[arg-type]
    text.encode("utf-8")  # no lone surrogate left
    assert not any(c in text for c in "\x1b\x07\r\u202e\x9b")
    assert "evil\\x1b]0;pwned\\x07\\x1b[31m\\r\\u202e\\x9b" in text
    assert "\\ud800" in text


def test_json_keeps_the_text_exact(tmp_path: Path) -> None:
    _, result = _result(tmp_path)
    text = "".join(iter_json_report([result], as_list=False))  # type: ignore[list-item]
    text.encode("utf-8")
    assert json.loads(text) == json.loads(json.dumps(test_json(result)))  # type: ignore[arg-type]
    assert "\ud800" in json.dumps(json.loads(text), ensure_ascii=False)


def test_junit_stays_well_formed(tmp_path: Path) -> None:
    _, result = _result(tmp_path)
    xml = junit_xml([result])  # type: ignore[list-item]
    root = ET.fromstring(xml.encode("utf-8"))
    names = [case.get("name") for case in root.iter("testcase")]
    assert names and all(n is not None for n in names)
    assert "\\x1b" in xml and "\x1b" not in xml and "\\ud800" in xml


def test_escape_helpers() -> None:
    assert printable("plain text, tabs\tand\nnewlines") == "plain text, tabs\tand\nnewlines"
    assert printable("a\x00b\x7fc\u2066") == "a\\0b\\x7fc\\u2066"
    assert printable("é ✔ 漢") == "é ✔ 漢"
    assert json_text('"\ud800é"') == '"\\ud800é"'
    assert json.loads(json_text(json.dumps("\udfff", ensure_ascii=False))) == "\udfff"
