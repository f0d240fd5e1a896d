"""Hatch build hook: the wheel ships its parsers prebuilt, so no process analyses a grammar.

For a wheel (not an editable install: that one reads the source tree and keeps its parsers in
the user's cache directory), this runs ``tracespec._grammar.prebuild`` from this source tree in
a fresh interpreter and force-includes the files it saves as ``tracespec/grammar/``, next to the
grammars.  The build environment needs lark (``[build-system] requires``); a build that cannot
save the parsers fails, rather than shipping a wheel that analyses its grammars at run time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# Run in a fresh interpreter so that the tracespec imported is this source tree's, whatever is
# installed in the build environment.
_PREBUILD = """\
import sys
src, out = sys.argv[1:]
sys.path.insert(0, src)
from tracespec import _grammar
assert _grammar.__file__.startswith(src), _grammar.__file__
for path in _grammar.prebuild(out):
    print(path)
"""


class PrebuiltParsersHook(BuildHookInterface):  # type: ignore[type-arg]
    """Saves the LALR parsers of ``grammar/`` into the wheel."""

    PLUGIN_NAME = "custom"
    _folder: str | None = None  # where the parsers wait for the wheel

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Save the parsers into a temporary folder and add them to the wheel."""
        if self.target_name != "wheel" or version == "editable":
            return
        self._folder = tempfile.mkdtemp(prefix="tracespec-parsers-")
        src = str(Path(self.root, "src").resolve())
        proc = subprocess.run(
            [sys.executable, "-c", _PREBUILD, src, self._folder],
            capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        if proc.returncode != 0:
            raise RuntimeError(f"could not prebuild tracespec's parsers:\n{proc.stderr}")
        for line in proc.stdout.splitlines():
            path = Path(line)
            build_data["force_include"][str(path)] = f"tracespec/grammar/{path.name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary folder once the wheel holds the files."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
