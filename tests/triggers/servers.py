"""Real servers for the trigger tests, on free ports of 127.0.0.1, stopped by the test.

:func:`echo_server` serves a Flask app (werkzeug, threaded) that answers what it received:
the method, path, query, headers and body, so a test checks what really went
over the wire; ``/status/<code>`` answers that status with a header of its own, ``/redirect``
sends the client to ``/echo``, ``/graphql`` answers a GraphQL-like ``{"data": ...}`` echo of
the query, variables and operation name, and ``/slow`` answers only when the test lets it
(so a timeout is tested without a sleep).  ``tls=True`` serves HTTPS with a self-signed
certificate made by :func:`self_signed` with the ``cryptography`` package.

:func:`grpc_server` serves a tiny ``.proto`` (:data:`GREETER_PROTO`, compiled in the test
with grpcio-tools) with grpcio, with or without the reflection service.
"""

from __future__ import annotations

import datetime
import importlib.util
import ipaddress
import json
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: How long a handler the test holds back waits at most, so no test can hang on it.
HOLD_LIMIT = 20.0


@dataclass
class Echo:
    """A running echo server: its base URL and the event that lets ``/slow`` answer."""

    url: str
    release: threading.Event


def _echo_app(release: threading.Event) -> Any:
    from flask import Flask, Response, jsonify, redirect, request

    app = Flask("echo")

    def received() -> dict[str, Any]:
        return {
            "method": request.method,
            "path": request.path,
            "query": [[k, v] for k, v in request.args.items(multi=True)],
            # WSGI gives header names back title-cased and repeats joined with ", ": tests
            # compare names without case
            "headers": [[k, v] for k, v in request.headers.items()],
            "body": request.get_data(as_text=True),
        }

    @app.route("/echo", methods=["GET", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "PURGE",
                                 "LOCK", "UNLOCK", "PROPFIND", "VIEW", "COPY", "LINK", "UNLINK"])
    def echo() -> Any:
        if request.method == "HEAD":  # Flask sends HEAD to the GET view
            return Response(status=204, headers={"X-Head": "yes"})
        return jsonify(received())

    @app.route("/status/<int:code>", methods=["GET", "POST"])
    def status(code: int) -> Any:
        answer = Response(json.dumps(received()), status=code, mimetype="application/json")
        answer.headers["X-Answer"] = "<&>"
        answer.headers["x-lower-CASE"] = "v"
        answer.headers.add("Set-Cookie", "a=1")
        answer.headers.add("Set-Cookie", "b=2")
        return answer

    @app.get("/redirect")
    def to_echo() -> Any:
        return redirect("/echo?from=redirect", code=302)

    @app.post("/graphql")
    def graphql() -> Any:
        payload = request.get_json(force=True, silent=True)
        if not isinstance(payload, dict) or "query" not in payload:
            return jsonify(errors=[{"message": "no query"}]), 400
        return jsonify(data={"echo": {
            "query": payload["query"],
            "variables": payload.get("variables"),
            "operationName": payload.get("operationName"),
            "keys": sorted(payload),
            "contentType": request.headers.get("Content-Type"),
            "headers": [[k, v] for k, v in request.headers.items()],
        }})

    @app.get("/slow")
    def slow() -> Any:
        release.wait(HOLD_LIMIT)
        return "late"

    @app.get("/latin1")
    def latin1() -> Any:
        return Response("caf\u00e9".encode("latin-1"),
                        content_type="text/plain; charset=iso-8859-1")

    return app


@contextmanager
def serving(app: Any, ssl_context: ssl.SSLContext | None = None) -> Iterator[str]:
    """``app`` served by werkzeug on a free port of 127.0.0.1 in a thread, stopped at the end
    of the block; the base URL."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            """No access log on the tests' stderr."""

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet,
                         ssl_context=ssl_context)
    thread = threading.Thread(target=server.serve_forever, name="serve-echo", daemon=True)
    thread.start()
    scheme = "https" if ssl_context is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=HOLD_LIMIT)


@contextmanager
def echo_server(ssl_context: ssl.SSLContext | None = None) -> Iterator[Echo]:
    """The echo app served (HTTPS with ``ssl_context``); ``/slow`` is released at the end."""
    release = threading.Event()
    try:
        with serving(_echo_app(release), ssl_context) as url:
            yield Echo(url=url, release=release)
    finally:
        release.set()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tracespec test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    return cert_path, key_path


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    """The server side of :func:`self_signed`'s certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


# -- gRPC -----------------------------------------------------------------------------------

GREETER_PROTO = """\
syntax = "proto3";

package greet.v1;

import "google/protobuf/timestamp.proto";

message HelloRequest {
  string name = 1;
  int32 times = 2;
  google.protobuf.Timestamp at = 3;
}

message HelloReply {
  string message = 1;
  int64 count = 2;
  bool shout = 3;
  repeated string received_metadata = 4;
}

