"""A real ClickHouse server, started here on a loopback port in a temporary directory and
stopped after: traces written and read over HTTP (clickhouse-connect) with a password.

It needs a ClickHouse of 22 or later (the exporter's schema has Map columns): the single
``clickhouse`` binary (``clickhouse server``) or ``clickhouse-server`` on PATH, or the path in
``TRACESPEC_CLICKHOUSE_SERVER``.  Debian bookworm's ``clickhouse-server`` is 18.16 (2018), which
has no Map type; PyPI's chdb is ClickHouse as a library, without the server.  Without one the
tests say so and how to install one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import tracespec
from tests.clickhouse.conftest import ROOT
from tests.support.live import free_port
from tracespec.clickhouse import ClickHouseError, ClickHouseStore

TRACE = ROOT / "examples" / "orders-trace.json"
PASSWORD = "ch-test-password"
_HOW = ("install ClickHouse 22 or later from ClickHouse's own packages (the single 'clickhouse' "
        "binary, or clickhouse-server from its apt repository) and put it on PATH, or set "
        "TRACESPEC_CLICKHOUSE_SERVER to its path; Debian bookworm's clickhouse-server is 18.16, "
        "without the Map type of the collector exporter's schema")


def _server() -> tuple[list[str], str]:
    """The command that starts a server, or a skip saying why there is none."""
    given = os.environ.get("TRACESPEC_CLICKHOUSE_SERVER")
    found = [given] if given else [p for p in (shutil.which("clickhouse"),
                                               shutil.which("clickhouse-server")) if p]
    if not found:
        pytest.skip(f"no ClickHouse server on PATH: {_HOW}")
    binary = found[0]
    command = [binary, "server"] if Path(binary).name == "clickhouse" else [binary]
    try:
        done = subprocess.run([*command, "--version"], capture_output=True, text=True,
                              timeout=60, check=False)
    except OSError as exc:
        pytest.skip(f"{binary} does not run ({exc}): {_HOW}")
    m = re.search(r"version (\d+)\.(\d+)", done.stdout + done.stderr)
    if m is None or int(m.group(1)) < 22:
        seen = (done.stdout + done.stderr).strip().splitlines()[:1]
        pytest.skip(f"{binary} is too old for the exporter's schema (it says {seen!r}; "
                    f"ClickHouse 18 has no --version): {_HOW}")
    return command, m.group(0)


_CONFIG = """<clickhouse>
  <logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/error.log</errorlog>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <path>{d}/data/</path>
  <tmp_path>{d}/tmp/</tmp_path>
  <user_files_path>{d}/user_files/</user_files_path>
  <users_config>{d}/users.xml</users_config>
  <mark_cache_size>268435456</mark_cache_size>
</clickhouse>
"""
_USERS = """<clickhouse>
  <profiles><default/></profiles>
  <quotas><default/></quotas>
  <users><default><password>{pw}</password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
</clickhouse>
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ClickHouse server on a free loopback port; its URL.  Stopped after the module."""
    command, _ = _server()
    d = tmp_path_factory.mktemp("clickhouse-server")
    http = free_port()
    (d / "config.xml").write_text(_CONFIG.format(d=d, http=http, tcp=free_port()))
    (d / "users.xml").write_text(_USERS.format(pw=PASSWORD))
    log = (d / "stdout.log").open("wb")
    proc = subprocess.Popen([*command, f"--config-file={d / 'config.xml'}"], cwd=d,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{http}/ping", timeout=2) as r:
                    if r.read().strip() == b"Ok.":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the ClickHouse server did not start: "
                                     + (d / "stdout.log").read_text(errors="replace")[-2000:])
            time.sleep(0.2)
        yield f"http://127.0.0.1:{http}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        log.close()


def test_select_and_check_over_http(server: str) -> None:
    trace = tracespec.load_trace(TRACE)
    with ClickHouseStore(server, user="default", password=PASSWORD) as store:
        assert store.ingest([trace]) == len(trace)
        for selector in ('span[tracetest.span.type="database"]',
                         'span[service.name="api"] span[kind="client"]:first'):
            found = list(store.select(selector))
            assert [s.span_id for f in found for s in f.spans] == [
                s.span_id for s in tracespec.select(selector, trace)]
        checks = list(store.check('span[tracetest.span.type="database"]',
                                  ["attr:tracetest.span.duration < 5ms"]))
        assert [c.passed for c in checks] == [
            tracespec.check('span[tracetest.span.type="database"]',
                            ["attr:tracetest.span.duration < 5ms"], trace).passed]


def test_a_wrong_password_is_refused_and_not_shown(server: str) -> None:
    with pytest.raises(ClickHouseError) as info:
        store = ClickHouseStore(server, user="default", password="not-the-password")
        store.engine.rows("SELECT 1")
    assert "not-the-password" not in str(info.value)
