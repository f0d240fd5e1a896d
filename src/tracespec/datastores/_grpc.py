"""gRPC for the data stores (grpcio): a channel with the store's TLS and headers, failures in
words.

``tls.insecure`` is a plain-text channel; otherwise TLS with the system's roots, or the
``tls.settings`` files (``cAFile``, ``certFile``/``keyFile``) and ``serverName``, as the
reference's gRPC clients take them.  :func:`failure` turns a :class:`grpc.RpcError` into a
:class:`~tracespec.errors.DataStoreError` naming the store and endpoint (never the headers);
:func:`not_found` tells the answers that mean *not there yet*.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import DataStoreError
from .config import DataStore

__all__ = ["MAX_MESSAGE", "channel", "failure", "metadata", "not_found"]

#: The largest answer read (the reference reads 10 MB from Tempo; a big trace needs more).
MAX_MESSAGE = 256 * 1024 * 1024


def _read(store: DataStore, path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise store.error(f"cannot read the TLS file {path}: {exc.strerror or exc}") from None


def channel(store: DataStore) -> Any:
    """A grpc channel to ``store.endpoint``."""
    import grpc

    options: list[tuple[str, Any]] = [("grpc.max_receive_message_length", MAX_MESSAGE)]
    tls = store.tls
    if tls.insecure:
        return grpc.insecure_channel(store.endpoint, options=options)
    if tls.insecure_skip_verify:
        raise store.error("tls.insecureSkipVerify is not supported over gRPC by tracespec: "
                          "give the server's CA in tls.settings.cAFile, or tls.insecure")
    if tls.server_name:
        options.append(("grpc.ssl_target_name_override", tls.server_name))
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read(store, tls.ca_file) if tls.ca_file else None,
        private_key=_read(store, tls.key_file) if tls.key_file else None,
        certificate_chain=_read(store, tls.cert_file) if tls.cert_file else None,
    )
    return grpc.secure_channel(store.endpoint, credentials, options=options)


def metadata(store: DataStore) -> list[tuple[str, str]]:
    """The store's headers as gRPC metadata (lower-case keys)."""
    return [(k.lower(), v) for k, v in store.headers]


def not_found(exc: Any) -> bool:
    """Whether a gRPC error means the trace is not (yet) in the store."""
    import grpc

    return bool(exc.code() == grpc.StatusCode.NOT_FOUND
                or "trace not found" in (exc.details() or "").lower())


def failure(store: DataStore, exc: Any, timeout: float) -> DataStoreError:
    """The error for a failed call, in words."""
    import grpc

    code = exc.code()
    details = " ".join(str(exc.details() or "").split())[:200]
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        message = f"no answer in {timeout:g}s"
    elif code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
        message = f"{code.name}: check the token / headers ({details})"
    elif code == grpc.StatusCode.UNAVAILABLE:
        lowered = details.lower()
        if "refused" in lowered:
            message = "connection refused (is the data store running, at this address?)"
        elif "dns" in lowered or "resolve" in lowered:
            message = "the host name does not resolve (DNS)"
        elif "ssl" in lowered or "handshake" in lowered or "tls" in lowered:
            message = f"TLS failed: {details}"
        else:
            message = f"unavailable: {details}"
    else:
        message = f"{code.name}: {details}"
    return store.error(message)
