"""File references in a trigger: ``body: ./body.json``, ``protobufFile: ./api.proto``, a GraphQL
``query`` or ``schema``, read relative to the test file.

As the reference's CLI does, a value that starts with ``./`` or ``../`` names a file next to the
test file, and an absolute path names a file when one is there; anything else is the text
itself.  tracespec reads relative paths from the test file's folder (the reference's CLI read
an HTTP body from the working directory, a bug), and a relative path to no file is an error
naming the field (the reference sent the path as the body).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import TriggerError

__all__ = ["looks_like_path", "read_reference"]


def looks_like_path(text: str) -> bool:
    """Whether ``text`` is written as a relative file reference (``./x``, ``../x``)."""
    return "\n" not in text and text.startswith(("./", "../", ".\\", "..\\"))


def read_reference(text: str, base_dir: str | Path, field: str) -> tuple[str, Path | None]:
    """The contents of the file ``text`` names, and its path; or ``text`` itself and ``None``
    when it names no file."""
    if looks_like_path(text):
        path = Path(base_dir) / text.strip()
    elif "\n" not in text and text.startswith("/") and _is_file(Path(text.strip())):
        path = Path(text.strip())
    else:
        return text, None
    if not _is_file(path):
        raise TriggerError(f"file {text.strip()} not found (looked for {path})", field=field)
    try:
        return path.read_text(encoding="utf-8"), path
    except UnicodeDecodeError:
        raise TriggerError(f"file {path} is not UTF-8 text", field=field) from None
    except OSError as exc:
        raise TriggerError(f"cannot read {path}: {exc.strerror or exc}", field=field) from None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long, ...
        return False
