"""HTTP triggers against a real Flask echo server: what went over the wire, the response, TLS
with a self-signed certificate, and requests that get no answer."""

from __future__ import annotations

import base64
import json
import re
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live import free_port
from tracespec.triggers import Response, TriggerError, TriggerResult, fire, prepare

from .servers import Echo, echo_server, self_signed, server_tls


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    with echo_server() as server:
        yield server


def send(settings: dict[str, Any], **kw: Any) -> TriggerResult:
    return fire(prepare("http", settings, base_dir="."), **kw)


def received(result: TriggerResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.response.body)
    return data


def header(data: dict[str, Any], name: str) -> list[str]:
    return [v for k, v in data["headers"] if k.lower() == name.lower()]


def test_the_request_goes_over_the_wire_with_a_traceparent(echo: Echo) -> None:
    result = send({
        "method": "POST", "url": f"{echo.url}/echo?a=1",
        "headers": [{"key": "Content-Type", "value": "application/json"},
                    {"key": "X-Twice", "value": "1"}, {"key": "X-Twice", "value": "2"},
                    {"key": "", "value": "skipped"}],
        "body": '{"order": 1}',
    })
    data = received(result)
    assert data["method"] == "POST"
    assert data["path"] == "/echo" and data["query"] == [["a", "1"]]
    assert data["body"] == '{"order": 1}'
    assert header(data, "Content-Type") == ["application/json"]
    assert header(data, "X-Twice") in (["1", "2"], ["1,2"], ["1, 2"])
    assert "skipped" not in json.dumps(data["headers"])
    assert re.fullmatch(r"[0-9a-f]{32}", result.trace_id)
    assert re.fullmatch(r"[0-9a-f]{16}", result.span_id)
    assert header(data, "traceparent") == [f"00-{result.trace_id}-{result.span_id}-01"]
    assert header(data, "tracestate") == []
    assert result.response.status == 200 and result.type == "http"
    assert 0 < result.start_ns <= result.end_ns


def test_a_given_trace_id_and_tracestate_are_sent(echo: Echo) -> None:
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    result = send({"url": f"{echo.url}/echo", "headers": [
        {"key": "traceparent", "value": "00-" + "1" * 32 + "-" + "2" * 16 + "-00"}]},
        trace_id=trace_id.upper(), tracestate="tracetest=true,congo=t61rcWkgMzE")
    data = received(result)
    assert result.trace_id == trace_id
    assert header(data, "traceparent") == [f"00-{trace_id}-{result.span_id}-01"]
    assert header(data, "tracestate") == ["tracetest=true,congo=t61rcWkgMzE"]


@pytest.mark.parametrize(("kw", "message"), [
    ({"trace_id": "abc"}, "trace id 'abc' is not 32 hex digits"),
    ({"trace_id": "0" * 32}, "not all zeros"),
    ({"tracestate": "no equals"}, "is not key=value"),
    ({"tracestate": "a=1,a=2"}, "names 'a' twice"),
    ({"tracestate": ",".join(f"k{i}=v" for i in range(33))}, "33 members"),
])
def test_a_bad_trace_context_is_an_error_before_sending(kw: dict[str, str], message: str) -> None:
    # nothing listens there: the error comes before any connection
    with pytest.raises(TriggerError, match=message):
        send({"url": f"http://127.0.0.1:{free_port()}/"}, **kw)


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE",
                                    "PROPFIND", "VIEW", "LOCK"])
def test_every_method_of_the_reference_is_sent(echo: Echo, method: str) -> None:
    data = received(send({"method": method.lower(), "url": f"{echo.url}/echo", "body": "b"}))
    assert data["method"] == method
    assert data["body"] == "b"  # a body goes with any method, as in the reference


def test_head_gets_headers_and_no_body(echo: Echo) -> None:
    response = send({"method": "HEAD", "url": f"{echo.url}/echo"}).response
    assert (response.status, response.body) == (204, "")
    assert ("X-Head", "yes") in response.headers


def test_the_response_status_headers_and_body(echo: Echo) -> None:
    response = send({"method": "POST", "url": f"{echo.url}/status/418", "body": "tea"}).response
    assert isinstance(response, Response)
    assert response.status == 418 and response.status_name == ""
    # names as Go's client writes them, repeats kept in the order received
    assert ("Content-Type", "application/json") in response.headers
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert ("X-Answer", "<&>") in response.headers
    assert ("X-Lower-Case", "v") in response.headers  # sent as x-lower-CASE
    assert json.loads(response.body)["body"] == "tea"


def test_the_body_is_decoded_with_its_charset(echo: Echo) -> None:
    assert send({"url": f"{echo.url}/latin1"}).response.body == "caf\u00e9"


def test_redirects_are_followed(echo: Echo) -> None:
    result = send({"url": f"{echo.url}/redirect"})
    data = received(result)
    assert data["path"] == "/echo" and data["query"] == [["from", "redirect"]]
    assert header(data, "traceparent") == [f"00-{result.trace_id}-{result.span_id}-01"]


def test_api_key_in_a_header_replaces_one_of_that_name(echo: Echo) -> None:
    data = received(send({"url": f"{echo.url}/echo",
                          "headers": [{"key": "X-Api-Key", "value": "old"}],
                          "auth": {"type": "apiKey", "apiKey": {
                              "key": "X-Api-Key", "value": "k-123", "in": "header"}}}))
    assert header(data, "X-Api-Key") == ["k-123"]


