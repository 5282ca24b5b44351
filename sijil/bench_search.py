"""`sijil bench search`: bulk-index N synthetic act records into a scratch act index, then
time name queries (the other script than the one indexed, as a clerk would type them)
and filter queries: indexing rate, p50/p95 latency, measured from the client."""

from __future__ import annotations

import random
import statistics
import time
import uuid
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.synth.names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from pipeline.synth.records import synthetic_records
from search.acts import ActFilters, act_document, acts_index_name, ensure_acts_index, search_acts
from search.client import translated


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def bench_search(es: Elasticsearch, *, records: int, queries: int = 300, seed: int = 7, keep: bool = False) -> dict[str, Any]:
    prefix = f"sijil-bench{uuid.uuid4().hex[:6]}"
    index = ensure_acts_index(es, index_prefix=prefix)
    with translated("Preparing the benchmark index"):
        # Bulk loading: no refresh until the end, as a reindex would do.
        es.indices.put_settings(index=index, settings={"index": {"refresh_interval": "-1"}})
    try:
        actions = ({"_index": index, "_id": r["act_id"], "_source": act_document(r)}
                   for r in synthetic_records(count=records, seed=seed, communes=200, years=(1920, 2020)))
        started = time.perf_counter()
        with translated("Bulk indexing"):
            indexed = 0
            for ok, _ in helpers.streaming_bulk(es, actions, chunk_size=5000, raise_on_error=True, request_timeout=120):
                indexed += ok
            es.indices.put_settings(index=index, settings={"index": {"refresh_interval": "1s"}})
            es.indices.refresh(index=index)
            es.indices.forcemerge(index=index, max_num_segments=1, request_timeout=1800)
        index_seconds = time.perf_counter() - started
        with translated("Counting"):
            count = es.count(index=index)["count"]
            size_bytes = es.indices.stats(index=index)["indices"][index]["total"]["store"]["size_in_bytes"]

        rng = random.Random(seed)
        people = [*GIVEN_MALE, *GIVEN_FEMALE]
        name_queries = []
        for _ in range(queries):
            given, surname = rng.choice(people), rng.choice(SURNAMES)
            # Half typed in Latin script with a variant spelling, half in Arabic.
            if rng.random() < 0.5:
                name_queries.append(f"{rng.choice(given.latin)} {rng.choice(surname.latin)}")
            else:
                name_queries.append(f"{given.ar} {surname.ar}")
        filter_queries = [ActFilters(year=rng.randint(1920, 2020), commune=f"{1601 + rng.randrange(200):04d}")
                          for _ in range(queries)]
        range_queries = [ActFilters(date_from=f"{y}-01-01", date_to=f"{y}-03-31", kind="birth")
                         for y in (rng.randint(1920, 2020) for _ in range(queries))]
        combined = [(q, ActFilters(year=rng.randint(1920, 2020))) for q in name_queries]

        def run(cases) -> dict[str, float]:
            # A few untimed queries first: the first ones after a refresh load caches.
            for name, filters in cases[:10]:
                search_acts(es, index_prefix=prefix, name=name, filters=filters, size=10)
            times = [_timed(lambda n=name, f=filters: search_acts(es, index_prefix=prefix, name=n, filters=f, size=10))
                     for name, filters in cases]
            return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(_percentile(times, 0.95), 1),
                    "max_ms": round(max(times), 1), "queries": len(times)}

        return {
            "records": count,
            "index_seconds": round(index_seconds, 1),
            "docs_per_second": round(indexed / index_seconds),
            "index_size_mib": round(size_bytes / 2**20, 1),
            "name": run([(q, ActFilters()) for q in name_queries]),
            "name_and_year": run(combined),
            "filters_commune_year": run([(None, f) for f in filter_queries]),
            "filters_date_range": run([(None, f) for f in range_queries]),
        }
    finally:
        if not keep:
            with translated("Removing the benchmark index"):
                es.options(ignore_status=404).indices.delete(index=acts_index_name(prefix))
