"""Where a gRPC trigger's message types come from: its ``protobufFile`` compiled with
grpcio-tools, or the server's reflection service when no file is given.

Either way the result is a :class:`Schema`: the file descriptors (a protobuf
``DescriptorPool``) and the methods of their services.  A ``protobufFile`` is compiled by
``grpc_tools.protoc`` in a child process (so its error messages can be shown), with the folder
of the file (when it was read from one) and the test file's folder as import paths, plus the
well-known types; compiled schemas are kept for the life of the process.  Reflection asks
``grpc.reflection.v1alpha`` (then ``v1``) for the file declaring the service and for any file
it imports that did not come with it, each question bounded by the trigger's timeout.
"""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from ..errors import TriggerError, first_line

__all__ = ["Method", "Schema", "compile_schema", "reflect_schema"]

_COMPILE_TIMEOUT = 120.0
_PROTOC = (
    "import sys\nfrom grpc_tools import protoc\n"
    "sys.exit(protoc.main(['protoc', *sys.argv[1:]]))\n"
)
_REFLECTION = (
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
)


@attrs.frozen
class Method:
    """A method of a service: its full name parts, message types and streaming kinds."""

    service: str
    name: str
    input_type: str
    output_type: str
    client_streaming: bool = False
    server_streaming: bool = False

    @property
    def path(self) -> str:
        """The HTTP/2 path gRPC calls: ``/package.Service/Method``."""
        return f"/{self.service}/{self.name}"


@attrs.frozen
class Schema:
    """File descriptors in a pool, and the methods of their services by ``(service, name)``."""

    pool: Any = attrs.field(eq=False)
    methods: dict[tuple[str, str], Method] = attrs.field(eq=False)

    def services(self) -> list[str]:
        """The full names of the services, sorted."""
        return sorted({service for service, _ in self.methods})

    def message_class(self, full_name: str) -> Any:
        """The Python class of message type ``full_name``."""
        from google.protobuf import message_factory

        return message_factory.GetMessageClass(self.pool.FindMessageTypeByName(full_name))


def _schema(files: Iterable[Any]) -> Schema:
    """A schema of ``FileDescriptorProto`` s, added to a new pool dependencies first."""
    from google.protobuf.descriptor_pool import DescriptorPool

    by_name = {f.name: f for f in files}
    pool = DescriptorPool()
    added: set[str] = set()

    def add(name: str, trail: tuple[str, ...] = ()) -> None:
        if name in added or name not in by_name or name in trail:
            return
        for dependency in by_name[name].dependency:
            add(dependency, (*trail, name))
        pool.AddSerializedFile(by_name[name].SerializeToString())
        added.add(name)

    for name in by_name:
        add(name)
    methods = {}
    for f in by_name.values():
        for service in f.service:
            full = f"{f.package}.{service.name}" if f.package else service.name
            for m in service.method:
                methods[(full, m.name)] = Method(
                    service=full,
                    name=m.name,
                    input_type=m.input_type.lstrip("."),
                    output_type=m.output_type.lstrip("."),
                    client_streaming=m.client_streaming,
                    server_streaming=m.server_streaming,
                )
    return Schema(pool=pool, methods=methods)


def _well_known_types(field: str) -> list[str]:
    """The folders of grpcio-tools' ``.proto`` files of the well-known types."""
    try:
        spec = importlib.util.find_spec("grpc_tools")
    except (ImportError, ValueError):  # ValueError: blocked in sys.modules
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise TriggerError(
            "a protobufFile needs grpcio-tools to compile it: pip install 'tracespec[grpc]'",
            field=field)
    return [str(Path(p) / "_proto") for p in spec.submodule_search_locations]


