"""The wheel holds the package, its type marker and the grammars, and works once installed.

Builds the wheel with the installed hatchling (no network), installs it with ``--no-deps
--no-index`` into a fresh virtual environment and imports it from there, taking the
dependencies from this interpreter's site-packages.  A packaging slip (a grammar left out of
``force-include``, a missing ``py.typed``) fails here rather than on a user's machine.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contents_and_installed_import(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist),
         str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = dist.glob("tracespec-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"tracespec/__init__.py", "tracespec/py.typed", "tracespec/trace/views.py",
            "tracespec/formats/otlp_proto.py"} <= names
    grammars = sorted(p.name for p in (ROOT / "grammar").glob("*.lark"))
    assert grammars, "no grammar files in grammar/"
    for g in grammars:
        assert f"tracespec/grammar/{g}" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True,
    )
    # The grammars are read as the installed package's data (importlib.resources, not the
    # private tracespec._grammar), and both languages parse with them.
    check = (
        "import sys, tracespec\n"
        "from importlib import resources\n"
        f"assert tracespec.__file__.startswith({str(env_dir)!r}), tracespec.__file__\n"
        f"for g in {grammars!r}: assert resources.files('tracespec').joinpath('grammar', g)"
        ".read_text(encoding='utf-8').strip()\n"
        "tracespec.parse_selector('span[a=\"1\"]'); tracespec.parse_assertion('attr:a = 1')\n"
        f"t = tracespec.load_trace({str(ROOT / 'examples' / 'orders-trace.pb')!r})\n"
        "print(len(t), t.root.name)\n"
    )
    deps = os.pathsep.join(site.getsitepackages())
    out = subprocess.run(
        [str(python), "-c", check], check=True, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": deps}, cwd=tmp_path,
    )
    assert out.stdout.strip() == "9 POST /api/orders"
