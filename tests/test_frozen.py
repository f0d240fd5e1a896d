"""``FieldsRepr`` prints a value exactly as the ``__repr__`` attrs would have generated for it.

Each value reached from real selectors, assertions, test files and a test run is printed both
ways: by its class (``FieldsRepr``) and by a twin class that attrs builds with the same fields
and its own generated ``__repr__``.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import attrs
import pytest

import tracespec
from tracespec._frozen import FieldsRepr
from tracespec.assertions.parser import parse_assertion
from tracespec.selectors import compile_selector, parse_selector
from tracespec.testfiles import load_test, run_test

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _attrs_repr(value: Any) -> str:
    """``repr(value)`` as attrs generates it for a class of ``value``'s fields and name."""
    cls = type(value)
    fields = attrs.fields(cls)
    twin = attrs.make_class(
        cls.__name__,
        {a.name: attrs.field(repr=a.repr, alias=a.alias, init=a.init, default=None)
         for a in fields},
        repr=True, eq=False, slots=True,
    )
    twin.__qualname__ = cls.__qualname__
    obj = twin(**{a.alias: getattr(value, a.name) for a in fields if a.init})
    for a in fields:
        if not a.init:
            object.__setattr__(obj, a.name, getattr(value, a.name))
    return repr(obj)


def _values(root: Any) -> list[Any]:
    """Every attrs value reachable from ``root`` through fields, tuples, lists and dicts."""
    seen: dict[int, Any] = {}
    stack = [root]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        if attrs.has(type(v)):
            seen[id(v)] = v
            stack.extend(getattr(v, a.name) for a in attrs.fields(type(v)))
        elif isinstance(v, tuple | list | frozenset | set):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return list(seen.values())


def _samples() -> list[Any]:
    roots: list[Any] = [
        parse_selector('span[tracetest.span.type="http" name=~"a.*"]:nth_child(2) > '
                       'span[x >= 2.5]:first, span[name="x"]:last'),
        compile_selector('span[service.name="api"] span[tracetest.span.type="database"]').plan,
        parse_assertion("attr:a + 2 * 3 = json(attr:b) | json_path '$.x' | count"),
        parse_assertion('attr:name contains "x\\"y"'),
        parse_assertion("attr:tracetest.span.duration < 1h"),
    ]
    for path in sorted(EXAMPLES.glob("*.yaml")):
        try:
            roots.append(load_test(path))
        except tracespec.TracespecError:
            continue  # (a suite or a variable set: not a test)
    test = load_test(EXAMPLES / "orders-pass.yaml")
    roots.append(run_test(test, EXAMPLES / "orders-trace.json"))
    return [v for root in roots for v in _values(root)]


SAMPLES = _samples()


def test_the_samples_reach_many_classes() -> None:
    classes = {type(v) for v in SAMPLES if isinstance(v, FieldsRepr)}
    assert len(classes) >= 25, sorted(c.__name__ for c in classes)


@pytest.mark.parametrize("value", [v for v in SAMPLES if isinstance(v, FieldsRepr)],
                         ids=lambda v: type(v).__name__)
def test_repr_is_attrs_repr(value: Any) -> None:
    assert repr(value) == _attrs_repr(value)


def test_every_fieldsrepr_class_has_attrs_generate_no_repr() -> None:
    """A class with the shared ``__repr__`` does not also get a generated one (which would
    cost its creation again and hide this one)."""
    for info in pkgutil.walk_packages(tracespec.__path__, "tracespec."):
        if info.name.split(".")[1] in ("pytest_plugin", "ui", "clickhouse"):
            continue  # (optional dependencies)
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, FieldsRepr) and attrs.has(obj):
                assert obj.__repr__ is FieldsRepr.__repr__, obj


def test_custom_field_repr_and_recursion() -> None:
    @attrs.define(repr=False)
    class Box(FieldsRepr):
        secret: str = attrs.field(repr=lambda s: "***")
        items: list[Any] = attrs.Factory(list)
        hidden: int = attrs.field(default=0, repr=False)

    box = Box("pw")
    box.items.append(box)
    assert repr(box) == "Box(secret=***, items=[...])"  # (attrs prints the same)
    box.items.clear()
    assert repr(box) == _attrs_repr(box) == "Box(secret=***, items=[])"
