"""Hostile input on the command line (issue 11): every case ends with the right output or one
line on stderr and exit 1 (3 for a missing file), never a traceback, a hang or a blow-up."""

from __future__ import annotations

import gzip
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
