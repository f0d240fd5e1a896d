"""One ``__repr__`` for the attrs value classes, written once instead of generated per class.

attrs writes the source of each class's ``__repr__`` and compiles it when the class is
created: about a third of what creating a frozen class costs, paid at import for every class
a process imports (some 70 in a ``tracespec run``).  A class declared
``@attrs.frozen(repr=False)`` with :class:`FieldsRepr` as a base prints as attrs would have
printed it, ``Name(field=value, ...)`` over the fields declared with ``repr=True`` (a field's
``repr`` callable, when it has one, formats its value; a value met again inside itself prints
``...``), and costs nothing to create.
"""

from __future__ import annotations

import threading
from typing import Any

import attrs

__all__ = ["FieldsRepr"]

_printing = threading.local()  # .ids: the values being printed on this thread


class FieldsRepr:
    """``__repr__`` from the class's attrs fields, as attrs' own."""

    __slots__ = ()

    def __repr__(self) -> str:
        ids: set[int] | None = getattr(_printing, "ids", None)
        if ids is None:
            ids = _printing.ids = set()
        if id(self) in ids:
            return "..."
        ids.add(id(self))
        try:
            parts = []
            for a in attrs.fields(type(self)):  # type: ignore[arg-type]
                if a.repr is False:
                    continue
                value: Any = getattr(self, a.name, attrs.NOTHING)
                text = a.repr(value) if callable(a.repr) else repr(value)
                parts.append(f"{a.name}={text}")
            return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({', '.join(parts)})"
        finally:
            ids.discard(id(self))
