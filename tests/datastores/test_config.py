"""``type: DataStore`` files read as Tracetest's (examples/datastores/ and the reference's
documented shapes), the push types, the unsupported ones, and fields that do not hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracespec.datastores import PUSH_TYPES, read_config
from tracespec.errors import DataStoreError, TestFileError
from tracespec.testfiles.datastore_file import load_datastore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "datastores"


def test_every_example_file_reads() -> None:
    got = {p.stem: load_datastore(p, environ={"OPENSEARCH_PASSWORD": "pw",
                                              "ELASTIC_PASSWORD": "pw", "SIGNALFX_TOKEN": "t"})
           for p in sorted(EXAMPLES.glob("*.yaml"))}
    assert {k: (v.type, v.protocol, v.where) for k, v in got.items()} == {
        "clickhouse": ("clickhouse", "http", "http://127.0.0.1:8123"),
        "elasticapm": ("elasticapm", "http", "https://127.0.0.1:9200"),
        "jaeger": ("jaeger", "grpc", "127.0.0.1:16685"),
        "jaeger-http": ("jaeger", "http", "http://127.0.0.1:16686"),
        "opensearch": ("opensearch", "http", "http://127.0.0.1:9200"),
        "otlp": ("otlp", "push", ""),
        "signalfx": ("signalfx", "http", "https://api.us1.signalfx.com"),
        "tempo": ("tempo", "http", "http://127.0.0.1:3200"),
        "tempo-grpc": ("tempo", "grpc", "127.0.0.1:9095"),
        "zipkin": ("zipkin", "http", "http://127.0.0.1:9411"),
    }
    assert got["jaeger"].tls.insecure and got["elasticapm"].tls.insecure_skip_verify
    assert got["opensearch"].index == "otel-v1-apm-span"


def test_secrets_stay_out_of_the_repr() -> None:
    store = read_config({"type": "signalfx", "signalfx": {"realm": "eu0", "token": "T0KEN"}})
    search = read_config({"type": "opensearch", "opensearch": {
        "addresses": ["http://u:p4ss@os:9200"], "index": "i", "password": "p4ss"}})
    tempo = read_config({"type": "tempo", "tempo": {"type": "http", "http": {
        "url": "http://t:3200", "headers": {"Authorization": "Bearer HDR"}}}})
    assert "T0KEN" not in repr(store) and "p4ss" not in repr(search) + search.where
    assert "HDR" not in repr(tempo) and store.url == "https://api.eu0.signalfx.com"


def test_the_resource_and_its_spec_read_alike_and_field_names_fold_case() -> None:
    spec = {"type": "Tempo", "tempo": {"Type": "GRPC", "grpc": {"Endpoint": "t:9095"}}}
    assert read_config({"type": "DataStore", "spec": spec}) == read_config(spec)
    assert read_config(spec).endpoint == "t:9095"


@pytest.mark.parametrize("kind", PUSH_TYPES)
def test_the_push_types_need_no_field(kind: str) -> None:
    assert read_config({"type": kind}).is_push


@pytest.mark.parametrize("kind", ["awsxray", "azureappinsights", "sumologic", "instana"])
def test_the_other_reference_types_are_not_supported(kind: str) -> None:
    with pytest.raises(DataStoreError, match=f"type {kind} is not supported by tracespec"):
        read_config({"type": kind, kind: {}})


@pytest.mark.parametrize(("spec", "words"), [
    ({"type": "tempo", "tempo": {"type": "http"}}, "spec.tempo.http.url: missing"),
    ({"type": "tempo", "tempo": {"type": "udp"}}, "spec.tempo.type: expected grpc or http"),
    ({"type": "jaeger", "jaeger": {}}, "spec.jaeger.endpoint: missing"),
    ({"type": "opensearch", "opensearch": {"index": "x"}}, "spec.opensearch.addresses"),
    ({"type": "signalfx", "signalfx": {"realm": "us1"}}, "spec.signalfx.token: missing"),
    ({"type": "zipkin", "zipkin": "http://z"}, "spec.zipkin: expected a mapping"),
    ({"type": "nosuch"}, "unknown data store type 'nosuch'"),
    ({"name": "x"}, "spec.type: missing"),
    ({"type": "jaeger", "jaeger": {"endpoint": "j:1", "tls": {"insecure": "maybe"}}},
     "spec.jaeger.tls.insecure: expected true or false"),
])
def test_fields_that_do_not_hold(spec: dict[str, object], words: str) -> None:
    with pytest.raises(DataStoreError, match=words):
        read_config(spec)


def test_a_file_that_is_no_datastore(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("type: Test\nspec: {}\n", encoding="utf-8")
    with pytest.raises(TestFileError, match="expected a DataStore"):
        load_datastore(path)
    path.write_text("type: DataStore\nspec:\n  type: tempo\n", encoding="utf-8")
    with pytest.raises(TestFileError, match=r"t\.yaml.*spec\.tempo\.type"):
        load_datastore(path)
