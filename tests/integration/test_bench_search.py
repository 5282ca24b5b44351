"""`sijil bench search` on the real Elasticsearch, tiny: every query kind is timed, the
figures are consistent, and the scratch index is gone afterwards."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_small_bench_reports_every_query_kind_and_removes_its_index(es):
    from sijil.bench_search import QUERY_KINDS, bench_search

    before = {row["index"] for row in es.cat.indices(format="json", h="index")}
    result = bench_search(es, records=3000, queries=12, seed=3)
    assert result["records"] == 3000 and result["docs_per_second"] > 0
    assert result["bulk_seconds"] <= result["index_seconds"]
    for kind in QUERY_KINDS:
        r = result[kind]
        assert r["queries"] == 12 and 0 < r["p50_ms"] <= r["p95_ms"] <= r["max_ms"]
        assert r["es_took"]["p50"] <= r["p50_ms"] and r["searches_per_query"] >= 1
    # Filters alone are one search; a name is one to two.
    assert result["filters_commune_year"]["searches_per_query"] == 1
    assert result["name"]["searches_per_query"] <= 2
    after = {row["index"] for row in es.cat.indices(format="json", h="index")}
    assert not {i for i in after - before if i.startswith("sijil-bench")}
