"""gRPC triggers against a real grpcio server: the proto compiled from the test file's text
or file, or read by server reflection; the reply as JSON, status codes, metadata both ways."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live import free_port
from tracespec.triggers import TriggerError, TriggerResult, fire, prepare

from .servers import GREETER_PROTO, Grpc, compile_proto, grpc_server


@pytest.fixture(scope="module")
def pb2(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return compile_proto(tmp_path_factory.mktemp("proto"))


@pytest.fixture(scope="module")
def server(pb2: Any) -> Iterator[Grpc]:
    with grpc_server(pb2) as running:
        yield running


@pytest.fixture(scope="module")
def reflecting(pb2: Any) -> Iterator[Grpc]:
    with grpc_server(pb2, reflection=True) as running:
        yield running


def call(address: str, method: str, request: Any = "", *, base_dir: str | Path = ".",
         proto: str | None = GREETER_PROTO, **settings: Any) -> TriggerResult:
    options = {k: settings.pop(k) for k in ("timeout", "tracestate") if k in settings}
    raw = {"address": address, "method": method, "request": request, **settings}
    if proto is not None:
        raw["protobufFile"] = proto
    return fire(prepare("grpc", raw, base_dir=base_dir), **{"timeout": 10.0, **options})


def test_a_unary_call_with_an_inline_proto(server: Grpc) -> None:
    result = call(server.address, "greet.v1.Greeter.SayHello",
                  '{"name": "Ada", "times": 3, "at": "2024-01-02T03:04:05Z"}',
                  metadata=[{"key": "X-Tenant", "value": "acme"}, {"key": "", "value": "no"}])
    response = result.response
    assert (response.status, response.status_name) == (0, "OK")
    reply = json.loads(response.body)
    # protobuf's JSON: camelCase names, int64 as a string, default values written
    assert reply["message"] == "Hello, Ada!"
    assert reply["count"] == "3"
    assert reply["shout"] is False
    assert "  \"message\"" in response.body  # two-space indents, as the reference writes it
    seen = server.seen[-1]["metadata"]
    assert seen["x-tenant"] == "acme"
    assert seen["traceparent"] == f"00-{result.trace_id}-{result.span_id}-01"
    assert "tracestate" not in seen
    assert ("x-greeter", "hello") in response.headers
    assert ("x-data-bin", base64.b64encode(b"\x00\x01").decode()) in response.headers
    assert result.type == "grpc"


def test_method_forms(server: Grpc) -> None:
    for method, service in (("greet.v1.Greeter/SayHello", ""), ("/greet.v1.Greeter/SayHello", ""),
                            ("SayHello", "greet.v1.Greeter")):
        result = call(server.address, method, '{"name": "x"}', service=service)
        assert json.loads(result.response.body)["message"] == "Hello, x!"


def test_a_proto_file_next_to_the_test_file(server: Grpc, tmp_path: Path) -> None:
    (tmp_path / "protos").mkdir()
    (tmp_path / "protos" / "greet.proto").write_text(GREETER_PROTO, encoding="utf-8")
    result = call(server.address, "greet.v1.Greeter.SayHello", {"name": "file"},
                  base_dir=tmp_path, proto="./protos/greet.proto")
    assert json.loads(result.response.body)["message"] == "Hello, file!"


def test_server_reflection_when_no_proto_is_given(reflecting: Grpc) -> None:
    result = call(reflecting.address, "greet.v1.Greeter.SayHello", '{"name": "Refl"}',
                  proto=None, tracestate="tracetest=true")
    assert json.loads(result.response.body)["message"] == "Hello, Refl!"
    assert reflecting.seen[-1]["metadata"]["tracestate"] == "tracetest=true"


def test_reflection_carries_the_metadata_and_auth_but_not_the_trace_context(
    reflecting: Grpc,
) -> None:
    del reflecting.calls[:]
    call(reflecting.address, "greet.v1.Greeter.SayHello", proto=None,
         metadata=[{"key": "X-Tenant", "value": "acme"}],
         auth={"type": "bearer", "bearer": {"token": "tok"}})
    methods = [method for method, _ in reflecting.calls]
    assert methods[-1] == "/greet.v1.Greeter/SayHello"
    reflection = [md for method, md in reflecting.calls if "ServerReflection" in method]
    assert reflection
    for metadata in reflection:
        assert metadata["x-tenant"] == "acme" and metadata["authorization"] == "Bearer tok"
        assert "traceparent" not in metadata
    assert "traceparent" in reflecting.calls[-1][1]


def test_no_proto_and_no_reflection_is_an_error(server: Grpc) -> None:
    with pytest.raises(TriggerError, match="server has no reflection service") as info:
        call(server.address, "greet.v1.Greeter.SayHello", proto=None)
    assert info.value.field == "spec.trigger.grpc.protobufFile"


def test_reflection_of_an_unknown_service(reflecting: Grpc) -> None:
    with pytest.raises(TriggerError, match=r"server reflection does not know service 'no\.Such'"):
        call(reflecting.address, "no.Such.Method", proto=None)


def test_an_error_status_is_a_response(server: Grpc) -> None:
    response = call(server.address, "greet.v1.Greeter.Fail", '{"name": "Bob"}').response
    assert (response.status, response.status_name, response.body) == (5, "NOT_FOUND", "")


def test_a_method_the_server_does_not_have_is_unimplemented(server: Grpc) -> None:
    proto = GREETER_PROTO.replace("rpc Slow", "rpc Missing (HelloRequest) returns (HelloReply) {}\n"
                                              "  rpc Slow")
    response = call(server.address, "greet.v1.Greeter.Missing", proto=proto).response
    assert (response.status, response.status_name) == (12, "UNIMPLEMENTED")


def test_streams(server: Grpc) -> None:
    response = call(server.address, "greet.v1.Greeter.SayHellos",
                    '{"name": "S", "times": 3}').response
    assert json.loads(response.body) == {  # the last message, as the reference keeps it
        "message": "Hello #3, S", "count": "3", "shout": False, "receivedMetadata": []}
    response = call(server.address, "greet.v1.Greeter.CountNames",
                    '{"name": "a"}\n{"name": "b"},{"name": "c"}').response
    assert json.loads(response.body)["message"] == "a,b,c"
    response = call(server.address, "greet.v1.Greeter.CountNames",
                    [{"name": "x"}, {"name": "y"}]).response  # a YAML list: a JSON array
    assert json.loads(response.body)["message"] == "x,y"


def test_auth_is_sent_as_metadata(server: Grpc) -> None:
    call(server.address, "greet.v1.Greeter.SayHello",
         auth={"type": "bearer", "bearer": {"token": "tok"}})
    assert server.seen[-1]["metadata"]["authorization"] == "Bearer tok"
    call(server.address, "greet.v1.Greeter.SayHello",
         auth={"type": "basic", "basic": {"username": "u", "password": "p"}})
    assert server.seen[-1]["metadata"]["authorization"] == "Basic " + base64.b64encode(
        b"u:p").decode()
    call(server.address, "greet.v1.Greeter.SayHello",
         auth={"type": "apiKey", "apiKey": {"key": "X-Api-Key", "value": "k", "in": "header"}})
    assert server.seen[-1]["metadata"]["x-api-key"] == "k"


def test_binary_metadata_is_base64(server: Grpc) -> None:
    call(server.address, "greet.v1.Greeter.SayHello",
         metadata=[{"key": "x-raw-bin", "value": base64.b64encode(b"\xff\x00").decode()}])
    assert server.seen[-1]["metadata"]["x-raw-bin"] == b"\xff\x00"
    with pytest.raises(TriggerError, match="not base64") as info:
        call(server.address, "greet.v1.Greeter.SayHello",
             metadata=[{"key": "x-raw-bin", "value": "%%%"}])
    assert info.value.field == "spec.trigger.grpc.metadata[0].value"


@pytest.mark.parametrize(("method", "request_text", "message"), [
    ("greet.v1.Greeter.Nope", "", r"no method greet.v1.Greeter/Nope in the schema "
                                  r"\(services: greet.v1.Greeter\)"),
    ("Nope", "", "names no service"),
    ("greet.v1.Greeter.SayHello", "{not json", "the request is not JSON"),
    ("greet.v1.Greeter.SayHello", '{"times": "many"}', "does not fit greet.v1.HelloRequest"),
    ("greet.v1.Greeter.SayHello", '{"name": "a"} {"name": "b"}', "takes one request message"),
])
def test_request_errors(server: Grpc, method: str, request_text: str, message: str) -> None:
    with pytest.raises(TriggerError, match=message):
        call(server.address, method, request_text)


def test_unknown_request_fields_are_ignored(server: Grpc) -> None:
    response = call(server.address, "greet.v1.Greeter.SayHello", '{"name": "u", "extra": 1}')
    assert json.loads(response.response.body)["message"] == "Hello, u!"


def test_a_proto_that_does_not_compile(server: Grpc) -> None:
    with pytest.raises(TriggerError, match=r"cannot compile the protobufFile: .*protobufFile\.proto"
                                           r":\d+:\d+") as info:
        call(server.address, "greet.v1.Greeter.SayHello", proto='syntax = "proto3";\nmessage {')
    assert info.value.field == "spec.trigger.grpc.protobufFile"
    assert "\n" not in str(info.value)


def test_connection_refused_is_an_error_without_secrets() -> None:
    address = f"127.0.0.1:{free_port()}"
    with pytest.raises(TriggerError) as info:
        call(address, "greet.v1.Greeter.SayHello", metadata=[{"key": "x-k", "value": "m-secret"}],
             auth={"type": "bearer", "bearer": {"token": "t-secret"}})
    text = str(info.value)
    assert text.startswith(f"grpc {address}: cannot connect: ")
    assert "\n" not in text and "m-secret" not in text and "t-secret" not in text
    with pytest.raises(TriggerError, match=rf"grpc {address}: cannot connect"):
        call(address, "greet.v1.Greeter.SayHello", proto=None)  # reflection first


def test_dns_failure() -> None:
    with pytest.raises(TriggerError, match=r"grpc no-such-host\.invalid:50051: cannot connect: "
                                           r"DNS failure"):
        call("no-such-host.invalid:50051", "greet.v1.Greeter.SayHello")


def test_a_timeout(server: Grpc) -> None:
    with pytest.raises(TriggerError, match=rf"grpc {server.address}: timed out after 0.3s"):
        call(server.address, "greet.v1.Greeter.Slow", timeout=0.3)
