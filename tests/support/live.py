"""For the live-run tests: free loopback ports, the bundled shop (examples/live) started under
the real OpenTelemetry agent, and the example test files pointed at it.

The shop's two services run as ``opentelemetry-instrument python shop.py NAME`` subprocesses
(``examples/live/start.py`` starts them, as a user does), exporting over OTLP/HTTP or gRPC to
a port the test chose, and are stopped by the fixture that started them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIVE = ROOT / "examples" / "live"


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, *, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None
                  ) -> None:
    """Wait until something accepts connections on ``127.0.0.1:port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the process serving port {port} ended ({proc.returncode})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def env() -> dict[str, str]:
    """The environment of a subprocess: this checkout's tracespec first on the path."""
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    out["NO_COLOR"] = "1"
    return out


@dataclass(frozen=True)
class Shop:
    """The shop started for a test: its ports and where it exports its spans."""

    orders_port: int
    inventory_port: int
    protocol: str  # "http/protobuf" or "grpc"
    otlp_port: int

    @property
    def otlp_flags(self) -> list[str]:
        """The ``tracespec run`` flags that listen where the shop exports (the other off)."""
        if self.protocol == "grpc":
            return ["--otlp-grpc", f"127.0.0.1:{self.otlp_port}", "--otlp-http", "off"]
        return ["--otlp-http", f"127.0.0.1:{self.otlp_port}", "--otlp-grpc", "off"]

    def test_files(self, into: Path) -> Path:
        """A copy of examples/live's test files in ``into``, their URLs on this shop's port."""
        for path in LIVE.rglob("*.yaml"):
            target = into / path.relative_to(LIVE)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8")
            target.write_text(text.replace("127.0.0.1:8080", f"127.0.0.1:{self.orders_port}"),
                              encoding="utf-8")
        return into


@contextlib.contextmanager
def running_shop(protocol: str) -> Iterator[Shop]:
    """examples/live/start.py, exporting with ``protocol`` to a free port; stopped after."""
    shop = Shop(free_port(), free_port(), protocol, free_port())
    endpoint = f"http://127.0.0.1:{shop.otlp_port}"
    environment = env() | {
        "ORDERS_PORT": str(shop.orders_port),
        "INVENTORY_PORT": str(shop.inventory_port),
        "INVENTORY_URL": f"http://127.0.0.1:{shop.inventory_port}",
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "OTEL_BSP_SCHEDULE_DELAY": "50",
        # the exporter retries a refused connection for a while; between two runs nothing listens
        "OTEL_EXPORTER_OTLP_TIMEOUT": "5",
    }
    assert shutil.which("opentelemetry-instrument", path=str(Path(sys.executable).parent))
    # the services' request logs go to a file (a pipe could fill and block them)
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, str(LIVE / "start.py")], env=environment,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            try:
                wait_for_port(shop.orders_port, proc=proc)
                wait_for_port(shop.inventory_port, proc=proc)
            except (RuntimeError, TimeoutError) as exc:
                log.seek(0)
                said = log.read().decode(errors="replace")
                raise RuntimeError(f"{exc}; the shop said:\n{said}") from None
            yield shop
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def tracespec(*args: str, cwd: Path | None = None, timeout: float = 120
              ) -> subprocess.CompletedProcess[str]:
    """``python -m tracespec ARGS`` in a fresh process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "tracespec", *args], env=env(), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False)
