"""``tracespec run -f DIR``: every Test and TestSuite file below a directory, as Tracetest's CLI.

Tracetest's CLI walks a ``-f`` directory recursively (``fileutil.ReadDirFileNames``: each
directory's entries in name order, subdirectories where their names come, symbolic links to
directories not followed) and picks the files by their top-level ``type:`` line.  tracespec does
the same, for ``.yaml``/``.yml`` files whose type is Test or TestSuite, leaving out hidden
entries; what the run prints is checked against running the files named one by one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.test_run import EXAMPLES, FAILING, PASSING, TRACE, run_cli, write
from tracespec.cli.run import expand_files

SUITE = """
    type: TestSuite
    spec:
      name: Two steps
      steps: [./b.yaml, ./b/c.yaml]
    """
LEGACY_SUITE = """
    type: Transaction
    spec:
      name: A transaction
      steps: [./b.yaml]
    """
VARS = """
    type: VariableSet
    spec:
      name: vars
      values: [{key: A, value: "1"}]
    """


def _tree(root: Path) -> dict[str, str]:
    """A folder of tests and of files that are not: name -> path, for the runnable ones."""
    files = {
        "a.yaml": write(root, "a.yaml", FAILING),
        "b/c.yaml": write(root, "b/c.yaml", PASSING),
        "b/d/e.yml": write(root, "b/d/e.yml", FAILING.replace("Failing", "Deep")),
        "b.yaml": write(root, "b.yaml", PASSING.replace("All spans", "B")),
        "suite.YAML": write(root, "suite.YAML", SUITE),
        "x-legacy.yaml": write(root, "x-legacy.yaml", LEGACY_SUITE),
    }
    write(root, "vars.yaml", VARS)  # a VariableSet: not run
    write(root, "compose.yaml", "services:\n  api: {image: api}\n")  # no type: not ours
    write(root, "helm.yaml", "type: {{ .Values.x }}\n  - [ : broken\n")  # no resource, no YAML
    write(root, "notes.txt", PASSING)  # not a YAML file name
    write(root, ".hidden/h.yaml", PASSING)  # hidden
    write(root, ".h.yaml", PASSING)
    write(root, "nested-type.yaml", "spec:\n  type: Test\n")  # not a top-level type
    return files


def test_a_directory_is_its_test_files_in_tracetests_order(tmp_path: Path) -> None:
    root = tmp_path / "tests"
    files = _tree(root)
    # Go's os.ReadDir order: "a.yaml" < "b" < "b.yaml" < "suite.YAML" < "x-legacy.yaml"
    order = ["a.yaml", "b/c.yaml", "b/d/e.yml", "b.yaml", "suite.YAML", "x-legacy.yaml"]
    assert expand_files([str(root)]) == [files[name] for name in order]
    assert [os.path.relpath(p, root) for p in expand_files([str(root) + os.sep])] == [
        os.path.normpath(name) for name in order
    ]


def test_a_directory_runs_as_its_files_named_one_by_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "tests"
    files = _tree(root)
    code, out, err = run_cli(capsys, "run", "-f", str(root), "--trace", TRACE, "-o", "json")
    named = [a for f in expand_files([str(root)]) for a in ("-f", f)]
    assert len(named) == 2 * len(files)
    expected = run_cli(capsys, "run", *named, "--trace", TRACE, "-o", "json")
    assert (code, out, err) == expected
    assert code == 2  # a.yaml and b/d/e.yml fail
    docs = json.loads(out)
    assert [d.get("test", d.get("suite"))["name"] for d in docs] == [
        "Failing", "All spans", "Deep", "B", "Two steps", "A transaction"
    ]


def test_directories_and_files_mix_in_the_order_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "tests"
    files = _tree(root)
    one = write(tmp_path, "one.yaml", PASSING.replace("All spans", "One"))
    assert expand_files([one, str(root / "b"), one]) == [
        one, files["b/c.yaml"], files["b/d/e.yml"], one
    ]
    code, out, _ = run_cli(capsys, "run", "-f", one, "-f", str(root / "b"), "--trace", TRACE,
                           "--no-color")
    assert code == 2
    firsts = [line for line in out.splitlines() if not line.startswith("\t")]
    assert [line.split(" (")[0] for line in firsts] == ["✔ One", "✔ All spans", "✘ Deep"]


def test_a_broken_test_file_in_a_directory_stops_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "tests"
    _tree(root)
    broken = write(root, "b/broken.yaml", "type: Test\nspec:\n  specs: [\n")
    code, out, err = run_cli(capsys, "run", "-f", str(root), "--trace", TRACE)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {broken}:") and err.count("\n") == 1


def test_a_directory_without_tests_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    write(empty, "vars.yaml", VARS)
    code, out, err = run_cli(capsys, "run", "-f", str(empty), "--trace", TRACE)
    assert (code, out) == (1, "")
    assert err == f"error: {empty}: no Test or TestSuite file in the directory (*.yaml, *.yml)\n"
    code, _, err = run_cli(capsys, "run", "-f", str(tmp_path / "missing"), "--trace", TRACE)
    assert code == 3 and "file not found" in err


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_link_to_a_directory_is_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "tests"
    files = _tree(root)
    (root / "b" / "loop").symlink_to(root, target_is_directory=True)  # would never end
    (root / "link.yaml").symlink_to(root / "b.yaml")  # a link to a file is that file
    found = expand_files([str(root)])
    assert found.count(files["b.yaml"]) == 1
    assert str(root / "link.yaml") in found
    assert not any("loop" in p for p in found)


def test_the_bundled_examples_folder(capsys: pytest.CaptureFixture[str]) -> None:
    """examples/ holds tests, a suite, its steps, a VariableSet and traces: the tests run."""
    found = [os.path.relpath(p, EXAMPLES) for p in expand_files([str(EXAMPLES)])]
    live = [os.path.join("live", name) for name in (
        "order-fail.yaml", "order-pass.yaml", "order-suite.yaml",
        os.path.join("suite", "place.yaml"), os.path.join("suite", "read-back.yaml"))]
    assert found == [*live, "orders-fail.yaml", "orders-pass.yaml", "orders-suite.yaml",
                     "orders-traceid.yaml", os.path.join("suite", "create-order.yaml"),
                     os.path.join("suite", "process-order.yaml")]
