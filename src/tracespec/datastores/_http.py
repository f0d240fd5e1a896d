"""HTTP for the data stores (httpx): one client per store, answers and failures in words.

:class:`HttpClient` sends with the store's headers and TLS and turns what went wrong into a
:class:`~tracespec.errors.DataStoreError` naming the store and the endpoint: connection
refused, a name that does not resolve, TLS, no answer in time, 401/403 ("check the token /
username and password"), any other status that is not a success.  404 is *not found yet*
(:data:`NOT_FOUND`), which the caller decides about.  Nothing it says holds a header value.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

from ..errors import DataStoreError
from .config import DataStore

if TYPE_CHECKING:
    import httpx

__all__ = ["HttpClient", "HttpStore"]


def _verify(store: DataStore) -> ssl.SSLContext | bool:
    tls = store.tls
    if tls.insecure_skip_verify:
        return False
    if not (tls.ca_file or tls.certificate or tls.cert_file):
        return True
    context = ssl.create_default_context()
    try:
        if tls.ca_file:
            context.load_verify_locations(cafile=tls.ca_file)
        if tls.certificate:
            context.load_verify_locations(cadata=tls.certificate)
        if tls.cert_file:
            context.load_cert_chain(tls.cert_file, tls.key_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise store.error(f"cannot read the TLS certificates: {exc}") from None
    return context


class HttpClient:
    """An httpx client for ``store`` (its headers, TLS, basic auth), closed by the caller."""

    def __init__(self, store: DataStore, *, timeout: float) -> None:
        import httpx

        self.store = store
        self.timeout = timeout
        auth = (store.username, store.password) if store.username else None
        self._client = httpx.Client(
            headers=dict(store.headers), verify=_verify(store), timeout=timeout, auth=auth,
            follow_redirects=True, trust_env=False,
        )

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def send(self, method: str, url: str, *, json: Any = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        """The answer to one request; a failure or a refusal (401/403, 5xx, ...) raises a
        :class:`DataStoreError` naming ``url`` (no query); 404 is returned."""
        import httpx

        where = url.partition("?")[0]
        try:
            response = self._client.request(method, url, json=json, headers=headers)
        except httpx.TimeoutException:
            raise self._error(where, f"no answer in {self.timeout:g}s") from None
        except httpx.ConnectError as exc:
            raise self._error(where, _connect_words(exc)) from None
        except httpx.HTTPError as exc:
            raise self._error(where, f"{type(exc).__name__}: {exc}") from None
        status = response.status_code
        if status in (401, 403):
            hint = ("check the username and password" if self.store.username or
                    self.store.type in ("opensearch", "elasticapm") else
                    "check the token / headers")
            raise self._error(where, f"{status} {response.reason_phrase}: {hint}")
        if status >= 400 and status != 404:
            said = " ".join(response.text.split())[:200]
            raise self._error(where, f"answered {status} {response.reason_phrase}"
                              + (f": {said}" if said else ""))
        return response

    def _error(self, url: str, message: str) -> DataStoreError:
        return DataStoreError(message, store=self.store.type, endpoint=_no_userinfo(url))


class HttpStore:
    """What the data stores read over HTTP share: the store, its client, a JSON answer read."""

    def __init__(self, store: DataStore, *, timeout: float) -> None:
        self.store = store
        self.http = HttpClient(store, timeout=timeout)

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def json(self, url: str, body: bytes) -> Any:
        """The JSON document of the answer of ``url``; an error naming the store when it is
        not JSON."""
        import orjson

        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise self.store.error(f"the answer of {url} is not JSON: {exc}") from None


def _no_userinfo(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}{sep}{host.rpartition('@')[2]}{slash}{path}"


def _connect_words(exc: Exception) -> str:
    text = str(exc)
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused (is the data store running, at this address?)"
    if "name or service" in lowered or "nodename" in lowered or "getaddrinfo" in lowered \
            or "name resolution" in lowered:
        return "the host name does not resolve (DNS)"
    if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
        return f"TLS failed: {text}"
    return f"cannot connect: {text}"
