"""The lowest supported set, ``constraints/lowest.txt``, pins every runtime dependency at its floor.

``.ci/run`` installs that set in a separate virtualenv and runs the suite with it, so a floor in
``pyproject.toml`` is a version the package is tested with, not a guess; this keeps the two
files saying the same thing.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_REQUIREMENT = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(.*)")


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _release(version: str) -> tuple[int | str, ...]:
    """``1.60.0`` → (1, 60); ``0.45b0`` → (0, 45, 'b0'): trailing zeros of the release dropped,
    a pre-release kept."""
    release, pre = re.fullmatch(r"([0-9][0-9.]*?)((?:a|b|rc)[0-9]+)?", version).groups()
    parts: list[int | str] = [int(p) for p in release.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return (*parts, pre) if pre else tuple(parts)


def _floors(requirements: list[str]) -> dict[str, str]:
    out = {}
    for requirement in requirements:
        m = _REQUIREMENT.fullmatch(requirement.strip())
        assert m, requirement
        floors = re.findall(r">=\s*([0-9][0-9.]*(?:(?:a|b|rc)[0-9]+)?)", m.group(2))
        assert len(floors) == 1, f"{requirement!r} has no single floor (>=)"
        out[_name(m.group(1))] = floors[0]
    return out


def _pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "constraints" / "lowest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            out[_name(name.strip())] = version.strip()
    return out


def test_every_runtime_dependency_is_pinned_at_its_floor() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    floors = _floors(project["dependencies"])
    pins = _pins()
    assert set(floors) <= set(pins), f"not in constraints/lowest.txt: {set(floors) - set(pins)}"
    for name, floor in floors.items():
        assert _release(pins[name]) == _release(floor), (name, floor, pins[name])


def test_the_other_pins_are_test_dependencies_at_their_floor() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _floors(project["dependencies"])
    tests = _floors([r for r in project["optional-dependencies"]["test"] if ">=" in r])
    for name, version in _pins().items():
        if name not in runtime:
            assert name in tests, f"{name} is neither a runtime nor a test dependency"
            assert _release(version) == _release(tests[name]), (name, version, tests[name])


def test_the_build_requires_the_runtime_lark() -> None:
    """The wheel's prebuilt parsers are made with the build's lark; both floors must agree."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build = _floors([r for r in data["build-system"]["requires"] if r.startswith("lark")])
    assert build == {"lark": _floors(data["project"]["dependencies"])["lark"]}


def test_the_extras_are_pinned_at_their_floor_and_tested() -> None:
    """Each optional extra (``grpc``) is in the lowest set at its floor, and in the test extra
    with the same floor, so CI runs the code that needs it at both ends."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = {k: v for k, v in project["optional-dependencies"].items() if k != "test"}
    assert extras, "no extras"
    tests = _floors([r for r in project["optional-dependencies"]["test"] if ">=" in r])
    pins = _pins()
    for name, requirements in extras.items():
        for package, floor in _floors(requirements).items():
            assert package in pins, f"{package} (extra {name}) is not in constraints/lowest.txt"
            assert _release(pins[package]) == _release(floor), (package, floor, pins[package])
            assert tests.get(package) == floor, f"{package} (extra {name}) not tested at {floor}"
