"""OpenSearch (Data Prepper span documents) and Elastic APM: the search by trace id, paged.

``POST {address}/{index}/_search`` with the reference's query (``traceId`` or ``traceID`` for
OpenSearch, ``trace.id`` for Elastic APM), sorted so that ``search_after`` pages through every
span: the reference sends one search with no ``size`` and so gets the first 10 spans of a trace
(and could never get more than the 10,000 of ``index.max_result_window``); tracespec reads
them all, :data:`PAGE` a request.  Basic auth with ``username``/``password``; each address is
tried in turn when one cannot be reached.  No hit is *not there yet*.  OpenSearch documents
are read by :mod:`tracespec.formats.opensearch`; Elastic APM's (``transaction.*`` or
``span.*``, ``@timestamp``, ``*.duration.us``) become Zipkin v2 spans first.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataStoreError
from ._http import HttpStore
from ._zipkin_shape import rfc3339_us, zipkin_span
from .config import DataStore

__all__ = ["PAGE", "OpenSearch", "elastic_span"]

#: Spans asked for in one search request.
PAGE = 1000


def _query(store: DataStore, trace_id: str) -> dict[str, Any]:
    if store.type == "elasticapm":
        return {"match": {"trace.id": trace_id}}
    return {"bool": {"should": [{"match": {"traceId": trace_id}},
                                {"match": {"traceID": trace_id}}]}}


def _sort(store: DataStore) -> list[Any]:
    keys = (("@timestamp", "date"), ("transaction.id", "keyword"), ("span.id", "keyword")) \
        if store.type == "elasticapm" else (("startTime", "date_nanos"), ("spanId", "keyword"))
    return [{key: {"order": "asc", "missing": "_first", "unmapped_type": kind}}
            for key, kind in keys]


class OpenSearch(HttpStore):
    """Reads the span documents of a trace from OpenSearch or Elastic APM."""


    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        failure: DataStoreError | None = None
        for address in self.store.addresses:
            url = f"{address}/{self.store.index}/_search"
            try:
                response = self.http.send("POST", url, json=body)
            except DataStoreError as exc:
                if "connect" in exc.message or "refused" in exc.message \
                        or "resolve" in exc.message:
                    failure = exc
                    continue
                raise
            if response.status_code == 404:  # no such index yet: nothing indexed
                return {}
            doc = self.json(url, response.content)
            if not isinstance(doc, dict):
                raise self.store.error(f"the answer of {url} is not a search response")
            return doc
        assert failure is not None
        raise failure

    def get(self, trace_id: str) -> list[Any] | None:
        """Every span document of the trace (page after page), ``None`` when there is none."""
        body: dict[str, Any] = {"size": PAGE, "query": _query(self.store, trace_id),
                                "sort": _sort(self.store)}
        sources: list[Any] = []
        while True:
            hits = self._search(body).get("hits") or {}
            page = hits.get("hits") if isinstance(hits, dict) else None
            if not isinstance(page, list):
                raise self.store.error("the search answer holds no hits.hits")
            sources.extend(h["_source"] for h in page
                           if isinstance(h, dict) and isinstance(h.get("_source"), dict))
            if len(page) < PAGE or not isinstance(page[-1], dict) or not page[-1].get("sort"):
                break
            total = hits.get("total")
            if isinstance(total, dict) and total.get("relation") == "eq" \
                    and isinstance(total.get("value"), int) and len(sources) >= total["value"]:
                break  # every hit read: no empty page to ask for
            body = {**body, "search_after": page[-1]["sort"]}
        if not sources:
            return None
        if self.store.type == "elasticapm":
            return [[elastic_span(doc) for doc in sources]]
        return [sources]


def _flat(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, name + "."))
        else:
            out[name] = value
    return out


def elastic_span(doc: dict[str, Any]) -> dict[str, Any]:
    """An Elastic APM document (a transaction or a span) as a Zipkin v2 span."""
    flat = _flat(doc)
    is_span = "span.id" in flat
    kind = "span" if is_span else "transaction"
    start = flat.get("@timestamp")
    duration = flat.get(f"{kind}.duration.us")
    tags = {
        k.removeprefix("span.").removeprefix("transaction.").removeprefix("labels."): v
        for k, v in flat.items()
        if not k.startswith(("trace.", "parent.", "@timestamp")) and not isinstance(v, list)
    }
    return zipkin_span(
        trace_id=str(flat.get("trace.id", "")), span_id=str(flat.get(f"{kind}.id", "")),
        parent_id=str(flat.get("parent.id") or ""), name=str(flat.get(f"{kind}.name", "")),
        start_us=rfc3339_us(start) if isinstance(start, str) else None,
        duration_us=float(duration) if isinstance(duration, int | float) else None,
        kind=str(flat.get("span.kind") or ("server" if not is_span else "")),
        service=str(flat.get("service.name") or ""), tags=tags,
    )
