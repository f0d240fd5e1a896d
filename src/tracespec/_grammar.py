"""Lark parsers for tracespec's languages, and the one place lark errors become ours.

Grammars live in the top-level ``grammar/`` folder of the source tree and are shipped inside the
wheel as ``tracespec/grammar/`` (hatch force-include).  :func:`grammar_text` finds them either
way.  Parsers are LALR with a contextual lexer and positions, obtained lazily once per grammar,
and a process does not analyse a grammar to get one: the wheel ships the parsers the languages
use (:data:`PREBUILT`), saved by ``hatch_build.py`` with :func:`prebuild` (``Lark.save``); a
source checkout or an editable install analyses each grammar once and keeps the result in the
user's cache directory (:func:`cache_dir`).  A saved parser is named by a digest of its grammar,
options and lark version, so one that does not fit is never read, and it is read as plain data
(no pickled object is constructed); one that cannot be read is built again, and when nothing can
be saved the parser lives in memory only.
:func:`translate_error` turns any ``lark.exceptions.LarkError`` into a :class:`ParseError` with
a position inside the text and a readable list of what was expected; no lark type escapes it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import lark
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from .errors import ParseError, TracespecError

__all__ = [
    "PREBUILT",
    "Label",
    "cache_dir",
    "cache_file_name",
    "grammar_text",
    "parse_with",
    "parser",
    "prebuild",
    "translate_error",
]

# A label turns a recognised mistake into a friendlier message, optionally with its own
# (start, end) span; ``None`` means "not recognised, use the generic message".
Label = Callable[[UnexpectedInput, str], "str | tuple[str, tuple[int, int]] | None"]

_SOURCE_GRAMMAR_DIR = Path(__file__).resolve().parent.parent.parent / "grammar"

#: The parsers the two languages ask for, as (grammar, start rules, with an inline transformer):
#: the wheel ships these prebuilt.  A parser asked for that is not here still works (it is cached
#: like in a source checkout); tests/test_grammar.py checks the languages ask for no other.
PREBUILT: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("selector.lark", ("start",), True),
    ("assertion.lark", ("assertion", "expression"), False),
)

#: Names the user cache directory instead of the platform's (for read-only homes and tests).
CACHE_DIR_VARIABLE = "TRACESPEC_CACHE_DIR"
_CACHE_SUFFIX = ".lark-parser"
_CACHE_FORMAT = "tracespec-lark-parser-1"  # bump if what a saved parser holds changes


def grammar_text(name: str) -> str:
    """The text of ``grammar/<name>``, from the installed package or the source tree."""
    try:
        ref = resources.files("tracespec").joinpath("grammar", name)
        if ref.is_file():
            return ref.read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, NotADirectoryError):  # pragma: no cover
        pass
    path = _SOURCE_GRAMMAR_DIR / name
    if path.is_file():
        return path.read_text(encoding="utf-8")
    raise FileNotFoundError(  # pragma: no cover - a packaging slip, caught by test_packaging
        f"tracespec grammar {name!r} is missing from the installation"
    )


def _options(starts: tuple[str, ...], inline: bool) -> dict[str, Any]:
    """Lark's options for a parser, except the transformer (given when it is loaded)."""
    return {
        "parser": "lalr",
        "lexer": "contextual",
        "start": list(starts),
        "propagate_positions": not inline,
        "maybe_placeholders": False,
    }


def cache_file_name(name: str, starts: tuple[str, ...], inline: bool) -> str:
    """The file name of a saved parser: the grammar's stem and a digest of everything the saved
    tables depend on (the grammar text, lark's options and lark's version), so a file saved for
    another grammar or another lark is never read, only left alone."""
    return _file_name(name, grammar_text(name), starts, inline)


def _file_name(name: str, text: str, starts: tuple[str, ...], inline: bool) -> str:
    digest = hashlib.sha256()
    for part in (_CACHE_FORMAT, text, repr(sorted(_options(starts, inline).items())),
                 lark.__version__):
        digest.update(part.encode("utf-8") + b"\0")
    return f"{Path(name).stem}-{digest.hexdigest()[:24]}{_CACHE_SUFFIX}"


