"""``tracespec run`` with a gRPC trigger against a real grpcio server (tests/triggers/servers.py:
a Greeter whose proto the test file holds): the reply and its status read on the trigger span,
with ``skipTraceCollection`` (nothing to wait for) and with the trace received (the server's
handler is not instrumented, so only the trigger span is there: the test fails at the polling
profile's timeout, saying so)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live import free_port, tracespec
from tests.triggers.servers import GREETER_PROTO, Grpc, compile_proto, grpc_server


@pytest.fixture(scope="module")
def greeter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Grpc]:
    pb2: Any = compile_proto(tmp_path_factory.mktemp("proto"))
    with grpc_server(pb2) as running:
        yield running


def write_test(path: Path, address: str, *, skip: bool, extra: str = "") -> Path:
    proto = textwrap.indent(GREETER_PROTO, " " * 8)
    path.write_text(textwrap.dedent(f"""\
        type: Test
        spec:
          name: Greet over gRPC
          skipTraceCollection: {str(skip).lower()}
          {extra}
          trigger:
            type: grpc
            grpc:
              address: {address}
              method: greet.v1.Greeter.SayHello
              request: '{{"name": "Ada", "times": 2}}'
              metadata:
                - key: x-tenant
                  value: acme
              protobufFile: |
        """) + proto + (
            "  specs:\n"
            "    - selector: span[name=\"Tracetest trigger\"]\n"
            "      assertions:\n"
            "        - attr:tracetest.response.status = 0\n"
            "        - attr:tracetest.response.body | json_path '$.message' = \"Hello, Ada!\"\n"
        ), encoding="utf-8")
    return path


def test_a_grpc_trigger_with_skip_trace_collection(greeter: Grpc, tmp_path: Path) -> None:
    test = write_test(tmp_path / "greet.yaml", greeter.address, skip=True)
    done = tracespec("run", "-f", str(test), "--otlp-http", f"127.0.0.1:{free_port()}",
                     "--otlp-grpc", "off")
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    seen = greeter.seen[-1]["metadata"]
    assert seen["x-tenant"] == "acme"
    trace_id = done.stdout.splitlines()[0].rsplit(" ", 1)[1]
    assert seen["traceparent"].startswith(f"00-{trace_id}-")


def test_a_grpc_trigger_whose_server_exports_nothing(greeter: Grpc, tmp_path: Path) -> None:
    (tmp_path / "quick.yaml").write_text(textwrap.dedent("""\
        type: PollingProfile
        spec:
          name: quick
          default: true
          strategy: periodic
          periodic: {retryDelay: 100ms, timeout: 1s}
        """), encoding="utf-8")
    test = write_test(tmp_path / "greet.yaml", greeter.address, skip=False)
    done = tracespec("run", "-f", str(test), "-f", str(tmp_path / "quick.yaml"),
                     "--otlp-grpc", f"127.0.0.1:{free_port()}", "--otlp-http", "off")
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    assert lines[1].startswith("\t✘ trace incomplete: no span of trace ")
    assert lines[2] == '\t✔ span[name="Tracetest trigger"]'  # its specs pass all the same
    assert lines[4:] == ["\t\t\t✔ attr:tracetest.response.status = 0 (0)",
                         "\t\t\t✔ attr:tracetest.response.body | json_path '$.message' = "
                         '"Hello, Ada!" (Hello, Ada!)']
