"""A chdb store per test module (chdb holds one session per process at a time)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tracespec.clickhouse import ClickHouseStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def chdb_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory for the module's chdb database; the session is closed after the module."""
    path = tmp_path_factory.mktemp("chdb")
    yield path
    from tracespec.clickhouse.engine import ChdbEngine

    ChdbEngine.close_shared()


def store_for(path: Path, table: str) -> ClickHouseStore:
    """A store on ``table`` of the module's chdb database."""
    return ClickHouseStore(f"chdb:{path}", table=table)
