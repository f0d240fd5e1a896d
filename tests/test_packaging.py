"""The wheel holds the package, its type marker, the grammars and their prebuilt parsers, and
works once installed.

Builds the sdist and, from it, the wheel with the installed hatchling (no network), as pip does
from a source archive; installs the wheel with ``--no-deps --no-index`` into a fresh virtual
environment and imports it from there, taking the dependencies from this interpreter's
site-packages.  A packaging slip (a grammar left out of ``force-include``, a missing
``py.typed``, the build hook left out of the sdist, a prebuilt parser the installed package
does not use) fails here rather than on a user's machine.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

from tracespec import _grammar

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contents_and_installed_import(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True, capture_output=True,
    )
    (sdist,) = dist.glob("tracespec-*.tar.gz")
    with tarfile.open(sdist) as archive:
        assert "tracespec-0.1.0/hatch_build.py" in archive.getnames()
    (wheel,) = dist.glob("tracespec-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"tracespec/__init__.py", "tracespec/py.typed", "tracespec/trace/views.py",
            "tracespec/formats/otlp_proto.py"} <= names
    grammars = sorted(p.name for p in (ROOT / "grammar").glob("*.lark"))
    assert grammars, "no grammar files in grammar/"
    for g in grammars:
        assert f"tracespec/grammar/{g}" in names
    # The parsers, saved at build time (hatch_build.py) for this lark.
    prebuilt = sorted(_grammar.cache_file_name(*entry) for entry in _grammar.PREBUILT)
    for p in prebuilt:
        assert f"tracespec/grammar/{p}" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True,
    )
    # The grammars are read as the installed package's data (importlib.resources, not the
    # private tracespec._grammar), and both languages parse with the prebuilt parsers: lark's
    # grammar analysis is made to fail, and nothing is written to the (empty) user cache or
    # into the installed package.
    cache = tmp_path / "user-cache"
    check = (
        "import sys, tracespec, lark.lark\n"
        "from importlib import resources\n"
        f"assert tracespec.__file__.startswith({str(env_dir)!r}), tracespec.__file__\n"
        f"for g in {grammars!r}: assert resources.files('tracespec').joinpath('grammar', g)"
        ".read_text(encoding='utf-8').strip()\n"
        "def analyse(*a, **k): raise AssertionError('a grammar was analysed at run time')\n"
        "lark.lark.load_grammar = analyse\n"
        "tracespec.parse_selector('span[a=\"1\"]'); tracespec.parse_assertion('attr:a = 1')\n"
        "tracespec.parse_expression('\"${attr:a}\"')\n"
        f"t = tracespec.load_trace({str(ROOT / 'examples' / 'orders-trace.pb')!r})\n"
        "print(len(t), t.root.name)\n"
    )
    deps = os.pathsep.join(site.getsitepackages())
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    installed = Path(purelib) / "tracespec" / "grammar"
    before = {p.name: p.stat().st_mtime_ns for p in installed.iterdir()}
    out = subprocess.run(
        [str(python), "-c", check], check=True, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": deps, _grammar.CACHE_DIR_VARIABLE: str(cache)},
        cwd=tmp_path,
    )
    assert out.stdout.strip() == "9 POST /api/orders"
    assert not cache.exists()
    assert {p.name: p.stat().st_mtime_ns for p in installed.iterdir()} == before
    assert sorted(before) == sorted(grammars + prebuilt)
    # pytest finds the plugin by its entry point: a test uses trace_capture with no -p option
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]\ntracespec.pytest_plugin = tracespec.pytest_plugin" in text
    (tmp_path / "test_plugin.py").write_text(
        "import tracespec.pytest_plugin\n"
        "from opentelemetry import trace\n"
        "def test_capture(trace_capture):\n"
        f"    assert tracespec.pytest_plugin.__file__.startswith({str(env_dir)!r})\n"
        "    with trace.get_tracer('t').start_as_current_span('x'):\n"
        "        pass\n"
        "    assert trace_capture.trace().root.name == 'x'\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-q", "test_plugin.py"],
        capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": deps, _grammar.CACHE_DIR_VARIABLE: str(cache)},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
