"""Hostile test files (issue 11): special files, YAML bombs, deep nesting, reference loops.

Each ends with a :class:`~tracespec.TestFileError` naming the file (and the line where there is
one), within seconds, or with the right resource.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
