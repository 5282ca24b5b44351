"""The one module that opens connections to Elasticsearch and translates its errors.

This Elasticsearch distribution has no `GET /`, so the client's info() and ping() fail;
health is read from `_cluster/health` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, AuthenticationException, Elasticsearch

from pipeline.errors import ConfigError, SearchError, ServiceUnavailable
from sijil.settings import Settings

try:
    # orjson (installed with Prefect) encodes a bulk request ~4x faster than the standard
    # library, and on a bulk load the client's JSON encoding competes with Elasticsearch
    # for the same cores. The standard serializer stays the fallback.
    from elasticsearch.serializer import OrjsonSerializer

    _SERIALIZER = OrjsonSerializer()
except ImportError:  # pragma: no cover - orjson missing
    _SERIALIZER = None


def connect(settings: Settings) -> Elasticsearch:
    if settings.es_password is None:
        raise ConfigError(
            "No Elasticsearch password configured.",
            hint="Start the local stack (sijil stack up) or set SIJIL_ES_PASSWORD.",
        )
    return Elasticsearch(
        settings.es_url,
        basic_auth=(settings.es_user, settings.es_password.get_secret_value()),
        request_timeout=settings.es_request_timeout_s,
        retry_on_timeout=True,
        max_retries=2,
        serializer=_SERIALIZER,
    )


@contextmanager
def translated(action: str) -> Iterator[None]:
    """Turn the client's exceptions into sijil's typed errors."""
    try:
        yield
    except AuthenticationException as exc:
        raise ConfigError(f"{action}: Elasticsearch refused sijil's credentials",
                          hint="Check SIJIL_ES_USER / SIJIL_ES_PASSWORD") from exc
    except (TransportConnectionError, ConnectionTimeout) as exc:
        raise ServiceUnavailable(f"{action}: Elasticsearch cannot be reached",
                                 hint="Is the stack running? sijil stack status") from exc
    except ApiError as exc:
        transient = exc.meta.status in (429, 502, 503, 504)
        raise SearchError(f"{action}: Elasticsearch answered {exc.meta.status} ({exc.message})",
                          transient=transient) from exc


def cluster_health(es: Elasticsearch) -> dict:
    with translated("Reading cluster health"):
        return dict(es.cluster.health())


def installed_plugins(es: Elasticsearch) -> dict[str, str]:
    with translated("Listing plugins"):
        rows = es.cat.plugins(format="json", h="component,version")
    return {row["component"]: row["version"] for row in rows}