def cache_dir() -> Path | None:
    """Where a source checkout or an editable install keeps its parsers: ``$TRACESPEC_CACHE_DIR``,
    else the platform's user cache directory (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux,
    ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows) + ``tracespec``; ``None`` when
    there is no home to find it in."""
    chosen = os.environ.get(CACHE_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    try:
        if sys.platform == "win32":
            base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        elif sys.platform == "darwin":
            base = Path.home() / "Library" / "Caches"
        else:
            xdg = os.environ.get("XDG_CACHE_HOME")
            base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    except RuntimeError:  # no home directory
        return None
    return base / "tracespec"


def _shipped(file_name: str) -> Path | None:
    """The prebuilt parser inside the installed package, if the wheel holds this one."""
    with contextlib.suppress(OSError, ModuleNotFoundError, NotADirectoryError):
        ref = resources.files("tracespec").joinpath("grammar", file_name)
        if isinstance(ref, Path) and ref.is_file():
            return ref
    return None


class _DataOnly(pickle.Unpickler):
    """Unpickles plain data only, which is all ``Lark.save`` writes: whatever a saved parser's
    file holds, reading it cannot construct an object or run code."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"a saved parser holds data only, not {module}.{name}")


def _load(path: Path, transformer: lark.Transformer[Any, Any] | None) -> lark.Lark | None:
    """The parser saved in ``path`` with ``transformer`` attached, or ``None`` when there is none
    to read or it cannot be read (then the caller builds it).  This is what ``Lark.load`` does,
    with the one load-time option tracespec needs, as lark's own ``cache=`` loads its files."""
    try:
        with path.open("rb") as f:
            saved = _DataOnly(f).load()
        if not isinstance(saved, dict):
            return None
        return lark.Lark.__new__(lark.Lark)._load(saved, transformer=transformer)
    except FileNotFoundError:
        return None
    except Exception:  # a truncated file, an unknown pickle protocol: never a reason to fail
        return None


def _save(built: lark.Lark, folder: Path, file_name: str) -> None:
    """Save ``built`` as ``folder/file_name`` (written aside, then moved in place, so no process
    reads a half-written file).  A cache that cannot be written is no error: nothing is kept."""
    aside = folder / f".{file_name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with aside.open("wb") as f:
            built.save(f, exclude_options=("transformer",))
        os.replace(aside, folder / file_name)
    except Exception:  # a read-only or full disk, a path that is a file: build again next time
        with contextlib.suppress(OSError):
            aside.unlink()


@functools.cache
def parser(
    name: str,
    start: str | tuple[str, ...] = "start",
    transformer: lark.Transformer[Any, Any] | None = None,
) -> lark.Lark:
    """The LALR parser of ``grammar/<name>`` (obtained once, then shared; parsers are reentrant).

    Without ``transformer`` it builds parse trees with positions (``meta``).  With one (a
    long-lived, stateless instance), lark calls it on every reduction instead of building a
    tree, which is about twice as fast; positions then come from the tokens it keeps.
    Exceptions the transformer raises come out of :func:`parse_with` unchanged.

    The tables come from the wheel's prebuilt file when it holds one for this grammar and this
    lark, else from the user cache (:func:`cache_dir`), else lark analyses the grammar and the
    result is saved there for the next process.  Nothing is ever written inside the package.
    """
    starts = (start,) if isinstance(start, str) else tuple(start)
    inline = transformer is not None
    text = grammar_text(name)
    file_name = _file_name(name, text, starts, inline)
    shipped = _shipped(file_name)
    if shipped is not None:
        loaded = _load(shipped, transformer)
        if loaded is not None:
            return loaded
    folder = cache_dir()
    if folder is not None:
        loaded = _load(folder / file_name, transformer)
        if loaded is not None:
            return loaded
    built = lark.Lark(text, **_options(starts, inline), transformer=transformer)
    if folder is not None:
        _save(built, folder, file_name)
    return built


def prebuild(directory: str | os.PathLike[str]) -> list[Path]:
    """Save every :data:`PREBUILT` parser into ``directory`` and return the files.

    ``hatch_build.py`` calls this at build time and ships the files as ``tracespec/grammar/``.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, starts, inline in PREBUILT:
        text = grammar_text(name)
        path = out / _file_name(name, text, starts, inline)
        with path.open("wb") as f:
            lark.Lark(text, **_options(starts, inline)).save(f, exclude_options=("transformer",))
        written.append(path)
    return written


def _describe(names: Iterable[str], display: Mapping[str, str]) -> tuple[str, ...]:
    shown = {display.get(n, n) for n in names if not n.startswith("_") or n in display}
    shown.discard("")
    return tuple(sorted(shown))


def _found(exc: UnexpectedInput, text: str, display: Mapping[str, str]) -> str:
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            return "end of input"
        shown = display.get(tok.type)
        if shown is None or shown == repr(str(tok)):
            return repr(str(tok))
        return f"{shown} {str(tok)!r}"
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        if pos is not None and 0 <= pos < len(text):
            return repr(text[pos])
        return "end of input"
    return "end of input"


def translate_error(
    exc: BaseException,
    text: str,
    *,
    language: str,
    display: Mapping[str, str],
    label: Label | None = None,
) -> ParseError:
    """Turn a lark error raised while parsing ``text`` into a :class:`ParseError`.

    ``display`` maps terminal names to what a person should read ("']'", "attribute name").
    ``label`` may return a friendlier message for a recognised mistake (lark's match_examples
    idea), alone or with the span it is about; otherwise the message is "expected X; got Y".
    """
    if isinstance(exc, VisitError):
        inner = exc.orig_exc
        if isinstance(inner, ParseError):
            return inner
        if isinstance(inner, TracespecError):  # pragma: no cover - defensive
            return ParseError(str(inner), source=text, span=(0, len(text)), language=language)
        return ParseError(
            f"invalid {language}: {inner}", source=text, span=(0, len(text)), language=language
        )
    if isinstance(exc, UnexpectedInput):
        if isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
            start = len(text)
            end = start + 1
        elif isinstance(exc, UnexpectedEOF):
            start, end = len(text), len(text) + 1
        elif isinstance(exc, UnexpectedToken):
            start = exc.token.start_pos if exc.token.start_pos is not None else 0
            end = exc.token.end_pos if exc.token.end_pos is not None else start + 1
        else:
            start = exc.pos_in_stream if exc.pos_in_stream is not None else 0
            end = start + 1
        start = max(0, min(start, len(text)))
        expected_names: Iterable[str] = ()
        if isinstance(exc, UnexpectedToken):
            expected_names = exc.accepts or exc.expected
        elif isinstance(exc, UnexpectedCharacters):
            expected_names = exc.allowed or ()
        elif isinstance(exc, UnexpectedEOF):
            expected_names = exc.expected
        expected = _describe(expected_names, display)
        labelled = label(exc, text) if label is not None else None
        message: str | None
        if isinstance(labelled, tuple):
            message, (start, end) = labelled
            start = max(0, min(start, len(text)))
        else:
            message = labelled
        if message is None:
            got = _found(exc, text, display)
            if expected:
                shown = ", ".join(expected[:8]) + (", ..." if len(expected) > 8 else "")
                message = f"expected {shown}; got {got}"
            else:
                message = f"unexpected {got}"
        return ParseError(
            message, source=text, span=(start, max(end, start + 1)), language=language,
            expected=expected,
        )
    if isinstance(exc, LarkError):  # pragma: no cover - other lark errors are grammar bugs
        return ParseError(
            f"invalid {language}: {exc}", source=text, span=(0, len(text)), language=language
        )
    raise TypeError(f"not a lark error: {exc!r}")  # pragma: no cover


def parse_with(
    name: str,
    text: str,
    *,
    start: str,
    language: str,
    display: Mapping[str, str],
    label: Label | None = None,
    all_starts: tuple[str, ...] | None = None,
    transformer: lark.Transformer[Any, Any] | None = None,
) -> Any:
    """Parse ``text`` with ``grammar/<name>`` from rule ``start``; lark's errors come out as
    ParseError (see :func:`parser` for ``transformer``)."""
    p = parser(name, all_starts or start, transformer)
    try:
        return p.parse(text, start=start)
    except LarkError as exc:
        raise translate_error(exc, text, language=language, display=display, label=label) from None

