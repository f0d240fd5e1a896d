"""Hostile input on the command line (issue 11): every case ends with the right output or one
line on stderr and exit 1 (3 for a missing file), never a traceback, a hang or a blow-up."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracespec.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TRACE = str(EXAMPLES / "orders-trace.json")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


def one_error(err: str) -> str:
    """The one line of an error on stderr (no traceback, no ``internal error``)."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "internal error" not in err and "Traceback" not in err
    return lines[0]


def test_decompression_layers_and_bombs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (EXAMPLES / "orders-trace.pb").read_bytes()
    for _ in range(3):
        data = gzip.compress(data)
    path = tmp_path / "trace.pb.gz.gz.gz"
    path.write_bytes(data)
    code, _, err = run_cli(capsys, "show", str(path))
    assert code == 1 and "more than 2 layers of compression" in one_error(err)
    monkeypatch.setenv("TRACESPEC_MAX_INFLATE", "1000")
    path.write_bytes(gzip.compress(gzip.compress(bytes(1 << 20))))
    code, _, err = run_cli(capsys, "select", "span[name=\"x\"]", str(path))
    assert code == 1 and "inflates past 1000 bytes" in one_error(err)


# -- special files -------------------------------------------------------------------------------

def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}


def test_special_files_as_every_kind_of_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    test = str(EXAMPLES / "orders-pass.yaml")
    suite = tmp_path / "suite.yaml"
    suite.write_text(f"type: TestSuite\nspec:\n  id: s\n  steps:\n    - {fifo}\n")
    for special, kind in (("/dev/zero", "character device"), (str(fifo), "FIFO")):
        cases = [
            ("show", special),
            ("select", 'span[name="x"]', special),
            ("run", "-f", special, "--trace", TRACE),
            ("run", "-f", test, "--trace", special),
            ("run", "-f", test, "--trace", TRACE, "--vars", special),
        ]
        for args in cases:
            code, _, err = run_cli(capsys, *args)
            assert code == 1, args
            assert f"{special}: cannot read: a {kind}, not a regular file" in one_error(err)
    code, _, err = run_cli(capsys, "run", "-f", str(suite), "--trace", TRACE)
    assert code == 1 and "a FIFO, not a regular file" in err and "internal error" not in err


def test_dash_reads_the_trace_from_stdin_and_refuses_a_device() -> None:
    cmd = [sys.executable, "-m", "tracespec", "select", 'span[name="SELECT users"]', "-"]
    with open(TRACE, "rb") as f:
        done = subprocess.run(cmd, stdin=f, capture_output=True, env=_env(), timeout=60)
    assert (done.returncode, done.stderr) == (0, b"")
    assert b"SELECT users" in done.stdout
    with open("/dev/zero", "rb") as f:
        done = subprocess.run(cmd, stdin=f, capture_output=True, env=_env(), timeout=60)
    assert done.returncode == 1
    assert done.stderr == b"error: <stdin>: cannot read: a character device, not a regular file\n"


# -- YAML ----------------------------------------------------------------------------------------

DATA = ROOT / "tests" / "data" / "yaml"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("alias-bomb.yaml", "alias bomb?"),
        ("nested-500.yaml", "nest more than 100 levels deep"),
        ("nested-500.json", "nest more than 100 levels deep"),
        ("suite-self.yaml", "refers back to a file being read"),
        ("suite-a.yaml", "refers back to a file being read"),
        ("polling-self.yaml", "refers back to a file being read"),
    ],
)
def test_hostile_test_files(capsys: pytest.CaptureFixture[str], name: str, message: str) -> None:
    code, _, err = run_cli(capsys, "run", "-f", str(DATA / name), "--trace", TRACE)
    assert code == 1 and message in one_error(err) and name in err


# -- big and deep output, a reader that goes away ------------------------------------------------

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


