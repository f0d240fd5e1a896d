from __future__ import annotations

from collections.abc import Iterator

import pytest

import tracespec


@pytest.fixture
def receiver() -> Iterator[tracespec.Receiver]:
    """A receiver on free ports of 127.0.0.1, both protocols; stopped after the test."""
    with tracespec.Receiver(http="127.0.0.1:0", grpc="127.0.0.1:0") as rx:
        yield rx
