"""prepare(): the reference's fields read and checked, files read, templating applied to the
fields the reference templates, unsupported types refused, secrets out of every message."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

import tracespec
from tracespec.triggers import (
    GraphqlRequest,
    GrpcRequest,
    HttpRequest,
    PreparedTrigger,
    TriggerError,
    prepare,
)


def _marked(text: str) -> str:
    """A resolve that shows which fields it was applied to."""
    return text.replace("${var:X}", "_x_")


def http(settings: dict[str, Any], **kw: Any) -> HttpRequest:
    prepared = prepare("http", settings, base_dir=kw.pop("base_dir", "."), **kw)
    assert isinstance(prepared, PreparedTrigger) and prepared.type == "http"
    assert isinstance(prepared.request, HttpRequest)
    return prepared.request


def test_trigger_error_is_public_and_a_tracespec_error() -> None:
    assert tracespec.TriggerError is TriggerError
    assert issubclass(TriggerError, tracespec.TracespecError)
    error = TriggerError("boom", field="spec.trigger.httpRequest.url")
    assert str(error) == "spec.trigger.httpRequest.url: boom"
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


@pytest.mark.parametrize("ttype", ["kafka", "cypress", "playwright", "playwrightengine",
                                   "artillery", "k6", "Kafka"])
def test_unsupported_types_are_an_error_naming_the_type(ttype: str) -> None:
    with pytest.raises(TriggerError, match=rf"trigger type {ttype.lower()} is not supported"):
        prepare(ttype, {"brokerUrls": ["x:9092"]}, base_dir=".")


def test_traceid_is_not_a_request_trigger() -> None:
    with pytest.raises(TriggerError, match="traceid trigger sends no request") as info:
        prepare("traceid", {"id": "${var:TRACE_ID}"}, base_dir=".")
    assert info.value.field == "spec.trigger.type"


def test_an_unknown_type_is_an_error() -> None:
    with pytest.raises(TriggerError, match="unknown trigger type 'soap'"):
        prepare("soap", {}, base_dir=".")


def test_http_fields_are_read() -> None:
    request = http({
        "method": "post", "url": "localhost:8080/api?x=1",
        "headers": [{"key": "Content-Type", "value": "application/json"},
                    {"key": "X-N", "value": 7}, {"key": "X-Flag", "value": True}],
        "body": '{"a": 1}', "sslVerification": True,
        "auth": {"type": "bearer", "bearer": {"token": "t0k3n"}},
    })
    assert request.method == "POST"
    assert request.url == "http://localhost:8080/api?x=1"  # the reference adds http://
    assert request.headers == (("Content-Type", "application/json"), ("X-N", "7"),
                               ("X-Flag", "true"))
    assert request.body == '{"a": 1}'
    assert request.ssl_verification is True
    assert request.auth is not None and request.auth.token == "t0k3n"


def test_http_defaults() -> None:
    request = http({"url": "http://h/"})
    assert (request.method, request.headers, request.body, request.auth,
            request.ssl_verification) == ("GET", (), "", None, False)


def test_headers_may_be_a_mapping_and_a_yaml_body_is_sent_as_json() -> None:
    request = http({"url": "http://h/", "headers": {"A": "1"}, "body": {"k": [1, "v"]}})
    assert request.headers == (("A", "1"),)
    assert request.body == '{"k":[1,"v"]}'


@pytest.mark.parametrize(("settings", "field", "message"), [
    ({"url": "http://h", "method": "FETCH"}, "httpRequest.method", "unknown HTTP method 'FETCH'"),
    ({"url": ""}, "httpRequest.url", "the URL is empty"),
    ({}, "httpRequest.url", "the URL is empty"),
    ({"url": "ftp://h/x"}, "httpRequest.url", "unsupported URL scheme 'ftp'"),
    ({"url": "http://h:port/"}, "httpRequest.url", "not a URL"),
    ({"url": "http:///path"}, "httpRequest.url", "names no host"),
    ({"url": "http://h", "headers": "X: 1"}, "httpRequest.headers", "expected a list"),
    ({"url": "http://h", "headers": ["X"]}, "httpRequest.headers[0]", "expected a mapping"),
    ({"url": "http://h", "headers": [{"key": "A", "value": {"b": 1}}]},
     "httpRequest.headers[0].value", "expected text"),
    ({"url": "http://h", "sslVerification": "yes"}, "httpRequest.sslVerification",
     "expected true or false"),
    ({"url": "http://h", "auth": {"type": "digest"}}, "httpRequest.auth.type",
     "unknown auth type 'digest'"),
    ({"url": "http://h", "auth": {"type": "apiKey", "apiKey": {"key": "k", "in": "cookie"}}},
     "httpRequest.auth.apiKey.in", "'in' must be header or query"),
    ({"url": "http://h", "auth": {"type": "apiKey", "apiKey": {"value": "v"}}},
     "httpRequest.auth.apiKey.key", "no name"),
    ({"url": "http://h", "auth": {"type": "basic", "basic": "user:pw"}},
     "httpRequest.auth.basic", "expected a mapping"),
    (["url"], "httpRequest", "expected a mapping"),
])
def test_http_errors_name_the_field(settings: Any, field: str, message: str) -> None:
    with pytest.raises(TriggerError, match=message) as info:
        prepare("http", settings, base_dir=".")
    assert info.value.field == f"spec.trigger.{field}"
    assert str(info.value).startswith(f"spec.trigger.{field}: ")


def test_an_auth_without_type_is_none_as_in_the_reference() -> None:
    assert http({"url": "http://h", "auth": {"type": "", "basic": {"username": "u"}}}).auth is None


def test_basic_auth_reads_user_as_the_reference_docs_spell_it() -> None:
    auth = http({"url": "http://h",
                 "auth": {"type": "basic", "basic": {"user": "me", "password": "pw"}}}).auth
    assert auth is not None and (auth.username, auth.password) == ("me", "pw")


def test_secrets_stay_out_of_reprs() -> None:
    request = http({
        "url": "http://h", "headers": [{"key": "X-Token", "value": "header-secret"}],
        "body": "body-secret",
        "auth": {"type": "basic", "basic": {"username": "u", "password": "pw-secret"}},
    })
    text = repr(request)
    for secret in ("header-secret", "body-secret", "pw-secret"):
        assert secret not in text
    assert "X-Token" in text


def test_http_templating_covers_url_headers_body_and_auth_only() -> None:
    for auth in (
        {"type": "apiKey", "apiKey": {"key": "k${var:X}", "value": "v${var:X}", "in": "header"}},
        {"type": "basic", "basic": {"username": "u${var:X}", "password": "p${var:X}"}},
        {"type": "bearer", "bearer": {"token": "t${var:X}"}},
    ):
        request = http({
            "url": "http://h/${var:X}", "method": "GET",
            "headers": [{"key": "K${var:X}", "value": "V${var:X}"}],
            "body": "b${var:X}", "auth": auth,
        }, resolve=_marked)
        assert request.url == "http://h/_x_"
        assert request.headers == (("K_x_", "V_x_"),)
        assert request.body == "b_x_"
        assert request.auth is not None
        assert "${var:X}" not in repr(
            (request.auth.key, request.auth.value, request.auth.username, request.auth.password,
             request.auth.token))
    # the API key's "in" is templated too, and checked after
    request = http({"url": "http://h", "auth": {"type": "apiKey", "apiKey": {
        "key": "k", "value": "v", "in": "${var:WHERE}"}}},
        resolve=lambda s: s.replace("${var:WHERE}", "query"))
    assert request.auth is not None and request.auth.location == "query"


def test_templating_gives_the_url_that_is_checked() -> None:
    with pytest.raises(TriggerError, match="the URL is empty"):
        http({"url": "${var:MISSING}"}, resolve=lambda s: s.replace("${var:MISSING}", ""))
    request = http({"url": "${var:BASE}/x"}, resolve=lambda s: s.replace("${var:BASE}", "h:1"))
    assert request.url == "http://h:1/x"


def test_a_body_file_is_read_relative_to_the_test_file_and_templated(tmp_path: Path) -> None:
    (tmp_path / "bodies").mkdir()
    (tmp_path / "bodies" / "order.json").write_text('{"item": "${var:X}"}', encoding="utf-8")
    request = http({"url": "http://h", "body": "./bodies/order.json"}, base_dir=tmp_path,
                   resolve=_marked)
    assert request.body == '{"item": "_x_"}'
    # an absolute path to a file is read too; other text is the body itself
    absolute = str(tmp_path / "bodies" / "order.json")
    assert http({"url": "http://h", "body": absolute}).body == '{"item": "${var:X}"}'
    assert http({"url": "http://h", "body": "/not/a/file"}).body == "/not/a/file"


def test_a_missing_body_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TriggerError, match=r"file \./nope\.json not found") as info:
        http({"url": "http://h", "body": "./nope.json"}, base_dir=tmp_path)
    assert info.value.field == "spec.trigger.httpRequest.body"


def grpc(settings: dict[str, Any], **kw: Any) -> GrpcRequest:
    prepared = prepare("grpc", settings, base_dir=kw.pop("base_dir", "."), **kw)
    assert isinstance(prepared.request, GrpcRequest)
    return prepared.request


def test_grpc_fields_and_templating() -> None:
    request = grpc({
        "protobufFile": 'syntax = "proto3"; // ${var:X}', "address": "${var:X}:50051",
        "service": "svc${var:X}", "method": "pkg.Svc.${var:X}",
        "metadata": [{"key": "k${var:X}", "value": "v${var:X}"}],
        "request": '{"name": "${var:X}"}',
        "auth": {"type": "bearer", "bearer": {"token": "${var:X}"}},
    }, resolve=_marked)
    assert request.address == "_x_:50051"
    assert request.method == "pkg.Svc._x_"
    assert request.metadata == (("k_x_", "v_x_"),)
    assert request.request == '{"name": "_x_"}'
    assert request.auth is not None and request.auth.token == "_x_"
    # used as written, as in the reference
    assert request.service == "svc${var:X}"
    assert request.protobuf_file.endswith("${var:X}")
    assert request.protobuf_path == ""


def test_grpc_reads_a_proto_file_relative_to_the_test_file(tmp_path: Path) -> None:
    (tmp_path / "api.proto").write_text('syntax = "proto3";', encoding="utf-8")
    request = grpc({"protobufFile": "./api.proto", "address": "h:1", "method": "a.B.C",
                    "request": {"name": "x"}}, base_dir=tmp_path)
    assert request.protobuf_file == 'syntax = "proto3";'
    assert Path(request.protobuf_path) == tmp_path / "api.proto"
    assert request.request == '{"name":"x"}'


@pytest.mark.parametrize(("settings", "field", "message"), [
    ({"method": "a.B.C"}, "grpc.address", "the address is empty"),
    ({"address": "h:1"}, "grpc.method", "the method is empty"),
    ({"address": "h:1", "method": "a.B.C", "protobufFile": "./missing.proto"},
     "grpc.protobufFile", "not found"),
    ({"address": "h:1", "method": "a.B.C",
      "auth": {"type": "apiKey", "apiKey": {"key": "k", "value": "v", "in": "query"}}},
     "grpc.auth.apiKey.in", "'in' must be header"),
])
def test_grpc_errors_name_the_field(settings: Any, field: str, message: str) -> None:
    with pytest.raises(TriggerError, match=message) as info:
        prepare("grpc", settings, base_dir=".")
    assert info.value.field == f"spec.trigger.{field}"


def test_graphql_fields_files_and_templating(tmp_path: Path) -> None:
    query = "query Q($id: ID) { user(id: $id) { name } } # ${var:X}"
    (tmp_path / "query.graphql").write_text(query, encoding="utf-8")
    (tmp_path / "schema.graphql").write_text("type Query { user(id: ID): User }",
                                             encoding="utf-8")
    prepared = prepare("graphql", {
        "url": "http://h/${var:X}", "headers": [{"key": "K", "value": "${var:X}"}],
        "body": {"query": "./query.graphql", "variables": {"id": "${var:X}", "n": 2,
                                                            "deep": {"list": ["${var:X}"]}},
                 "operationName": "Q${var:X}"},
        "schema": "./schema.graphql", "sslVerification": "true",
        "auth": {"type": "apiKey", "apiKey": {"key": "K", "value": "${var:X}", "in": "query"}},
    }, base_dir=tmp_path, resolve=_marked)
    request = prepared.request
    assert isinstance(request, GraphqlRequest) and prepared.type == "graphql"
    assert request.url == "http://h/_x_"
    assert request.headers == (("K", "_x_"),)
    assert request.query.endswith("# _x_")
    assert dict(request.variables) == {"id": "_x_", "n": 2, "deep": {"list": ["_x_"]}}
    assert request.operation_name == "Q_x_"
    assert request.schema == "type Query { user(id: ID): User }"  # kept as data
    assert request.ssl_verification is True
    assert request.auth is not None and request.auth.value == "_x_"


def test_graphql_variables_may_be_json_text_and_a_query_is_needed() -> None:
    prepared = prepare("graphql", {"url": "http://h", "body": {
        "query": "{ a }", "variables": '{"a": [1]}'}}, base_dir=".")
    assert isinstance(prepared.request, GraphqlRequest)
    assert dict(prepared.request.variables) == {"a": [1]}
    with pytest.raises(TriggerError, match="not JSON") as info:
        prepare("graphql", {"url": "http://h", "body": {"query": "{a}", "variables": "{"}},
                base_dir=".")
    assert info.value.field == "spec.trigger.graphql.body.variables"
    with pytest.raises(TriggerError, match="the query is empty") as info:
        prepare("graphql", {"url": "http://h", "body": {}}, base_dir=".")
    assert info.value.field == "spec.trigger.graphql.body.query"


@pytest.mark.parametrize(("ttype", "settings", "field", "message"), [
    ("http", {"url": "http://h", "headers": [{"key": "X Y", "value": "v"}]},
     "httpRequest.headers[0].key", "'X Y' is not an HTTP header name"),
    ("http", {"url": "http://h", "headers": [{"key": "A", "value": "ok"},
                                             {"key": "X", "value": "s3cret\n"}]},
     "httpRequest.headers[1].value", "the value of header X holds a line break"),
    ("http", {"url": "http://h", "auth": {"type": "bearer", "bearer": {"token": "s3\ncret"}}},
     "httpRequest.auth.bearer.token", "the token holds a line break"),
    ("http", {"url": "http://h", "auth": {"type": "apiKey", "apiKey": {
        "key": "X", "value": "s3cret\r\n", "in": "header"}}},
     "httpRequest.auth.apiKey.value", "holds a line break"),
    ("graphql", {"url": "http://h", "body": {"query": "{a}"},
                 "headers": [{"key": "X", "value": "s3cret\0"}]},
     "graphql.headers[0].value", "holds a line break or NUL"),
    ("grpc", {"address": "h:1", "method": "a.B.C", "metadata": [{"key": "x y", "value": "v"}]},
     "grpc.metadata[0].key", "'x y' is not a gRPC metadata key"),
    ("grpc", {"address": "h:1", "method": "a.B.C", "metadata": [{"key": "x", "value": "s3crét"}]},
     "grpc.metadata[0].value", "not printable ASCII"),
    ("grpc", {"address": "h:1", "method": "a.B.C", "auth": {"type": "apiKey", "apiKey": {
        "key": "Bad Key", "value": "v", "in": "header"}}},
     "grpc.auth.apiKey.key", "not a gRPC metadata key"),
])
def test_values_no_request_can_carry_are_errors_that_hide_the_value(
    ttype: str, settings: Any, field: str, message: str,
) -> None:
    with pytest.raises(TriggerError, match=message) as info:
        prepare(ttype, settings, base_dir=".")
    assert info.value.field == f"spec.trigger.{field}"
    assert "s3" not in str(info.value)


def test_a_metadata_key_in_capitals_and_a_bin_value_are_fine() -> None:
    prepared = prepare("grpc", {"address": "h:1", "method": "a.B.C", "metadata": [
        {"key": "X-Tenant", "value": "acme"}, {"key": "x-raw-bin", "value": "AAE="}]},
        base_dir=".")
    assert isinstance(prepared.request, GrpcRequest)
