"""The running stack as an administrator sees it."""

import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

SIJIL = [sys.executable, "-m", "sijil.cli"]


def _listening(port: int) -> set[str]:
    """Local addresses listening on a TCP port, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.rsplit(":", 1)
            if state == "0A" and int(hexport, 16) == port:
                found.add(addr)
    return found


def test_status_reports_every_service_healthy(settings, es, store, prefect_env):
    out = subprocess.run([*SIJIL, "stack", "status"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    for name in ("elasticsearch", "minio", "prefect", "verapdf"):
        assert name in out.stdout
    assert "sijil-analysis" in out.stdout


def test_services_listen_on_loopback_only(settings, es, store, prefect_env):
    # 127.0.0.1, ::1, and 127.0.0.1 as an IPv4-mapped IPv6 address (how the JVM binds).
    loopback = {"0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}
    for port in (settings.es_port, settings.minio_port, settings.minio_console_port, settings.prefect_port):
        addresses = _listening(port)
        assert addresses, f"nothing listens on {port}"
        assert addresses <= loopback, f"port {port} listens on {addresses}"


def test_generated_credentials_are_private(settings, es):
    assert stat.S_IMODE(settings.credentials_file.stat().st_mode) == 0o600


def test_second_stack_up_is_a_no_op(settings, es, store, prefect_env):
    from sijil.stack.common import StackPaths
    from sijil.stack.proc import read_pid

    paths = StackPaths.of(settings)
    before = {n: read_pid(paths.pid_file(n)) for n in ("elasticsearch", "minio", "prefect")}
    out = subprocess.run([*SIJIL, "stack", "up"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("already running") == 3
    assert {n: read_pid(paths.pid_file(n)) for n in before} == before


def test_verapdf_runs(settings, es):
    from sijil.stack.common import StackPaths
    from sijil.stack.verapdf import wrapper

    out = subprocess.run([wrapper(StackPaths.of(settings)), "--version"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    assert "veraPDF" in out.stdout
