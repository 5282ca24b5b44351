"""The stack's one chokepoint for child processes: tools run to completion, and daemons
started in their own session so that stopping one reaches every process it spawned
(Elasticsearch's launcher starts a second JVM; killing only the first would orphan it)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.errors import StackError, ToolError


def require_program(name: str, *, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ToolError(f"The program '{name}' is not installed.", hint=hint)
    return path


def run_tool(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
    stdin_text: str | None = None,
    timeout_s: float = 600,
    what: str,
) -> subprocess.CompletedProcess[str]:
    """Run a tool to completion; a failure becomes a ToolError that says what was tried."""
    full_env = {**os.environ, **(env or {})}
    try:
        result = subprocess.run(
            [str(c) for c in cmd],
            env=full_env,
            cwd=cwd,
            user=user,
            input=stdin_text,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ToolError(f"{what}: program not found ({cmd[0]})") from exc
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"{what}: no result after {timeout_s:.0f} s", transient=True) from exc
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise ToolError(f"{what} failed (exit {result.returncode}):\n{tail}")
    return result


def start_daemon(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str],
    cwd: Path,
    log_file: Path,
    pid_file: Path,
    user: str | None = None,
) -> int:
    """Start a long-running service detached from this terminal; its pid (which is also
    its process-group id) goes to pid_file, its output to log_file."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        try:
            child = subprocess.Popen(
                [str(c) for c in cmd],
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=user,
            )
        except OSError as exc:
            raise StackError(f"Could not start {cmd[0]}: {exc}") from exc
    pid_file.write_text(f"{child.pid}\n", encoding="ascii")
    return child.pid


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return None


def group_alive(pgid: int) -> bool:
    # Zombies do not count: a service that exited but was not reaped yet is not running.
    return bool(group_pids(pgid))


def group_pids(pgid: int) -> list[int]:
    """Every live process whose process group is pgid (Linux /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 5 (pgrp) comes after the parenthesised command name, which may hold spaces.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def group_rss_bytes(pgid: int) -> int:
    total = 0
    for pid in group_pids(pgid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def stop_group(pid_file: Path, *, grace_s: float = 30.0) -> bool:
    """SIGTERM the service's process group, SIGKILL what is left after grace_s.
    Returns False when nothing was running."""
    pgid = read_pid(pid_file)
    if pgid is None or not group_alive(pgid):
        pid_file.unlink(missing_ok=True)
        return False
    os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and group_pids(pgid):
        time.sleep(0.2)
    if group_pids(pgid):
        os.killpg(pgid, signal.SIGKILL)
        while group_pids(pgid):
            time.sleep(0.1)
    pid_file.unlink(missing_ok=True)
    return True


def process_state(pid_file: Path) -> tuple[int | None, bool, int]:
    """(process-group id, alive, resident memory in bytes of the whole group)."""
    pgid = read_pid(pid_file)
    alive = pgid is not None and group_alive(pgid)
    return pgid, alive, group_rss_bytes(pgid) if alive and pgid else 0
