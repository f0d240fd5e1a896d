"""Generate the gRPC stubs of the data stores from the upstream .proto files.

    pip install grpcio-tools==1.60.0        # the floor: its code runs on protobuf 4.25 .. 7
    python tools/gen_datastore_protos.py --jaeger-idl DIR --tempo DIR --otlp DIR

``DIR``s are checkouts of github.com/jaegertracing/jaeger-idl, github.com/grafana/tempo and
github.com/open-telemetry/opentelemetry-proto.  What is generated goes to
``src/tracespec/datastores/_pb/`` and is checked in (with the commits of the checkouts in
``_pb/SOURCES``); nothing is written by hand.  Before protoc runs, the protos are copied into a
scratch tree and only this is changed, as Tempo's own Makefile does for its build:

* the Go-only annotations are dropped: imports of ``gogoproto``, ``google/api`` and
  ``gnostic``, and the options and field options they define (``(gogoproto.nullable)``,
  ``(google.api.http)``, ...); they change nothing on the wire;
* the import paths are rooted under ``tracespec/datastores/_pb/`` so the generated modules
  import one another inside the package (OTLP's own ``opentelemetry/proto/...`` imports are
  kept: they are the ``opentelemetry-proto`` package's modules);
* Tempo's copies of OTLP are made as its Makefile makes them: the OTLP protos with the package
  ``opentelemetry.proto`` renamed ``tempopb``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src"
PREFIX = "tracespec/datastores/_pb"
_ANNOTATION_IMPORTS = re.compile(
    r'^\s*import\s+[\'"](?:github\.com/gogo/protobuf/)?(?:gogoproto/gogo|google/api/[\w/]+|'
    r'gnostic/[\w/]+)\.proto[\'"]\s*;\s*$', re.MULTILINE)


def _strip_comments(text: str) -> str:
    out, i, quote = [], 0, ""
    while i < len(text):
        c = text[i]
        if quote:
            out.append(c)
            if c == "\\":
                out.append(text[i + 1])
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
            out.append(c)
        elif text.startswith("//", i):
            i = text.find("\n", i)
            if i < 0:
                break
            continue
        elif text.startswith("/*", i):
            i = text.index("*/", i) + 2
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _balanced_end(text: str, i: int, stop: str) -> int:
    """The index just past the first ``stop`` at depth 0 from ``i``."""
    depth, quote = 0, ""
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "{[(":
            depth += 1
        elif c in "}])":
            if depth == 0 and c == stop:
                return i + 1
            depth -= 1
        elif c == stop and depth == 0:
            return i + 1
        i += 1
    raise ValueError("unbalanced proto text")


def _custom(entry: str) -> bool:
    return entry.strip().startswith("(")


def _drop_annotations(text: str) -> str:
    text = _ANNOTATION_IMPORTS.sub("", _strip_comments(text))
    # statements `option (x.y) = ...;`
    while (m := re.search(r"\boption\s*\(", text)) is not None:
        text = text[:m.start()] + text[_balanced_end(text, m.end() - 1, ";"):]
    # field options `[...]`: keep the standard ones (deprecated, packed, ...)
    out, i = [], 0
    while (j := text.find("[", i)) >= 0:
        end = _balanced_end(text, j + 1, "]")
        body = text[j + 1:end - 1]
        entries, k = [], 0
        while k < len(body):
            stop = _balanced_end(body + ",", k, ",")
            entries.append(body[k:stop - 1])
            k = stop
        kept = [e.strip() for e in entries if e.strip() and not _custom(e)]
        out.append(text[i:j] + (f"[{', '.join(kept)}]" if kept else ""))
        i = end
    out.append(text[i:])
    return "".join(out)


def _copy(src: Path, dst: Path, *, renames: tuple[tuple[str, str], ...] = ()) -> None:
    text = _drop_annotations(src.read_text(encoding="utf-8"))
    for old, new in renames:
        text = re.sub(old, new, text)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(text, encoding="utf-8")


def _git_head(path: Path) -> str:
    done = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=False)
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    """Generate the stubs; 0 when done."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jaeger-idl", type=Path, required=True)
    parser.add_argument("--tempo", type=Path, required=True)
    parser.add_argument("--otlp", type=Path, required=True)
    args = parser.parse_args(argv)
    import grpc_tools
    from grpc_tools import protoc

    version = getattr(grpc_tools, "__version__", "") or _tools_version()
    if not version.startswith("1.60."):
        print(f"grpcio-tools {version}: use 1.60.0, whose code runs on every protobuf "
              "tracespec supports", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch)
        pb = tree / PREFIX
        rooted = (r'import "(model|expression/v1/expression)\.proto"',
                  rf'import "{PREFIX}/jaeger/\1.proto"')
        idl = args.jaeger_idl / "proto"
        _copy(idl / "api_v2" / "model.proto", pb / "jaeger" / "model.proto")
        _copy(idl / "api_v2" / "query.proto", pb / "jaeger" / "api_v2" / "query.proto",
              renames=(rooted,))
        _copy(idl / "expression" / "v1" / "expression.proto",
              pb / "jaeger" / "expression" / "v1" / "expression.proto")
        _copy(idl / "api_v3" / "query_service.proto",
              pb / "jaeger" / "api_v3" / "query_service.proto", renames=(rooted,))
        otlp = args.otlp / "opentelemetry" / "proto"
        to_tempo = ((r"\bopentelemetry\.proto\.", "tempopb."),
                    (r'import "opentelemetry/proto/', f'import "{PREFIX}/tempo/'))
        for name in ("common/v1/common.proto", "resource/v1/resource.proto",
                     "trace/v1/trace.proto"):
            _copy(otlp / name, pb / "tempo" / name, renames=to_tempo)
        _copy(args.tempo / "pkg" / "tempopb" / "tempo.proto", pb / "tempo" / "tempo.proto",
              renames=((r'import "(common|trace)/v1/', rf'import "{PREFIX}/tempo/\1/v1/'),))
        # OTLP's own files, for jaeger api_v3's import (not generated: opentelemetry-proto's)
        for name in ("common/v1/common.proto", "resource/v1/resource.proto",
                     "trace/v1/trace.proto"):
            dst = tree / "opentelemetry" / "proto" / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(otlp / name, dst)
        generate = [str(p.relative_to(tree)) for p in sorted(pb.rglob("*.proto"))]
        well_known = Path(protoc.__file__).parent / "_proto"
        target = OUT / PREFIX
        shutil.rmtree(target, ignore_errors=True)
        code = protoc.main(["protoc", f"-I{tree}", f"-I{well_known}", f"--python_out={OUT}",
                            f"--pyi_out={OUT}", f"--grpc_python_out={OUT}", *generate])
        if code != 0:
            return int(code)
    for folder in [target, *(p for p in target.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").write_text("", encoding="utf-8")
    (target / "__init__.py").write_text(
        '"""Generated by tools/gen_datastore_protos.py from the upstream protos (SOURCES); '
        'not edited by hand."""\n', encoding="utf-8")
    (target / "SOURCES").write_text(
        f"jaegertracing/jaeger-idl {_git_head(args.jaeger_idl)}\n"
        f"grafana/tempo {_git_head(args.tempo)}\n"
        f"open-telemetry/opentelemetry-proto {_git_head(args.otlp)}\n"
        f"grpcio-tools {version}\n", encoding="utf-8")
    print(f"generated {len(generate)} protos into {target.relative_to(ROOT)}")
    return 0


def _tools_version() -> str:
    from importlib.metadata import version

    return version("grpcio-tools")


if __name__ == "__main__":
    sys.exit(main())
