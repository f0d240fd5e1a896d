"""Opening the files a user names: regular files only, never a device or a FIFO.

``/dev/zero`` read as a trace never ends, and a FIFO with no writer blocks ``open`` itself.  Every
file tracespec reads by name (traces, test files, suites' steps, ``--vars``, polling profiles)
is opened here: without waiting (``O_NONBLOCK``, so a FIFO opens at once), then refused unless
``fstat`` says it is a regular file.  The refusal is an :class:`OSError`, so each caller words it
in its own error type as it words any file it cannot read.  Standard input is read by
:func:`read_stream`, which refuses a device that is not a terminal (``< /dev/zero``).
"""

from __future__ import annotations

import os
import stat
import sys
from typing import Any, BinaryIO

__all__ = ["STDIN", "NotRegularFileError", "open_regular", "read_stream", "stdin_bytes"]


class NotRegularFileError(OSError):
    """A path that names something other than a regular file (its ``strerror`` says what)."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """``path`` opened for reading in binary; :class:`IsADirectoryError` for a directory,
    :class:`NotRegularFileError` for a device, FIFO or socket (opened without blocking)."""
    text = os.fspath(path)
    if "\0" in text:
        raise NotRegularFileError(0, "not a path: it holds a NUL byte", repr(text))
    try:
        os.fsencode(text)
    except UnicodeError:
        raise NotRegularFileError(0, "not a path: it holds a lone surrogate", repr(text)) from None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "is a directory", os.fspath(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(
                0, f"{_kind(mode)}, not a regular file", os.fspath(path)
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_stream(stream: Any) -> bytes | str:
    """All of a binary stream such as standard input; a device behind it that is not a terminal
    (``< /dev/zero``, which never ends) is refused with :class:`NotRegularFileError`."""
    fileno = getattr(stream, "fileno", None)
    try:
        mode = os.fstat(fileno()).st_mode if fileno is not None else None
    except (OSError, ValueError):  # no descriptor (a BytesIO): read it
        mode = None
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISBLK(mode)) and not stream.isatty():
        raise NotRegularFileError(0, f"{_kind(mode)}, not a regular file", "<stdin>")
    data: bytes | str = stream.read()
    return data


#: The path that names standard input (``tracespec run -f -``).
STDIN = "-"
_stdin_data: list[bytes] = []


def stdin_bytes() -> bytes:
    """All of standard input, read once (:func:`read_stream`) and kept: a file named ``-`` that
    is read twice (its kind, then the whole) reads the same bytes."""
    if not _stdin_data:
        data = read_stream(sys.stdin.buffer)
        _stdin_data.append(data.encode() if isinstance(data, str) else data)
    return _stdin_data[0]
