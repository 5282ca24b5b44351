"""Local MinIO: built once with `go install` at the pinned version, root credentials
generated on first start, bound to loopback."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pipeline.errors import StackError
from sijil.settings import Settings
from sijil.stack import versions
from sijil.stack.common import ServiceStatus, StackPaths, http_get, port_taken
from sijil.stack.proc import process_state, require_program, run_tool, start_daemon

NAME = "minio"


def binary(paths: StackPaths) -> Path:
    return paths.cache / f"minio-{versions.MINIO_VERSION}" / "minio"


def provision(settings: Settings, paths: StackPaths, say) -> None:
    if not binary(paths).is_file():
        go = require_program("go", hint="apt-get install golang (Go 1.24 or later), or put a minio binary at " + str(binary(paths)))
        say(f"Building MinIO {versions.MINIO_VERSION} with Go (about 2–3 minutes, once)")
        run_tool(
            [go, "install", f"{versions.MINIO_MODULE}@{versions.MINIO_VERSION}"],
            env={"GOBIN": str(binary(paths).parent), "CGO_ENABLED": "0"},
            cwd=paths.cache, timeout_s=1800, what="Building MinIO",
        )
    (paths.home / "minio" / "data").mkdir(parents=True, exist_ok=True)


def start(settings: Settings, paths: StackPaths) -> int:
    if settings.minio_access_key is None or settings.minio_secret_key is None:
        raise StackError("No MinIO credentials: they must be generated before starting.")
    if port_taken(settings.minio_host, settings.minio_port):
        raise StackError(
            f"Port {settings.minio_port} on {settings.minio_host} is taken by something that is not sijil's MinIO.",
            hint="Stop that program, or set SIJIL_MINIO_ENDPOINT to another port.",
        )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(paths.home / "minio"),
        "MINIO_ROOT_USER": settings.minio_access_key.get_secret_value(),
        "MINIO_ROOT_PASSWORD": settings.minio_secret_key.get_secret_value(),
        # No network beyond loopback: no update checks.
        "MINIO_UPDATE": "off",
    }
    return start_daemon(
        [binary(paths), "server", "--quiet", "--address", settings.minio_endpoint,
         "--console-address", f"{settings.minio_host}:{settings.minio_console_port}",
         paths.home / "minio" / "data"],
        env=env, cwd=paths.home / "minio", log_file=paths.log_file(NAME), pid_file=paths.pid_file(NAME),
    )


def status(settings: Settings, paths: StackPaths) -> ServiceStatus:
    scheme = "https" if settings.minio_secure else "http"
    url = f"{scheme}://{settings.minio_endpoint}"
    pgid, alive, rss = process_state(paths.pid_file(NAME))
    ready = http_get(f"{url}/minio/health/ready")
    if ready.status != 200:
        return ServiceStatus(NAME, url, alive, False, "starting" if alive else "not running", pgid, rss)
    if not _credentials_accepted(settings):
        return ServiceStatus(NAME, url, True, False, "refuses sijil's credentials (another MinIO on this port?)", pgid, rss)
    return ServiceStatus(NAME, url, True, True, f"console {settings.minio_console_url}", pgid, rss)


def _credentials_accepted(settings: Settings) -> bool:
    from minio import Minio
    from minio.error import S3Error

    if settings.minio_access_key is None or settings.minio_secret_key is None:
        return False
    client = Minio(
        endpoint=settings.minio_endpoint,
        access_key=settings.minio_access_key.get_secret_value(),
        secret_key=settings.minio_secret_key.get_secret_value(),
        secure=settings.minio_secure,
        region=settings.minio_region,
    )
    try:
        client.list_buckets()
    except S3Error:
        return False
    return True


def new_credentials() -> tuple[str, str]:
    return "sijil-" + secrets.token_hex(4), secrets.token_urlsafe(30)


def log_files(paths: StackPaths) -> list[Path]:
    return [paths.log_file(NAME)]
