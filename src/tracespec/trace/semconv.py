"""Renamed attributes of the OpenTelemetry semantic conventions, read both ways.

Applications instrumented at different times name the same thing differently: an HTTP status is
``http.status_code`` in older instrumentations and ``http.response.status_code`` since the HTTP
conventions went stable.  When an assertion reads an attribute a span does not have, or a
selector selects nothing, the messages say so if the span (or the trace) has the attribute's
other name: :func:`renames_of` gives the renames a key takes part in, as the old name or as the
new one, and :func:`described` the words for one.  Nothing is read under the other name: the
verdicts stay Tracetest's.

**The table** is the stable HTTP, database, messaging and RPC renames (the ``net.*`` network
attributes that the HTTP migration renamed included) of the OpenTelemetry semantic conventions
**v1.44.0** (tag ``v1.44.0``, commit ``e10a930844c6951757a43b849d364f7d056ac32b`` of
open-telemetry/semantic-conventions), generated from, at that tag:

* ``model/{http,db,messaging,rpc,network}/deprecated/registry-deprecated.yaml``: every
  ``deprecated.renamed_to``; and for the other deprecations, the attributes the note's first
  sentence names in backquotes (cut at ", but"), unless it says there is no replacement
  (``http.target``: "Split to ``url.path`` and ``url.query``");
* ``docs/non-normative/{http,db,rpc}-migration.md``: the table rows "``old`` → ``new``"
  (``http.resend_count`` → ``http.request.resend_count`` is only there);
* left out: the connection-pool *metric* attributes (``state``, ``pool.name``), never on spans.

An old name replaced by several (a split, or "server.address on client spans, client.address on
server spans") has one row per new name.  A row's release (:attr:`Rename.since`) is the first
release whose CHANGELOG entry names both the old and the new attribute as renamed, deprecated or
replaced; it is empty where the CHANGELOG says nothing that precise (the attribute was renamed
before v1.21.0, or to another name first), and the words then cite the table's version instead.
"""

from __future__ import annotations

import attrs

from .._frozen import FieldsRepr

__all__ = ["RENAMES", "SEMCONV_VERSION", "Rename", "described", "renames_of"]

#: The release of the semantic conventions the table comes from.
SEMCONV_VERSION = "1.44.0"


@attrs.frozen(repr=False)
class Rename(FieldsRepr):
    """One rename: ``old`` is ``new`` now; ``since`` the release that did it ("" when unsure)."""

    old: str
    new: str
    since: str = ""

    def other(self, key: str) -> str:
        """The name of the two that ``key`` is not."""
        return self.new if key == self.old else self.old