@functools.lru_cache(maxsize=32)
def compile_schema(text: str, path: str, base_dir: str, field: str) -> Schema:
    """The schema of a ``.proto`` file: ``text``, read from ``path`` (``""``: written in the
    test file); its errors are a :class:`TriggerError` on ``field``."""
    from google.protobuf.descriptor_pb2 import FileDescriptorSet

    includes = _well_known_types(field)
    with tempfile.TemporaryDirectory(prefix="tracespec-proto-") as tmp:
        if path:
            source = Path(path).resolve()
        else:
            source = Path(tmp) / "protobufFile.proto"
            source.write_text(text, encoding="utf-8")
        out = Path(tmp) / "descriptors.pb"
        roots = [str(source.parent), str(Path(base_dir).resolve())]
        args = [f"-I{d}" for d in dict.fromkeys([*roots, *includes])]
        args += [f"--descriptor_set_out={out}", "--include_imports", source.name]
        try:
            done = subprocess.run(
                [sys.executable, "-c", _PROTOC, *args], capture_output=True, text=True,
                timeout=_COMPILE_TIMEOUT, cwd=tmp, check=False,
            )
        except subprocess.TimeoutExpired:
            raise TriggerError(
                f"protoc did not finish in {_COMPILE_TIMEOUT:g}s", field=field) from None
        if done.returncode != 0 or not out.exists():
            message = (done.stderr or done.stdout).strip().replace(str(Path(tmp)) + "/", "")
            if "No module named" in message and "grpc_tools" in message:
                message = "grpcio-tools is not installed: pip install 'tracespec[grpc]'"
            raise TriggerError(
                f"cannot compile the protobufFile: {first_line(message) or 'protoc failed'}",
                field=field,
            )
        files = FileDescriptorSet.FromString(out.read_bytes()).file
    return _schema(files)


def _reflection_messages(field: str) -> Any:
    try:
        from grpc_reflection.v1alpha import reflection_pb2
    except ImportError:
        raise TriggerError(
            "without a protobufFile, a gRPC trigger asks the server by reflection, which needs "
            "grpcio-reflection: pip install 'tracespec[grpc]'", field=field) from None
    return reflection_pb2


def _ask(channel: Any, path: str, asking: tuple[float, Any, Any], **question: str) -> Any:
    """One reflection question; its answer (a ``ServerReflectionResponse``).  ``asking`` is the
    timeout, the metadata sent and the reflection messages' module."""
    timeout, metadata, reflection_pb2 = asking
    call = channel.stream_stream(
        path,
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    request = reflection_pb2.ServerReflectionRequest(**question)
    for answer in call(iter([request]), timeout=timeout, metadata=metadata):
        return answer
    return None


def reflect_schema(
    channel: Any, service: str, timeout: float, field: str, metadata: Any = ()
) -> Schema:
    """The schema of ``service`` as the server's reflection service tells it; each question
    carries ``metadata`` (the trigger's own and its auth, as grpcurl sends them, without the
    trace context: reflection is not part of the test's trace).

    Raises ``grpc.RpcError`` when the server cannot be reached (the caller words it), and a
    :class:`TriggerError` when it has no reflection or does not know the service.
    """
    import grpc
    from google.protobuf.descriptor_pb2 import FileDescriptorProto

    asking = (timeout, tuple(metadata), _reflection_messages(field))
    answer = None
    path = _REFLECTION[0]
    for path in _REFLECTION:
        try:
            answer = _ask(channel, path, asking, file_containing_symbol=service)
            break
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise
    if answer is None:
        raise TriggerError(
            "no protobufFile is given and the server has no reflection service", field=field)
    if answer.HasField("error_response"):
        raise TriggerError(
            f"server reflection does not know service {service!r}: "
            f"{answer.error_response.error_message}", field=field)
    files: dict[str, Any] = {}
    asked: set[str] = set()
    found = list(answer.file_descriptor_response.file_descriptor_proto)
    while found:
        for data in found:
            f = FileDescriptorProto.FromString(data)
            files[f.name] = f
        found = []
        for f in list(files.values()):
            for dependency in f.dependency:
                if dependency in files or dependency in asked:
                    continue
                asked.add(dependency)
                more = _ask(channel, path, asking, file_by_filename=dependency)
                if more is not None and not more.HasField("error_response"):
                    found.extend(more.file_descriptor_response.file_descriptor_proto)
    return _schema(files.values())
