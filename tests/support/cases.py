"""The one loader of the case files under ``tests/cases/`` (``tests/cases/README.md`` says what
each family of files holds).

``load(name)`` is the parsed JSON of ``tests/cases/<name>``; the functions below it list one
family's cases with the ids the tests are parametrised with.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CASES = Path(__file__).resolve().parents[1] / "cases"


def load(name: str) -> Any:
    """The JSON document ``tests/cases/<name>``, e.g. ``load("select/values.json")``."""
    return json.loads((CASES / name).read_text(encoding="utf-8"))


def cases(name: str) -> list[dict[str, Any]]:
    """The ``cases`` list of a ``{"description", "cases": [...]}`` file."""
    found: list[dict[str, Any]] = load(name)["cases"]
    return found


def selector_cases() -> list[tuple[str, str, int, dict[str, Any]]]:
    """``(id, file name, group index, case)`` of every case of ``select/*.json``; the id is
    ``<file stem>-<group>-<case>``."""
    out = []
    for path in sorted((CASES / "select").glob("*.json")):
        for g, group in enumerate(load(f"select/{path.name}")):
            for c, case in enumerate(group["cases"]):
                out.append((f"{path.stem}-{g}-{c}", path.name, g, case))
    return out


def selector_given(name: str, group: int) -> dict[str, Any]:
    """The span tree a group of ``select/<name>`` runs on."""
    given: dict[str, Any] = load(f"select/{name}")[group]["given"]
    return given


def assertion_cases(name: str) -> list[tuple[str, dict[str, Any]]]:
    """``(id, case)`` of every case of ``assertions/<name>``; the id is ``<name>:<index>:`` and
    the case's name, else its assertion or expression."""
    return [(f"{name}:{i}:{c.get('name', c.get('assertion', c.get('expression', '')))}", c)
            for i, c in enumerate(cases(f"assertions/{name}"))]


def lines(name: str) -> list[str]:
    """The lines of a one-per-line file such as ``identity_selectors.txt``, without blank lines
    and ``#`` comments."""
    text = (CASES / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]
