"""Lists of trace sources: what one argument of ``load_trace``/``load_traces`` stands for.

One request's trace usually arrives spread over many export bodies (one per service and batch,
each batch holding spans of several traces), so a source may be many things at once.
:func:`expand` turns what the caller gave into single sources, in order:

* a path: a file; a directory: the files directly in it (sorted by name, hidden files and
  subdirectories left out); a path that does not exist and holds ``*``, ``?`` or ``[``: the
  files the glob pattern matches (sorted; ``**`` crosses directories);
* bytes, a binary file object, parsed JSON (a dict, or a list that is no list of sources:
  one holding only JSON values, not text beside containers only): one source each, as
  :func:`._source.read_source` reads it;
* OpenTelemetry SDK spans (an iterable of ``ReadableSpan``, told by duck typing: a span has a
  ``context`` with ``trace_id`` and ``span_id``, a ``name`` and a ``start_time``): one source;
* any other list, tuple or iterable (``Path.glob(...)``): each item is expanded in turn.

The same file named twice (by two patterns, say) is read once.  The loader then reads every
single source into one :class:`~tracespec.trace.TraceBuilder`, so the spans of a trace found in
several sources are assembled together.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, NamedTuple

from ..errors import TraceFileNotFoundError, TraceLoadError

__all__ = ["Part", "expand", "is_otel_span", "otel_part", "trace_paths"]

_MAGIC = frozenset("*?[")
_NAMED = 3  # sources named one by one in a list's display name


class Part(NamedTuple):
    """One single source: ``data`` (what ``read_source`` reads) or ``otel`` (SDK spans)."""

    kind: Literal["data", "otel"]
    value: Any


def is_otel_span(obj: Any) -> bool:
    """Whether ``obj`` reads as an OpenTelemetry SDK ``ReadableSpan`` (duck typing)."""
    if isinstance(obj, str | bytes | dict | list | tuple):
        return False
    ctx = getattr(obj, "context", None)
    return (
        hasattr(ctx, "trace_id")
        and hasattr(ctx, "span_id")
        and hasattr(obj, "name")
        and hasattr(obj, "start_time")
    )


_JSON_TYPES = frozenset({dict, list, str, int, float, bool, type(None)})
_PATHS_AND_DOCUMENTS = frozenset({str, dict, list})


def _is_json(obj: Any) -> bool:
    """Parsed JSON: a dict, or a list that is no list of sources.  A list is one when it holds
    something parsed JSON cannot (a ``Path``, bytes, a file, an SDK span), or only text and JSON
    containers, text at least once (paths, maybe beside parsed documents).  Told by the items'
    types alone, so that a parsed array of a million spans is not walked in Python."""
    if isinstance(obj, dict):
        return True
    if not isinstance(obj, list):
        return False
    types = set(map(type, obj))
    if not types <= _JSON_TYPES:
        return False
    return not (str in types and types <= _PATHS_AND_DOCUMENTS)


def _encodable(text: str) -> bool:
    """Whether the file system can be given ``text`` (a lone surrogate cannot)."""
    try:
        os.fsencode(text)
    except UnicodeError:
        return False
    return True


def trace_paths(path: str | os.PathLike[str]) -> list[str]:
    """The files a path stands for: itself, the files of a directory, or a glob's matches.

    A path that does not exist (and matches nothing) is returned as it is: reading it raises
    ``file not found`` with its name.  A glob that matches nothing raises
    :class:`~tracespec.errors.TraceFileNotFoundError`; a directory without files a
    :class:`~tracespec.errors.TraceLoadError`.
    """
    text = os.fspath(path)
    if not text or "\0" in text or not _encodable(text):
        raise TraceLoadError("not a path to a trace file", source=repr(text)[:200])
    p = Path(text)
    try:
        is_dir, exists = p.is_dir(), p.exists()
    except OSError as exc:  # a name too long for the file system, say
        raise TraceLoadError(f"cannot read: {exc.strerror or exc}", source=text[:200]) from None
    if is_dir:
        return _directory_files(p, text)
    if exists or not _MAGIC.intersection(text):
        return [text]
    import glob  # imported when a pattern is given

    matches = sorted(glob.glob(text, recursive=True))
    if not matches:
        raise TraceFileNotFoundError("no file matches this pattern", source=text)
    out: list[str] = []
    for match in matches:
        out.extend(_directory_files(Path(match), match) if os.path.isdir(match) else [match])
    return out


def _directory_files(directory: Path, text: str) -> list[str]:
    try:
        entries = sorted(e for e in os.listdir(directory) if not e.startswith("."))
    except OSError as exc:
        raise TraceLoadError(f"cannot read the directory: {exc.strerror or exc}",
                             source=text) from None
    files = [str(directory / e) for e in entries if (directory / e).is_file()]
    if not files:
        raise TraceLoadError("the directory holds no trace files", source=text)
    return files


def expand(source: Any) -> tuple[list[Part], str]:
    """The single sources ``source`` stands for, and a name for them all (for messages and
    :attr:`Trace.source`): the one source's name, or the first few names of a list."""
    parts: list[Part] = []
    names: list[str] = []
    seen: set[str] = set()
    _expand(source, parts, names, seen)
    if not parts:
        raise TraceLoadError("no trace sources given", source="<sources>")
    if len(names) <= _NAMED:
        return parts, ", ".join(names)
    return parts, ", ".join(names[:_NAMED]) + f", ... ({len(names)} sources)"


def _expand(source: Any, parts: list[Part], names: list[str], seen: set[str]) -> None:
    if isinstance(source, str | os.PathLike):
        names.append(os.fspath(source))
        for path in trace_paths(source):
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                parts.append(Part("data", path))
        return
    if isinstance(source, bytes | bytearray | memoryview) or _is_json(source):
        names.append("<bytes>" if not isinstance(source, dict | list) else "<json>")
        parts.append(Part("data", source))
        return
    if callable(getattr(source, "read", None)):
        names.append(str(getattr(source, "name", "<file>")))
        parts.append(Part("data", source))
        return
    if is_otel_span(source):  # one span among other sources
        names.append("<otel spans>")
        parts.append(Part("otel", [source]))
        return
    if not isinstance(source, Iterable):
        raise TypeError(
            "load_trace() takes a path, bytes, a binary file object, a parsed JSON object, "
            f"OpenTelemetry SDK spans, or a list of these, not {type(source).__name__}"
        )
    items = list(source)
    if items and all(is_otel_span(x) for x in items):
        names.append("<otel spans>")
        parts.append(Part("otel", items))
        return
    for item in items:
        _expand(item, parts, names, seen)


def otel_part(spans: Iterable[Any]) -> tuple[list[Part], str]:
    """SDK spans as the one source of a load (an empty iterable too: the loader says so)."""
    return [Part("otel", list(spans))], "<otel spans>"
