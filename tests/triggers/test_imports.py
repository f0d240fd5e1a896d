"""The triggers import their heavy libraries only when a trigger of that kind is sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
HEAVY = ("httpx", "grpc", "grpc_tools", "grpc_reflection", "google.protobuf", "opentelemetry")


def _loaded(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        check=True, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    modules: list[str] = json.loads(out.stdout.splitlines()[-1])
    return modules


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_preparing_imports_no_client_library() -> None:
    loaded = _loaded(
        "import tracespec, tracespec.triggers as t\n"
        "assert tracespec.TriggerError is t.TriggerError\n"
        "t.prepare('http', {'url': 'http://h/', 'auth': {'type': 'basic'}}, base_dir='.')\n"
        "t.prepare('grpc', {'address': 'h:1', 'method': 'a.B.C'}, base_dir='.')\n"
        "t.prepare('graphql', {'url': 'h', 'body': {'query': '{a}'}}, base_dir='.')\n"
    )
    assert "tracespec.triggers" in loaded
    assert _heavy(loaded) == []


def test_the_public_error_does_not_load_the_triggers() -> None:
    loaded = _loaded("import tracespec\ntracespec.TriggerError\n")
    assert "tracespec.triggers" not in loaded
    assert _heavy(loaded) == []


def _without(modules: tuple[str, ...], code: str) -> str:
    """Run ``code`` where ``modules`` cannot be imported (as without the grpc extra); stdout."""
    blocked = "".join(f"sys.modules[{m!r}] = None\n" for m in modules)
    out = subprocess.run(
        [sys.executable, "-c", "import sys\n" + blocked + code],
        check=True, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    return out.stdout.strip()


_FIRE = (
    "from tracespec.triggers import prepare, fire, TriggerError\n"
    "try:\n"
    "    fire(prepare('grpc', {{'address': '127.0.0.1:9', 'method': 'a.B.C'{extra}}},"
    " base_dir='.'))\n"
    "except TriggerError as exc:\n"
    "    print(exc)\n"
)


def test_without_the_grpc_extra_a_grpc_trigger_says_what_to_install() -> None:
    out = _without(("grpc",), _FIRE.format(extra=""))
    assert out == "spec.trigger.grpc: gRPC triggers need grpcio: pip install 'tracespec[grpc]'"
    out = _without(("grpc_reflection", "grpc_reflection.v1alpha"), _FIRE.format(extra=""))
    assert out.endswith("needs grpcio-reflection: pip install 'tracespec[grpc]'")
    out = _without(("grpc_tools",), _FIRE.format(extra=", 'protobufFile': 'syntax = \"proto3\";'"))
    assert out == ("spec.trigger.grpc.protobufFile: a protobufFile needs grpcio-tools to compile "
                   "it: pip install 'tracespec[grpc]'")
