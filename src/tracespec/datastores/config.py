"""The ``type: DataStore`` resource read as Tracetest reads it: which backend, where, how.

:func:`read_config` takes the resource as plain data (the whole ``{type: DataStore, spec:
...}`` document or its ``spec``) and gives a frozen :class:`DataStore`.  The fields are the
reference's (``server/datastore``): ``jaeger`` is a gRPC client (``endpoint``, ``tls``,
``headers``) or, an extension in Tempo's shape, ``{type: http|grpc, http: {url}, grpc: {...}}``;
``tempo`` is ``{type: grpc|http, grpc: {endpoint, tls, headers}, http: {url, headers, tls}}``;
``opensearch`` and ``elasticapm`` hold ``addresses``, ``index``, ``username``, ``password``,
``certificate`` and ``insecureSkipVerify``; ``signalfx`` ``realm`` and ``token`` (and ``url``, an
extension); ``zipkin`` (an extension) ``url`` and ``headers``; ``clickhouse`` (an extension:
the collector's clickhouseexporter table) ``url`` (``chdb:PATH`` or ``http://host:8123``),
``table`` (``otel_traces``), ``username`` and ``password``.  The push types (``otlp`` and the
vendor pipelines) need no field: the collector exports to tracespec's receiver.  Secrets
(passwords, tokens, header values) are kept out of every ``repr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import DataStoreError

__all__ = ["PULL_TYPES", "PUSH_TYPES", "UNSUPPORTED_TYPES", "DataStore", "Tls", "read_config"]

#: Types whose trace tracespec asks the backend for.
PULL_TYPES = ("jaeger", "tempo", "opensearch", "elasticapm", "signalfx", "zipkin", "clickhouse")
#: Types where the collector exports to the test tool (tracespec's OTLP receiver).
PUSH_TYPES = ("otlp", "agent", "lightstep", "newrelic", "datadog", "honeycomb", "dynatrace",
              "dash0", "signoz")
#: The reference's other types, which tracespec does not read.
UNSUPPORTED_TYPES = ("awsxray", "azureappinsights", "sumologic", "instana")


def _no_credentials(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    host, slash, path = rest.partition("/")
    host = host.rpartition("@")[2]
    path = path.partition("?")[0]
    return f"{scheme}{sep}{host}{slash}{path}".rstrip("/")


def _url_repr(url: str) -> str:
    return repr(_no_credentials(url))


def _urls_repr(urls: tuple[str, ...]) -> str:
    return repr(tuple(_no_credentials(u) for u in urls))


@attrs.frozen
class Tls:
    """TLS of a connection, the reference's fields: ``insecure`` (plain text, no TLS),
    ``insecure_skip_verify`` (TLS, certificate not checked), ``server_name``, and the PEM files
    ``ca_file``, ``cert_file``, ``key_file`` (``certificate``: a CA given inline)."""

    insecure: bool = False
    insecure_skip_verify: bool = False
    server_name: str = ""
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    certificate: str = attrs.field(default="", repr=False)


@attrs.frozen
class DataStore:
    """A data store to read traces from.

    ``type`` is the reference's type (``tempo``, ``jaeger``, ...), ``name`` its name;
    ``protocol`` is ``"http"`` or ``"grpc"`` for Jaeger and Tempo, ``"http"`` for the others,
    ``"push"`` for the push types.  ``url`` is the base URL of an HTTP API (the OpenSearch
    addresses in ``addresses``), ``endpoint`` the ``host:port`` of a gRPC service.
    ``headers`` are sent with every request; ``index``, ``username`` and ``password`` are
    OpenSearch's and Elastic's, ``token`` SignalFx's; ``realm`` picks SignalFx's API host when
    ``url`` is not given; ``api`` is ``"v2"`` for Tempo's ``/api/v2/traces`` (an extension);
    ``index`` is ClickHouse's table.
    """

    type: str
    name: str = ""
    protocol: str = "http"
    url: str = attrs.field(default="", repr=_url_repr)
    endpoint: str = ""
    addresses: tuple[str, ...] = attrs.field(default=(), repr=_urls_repr)
    index: str = ""
    username: str = ""
    password: str = attrs.field(default="", repr=False)
    token: str = attrs.field(default="", repr=False)
    realm: str = ""
    headers: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=False)
    tls: Tls = Tls()
    api: str = ""

    @property
    def is_push(self) -> bool:
        """Whether the collector pushes the spans to tracespec (nothing to ask)."""
        return self.protocol == "push"

    @property
    def where(self) -> str:
        """The endpoint asked, for messages (never a secret: no query, no credentials)."""
        if self.protocol == "grpc":
            return self.endpoint
        if self.addresses:
            return ", ".join(_no_credentials(a) for a in self.addresses)
        return _no_credentials(self.url)

    def error(self, message: str) -> DataStoreError:
        """A :class:`DataStoreError` naming this store and its endpoint."""
        return DataStoreError(message, store=self.type, endpoint=self.where)


class _Reader:
    """Reads the fields of one store, naming the field at fault."""

    def __init__(self, store: str) -> None:
        self.store = store

    def fail(self, field: str, message: str) -> DataStoreError:
        return DataStoreError(f"spec.{field}: {message}", store=self.store)

    def mapping(self, value: Any, field: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(field, f"expected a mapping, found {_kind(value)}")
        return value

    def text(self, data: Mapping[str, Any], key: str, field: str) -> str:
        value = _folded(data, key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(f"{field}.{key}", f"expected a string, found {_kind(value)}")
        return str(value).strip()

    def flag(self, data: Mapping[str, Any], key: str, field: str) -> bool:
        value = _folded(data, key)
        if value is None:
            return False
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise self.fail(f"{field}.{key}", f"expected true or false, found {_kind(value)}")
        return value

    def headers(self, data: Mapping[str, Any], field: str) -> tuple[tuple[str, str], ...]:
        raw = self.mapping(_folded(data, "headers"), f"{field}.headers")
        out = []
        for key, value in raw.items():
            if isinstance(value, Mapping | list) or value is None:
                raise self.fail(f"{field}.headers.{key}", "expected a string")
            out.append((str(key), str(value)))
        return tuple(out)

    def tls(self, data: Mapping[str, Any], field: str) -> Tls:
        raw = self.mapping(_folded(data, "tls"), f"{field}.tls")
        settings = self.mapping(_folded(raw, "settings"), f"{field}.tls.settings")
        where = f"{field}.tls"
        return Tls(
            insecure=self.flag(raw, "insecure", where),
            insecure_skip_verify=self.flag(raw, "insecureSkipVerify", where),
            server_name=self.text(raw, "serverName", where),
            ca_file=self.text(settings, "cAFile", f"{where}.settings"),
            cert_file=self.text(settings, "certFile", f"{where}.settings"),
            key_file=self.text(settings, "keyFile", f"{where}.settings"),
        )

    def required(self, value: str, field: str, example: str) -> str:
        if not value:
            raise self.fail(field, f"missing (e.g. {example})")
        return value


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number" if isinstance(value, int | float) else "a string"


def _folded(data: Mapping[str, Any], key: str) -> Any:
    """``data[key]`` matched without case, as Go's JSON decoder matches fields."""
    if key in data:
        return data[key]
    lowered = key.lower()
    return next((v for k, v in data.items() if str(k).lower() == lowered), None)


