"""Hostile input on the command line (issue 11): every case ends with the right output or one
line on stderr and exit 1 (3 for a missing file), never a traceback, a hang or a blow-up."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
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
