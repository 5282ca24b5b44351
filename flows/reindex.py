"""Rebuild the act index from MinIO (DESIGN decision 1: Elasticsearch is an index that
can be dropped and rebuilt at will, giving the same search results)."""

from __future__ import annotations

from prefect import flow, get_run_logger

from pipeline.ingest import buckets_for
from pipeline.record_store import rebuild_act_index
from search.client import connect
from sijil.settings import Settings, load_settings
from storage.objects import ObjectStore


@flow(name="reindex-acts", validate_parameters=False)
def reindex_acts(settings: Settings | None = None) -> int:
    settings = settings or load_settings()
    es = connect(settings)
    try:
        count = rebuild_act_index(ObjectStore.from_settings(settings), es, bucket=buckets_for(settings).records,
                                  index_prefix=settings.index_prefix)
    finally:
        es.close()
    get_run_logger().info("Index des actes reconstruit depuis MinIO : %d acte(s)", count)
    return count
