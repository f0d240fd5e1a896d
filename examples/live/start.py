"""Start the shop's two services instrumented by the OpenTelemetry agent, exporting to
tracespec (examples/live/README.md).

Each service runs as ``opentelemetry-instrument python shop.py NAME`` with the agent's
standard environment variables: OTLP over HTTP to ``OTEL_EXPORTER_OTLP_ENDPOINT`` (default
``http://127.0.0.1:4318``, where ``tracespec run`` listens), spans exported within 100 ms
(``OTEL_BSP_SCHEDULE_DELAY``), no metrics or logs.  Ctrl-C stops both.

    python examples/live/start.py
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def agent_environment(service: str) -> dict[str, str]:
    """The environment of one service: the agent's settings (the caller's win)."""
    env = dict(os.environ)
    defaults = {
        "OTEL_SERVICE_NAME": service,
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    for key, value in defaults.items():
        env.setdefault(key, value)
    env["OTEL_SERVICE_NAME"] = service
    return env


def start(service: str) -> subprocess.Popen[bytes]:
    """``opentelemetry-instrument python shop.py SERVICE``, started in the background."""
    agent = shutil.which("opentelemetry-instrument", path=str(Path(sys.executable).parent))
    agent = agent or shutil.which("opentelemetry-instrument")
    if agent is None:
        sys.exit("opentelemetry-instrument not found: "
                 "pip install -r examples/live/requirements.txt")
    return subprocess.Popen([agent, sys.executable, str(HERE / "shop.py"), service],
                            env=agent_environment(service))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Run both services until Ctrl-C or SIGTERM (or until one of them stops)."""
    # Ctrl-C even when started in the background (a shell's `&` ignores SIGINT), SIGTERM alike
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    services = [start("inventory"), start("orders")]
    orders = os.environ.get("ORDERS_PORT", "8080")
    inventory = os.environ.get("INVENTORY_PORT", "8081")
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    print(f"orders on http://127.0.0.1:{orders}, inventory on http://127.0.0.1:{inventory}; "
          f"exporting to {endpoint}", flush=True)
    try:
        while all(p.poll() is None for p in services):
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        for p in services:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in services:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
