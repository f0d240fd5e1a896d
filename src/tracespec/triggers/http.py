"""Sending an HTTP trigger with httpx, and what the reference does around it.

The request carries the headers written (repeats kept, an empty name skipped), then the auth
(an API key as a header, replacing one of that name, or as a query parameter; basic as
``Authorization: Basic``; bearer as ``Authorization: Bearer <token>`` unless the token already
starts with ``Bearer``), then the trace context (replacing any ``traceparent`` written).  As
the reference's client does, redirects are followed (at most 10), no proxy from the
environment is used, and TLS certificates are checked only with ``sslVerification: true``
(against the system's certificates: ``SSL_CERT_FILE``, ``SSL_CERT_DIR``).  Response header
names are written as Go writes them (``Content-Type``).

Everything that keeps the request from getting an answer (connection refused, DNS failure, a
TLS error, a timeout) is a one-line :class:`TriggerError` naming the method and the URL without
its query; the secrets of the request never appear in it.
"""

from __future__ import annotations

import base64
import socket
import ssl
from collections.abc import Iterable

import httpx

from ..errors import TriggerError
from .context import TraceContext
from .result import Response
from .settings import Auth, Headers, HttpRequest

__all__ = ["canonical_header", "send_http"]

_MAX_REDIRECTS = 10
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def canonical_header(name: str) -> str:
    """A header name as Go's ``textproto.CanonicalMIMEHeaderKey`` writes it: ``content-type``
    becomes ``Content-Type``; a name with characters a header name cannot hold is kept."""
    if not name or any(c not in _TOKEN for c in name):
        return name
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def _replace(headers: list[tuple[str, str]], key: str, value: str) -> None:
    headers[:] = [(k, v) for k, v in headers if k.lower() != key.lower()]
    headers.append((key, value))


def _with_auth(
    url: httpx.URL, headers: list[tuple[str, str]], auth: Auth | None
) -> httpx.URL:
    if auth is None:
        return url
    if auth.type == "apiKey":
        if auth.location == "query":
            return url.copy_add_param(auth.key, auth.value)
        _replace(headers, auth.key, auth.value)
    elif auth.type == "basic":
        pair = f"{auth.username}:{auth.password}".encode()
        _replace(headers, "Authorization", "Basic " + base64.b64encode(pair).decode("ascii"))
    else:
        token = auth.token.strip()
        if not token.lower().startswith("bearer "):
            token = "Bearer " + token
        _replace(headers, "Authorization", token)
    return url


def _secrets(request: HttpRequest) -> list[str]:
    out = [v for _, v in request.headers if len(v) >= 3]
    if request.auth is not None:
        out.extend(request.auth.secrets)
    out.append(httpx.URL(request.url).query.decode("ascii", "replace"))
    return sorted((s for s in out if s), key=len, reverse=True)


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        for form in (secret, repr(secret)[1:-1], repr(secret.encode("utf-8", "replace"))[2:-1]):
            text = text.replace(form, "***")
    return " ".join(text.split())


def _where(request: HttpRequest) -> str:
    url = httpx.URL(request.url)
    port = f":{url.port}" if url.port else ""
    return f"{request.method} {url.scheme}://{url.host}{port}{url.path}"


def _reason(exc: BaseException) -> str:
    """What went wrong, from the deepest cause that says it (errno, DNS, TLS)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            detail = seen.verify_message or seen.reason
            return "TLS error: certificate verify failed" + (f": {detail}" if detail else "")
        if isinstance(seen, ssl.SSLError):
            return f"TLS error: {seen.reason or seen}"
        if isinstance(seen, socket.gaierror):
            return f"DNS failure: {seen.strerror or seen}"
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, ConnectionResetError):
            return "connection reset by the server"
        seen = seen.__cause__ or seen.__context__
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "certificate" in lowered or "ssl" in lowered:
        return f"TLS error: {text}"
    if "connection refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return f"DNS failure: {text}"
    return text


def _failure(exc: httpx.HTTPError, request: HttpRequest, timeout: float) -> TriggerError:
    where = _where(request)
    if isinstance(exc, httpx.ConnectTimeout):
        message = f"{where}: timed out connecting after {timeout:g}s"
    elif isinstance(exc, httpx.TimeoutException):
        message = f"{where}: timed out after {timeout:g}s waiting for the answer"
    elif isinstance(exc, httpx.TooManyRedirects):
        message = f"{where}: more than {_MAX_REDIRECTS} redirects"
    elif isinstance(exc, httpx.ConnectError):
        message = f"{where}: cannot connect: {_reason(exc)}"
    else:
        message = f"{where}: {_reason(exc)}"
    return TriggerError(_scrub(message, _secrets(request)))


def _verify(request: HttpRequest) -> ssl.SSLContext | bool:
    return ssl.create_default_context() if request.ssl_verification else False


def _response(answer: httpx.Response) -> Response:
    headers: Headers = tuple(
        (canonical_header(k.decode("latin-1")), v.decode("latin-1"))
        for k, v in answer.headers.raw
    )
    encoding = answer.charset_encoding or "utf-8"
    try:
        body = answer.content.decode(encoding, errors="replace")
    except LookupError:  # a charset Python does not know
        body = answer.content.decode("utf-8", errors="replace")
    return Response(status=answer.status_code, headers=headers, body=body)


def send_http(request: HttpRequest, context: TraceContext, *, timeout: float) -> Response:
    """Send ``request`` in trace ``context`` and return the answer; a request that gets none
    is a :class:`TriggerError`."""
    headers = [(k, v) for k, v in request.headers if k.strip()]
    try:
        url = _with_auth(httpx.URL(request.url), headers, request.auth)
    except httpx.InvalidURL as exc:
        raise TriggerError(_scrub(f"not a URL: {exc}", _secrets(request))) from None
    for key, value in context.headers():
        _replace(headers, key, value)
    try:
        with httpx.Client(
            verify=_verify(request),
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=_MAX_REDIRECTS,
            trust_env=False,
        ) as client:
            answer = client.request(
                request.method,
                url,
                headers=headers,
                content=request.body.encode("utf-8") if request.body else None,
            )
    except httpx.HTTPError as exc:
        raise _failure(exc, request, timeout) from None
    except (httpx.InvalidURL, UnicodeEncodeError) as exc:
        raise TriggerError(_scrub(f"{_where(request)}: {exc}", _secrets(request))) from None
    return _response(answer)
