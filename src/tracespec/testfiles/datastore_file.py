"""Reading a ``type: DataStore`` file: the YAML here, its fields in :mod:`tracespec.datastores`.

The reference applies such files with ``tracetest apply datastore -f FILE``; tracespec takes
them with ``tracespec run --datastore FILE`` (or among the ``-f`` files).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..datastores import DataStore, read_config
from ..errors import DataStoreError, TestFileError
from ._yaml import parse_document, substitute_env
from .loader import read_text

__all__ = ["load_datastore"]


def load_datastore(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> DataStore:
    """The data store a ``type: DataStore`` file describes (``environ``: ``${NAME}`` replaced
    first, as ``--env-subst`` does).  A file that is no DataStore, or whose fields do not
    hold, is a :class:`~tracespec.errors.TestFileError` naming the file."""
    name = os.fspath(path)
    text = read_text(path)
    if environ is not None:
        text = substitute_env(text, environ)
    root = parse_document(text, name)
    kind = root.get("type")
    if kind is None or str(kind.value).strip().lower() != "datastore":
        raise TestFileError("expected a DataStore resource (type: DataStore)", path=name,
                            line=kind.line if kind is not None else 1, field="type")
    try:
        return read_config(root.plain())
    except DataStoreError as exc:
        raise TestFileError(str(exc), path=name, line=1) from None
