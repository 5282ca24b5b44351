"""Local Prefect server on SQLite, telemetry off, basic auth with a generated password."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from pipeline.errors import StackError
from sijil.settings import Settings
from sijil.stack.common import ServiceStatus, StackPaths, http_get, port_taken
from sijil.stack.proc import process_state, start_daemon

NAME = "prefect"
AUTH_USER = "sijil"


def prefect_home(paths: StackPaths) -> Path:
    return paths.home / "prefect"


def provision(settings: Settings, paths: StackPaths, say) -> None:
    prefect_home(paths).mkdir(parents=True, exist_ok=True)


def start(settings: Settings, paths: StackPaths) -> int:
    if port_taken(settings.prefect_host, settings.prefect_port):
        raise StackError(
            f"Port {settings.prefect_port} on {settings.prefect_host} is taken by something that is not sijil's Prefect server.",
            hint="Stop that program, or set SIJIL_PREFECT_API_URL to another port.",
        )
    if settings.prefect_auth_string is None:
        raise StackError("No Prefect credentials: they must be generated before starting.")
    home = prefect_home(paths)
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith("PREFECT_") and not key.startswith("SIJIL_")
    }
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_AUTH_STRING": settings.prefect_auth_string.get_secret_value(),
        "PREFECT_UI_API_URL": settings.prefect_api_url,
    })
    return start_daemon(
        [sys.executable, "-m", "prefect", "server", "start", "--host", settings.prefect_host,
         "--port", str(settings.prefect_port)],
        env=env, cwd=home, log_file=paths.log_file(NAME), pid_file=paths.pid_file(NAME),
    )


def status(settings: Settings, paths: StackPaths) -> ServiceStatus:
    pgid, alive, rss = process_state(paths.pid_file(NAME))
    user, password = _split(settings)
    health = http_get(f"{settings.prefect_api_url}/health", user=user, password=password)
    if health.status == 401:
        return ServiceStatus(NAME, settings.prefect_ui_url, True, False, "refuses sijil's credentials (another Prefect on this port?)", pgid, rss)
    if health.status != 200:
        return ServiceStatus(NAME, settings.prefect_ui_url, alive, False, "starting" if alive else "not running", pgid, rss)
    return ServiceStatus(NAME, settings.prefect_ui_url, True, True, f"API {settings.prefect_api_url}", pgid, rss)


def _split(settings: Settings) -> tuple[str | None, str | None]:
    if settings.prefect_auth_string is None:
        return None, None
    user, _, password = settings.prefect_auth_string.get_secret_value().partition(":")
    return user, password


def new_auth_string() -> str:
    return f"{AUTH_USER}:{secrets.token_urlsafe(24)}"


def log_files(paths: StackPaths) -> list[Path]:
    return [paths.log_file(NAME)]
