"""Triggers as test files hold them: what the loader reads from a Tracetest YAML file is what
prepare() takes, with the test file's folder for the files it names."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import tracespec
from tracespec.triggers import GrpcRequest, TriggerError, fire, prepare

from .servers import Echo, echo_server

TEST = """\
type: Test
spec:
  name: place an order
  trigger:
    type: http
    httpRequest:
      method: POST
      url: ${var:BASE}/echo
      headers:
      - key: Content-Type
        value: application/json
      body: ./bodies/order.json
      auth:
        type: apiKey
        apiKey:
          key: X-Api-Key
          value: ${env:API_KEY}
          in: header
  specs:
  - selector: span[name="Tracetest trigger"]
    assertions:
    - attr:tracetest.response.status = 200
"""


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    with echo_server() as server:
        yield server


def test_a_loaded_http_trigger_is_prepared_and_sent(echo: Echo, tmp_path: Path) -> None:
    (tmp_path / "tests" / "bodies").mkdir(parents=True)
    path = tmp_path / "tests" / "order.yaml"
    path.write_text(TEST, encoding="utf-8")
    (tmp_path / "tests" / "bodies" / "order.json").write_text('{"item": "${var:ITEM}"}',
                                                              encoding="utf-8")
    test = tracespec.load_test(path)
    assert test.trigger is not None and test.trigger.type == "http"
    variables = {"BASE": echo.url, "ITEM": "book", "API_KEY": "k-1"}

    def resolve(text: str) -> str:
        return re.sub(r"\$\{(?:var|env):(\w+)\}", lambda m: variables[m.group(1)], text)

    prepared = prepare(test.trigger.type, test.trigger.settings,
                       base_dir=Path(test.path).parent, resolve=resolve)
    result = fire(prepared)
    sent = json.loads(result.response.body)
    assert sent["body"] == '{"item": "book"}'
    assert ["X-Api-Key", "k-1"] in sent["headers"]
    trace = tracespec.load_trace(result.span_request())
    spec = test.specs[0]
    assert tracespec.check(spec.selector, spec.assertions, trace).passed


def test_a_loaded_grpc_trigger_and_an_unsupported_one(tmp_path: Path) -> None:
    path = tmp_path / "grpc.yaml"
    path.write_text("""\
type: Test
spec:
  name: grpc
  trigger:
    type: grpc
    grpc:
      protobufFile: |
        syntax = "proto3";
        package p;
        message M { string a = 1; }
        service S { rpc Do (M) returns (M) {} }
      address: localhost:50051
      method: p.S.Do
      metadata:
      - key: x-a
        value: "1"
      request: |
        {"a": "x"}
""", encoding="utf-8")
    test = tracespec.load_test(path)
    assert test.trigger is not None
    prepared = prepare(test.trigger.type, test.trigger.settings, base_dir=tmp_path)
    assert isinstance(prepared.request, GrpcRequest)
    assert prepared.request.metadata == (("x-a", "1"),)
    assert prepared.request.protobuf_file.startswith('syntax = "proto3";')
    kafka = tmp_path / "kafka.yaml"
    kafka.write_text("type: Test\nspec:\n  name: k\n  trigger:\n    type: kafka\n    kafka:\n"
                     "      brokerUrls: [localhost:9092]\n      topic: orders\n", encoding="utf-8")
    test = tracespec.load_test(kafka)
    assert test.trigger is not None
    with pytest.raises(TriggerError, match="trigger type kafka is not supported"):
        prepare(test.trigger.type, test.trigger.settings, base_dir=tmp_path)