def otlp_file(path: Path, spans: list[dict[str, object]]) -> str:
    """An OTLP JSON file of ``spans`` (``name``, ``parent`` index, optional ``service``,
    ``status``), each a microsecond inside its parent."""
    out = []
    n = len(spans)
    for i, s in enumerate(spans):
        span: dict[str, object] = {
            "traceId": TRACE_ID, "spanId": f"{i + 1:016x}", "name": s["name"], "kind": 2,
            "startTimeUnixNano": str(1_700_000_000_000_000_000 + i),
            "endTimeUnixNano": str(1_700_000_000_000_000_000 + 2 * n - i),
            "attributes": [{"key": "k", "value": {"stringValue": s.get("value", "v")}}],
        }
        if i:
            span["parentSpanId"] = f"{int(s.get('parent', i - 1)) + 1:016x}"  # type: ignore[call-overload]
        if "status" in s:
            span["status"] = {"code": 2, "message": s["status"]}
        out.append(span)
    service = spans[0].get("service", "svc")
    doc = {"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": service}}]},
        "scopeSpans": [{"spans": out}]}]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def test_show_prints_every_span_of_a_deep_chain(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    n = 3000
    path = otlp_file(tmp_path / "deep.json", [{"name": f"s{i}"} for i in range(n)])
    code, out, err = run_cli(capsys, "show", path, "--limit", "0")
    assert (code, err) == (0, "")
    lines = out.splitlines()[1:]
    assert len(lines) == n
    for i, line in enumerate(lines):
        assert f" s{i}  " in line or line.startswith(f"s{i}  ")
        assert line.endswith(f"#{i + 1:016x}")
        assert len(line) < 200  # the indentation is cut, never the span
    assert lines[40].startswith("[depth 40] ")
    assert lines[34].startswith("[depth 34] ") and not lines[33].startswith("[")


def test_show_limit_must_not_be_negative(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "show", TRACE, "--limit", "-1")
    assert (code, out) == (1, "") and "--limit" in one_error(err)


def test_select_streams_a_big_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    n = 20_000
    path = otlp_file(tmp_path / "wide.json",
                     [{"name": f"s{i}", "parent": 0} for i in range(n)])
    code, out, err = run_cli(capsys, "select", "span[]", path)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["span", "id", "name", "service", "duration"]
    assert len(lines) == n + 2 and lines[-1] == f"{n} spans of {n} selected"
    assert lines[1].split()[:3] == [f"{1:016x}", "s0", "svc"]


def _closed_early(args: list[str]) -> tuple[int, bytes]:
    """Run the command with its stdout's reader gone before it writes anything."""
    proc = subprocess.Popen([sys.executable, "-m", "tracespec", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env())
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    try:
        err = proc.stderr.read()
        return proc.wait(timeout=120), err
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["show", TRACE], 0),
        (["select", 'span[name="SELECT users"]', TRACE], 0),
        (["select", "span[]", TRACE, "--json"], 0),
        (["explain", 'span[name="x"]', TRACE], 0),
        (["explain", 'span[name="x"]'], 0),
        (["check", 'span[name="SELECT users"]', "attr:db.rows_affected = 5", TRACE], 2),
        (["check", 'span[name="SELECT users"]', "attr:db.rows_affected = 1", TRACE], 0),
        (["span", "a1b2c3d4e5f60009", TRACE], 0),
        (["traces", TRACE], 0),
    ],
)
def test_a_closed_stdout_ends_as_the_command_would(args: list[str], code: int) -> None:
    assert _closed_early(args) == (code, b"")


# -- the JUnit file ------------------------------------------------------------------------------

def test_a_report_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    from tracespec.cli._common import write_file  # (no public seam: the CLI writes files)

    path = tmp_path / "junit.xml"
    path.write_text("<previous/>\n", encoding="utf-8")
    path.chmod(0o640)

    def failing() -> Iterator[str]:
        yield "<testsuites>"
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_file(str(path), failing())
    assert path.read_text(encoding="utf-8") == "<previous/>\n"
    assert [p.name for p in tmp_path.iterdir()] == ["junit.xml"]  # no temporary file left
    write_file(str(path), iter(["<a>", "</a>\n"]))
    assert path.read_text(encoding="utf-8") == "<a></a>\n"
    assert path.stat().st_mode & 0o777 == 0o640
    new = tmp_path / "new.xml"
    write_file(str(new), iter(["<b/>"]))
    assert new.read_text(encoding="utf-8") == "<b/>"


def test_junit_through_the_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    code, _, err = run_cli(capsys, "run", "-f", str(EXAMPLES / "orders-pass.yaml"),
                           "--trace", TRACE, "--junit", str(junit))
    assert (code, err) == (0, "")
    assert junit.read_text(encoding="utf-8").startswith("<?xml")
    code, _, err = run_cli(capsys, "run", "-f", str(EXAMPLES / "orders-pass.yaml"),
                           "--trace", TRACE, "--junit", str(tmp_path / "missing" / "j.xml"))
    assert code == 1 and "cannot write the JUnit report" in one_error(err)


# -- the data cases, through the command line -----------------------------------------------------