def _grpc(r: _Reader, base: DataStore, data: Mapping[str, Any], field: str,
          example: str) -> DataStore:
    endpoint = r.required(r.text(data, "endpoint", field), f"{field}.endpoint", example)
    return attrs.evolve(base, protocol="grpc", endpoint=endpoint, headers=r.headers(data, field),
                        tls=r.tls(data, field))


def _http(r: _Reader, base: DataStore, data: Mapping[str, Any], field: str,
          example: str) -> DataStore:
    url = r.required(r.text(data, "url", field), f"{field}.url", example)
    if "://" not in url:
        url = "http://" + url
    return attrs.evolve(base, protocol="http", url=url.rstrip("/"),
                        headers=r.headers(data, field), tls=r.tls(data, field))


def _multi(r: _Reader, base: DataStore, data: Mapping[str, Any], field: str, grpc_example: str,
           http_example: str) -> DataStore:
    """Tempo's ``{type: grpc|http, grpc: {...}, http: {...}}`` (Jaeger's extension)."""
    kind = r.text(data, "type", field).lower()
    if kind not in ("grpc", "http"):
        raise r.fail(f"{field}.type", f"expected grpc or http, found {kind or 'nothing'!r}")
    inner = r.mapping(_folded(data, kind), f"{field}.{kind}")
    if kind == "grpc":
        return _grpc(r, base, inner, f"{field}.grpc", grpc_example)
    store = _http(r, base, inner, f"{field}.http", http_example)
    api = r.text(inner, "api", f"{field}.http").lower()
    if api not in ("", "v1", "v2") or (api == "v2" and base.type != "tempo"):
        raise r.fail(f"{field}.http.api", f"expected v1 or v2 (Tempo), found {api!r}")
    return attrs.evolve(store, api=api)


