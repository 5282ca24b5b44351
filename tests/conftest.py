"""Shared fixtures. Integration tests need the real services started by `sijil stack up`;
when they are down the tests are skipped with the reason — except in CI
(SIJIL_REQUIRE_SERVICES=1), where a missing service fails the run."""

from __future__ import annotations

import os
import uuid

import pytest

from sijil.settings import Settings, load_settings

REQUIRE_SERVICES = os.environ.get("SIJIL_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def stack_statuses(settings):
    from sijil.stack import manage

    return {st.name: st for st in manage.status(settings)}


def _need(stack_statuses, name: str) -> None:
    st = stack_statuses[name]
    if st.healthy:
        return
    message = f"{name} is not available ({st.detail}); start it with `sijil stack up`"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def es(settings, stack_statuses):
    _need(stack_statuses, "elasticsearch")
    from search.client import connect

    client = connect(settings)
    yield client
    client.close()


@pytest.fixture(scope="session")
def store(settings, stack_statuses):
    _need(stack_statuses, "minio")
    from storage.objects import ObjectStore

    return ObjectStore.from_settings(settings)


@pytest.fixture(scope="session")
def prefect_env(settings, stack_statuses):
    _need(stack_statuses, "prefect")
    return settings.prefect_client_env()


@pytest.fixture()
def unique_name() -> str:
    return f"sijil-test-{uuid.uuid4().hex[:10]}"