def test_hostile_data_through_the_commands(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    evil = "evil\x1b]0;pwned\x07\x1b[31m"
    deep = "[" * 1500 + "1" + "]" * 1500
    path = otlp_file(tmp_path / "evil.json", [
        {"name": evil, "service": "svc\x1b[1m", "status": "bad\x1b[2J\r", "value": deep},
        {"name": "child", "value": '{"x": "\\ud800"}'},
    ])
    for args in (["show", path], ["select", "span[]", path], ["traces", path],
                 ["span", f"{1:016x}", path], ["check", "span[]", "attr:k = 1", path]):
        code, out, err = run_cli(capsys, *args)
        assert code in (0, 2) and "\x1b" not in out and "\r" not in out, args
        assert "internal error" not in err
    code, out, _ = run_cli(capsys, "select", "span[]", path, "--json")
    assert code == 0 and json.loads(out)[0]["name"] == evil  # exact in JSON
    code, out, _ = run_cli(capsys, "check", "span[]", "attr:k | json_path '$[0]' = 1", path)
    assert code == 2 and "nested more than 128 levels" in out
    code, out, _ = run_cli(capsys, "check", 'span[name="child"]',
                           "attr:k | json_path '$.x' = \"a\"", path, "--json")
    assert code == 2 and "\\ud800" in out
    code, _, err = run_cli(capsys, "select", "span[k=" + "9" * 5000 + "]", path)
    assert code == 1 and "has more than 4300 digits" in one_error(err)
    code, _, err = run_cli(capsys, "check", "span[]",
                           "attr:tracetest.span.duration < 999999999999h", path)
    assert code == 1 and "is out of range" in one_error(err)


def test_a_run_report_with_surrogates_and_escapes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = otlp_file(tmp_path / "t.json", [{"name": "a\x1b[31m", "value": '{"x": "\\ud800"}'}])
    test = tmp_path / "test.yaml"
    test.write_text('type: Test\nspec:\n  id: t\n  name: "n \\e[31m"\n  specs:\n'
                    '    - selector: span[]\n      name: "spec \\e[31m \\u202e"\n'
                    "      assertions:\n"
                    "        - attr:k | json_path '$.x' = \"a\"\n", encoding="utf-8")
    junit = tmp_path / "j.xml"
    for output in ("pretty", "json", "yaml"):
        code, out, err = run_cli(capsys, "run", "-f", str(test), "--trace", path, "-o", output,
                                 "--junit", str(junit))
        assert (code, err) == (2, "") and "\x1b" not in out
        out.encode("utf-8")
        ET.parse(junit)  # well-formed
    code, out, _ = run_cli(capsys, "run", "-f", str(test), "--trace", path, "-o", "json")
    assert json.loads(out)["results"]["results"][0]["name"] == "spec \x1b[31m \u202e"


def test_deep_opensearch_jaeger_int64_and_a_deep_chain_pick(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = json.loads((EXAMPLES / "orders-trace.opensearch.json").read_text())
    value: object = 1
    for _ in range(600):
        value = [value]
    doc["hits"]["hits"][0]["_source"]["span.attributes.deep"] = value
    os_path = tmp_path / "os.json"
    os_path.write_text(json.dumps(doc))
    code, _, err = run_cli(capsys, "show", str(os_path))
    assert code == 1 and "nested more than 64 levels deep" in one_error(err)
    jaeger = json.loads((EXAMPLES / "orders-trace.jaeger.json").read_text())
    jaeger["data"][0]["spans"][0]["tags"].append({"key": "big", "type": "int64", "value": 2**70})
    j_path = tmp_path / "j.json"
    j_path.write_text(json.dumps(jaeger))
    code, out, _ = run_cli(capsys, "span", "a1b2c3d4e5f60001", str(j_path))
    assert code == 0 and str(2**70) in out
    n = 3000
    chain = otlp_file(tmp_path / "chain.json", [{"name": "a"} for _ in range(n)])
    s = 'span[name="a"]'
    code, out, _ = run_cli(capsys, "select", f"{s} {s}:last {s}", chain)
    assert code == 0 and out.splitlines()[-1] == f"1 span of {n} selected"


def test_merge_bomb_and_polling_profile_fifo(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run_cli(capsys, "run", "-f", str(DATA / "merge-bomb.yaml"), "--trace", TRACE)
    assert "merge-bomb" in out
    assert code == 0 and "internal error" not in err
    fifo = tmp_path / "profile.fifo"
    os.mkfifo(fifo)
    test = tmp_path / "test.yaml"
    test.write_text(f"type: Test\nspec:\n  id: t\n  pollingProfile: ./{fifo.name}\n  specs: []\n")
    code, _, err = run_cli(capsys, "run", "-f", str(test), "--trace", TRACE)
    assert code == 1 and "a FIFO, not a regular file" in one_error(err)