# (old name, new name, release that renamed it or "")
_TABLE = (
    ("db.cassandra.consistency_level", "cassandra.consistency.level", ""),
    ("db.cassandra.coordinator.dc", "cassandra.coordinator.dc", ""),
    ("db.cassandra.coordinator.id", "cassandra.coordinator.id", ""),
    ("db.cassandra.idempotence", "cassandra.query.idempotent", ""),
    ("db.cassandra.page_size", "cassandra.page.size", ""),
    ("db.cassandra.speculative_execution_count", "cassandra.speculative_execution.count", ""),
    ("db.cassandra.table", "db.collection.name", "1.26.0"),
    ("db.connection_string", "server.address", "1.25.0"),
    ("db.connection_string", "server.port", "1.25.0"),
    ("db.cosmosdb.client_id", "azure.client.id", ""),
    ("db.cosmosdb.connection_mode", "azure.cosmosdb.connection.mode", ""),
    ("db.cosmosdb.consistency_level", "azure.cosmosdb.consistency.level", ""),
    ("db.cosmosdb.container", "db.collection.name", "1.26.0"),
    ("db.cosmosdb.regions_contacted", "azure.cosmosdb.operation.contacted_regions", ""),
    ("db.cosmosdb.request_charge", "azure.cosmosdb.operation.request_charge", ""),
    ("db.cosmosdb.request_content_length", "azure.cosmosdb.request.body.size", ""),
    ("db.cosmosdb.status_code", "db.response.status_code", ""),
    ("db.cosmosdb.sub_status_code", "azure.cosmosdb.response.sub_status_code", ""),
    ("db.elasticsearch.cluster.name", "db.namespace", ""),
    ("db.elasticsearch.node.name", "elasticsearch.node.name", ""),
    ("db.elasticsearch.path_parts", "db.operation.parameter", ""),
    ("db.mongodb.collection", "db.collection.name", "1.26.0"),
    ("db.name", "db.namespace", "1.26.0"),
    ("db.operation", "db.operation.name", "1.26.0"),
    ("db.redis.database_index", "db.namespace", "1.26.0"),
    ("db.sql.table", "db.collection.name", "1.26.0"),
    ("db.statement", "db.query.text", "1.26.0"),
    ("db.system", "db.system.name", "1.30.0"),
    ("http.client_ip", "client.address", "1.21.0"),
    ("http.flavor", "network.protocol.name", ""),
    ("http.flavor", "network.protocol.version", ""),
    ("http.host", "server.address", ""),
    ("http.host", "client.address", ""),
    ("http.host", "http.request.header.host", ""),
    ("http.method", "http.request.method", "1.21.0"),
    ("http.request_content_length", "http.request.header.content-length", ""),
    ("http.request_content_length", "http.request.body.size", "1.21.0"),
    ("http.request_content_length_uncompressed", "http.request.body.size", ""),
    ("http.resend_count", "http.request.resend_count", ""),
    ("http.response_content_length", "http.response.header.content-length", ""),
    ("http.response_content_length", "http.response.body.size", "1.21.0"),
    ("http.response_content_length_uncompressed", "http.response.body.size", ""),
    ("http.scheme", "url.scheme", "1.21.0"),
    ("http.server_name", "server.address", ""),
    ("http.status_code", "http.response.status_code", "1.21.0"),
    ("http.target", "url.path", "1.21.0"),
    ("http.target", "url.query", "1.21.0"),
    ("http.url", "url.full", "1.21.0"),
    ("http.user_agent", "user_agent.original", "1.19.0"),
    ("messaging.client_id", "messaging.client.id", "1.26.0"),
    ("messaging.eventhubs.consumer.group", "messaging.consumer.group.name", ""),
    ("messaging.kafka.consumer.group", "messaging.consumer.group.name", ""),
    ("messaging.kafka.destination.partition", "messaging.destination.partition.id", ""),
    ("messaging.kafka.message.offset", "messaging.kafka.offset", ""),
    ("messaging.operation", "messaging.operation.type", "1.26.0"),
    ("messaging.rocketmq.client_group", "messaging.consumer.group.name", ""),
    ("messaging.servicebus.destination.subscription_name",
     "messaging.destination.subscription.name", ""),
    ("net.host.ip", "network.local.address", ""),
    ("net.host.name", "server.address", "1.21.0"),
    ("net.host.port", "server.port", "1.21.0"),
    ("net.peer.ip", "network.peer.address", ""),
    ("net.peer.name", "server.address", "1.21.0"),
    ("net.peer.name", "client.address", "1.21.0"),
    ("net.peer.port", "server.port", "1.21.0"),
    ("net.peer.port", "client.port", "1.21.0"),
    ("net.protocol.name", "network.protocol.name", ""),
    ("net.protocol.version", "network.protocol.version", ""),
    ("net.sock.family", "network.transport", "1.21.0"),
    ("net.sock.family", "network.type", "1.21.0"),
    ("net.sock.host.addr", "network.local.address", ""),
    ("net.sock.host.port", "network.local.port", ""),
    ("net.sock.peer.addr", "network.peer.address", ""),
    ("net.sock.peer.port", "network.peer.port", ""),
    ("net.transport", "network.transport", "1.21.0"),
    ("rpc.connect_rpc.error_code", "rpc.response.status_code", "1.39.0"),
    ("rpc.connect_rpc.request.metadata", "rpc.request.metadata", ""),
    ("rpc.connect_rpc.response.metadata", "rpc.response.metadata", ""),
    ("rpc.grpc.request.metadata", "rpc.request.metadata", ""),
    ("rpc.grpc.response.metadata", "rpc.response.metadata", ""),
    ("rpc.grpc.status_code", "rpc.response.status_code", "1.39.0"),
    ("rpc.jsonrpc.error_code", "rpc.response.status_code", "1.39.0"),
    ("rpc.jsonrpc.request_id", "jsonrpc.request.id", ""),
    ("rpc.jsonrpc.version", "jsonrpc.protocol.version", ""),
    ("rpc.service", "rpc.method", ""),
    ("rpc.system", "rpc.system.name", "1.39.0"),
)

#: Every rename of the table, in its order (old names sorted).
RENAMES: tuple[Rename, ...] = tuple(Rename(*row) for row in _TABLE)


def _by_key() -> dict[str, tuple[Rename, ...]]:
    out: dict[str, list[Rename]] = {}
    for rename in RENAMES:
        out.setdefault(rename.old, []).append(rename)
        out.setdefault(rename.new, []).append(rename)
    return {key: tuple(found) for key, found in out.items()}


_BY_KEY = _by_key()


def renames_of(key: str) -> tuple[Rename, ...]:
    """The renames ``key`` takes part in, as the old name or as the new one (table order)."""
    return _BY_KEY.get(key, ())


def described(rename: Rename, asked: str) -> str:
    """The other name of ``asked`` in ``rename``, quoted, and what it is: ``"http.response.
    status_code" (its name since semconv v1.21.0)``, or ``... (its name before ...)`` when the
    other name is the old one."""
    other = rename.other(asked)
    version = rename.since or SEMCONV_VERSION
    if other == rename.new:
        when = f"since semconv v{version}" if rename.since else f"in semconv v{version}"
    else:
        when = f"before semconv v{version}"
    return f'"{other}" (its name {when})'