service Greeter {
  rpc SayHello (HelloRequest) returns (HelloReply) {}
  rpc SayHellos (HelloRequest) returns (stream HelloReply) {}
  rpc CountNames (stream HelloRequest) returns (HelloReply) {}
  rpc Fail (HelloRequest) returns (HelloReply) {}
  rpc Slow (HelloRequest) returns (HelloReply) {}
}
"""


def compile_proto(directory: Path, text: str = GREETER_PROTO, name: str = "greet.proto") -> Any:
    """The ``_pb2`` module of ``text``, compiled with grpcio-tools into ``directory``."""
    source = directory / name
    source.write_text(text, encoding="utf-8")
    spec = importlib.util.find_spec("grpc_tools")
    assert spec is not None and spec.submodule_search_locations
    well_known = Path(next(iter(spec.submodule_search_locations))) / "_proto"
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"-I{directory}", f"-I{well_known}",
         f"--python_out={directory}", name],
        check=True, cwd=directory, capture_output=True, timeout=120,
    )
    module_name = name.removesuffix(".proto") + "_pb2"
    module_spec = importlib.util.spec_from_file_location(
        f"_trigger_test_{module_name}", directory / f"{module_name}.py")
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@dataclass
class Grpc:
    """A running gRPC server: its address, what its handlers saw, and every call's method and
    metadata (the reflection service's too)."""

    address: str
    seen: list[dict[str, Any]]
    release: threading.Event
    calls: list[tuple[str, dict[str, Any]]]


def _recorder(calls: list[tuple[str, dict[str, Any]]]) -> Any:
    import grpc

    class Record(grpc.ServerInterceptor):  # type: ignore[misc]
        def intercept_service(self, continuation: Any, details: Any) -> Any:
            calls.append((details.method, dict(details.invocation_metadata)))
            return continuation(details)

    return Record()


def _greeter_handlers(pb2: Any, seen: list[dict[str, Any]], release: threading.Event) -> Any:
    import grpc

    service = pb2.DESCRIPTOR.services_by_name["Greeter"]
    request_cls, reply_cls = pb2.HelloRequest, pb2.HelloReply

    def metadata(context: Any) -> list[str]:
        got = [f"{k}={v!r}" if isinstance(v, bytes) else f"{k}={v}"
               for k, v in context.invocation_metadata()]
        seen.append({"metadata": dict(context.invocation_metadata())})
        return got

    def say_hello(request: Any, context: Any) -> Any:
        got = metadata(context)
        context.send_initial_metadata((("x-greeter", "hello"), ("x-data-bin", b"\x00\x01")))
        return reply_cls(message=f"Hello, {request.name}!", count=request.times,
                         received_metadata=got)

    def say_hellos(request: Any, context: Any) -> Any:
        metadata(context)
        for i in range(1, max(request.times, 1) + 1):
            yield reply_cls(message=f"Hello #{i}, {request.name}", count=i)

    def count_names(requests: Any, context: Any) -> Any:
        metadata(context)
        names = [r.name for r in requests]
        return reply_cls(message=",".join(names), count=len(names))

    def fail(request: Any, context: Any) -> Any:
        metadata(context)
        context.abort(grpc.StatusCode.NOT_FOUND, f"no greeting for {request.name}")

    def slow(request: Any, context: Any) -> Any:
        release.wait(HOLD_LIMIT)
        return reply_cls(message="late")

    unary = {"request_deserializer": request_cls.FromString,
             "response_serializer": reply_cls.SerializeToString}
    return grpc.method_handlers_generic_handler(service.full_name, {
        "SayHello": grpc.unary_unary_rpc_method_handler(say_hello, **unary),
        "SayHellos": grpc.unary_stream_rpc_method_handler(say_hellos, **unary),
        "CountNames": grpc.stream_unary_rpc_method_handler(count_names, **unary),
        "Fail": grpc.unary_unary_rpc_method_handler(fail, **unary),
        "Slow": grpc.unary_unary_rpc_method_handler(slow, **unary),
    })


@contextmanager
def grpc_server(pb2: Any, *, reflection: bool = False) -> Iterator[Grpc]:
    """The Greeter of ``pb2`` served by grpcio on a free port of 127.0.0.1, with the reflection
    service when asked; stopped at the end of the block."""
    from concurrent import futures

    import grpc

    seen: list[dict[str, Any]] = []
    calls: list[tuple[str, dict[str, Any]]] = []
    release = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                         interceptors=(_recorder(calls),))
    server.add_generic_rpc_handlers((_greeter_handlers(pb2, seen, release),))
    if reflection:
        from grpc_reflection.v1alpha import reflection as grpc_reflection

        # the reflection service reads the descriptors from the default pool, where the
        # compiled module put them
        grpc_reflection.enable_server_reflection(
            (pb2.DESCRIPTOR.services_by_name["Greeter"].full_name,
             grpc_reflection.SERVICE_NAME), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield Grpc(address=f"127.0.0.1:{port}", seen=seen, release=release, calls=calls)
    finally:
        release.set()
        server.stop(grace=None).wait(HOLD_LIMIT)
