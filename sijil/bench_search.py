"""`sijil bench search`: bulk-index N synthetic act records into a scratch act index, then
time the searches the product makes — a name, a name with a year, a name with a commune
(the other script than the one indexed, as a clerk would type them), and filters alone:
indexing rate, p50/p95 latency measured from the client (the whole search_acts call:
round trips, re-ranking), with Elasticsearch's own `took` beside it to show where the time
goes, and the load average of the machine while it ran."""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.synth.names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from pipeline.synth.records import synthetic_records
from search.acts import ActFilters, act_document, acts_index_name, bulk_loading, ensure_acts_index, search_acts
from search.client import translated

BULK_THREADS = 2  # one bulk request is being indexed while the next is built
BULK_CHUNK = 2500  # documents per bulk request (~3 MB)
QUERY_KINDS = ("name", "name_and_year", "name_and_commune", "filters_commune_year", "filters_date_range")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _load() -> float:
    return round(os.getloadavg()[0], 2)


class _Recorder:
    """Stands in for the client in search_acts and notes each search's `took`."""

    def __init__(self, es: Elasticsearch):
        self._es = es
        self.took: list[int] = []

    def search(self, **request: Any) -> Any:
        answer = self._es.search(**request)
        self.took.append(answer["took"])
        return answer


def _stats(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(values), 1), "p95_ms": round(_percentile(values, 0.95), 1),
            "max_ms": round(max(values), 1)}


def bench_search(es: Elasticsearch, *, records: int, queries: int = 300, seed: int = 7, keep: bool = False,
                 progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    say = progress or (lambda _message: None)
    prefix = f"sijil-bench{uuid.uuid4().hex[:6]}"
    index = ensure_acts_index(es, index_prefix=prefix)
    loads = {"start": _load()}
    try:
        actions = ({"_index": index, "_id": r["act_id"], "_source": act_document(r)}
                   for r in synthetic_records(count=records, seed=seed, communes=200, years=(1920, 2020)))
        started = time.perf_counter()
        indexed = 0
        with bulk_loading(es, index=index), translated("Bulk indexing"):
            for ok, _item in helpers.parallel_bulk(es.options(request_timeout=300), actions, thread_count=BULK_THREADS,
                                                   chunk_size=BULK_CHUNK, raise_on_error=True):
                indexed += ok
                if indexed % 100_000 == 0:
                    say(f"{indexed:,} indexed, {indexed / (time.perf_counter() - started):,.0f} docs/s, "
                        f"load {_load()}")
        bulk_seconds = time.perf_counter() - started
        loads["end_of_bulk"] = _load()
        with translated("Merging"):
            es.options(request_timeout=1800).indices.forcemerge(index=index, max_num_segments=1)
        index_seconds = time.perf_counter() - started
        with translated("Counting"):
            count = es.count(index=index)["count"]
            size_bytes = es.indices.stats(index=index)["indices"][index]["total"]["store"]["size_in_bytes"]
        say(f"{count:,} indexed in {index_seconds:.0f} s; querying")

        rng = random.Random(seed)
        people = [*GIVEN_MALE, *GIVEN_FEMALE]
        names = []
        for _ in range(queries):
            given, surname = rng.choice(people), rng.choice(SURNAMES)
            # Half typed in Latin script with a variant spelling, half in Arabic.
            if rng.random() < 0.5:
                names.append(f"{rng.choice(given.latin)} {rng.choice(surname.latin)}")
            else:
                names.append(f"{given.ar} {surname.ar}")
        commune = lambda: f"{1601 + rng.randrange(200):04d}"  # noqa: E731
        cases: dict[str, list[tuple[str | None, ActFilters]]] = {
            "name": [(n, ActFilters()) for n in names],
            "name_and_year": [(n, ActFilters(year=rng.randint(1920, 2020))) for n in names],
            "name_and_commune": [(n, ActFilters(commune=commune())) for n in names],
            "filters_commune_year": [(None, ActFilters(year=rng.randint(1920, 2020), commune=commune()))
                                     for _ in range(queries)],
            "filters_date_range": [(None, ActFilters(date_from=f"{y}-01-01", date_to=f"{y}-03-31", kind="birth"))
                                   for y in (rng.randint(1920, 2020) for _ in range(queries))],
        }

        def run(kind: str) -> dict[str, Any]:
            recorder = _Recorder(es)
            # A few untimed queries first: the first ones after a refresh load caches.
            for name, filters in cases[kind][:10]:
                search_acts(es, index_prefix=prefix, name=name, filters=filters, size=10)
            times = []
            for name, filters in cases[kind]:
                started = time.perf_counter()
                search_acts(recorder, index_prefix=prefix, name=name, filters=filters, size=10)
                times.append((time.perf_counter() - started) * 1000)
            return {**_stats(times), "queries": len(times), "searches_per_query": round(len(recorder.took) / len(times), 2),
                    "es_took": {k.replace("_ms", ""): v for k, v in _stats([float(t) for t in recorder.took]).items()}}

        results = {kind: run(kind) for kind in QUERY_KINDS}
        loads["end_of_queries"] = _load()
        return {
            "records": count,
            "index_seconds": round(index_seconds, 1),
            "bulk_seconds": round(bulk_seconds, 1),
            "docs_per_second": round(indexed / index_seconds),
            "bulk_docs_per_second": round(indexed / bulk_seconds),
            "index_size_mib": round(size_bytes / 2**20, 1),
            "load_average_1min": loads,
            "cpus": os.cpu_count(),
            **({"index": index} if keep else {}),
            **results,
        }
    finally:
        if not keep:
            with translated("Removing the benchmark index"):
                # By its exact name: the cluster refuses wildcard deletes.
                es.options(ignore_status=404).indices.delete(index=acts_index_name(prefix))
