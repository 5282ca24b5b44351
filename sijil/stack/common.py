"""What every service of the local stack shares: its folders, status, HTTP probes."""

from __future__ import annotations

import base64
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sijil.settings import Settings


@dataclass(frozen=True)
class StackPaths:
    """Folders of the local stack, all derived from settings.home and settings.cache_dir."""

    home: Path
    cache: Path

    @classmethod
    def of(cls, settings: Settings) -> "StackPaths":
        return cls(home=settings.home, cache=settings.cache_dir)

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def bin(self) -> Path:
        return self.home / "bin"

    @property
    def downloads(self) -> Path:
        return self.cache / "downloads"

    def pid_file(self, service: str) -> Path:
        return self.run / f"{service}.pid"

    def log_file(self, service: str) -> Path:
        return self.logs / f"{service}.log"


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    url: str
    running: bool
    healthy: bool
    detail: str
    pid: int | None = None
    rss_bytes: int = 0
    # A command-line tool (veraPDF) rather than a long-running service.
    is_tool: bool = False


@dataclass(frozen=True)
class HttpAnswer:
    status: int  # 0 when nothing answered
    body: str


def http_get(url: str, *, user: str | None = None, password: str | None = None, timeout_s: float = 3.0) -> HttpAnswer:
    request = urllib.request.Request(url)
    if user is not None and password is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            return HttpAnswer(answer.status, answer.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        return HttpAnswer(exc.code, exc.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError, TimeoutError):
        return HttpAnswer(0, "")


def port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def write_private(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def write_if_changed(path: Path, text: str) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
