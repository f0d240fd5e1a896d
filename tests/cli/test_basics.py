"""The ``tracespec`` command without the languages: help, show, exit codes, one-line errors."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tracespec.cli import main
from tracespec.cli._common import format_duration  # no public seam: only in the CLI's output

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TRACE = str(EXAMPLES / "orders-trace.json")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("command", ["run", "select", "check", "explain", "show", "span"])
def test_every_command_has_help_with_an_example(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, _ = run_cli(capsys, command, "--help")
    assert code == 0
    assert f"Usage: tracespec {command}" in out
    assert "Example" in out
    assert f"tracespec {command} " in out.split("Example", 1)[1]


def test_top_level_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    for command in ("run", "select", "check", "explain", "show", "span"):
        assert command in out
    code, out, _ = run_cli(capsys, "--version")
    assert (code, out.split()[0]) == (0, "tracespec")
    code, out, _ = run_cli(capsys)
    assert code == 0 and "Usage: tracespec" in out


def test_show_prints_the_span_tree(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "show", TRACE)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("trace 4bf92f3577b34da6a3ce929d0e0e4736 · 9 spans · 3 services")
    assert "1 error" in lines[0]
    assert lines[1].startswith("POST /api/orders  api  server  48.25ms  #a1b2c3d4e5f60001")
    # pre-order, children by start time, tree guides showing depth
    names = [line.lstrip("│├└─ ").split("  ")[0] for line in lines[1:]]
    assert names == ["POST /api/orders", "SELECT users", "INSERT orders", "POST /charge",
                     "POST /charge", "fraud-check", "orders publish", "orders process",
                     "UPDATE inventory"]
    assert lines[-1].startswith("        └── UPDATE inventory")
    assert lines[-1].endswith("✘ error: no rows updated")


def test_show_limit(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "show", TRACE, "--limit", "3")
    assert code == 0
    assert out.splitlines()[-1] == "… 6 more spans (--limit 0 shows all)"
    assert len(out.splitlines()) == 1 + 3 + 1


def test_show_protobuf_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "show", str(EXAMPLES / "orders-trace.pb"))
    assert code == 0 and "9 spans" in out.splitlines()[0]


@pytest.mark.parametrize(
    "args",
    [
        ("show", "missing-trace.json"),
        ("run", "-f", "missing-test.yaml", "--trace", TRACE),
        ("run", "-f", str(EXAMPLES / "orders-pass.yaml"), "--trace", "missing-trace.json"),
        ("run", "-f", str(EXAMPLES / "orders-pass.yaml"), "--trace", TRACE,
         "--vars", "missing-vars.yaml"),
    ],
)
def test_missing_files_exit_3_with_one_line(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 3
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: missing-")
    assert "file not found" in err


def test_malformed_yaml_exits_1_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.yaml", """
        type: Test
        spec:
          name: broken
          specs:
            - selector: span
              assertions: ["attr:x = 1"
        """)
    code, out, err = run_cli(capsys, "run", "-f", bad, "--trace", TRACE)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"error: {bad}:7: invalid YAML")


def test_schema_error_exits_1_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.yaml", """
        type: Test
        spec:
          name: broken
          specs:
            - selector: span
              assertions: attr:x = 1
        """)
    code, _, err = run_cli(capsys, "run", "-f", bad, "--trace", TRACE)
    assert code == 1
    assert err == f"error: {bad}:6 (spec.specs[0].assertions): expected a list, got a string\n"


def test_a_bad_file_stops_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.yaml", "type: Test\nspec: [\n")
    code, out, _ = run_cli(
        capsys, "run", "-f", str(EXAMPLES / "orders-pass.yaml"), "-f", bad, "--trace", TRACE
    )
    assert code == 1 and out == ""


def test_variable_set_given_as_a_test(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        capsys, "run", "-f", str(EXAMPLES / "orders-vars.yaml"), "--trace", TRACE
    )
    assert code == 1
    assert "is a VariableSet, not a Test or TestSuite (pass it with --vars)" in err


def test_corrupt_trace_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "trace.json"
    trace.write_text('{"resourceSpans": [', encoding="utf-8")
    code, out, err = run_cli(capsys, "show", str(trace))
    assert code == 1 and out == ""
    assert err.startswith(f"error: {trace}") and err.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ("run", "--trace", TRACE),  # no -f
        ("run", "-f", "x.yaml", "-o", "xml"),  # bad choice
        ("select", "span"),  # missing TRACE
        ("nonsense",),
        ("run", "-f", str(EXAMPLES / "orders-pass.yaml"), "--var", "novalue"),
    ],
)
def test_usage_errors_exit_1_not_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 1
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("ns", "text"),
    [(850, "850ns"), (12_500, "12.5us"), (48_250_000, "48.25ms"), (1_200_000_000, "1.2s"),
     (123_000_000_000, "2m3s")],
)
def test_format_duration(ns: int, text: str) -> None:
    assert format_duration(ns) == text


def test_console_script_and_module_run(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    module = subprocess.run(
        [sys.executable, "-m", "tracespec", "show", TRACE, "--limit", "1"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert module.returncode == 0, module.stderr
    assert module.stdout.splitlines()[1].startswith("POST /api/orders")
    missing = subprocess.run(
        [sys.executable, "-m", "tracespec", "show", str(tmp_path / "nope.json")],
        capture_output=True, text=True, env=env, check=False,
    )
    assert missing.returncode == 3
    assert "Traceback" not in missing.stderr
    assert missing.stderr.strip() == f"error: {tmp_path / 'nope.json'}: file not found"


def test_large_trace_loads_behind_a_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    # No public seam: the progress bar's threshold and console live in the private cli._common.
    from tracespec.cli import _common

    screen = io.StringIO()
    monkeypatch.setattr(_common, "PROGRESS_BYTES", 1)  # every file counts as large
    monkeypatch.setattr(
        _common, "_stderr_console",
        lambda: Console(file=screen, force_terminal=True, width=100),
    )
    traces = _common.load_traces_cli(TRACE)
    assert len(traces[0]) == 9
    assert "loading orders-trace.json" in screen.getvalue()


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [False, True])
@pytest.mark.parametrize("force_color", [None, "", "1"])
@pytest.mark.parametrize("tty_compatible", [None, "0", "1"])
@pytest.mark.parametrize("term", [None, "dumb", "xterm-256color"])
def test_colour_is_what_rich_decides(
    monkeypatch: pytest.MonkeyPatch, tty: bool, force_color: str | None,
    tty_compatible: str | None, term: str | None,
) -> None:
    """rich is not even imported on a pipe (as in CI), but the answer is always rich's."""
    from rich.console import Console

    from tracespec.cli._common import color_enabled  # no public seam: colour is the CLI's

    for name, value in (("FORCE_COLOR", force_color), ("TTY_COMPATIBLE", tty_compatible),
                        ("TERM", term)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("CLICOLOR_FORCE", raising=False)
    stream = _Stream(tty)
    monkeypatch.setattr(sys, "stdout", stream)
    assert color_enabled() == (Console(file=stream).color_system is not None)
    assert color_enabled(no_color=True) is False


def test_a_run_on_a_pipe_imports_only_what_it_uses() -> None:
    """No rich (nothing is drawn, no colour on a pipe), no python-jsonpath (the example's path
    is plain), no numpy (a small trace), no protobuf (a JSON trace), no server library and
    nothing a live run's triggers use (an offline run listens for nothing and sends nothing); and
    of tracespec's own modules, none of the commands not run (each is imported when invoked),
    no data store, no report it does not write (HTML, YAML, JSON, JUnit), no live-run code
    (receiver waiting, polling), no selector suggestions, no assertion functions (none is
    called), no reader of OpenTelemetry SDK spans; nor hashlib, gzip or glob (a plain file, no
    derived ids)."""
    test = str(EXAMPLES / "orders-pass.yaml")
    code = (
        "import sys\n"
        "from tracespec.cli import main\n"
        f"code = main(['run', '-f', {test!r}, '--trace', {TRACE!r}])\n"
        "heavy = ('rich', 'jsonpath', 'numpy', 'google.protobuf', 'zstandard', 'aiohttp',\n"
        "         'httpx', 'grpc', 'grpc_tools', 'grpc_reflection', 'chdb', 'clickhouse_connect',\n"
        "         'tracespec.clickhouse', 'tracespec.cli.clickhouse', 'tracespec.ui',\n"
        "         'tracespec.cli.ui', 'tracespec.receiver', 'tracespec.cli.receive',\n"
        "         'tracespec.cli.inspect', 'tracespec.cli.traces', 'tracespec.datastores',\n"
        "         'tracespec.reports.html', 'tracespec.reports.yamlreport', 'lark',\n"
        "         'tracespec._grammar', 'tracespec.testfiles.live',\n"
        "         'tracespec.testfiles.polling', 'tracespec.reports.jsonreport',\n"
        "         'tracespec.reports.junit', 'tracespec.selectors.suggest', 'hashlib', 'gzip',\n"
        "         'glob', 'tracespec.assertions.functions', 'tracespec.formats.otel_sdk')\n"
        "print(code, [m for m in heavy if m in sys.modules])\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "CLICOLOR_FORCE")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**env, "PYTHONPATH": str(ROOT / "src")}, check=True)
    assert out.stdout.splitlines()[-1] == "0 []"


def test_small_trace_or_pipe_has_no_progress_bar(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tracespec.cli import _common  # no public seam (see above)

    monkeypatch.setattr(_common, "PROGRESS_BYTES", 1)  # large, but stderr is not a terminal
    assert len(_common.load_traces_cli(TRACE)[0]) == 9
    assert capsys.readouterr().err == ""


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```sh\n")[1:]]
    install_and_run, install_and_test = blocks[0], blocks[1]
    assert "pip install ." in install_and_run and "tracespec run -f examples/" in install_and_run
    assert install_and_test.endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    commands = [line.strip() for line in ci if line.strip() and not line.startswith("#")]
    # after `set` and `cd` (and the browser tests' chromium, a Debian package, when missing),
    # exactly the README's command; then, maybe, the lowest versions
    start = 3 if "apt-get install -y --no-install-recommends chromium" in commands[2] else 2
    assert commands[2].endswith("|| exit 1")
    assert commands[start] == install_and_test + " || exit 1"  # an install that fails fails CI
    floors = [i for i, line in enumerate(commands) if "constraints/lowest.txt" in line]
    assert all(i > start for i in floors)
    floors_command = ("pip install -c constraints/lowest.txt -e '.[test]' && "
                      "python -m pytest -m 'not recent_otel'")
    assert any(floors_command in line for line in commands)


def test_missing_suite_step_exits_3_naming_the_suite_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = write(tmp_path, "suite.yaml", """
        type: TestSuite
        spec:
          name: S
          steps:
            - ./gone.yaml
        """)
    code, out, err = run_cli(capsys, "run", "-f", suite, "--trace", TRACE)
    assert (code, out) == (3, "")
    assert err.startswith(f"error: {suite}:5 (spec.steps[0]): step file ./gone.yaml not found")
    assert err.count("\n") == 1
