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
    from search.pages import pages_index_name

    es.options(ignore_status=404).indices.delete(index=pages_index_name(iso.index_prefix))
    for bucket in buckets_for(iso).all():
        store.remove_bucket(bucket)
