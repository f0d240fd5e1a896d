"""JSONPath in the dialect of ojg (the Go library Tracetest uses), on python-jsonpath.

python-jsonpath already reads what Tracetest users write: ``$.a``, ``.a`` and ``a`` (the root
``$`` is optional), ``$..c``, ``$[*].id``, ``['a','b']`` unions, ``[?(@.name == "john")]``
filters, and rejects a single ``=`` in a filter, as ojg does.  This module compiles a query once
(cached) and renders results the way tracespec decided (README, fixed bug 6): strings bare,
numbers as JSON numbers, booleans ``true``/``false``, null as the empty text, objects and arrays
as compact JSON text, so a further ``json_path`` can read them.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonpath
import orjson

from ..attrvalue import text_form

__all__ = ["JSONPathError", "compile_path", "query", "render"]


class JSONPathError(ValueError):
    """A query that does not compile (the message says where)."""


@functools.lru_cache(maxsize=1024)
def compile_path(text: str) -> Any:
    """The compiled query (cached per text); :class:`JSONPathError` when it is invalid."""
    try:
        return jsonpath.compile(text)
    except jsonpath.JSONPathError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise JSONPathError(first) from None
    except (ValueError, TypeError, RecursionError) as exc:  # pragma: no cover - defensive
        raise JSONPathError(str(exc)) from None


def query(path: Any, document: Any) -> list[Any]:
    """Every value the compiled ``path`` selects in ``document``, in document order."""
    return list(path.findall(document))


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