def test_api_key_in_the_query_is_added_to_it(echo: Echo) -> None:
    data = received(send({"url": f"{echo.url}/echo?a=1", "auth": {
        "type": "apiKey", "apiKey": {"key": "api_key", "value": "k 1&2", "in": "query"}}}))
    assert data["query"] == [["a", "1"], ["api_key", "k 1&2"]]


def test_basic_auth(echo: Echo) -> None:
    data = received(send({"url": f"{echo.url}/echo", "auth": {
        "type": "basic", "basic": {"username": "ana", "password": "pä:ss"}}}))
    (value,) = header(data, "Authorization")
    scheme, _, encoded = value.partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "ana:pä:ss"


@pytest.mark.parametrize(("token", "sent"), [
    ("abc.def", "Bearer abc.def"),
    ("Bearer abc.def", "Bearer abc.def"),  # written the reference's way: sent as it is
])
def test_bearer_auth(echo: Echo, token: str, sent: str) -> None:
    data = received(send({"url": f"{echo.url}/echo", "headers": [
        {"key": "Authorization", "value": "replaced"}],
        "auth": {"type": "bearer", "bearer": {"token": token}}}))
    assert header(data, "Authorization") == [sent]


def test_a_body_file_and_templated_fields_go_over_the_wire(echo: Echo, tmp_path: Path) -> None:
    (tmp_path / "body.json").write_text('{"user": "${var:USER}"}', encoding="utf-8")
    variables = {"BASE": echo.url, "USER": "zoe", "H": "X-From", "TOKEN": "s3cr3t"}

    def resolve(text: str) -> str:
        return re.sub(r"\$\{var:(\w+)\}", lambda m: variables[m.group(1)], text)

    prepared = prepare("http", {
        "method": "POST", "url": "${var:BASE}/echo?u=${var:USER}",
        "headers": [{"key": "${var:H}", "value": "${var:USER}"}],
        "body": "./body.json",
        "auth": {"type": "bearer", "bearer": {"token": "${var:TOKEN}"}},
    }, base_dir=tmp_path, resolve=resolve)
    data = received(fire(prepared))
    assert data["query"] == [["u", "zoe"]]
    assert header(data, "X-From") == ["zoe"]
    assert data["body"] == '{"user": "zoe"}'
    assert header(data, "Authorization") == ["Bearer s3cr3t"]


def test_a_host_header_sets_the_host(echo: Echo) -> None:
    data = received(send({"url": f"{echo.url}/echo",
                          "headers": [{"key": "Host", "value": "shop.example"}]}))
    assert header(data, "Host") == ["shop.example"]


# -- no answer --------------------------------------------------------------------------------

def test_connection_refused_is_one_line_without_secrets() -> None:
    port = free_port()
    with pytest.raises(TriggerError) as info:
        send({"url": f"http://user:pw-secret@127.0.0.1:{port}/orders?token=q-secret",
              "headers": [{"key": "X-Key", "value": "h-secret"}],
              "auth": {"type": "basic", "basic": {"username": "u", "password": "b-secret"}}})
    text = str(info.value)
    assert text == f"GET http://127.0.0.1:{port}/orders: cannot connect: connection refused"
    assert "\n" not in text
    for secret in ("pw-secret", "q-secret", "h-secret", "b-secret"):
        assert secret not in text


def test_dns_failure() -> None:
    with pytest.raises(TriggerError, match=r"GET http://no-such-host\.invalid/: cannot connect: "
                                           r"DNS failure"):
        send({"url": "http://no-such-host.invalid/"})


def test_a_timeout(echo: Echo) -> None:
    with pytest.raises(TriggerError, match=r"/slow: timed out after 0\.3s waiting for the answer"):
        send({"url": f"{echo.url}/slow"}, timeout=0.3)


def test_the_timeout_must_be_positive(echo: Echo) -> None:
    with pytest.raises(ValueError, match="timeout"):
        send({"url": f"{echo.url}/echo"}, timeout=0)


# -- TLS --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls_echo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Echo, Path]]:
    cert, key = self_signed(tmp_path_factory.mktemp("tls"))
    with echo_server(server_tls(cert, key)) as server:
        yield server, cert


def test_tls_without_verification_accepts_a_self_signed_certificate(
    tls_echo: tuple[Echo, Path],
) -> None:
    server, _ = tls_echo
    assert server.url.startswith("https://")
    for settings in ({}, {"sslVerification": False}):
        result = send({"url": f"{server.url}/echo", **settings})
        assert received(result)["path"] == "/echo"


def test_tls_verification_refuses_a_self_signed_certificate(
    tls_echo: tuple[Echo, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _ = tls_echo
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with pytest.raises(TriggerError) as info:
        send({"url": f"{server.url}/echo?k=secret", "sslVerification": True})
    text = str(info.value)
    assert text.startswith(
        f"GET {server.url}/echo: cannot connect: TLS error: certificate verify failed")
    assert "secret" not in text and "\n" not in text


def test_plain_http_to_a_tls_server_is_an_error(tls_echo: tuple[Echo, Path]) -> None:
    server, _ = tls_echo
    plain = server.url.replace("https://", "http://")
    # the server drops the connection: a reset, or (depending on timing) a closed connection
    with pytest.raises(TriggerError, match=rf"^GET {plain}/echo: (connection reset by the "
                                           r"server|Server disconnected)"):
        send({"url": f"{plain}/echo"})


def test_tls_verification_trusts_the_system_certificates(
    tls_echo: tuple[Echo, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, cert = tls_echo
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert ssl.get_default_verify_paths().cafile == str(cert)
    result = send({"url": f"{server.url}/echo", "sslVerification": True})
    assert received(result)["path"] == "/echo"
