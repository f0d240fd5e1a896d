"""JSONPath in the dialect of ojg (the Go library Tracetest uses), on python-jsonpath.

python-jsonpath already reads what Tracetest users write: ``$.a``, ``.a`` and ``a`` (the root
``$`` is optional), ``$..c``, ``$[*].id``, ``['a','b']`` unions, ``[?(@.name == "john")]``
filters, and rejects a single ``=`` in a filter, as ojg does (the error here then says to write
``==``).  This module compiles a query once (cached) and renders results the way tracespec
decided (README, fixed bug 6): strings bare, numbers as JSON numbers, booleans ``true``/``false``,
null as the empty text, objects and arrays as compact JSON text, so a further ``json_path`` can
read them.  The plainest paths (``$.a.b[0]``: names and indexes after a ``$``) are read here and
walked directly, the library compiling them only if a walk is not sure; importing the library
costs ~20-30 ms, which most runs then never pay.
"""

from __future__ import annotations

import functools
import re
from typing import Any, cast

import orjson

from ..trace.attrvalue import text_form

__all__ = ["JSONPathError", "compile_path", "query", "render"]


class JSONPathError(ValueError):
    """A query that does not compile (the message says where)."""


_FALLBACK = object()

# ``$`` then ``.name`` or ``[index]`` steps, ASCII names, indexes below 2**53 without a leading
# zero: the library reads each such path as these same child segments (tests/assertions/
# test_json_path.py checks it on generated paths), so it need not be asked.
_PLAIN = re.compile(r"\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[(?:0|[1-9][0-9]{0,14})\])+")
_PLAIN_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]")


class _Path:
    """A compiled query, with a direct walk for the common simple paths (``$.a.b[0]``): only
    single names and indexes.  Anything the walk is not sure about goes to the library."""

    __slots__ = ("_compiled", "steps", "text")

    def __init__(self, text: str, compiled: Any, steps: tuple[str | int, ...] | None) -> None:
        self.text = text
        self._compiled = compiled
        self.steps = steps

    @property
    def compiled(self) -> Any:
        """The library's compiled query (compiled now if the path was read here)."""
        if self._compiled is None:
            import jsonpath

            self._compiled = jsonpath.compile(self.text)
        return self._compiled

    def findall(self, document: Any) -> list[Any]:
        """Every value the query selects in ``document``; :class:`JSONPathError` if it fails."""
        if self.steps is not None:
            found = _walk(self.steps, document)
            if found is not _FALLBACK:
                return cast("list[Any]", found)
        import jsonpath

        try:
            return list(self.compiled.findall(document))
        except jsonpath.JSONPathError as exc:
            raise JSONPathError(_message(exc, self.text)) from None


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _message(exc: Exception, text: str) -> str:
    """What a library error says, with a hint for a single ``=`` in a filter (``==``)."""
    message = _first_line(exc)
    index = getattr(getattr(exc, "token", None), "index", None)
    if isinstance(index, int) and _single_equals_in_filter(text, index):
        return f"{message} (column {index + 1} of the path): a filter compares with '==', not '='"
    return message


def _single_equals_in_filter(text: str, index: int) -> bool:
    """Whether ``text[index]`` is an ``=`` standing alone (not ``==``, ``!=``, ``<=``, ``>=``,
    ``=~``) inside a ``[?...]`` filter, outside quotes."""
    if not (0 <= index < len(text)) or text[index] != "=":
        return False
    before, after = text[index - 1 : index], text[index + 1 : index + 2]
    if before in ("=", "!", "<", ">") or after in ("=", "~"):
        return False
    depth_filters: list[bool] = []  # the open brackets, True for a filter's
    quote = ""
    i = 0
    while i < index:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "[":
            depth_filters.append(text[i + 1 : i + 2] == "?")
        elif c == "]" and depth_filters:
            depth_filters.pop()
        i += 1
    return not quote and any(depth_filters)


def _plain_steps(text: str) -> tuple[str | int, ...] | None:
    """The steps of a plain path (see ``_PLAIN``), read without the library; else ``None``."""
    if _PLAIN.fullmatch(text) is None:
        return None
    return tuple(name or int(index) for name, index in _PLAIN_STEP.findall(text))


def _simple_steps(compiled: Any) -> tuple[str | int, ...] | None:
    import jsonpath
    from jsonpath.segments import JSONPathChildSegment
    from jsonpath.selectors import IndexSelector, NameSelector

    steps: list[str | int] = []
    for segment in getattr(compiled, "segments", None) or ():
        if type(segment) is not JSONPathChildSegment or len(segment.selectors) != 1:
            return None
        selector = segment.selectors[0]
        if type(selector) is NameSelector:
            steps.append(selector.name)
        elif type(selector) is IndexSelector:
            steps.append(selector.index)
        else:
            return None
    if not steps or type(compiled) is not jsonpath.JSONPath:
        return None
    return tuple(steps)


def _walk(steps: tuple[str | int, ...], document: Any) -> list[Any] | object:
    node = document
    for step in steps:
        if isinstance(step, str):
            if type(node) is not dict:
                return _FALLBACK
            if step not in node:
                return []
            node = node[step]
        else:
            if type(node) is not list:
                return _FALLBACK
            i = step if step >= 0 else len(node) + step
            if not 0 <= i < len(node):
                return []
            node = node[i]
    return [node]


@functools.lru_cache(maxsize=1024)
def compile_path(text: str) -> _Path:
    """The compiled query (cached per text); :class:`JSONPathError` when it is invalid."""
    steps = _plain_steps(text)
    if steps is not None:
        return _Path(text, None, steps)
    import jsonpath

    try:
        compiled = jsonpath.compile(text)
        return _Path(text, compiled, _simple_steps(compiled))
    except jsonpath.JSONPathError as exc:
        raise JSONPathError(_message(exc, text)) from None
    except (ValueError, TypeError, RecursionError) as exc:  # pragma: no cover - defensive
        raise JSONPathError(str(exc)) from None


def query(path: _Path, document: Any) -> list[Any]:
    """Every value the compiled ``path`` selects in ``document``, in document order."""
    return path.findall(document)


def render(value: Any) -> str:
    """The text of one result (see the module docstring)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return text_form(value)
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # big ints orjson cannot write
        import json

        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
