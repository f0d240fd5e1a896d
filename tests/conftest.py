"""Shared test configuration: hypothesis profiles, and a capture of a real application.

``app_capture`` runs the instrumented two-service application of :mod:`tests.support.apps`
once per session and gives its capture: OTLP protobuf files, one per export batch, in a
temporary folder, with the trace ids of the requests made.

``HYPOTHESIS_PROFILE=dev`` (the default) keeps example counts modest so the suite stays quick on
a small CI machine; ``HYPOTHESIS_PROFILE=thorough`` runs many more examples locally.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from tests.support.apps import Capture

settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def app_capture(tmp_path_factory: pytest.TempPathFactory) -> Capture:
    """The capture of the orders and inventory services (see :mod:`tests.support.apps`)."""
    from tests.support.apps import record_capture

    return record_capture(tmp_path_factory.mktemp("capture"))
