from __future__ import annotations

import uuid

import pytest


@pytest.fixture(scope="module")
def isolated(settings, es, store, prefect_env):
    """Settings pointing at buckets and an index of this test module only."""
    tag = "t" + uuid.uuid4().hex[:8]
    iso = settings.model_copy(update={"bucket_prefix": f"sijil-{tag}", "index_prefix": f"sijil-{tag}"})
    yield iso
    from pipeline.ingest import buckets_for
    from storage.audit import audit_bucket

    # Named one by one: the cluster refuses wildcard deletes (action.destructive_requires_name).
    for index in (f"{iso.index_prefix}-pages", f"{iso.index_prefix}-acts"):
        es.options(ignore_status=404).indices.delete(index=index)
    for bucket in (*buckets_for(iso).all(), audit_bucket(iso.bucket_prefix)):
        store.remove_bucket(bucket)
