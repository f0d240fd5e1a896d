"""A test file sent as text, not named by a path: what ``tracespec ui`` is given to run.

:func:`load_test_text` reads a ``type: Test`` with the loader's schema reader, but a reference
to another file (a polling profile) is refused rather than followed: text that arrived over a
request never makes tracespec open a file.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import TestFileError
from ._yaml import Node, parse_document
from .loader import _kind_name, _Reader
from .model import Resource, Test

__all__ = ["load_test_text"]


class _TextReader(_Reader):
    """A reader of text sent to a server: references to files are refused, never followed."""

    def follow(self, target: Path, ref: str, node: Node, field: str) -> Resource:
        """Refuse: no file named by the text is read."""
        raise self.error(f"{ref}: a test sent as text cannot refer to other files", node, field)


def load_test_text(text: str, name: str = "<test>") -> Test:
    """A ``type: Test`` read from ``text`` (``name`` names it in errors); it may refer to no
    other file, and none is read."""
    resource = _TextReader(name, environ=None, tests={}).resource(parse_document(text, name))
    if not isinstance(resource, Test):
        raise TestFileError(f"expected a Test, not a {_kind_name(resource)}", path=name, line=1)
    return resource