def _search(r: _Reader, base: DataStore, data: Mapping[str, Any], field: str) -> DataStore:
    raw = _folded(data, "addresses")
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(a, str) and a for a in raw):
        raise r.fail(f"{field}.addresses", "expected a list of URLs (e.g. "
                     "[http://opensearch:9200])")
    index = r.required(r.text(data, "index", field), f"{field}.index", "traces")
    skip = r.flag(data, "insecureSkipVerify", field)
    certificate = r.text(data, "certificate", field)
    return attrs.evolve(
        base, addresses=tuple(a.strip().rstrip("/") for a in raw), index=index,
        username=r.text(data, "username", field), password=r.text(data, "password", field),
        tls=Tls(insecure_skip_verify=skip, certificate=certificate),
    )


def _clickhouse(r: _Reader, base: DataStore, data: Mapping[str, Any], field: str
                ) -> DataStore:
    url = r.required(r.text(data, "url", field), f"{field}.url",
                     "chdb:./db or http://clickhouse:8123")
    if not url.startswith(("chdb:", "http://", "https://")):
        raise r.fail(f"{field}.url", "chdb:PATH or http(s)://host:port")
    return attrs.evolve(base, url=url, index=r.text(data, "table", field) or "otel_traces",
                        username=r.text(data, "username", field),
                        password=r.text(data, "password", field))


def _signalfx(r: _Reader, base: DataStore, data: Mapping[str, Any], field: str) -> DataStore:
    token = r.required(r.text(data, "token", field), f"{field}.token", "your SignalFx token")
    url = r.text(data, "url", field)
    if not url:
        realm = r.required(r.text(data, "realm", field), f"{field}.realm", "us1")
        url = f"https://api.{realm}.signalfx.com"
    return attrs.evolve(base, url=url.rstrip("/"), token=token,
                        realm=r.text(data, "realm", field))


def read_config(document: Mapping[str, Any]) -> DataStore:
    """The data store a ``type: DataStore`` resource describes (the whole document or its
    ``spec``).  Raises :class:`~tracespec.errors.DataStoreError` for a field that does not
    hold and for a type tracespec does not read."""
    if not isinstance(document, Mapping):
        raise DataStoreError(f"a DataStore is a mapping, found {_kind(document)}")
    kind = document.get("type")
    if isinstance(kind, str) and kind.strip().lower() == "datastore":
        spec = document.get("spec")
        if not isinstance(spec, Mapping):
            raise DataStoreError("a DataStore resource needs a 'spec' mapping")
        document = spec
    store_type = document.get("type")
    if not isinstance(store_type, str) or not store_type.strip():
        raise DataStoreError("spec.type: missing (one of " + ", ".join(
            (*PULL_TYPES, *PUSH_TYPES)) + ")")
    store_type = store_type.strip().lower()
    name = document.get("name")
    base = DataStore(type=store_type, name=str(name) if name is not None else "")
    r = _Reader(store_type)
    if store_type in PUSH_TYPES:
        return attrs.evolve(base, protocol="push")
    if store_type in UNSUPPORTED_TYPES:
        raise DataStoreError(
            f"type {store_type} is not supported by tracespec (it reads "
            + ", ".join(PULL_TYPES) + "; the push types " + ", ".join(PUSH_TYPES)
            + " export to its receiver)", store=store_type)
    if store_type not in PULL_TYPES:
        raise DataStoreError(f"spec.type: unknown data store type {store_type!r} (one of "
                             + ", ".join((*PULL_TYPES, *PUSH_TYPES)) + ")")
    data = r.mapping(_folded(document, store_type), store_type)
    if store_type == "jaeger":
        if _folded(data, "type") is not None:
            return _multi(r, base, data, "jaeger", "jaeger:16685", "http://jaeger:16686")
        return _grpc(r, base, data, "jaeger", "jaeger:16685")
    if store_type == "tempo":
        return _multi(r, base, data, "tempo", "tempo:9095", "http://tempo:3200")
    if store_type in ("opensearch", "elasticapm"):
        return _search(r, base, data, store_type)
    if store_type == "signalfx":
        return _signalfx(r, base, data, store_type)
    if store_type == "clickhouse":
        return _clickhouse(r, base, data, store_type)
    return _http(r, base, data, "zipkin", "http://zipkin:9411")
