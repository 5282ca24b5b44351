"""Act records on the real MinIO and Elasticsearch: cross-script name search, corrections
with history and refused stale edits, reindex from MinIO giving the same hits."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.integration.ingest_helpers import sijil_env

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def acts(isolated, store, es):
    from pipeline.ingest import buckets_for
    from pipeline.record_store import load_record, upsert_record
    from pipeline.synth.records import synthetic_records
    from search.acts import index_acts

    bucket = buckets_for(isolated).records
    store.ensure_bucket(bucket, versioned=True)
    records = list(synthetic_records(count=300, seed=42, communes=3, years=(1985, 1988)))
    # One act as REGISTERS.md's example, and one indexed with its Arabic names only.
    benali = dict(records[0])
    benali["fields"] = {**benali["fields"], "surname": {"lat": "BENALI", "ar": "بن علي", "conf": 0.62},
                        "given": {"lat": "Mohamed", "ar": "محمد", "conf": 0.95}}
    benali["review"] = {"status": "needs_review", "reasons": ["low_conf:surname"]}
    arabic_only = dict(records[1])
    arabic_only["fields"] = {**arabic_only["fields"], "surname": {"ar": "بلقاسم", "conf": 0.9},
                             "given": {"ar": "عبد الرحمن", "conf": 0.9}}
    records[0], records[1] = benali, arabic_only
    for record in records:
        upsert_record(store, bucket=bucket, record=record, user="test", reason="fixture")
    index_acts(es, index_prefix=isolated.index_prefix,
               records=[load_record(store, bucket=bucket, act_id=r["act_id"]).record for r in records])
    return {"bucket": bucket, "benali": benali["act_id"], "arabic_only": arabic_only["act_id"], "count": len(records)}


def test_latin_query_finds_arabic_record_and_says_which_key(acts, isolated, es):
    from search.acts import search_acts

    total, hits = search_acts(es, index_prefix=isolated.index_prefix, name="Abderrahmane Belkacem", size=10)
    assert acts["arabic_only"] in [h.act_id for h in hits]
    hit = next(h for h in hits if h.act_id == acts["arabic_only"])
    assert any(":skeleton:" in m or ":exact:" in m for m in hit.matched)


def test_arabic_query_finds_latin_spelling_and_filters_apply(acts, isolated, es):
    from search.acts import ActFilters, search_acts

    _, hits = search_acts(es, index_prefix=isolated.index_prefix, name="محمد بن علي", size=10)
    # Synthetic registers hold more than one Mohamed Benali: all whole-name matches rank
    # above partial ones, and the act indexed in Latin script only is among them.
    whole = [h.act_id for h in hits if any(m.startswith("subject:skeleton_full:") for m in h.matched)]
    assert acts["benali"] in whole and hits[:len(whole)] == [h for h in hits if h.act_id in whole]
    year = int(acts["benali"].split("-")[2])
    _, filtered = search_acts(es, index_prefix=isolated.index_prefix, name="Mohamed Benali",
                              filters=ActFilters(year=year), size=10)
    assert acts["benali"] in [h.act_id for h in filtered]
    _, other_year = search_acts(es, index_prefix=isolated.index_prefix, name="Mohamed Benali",
                                filters=ActFilters(year=year + 10), size=10)
    assert acts["benali"] not in [h.act_id for h in other_year]


def test_correction_with_history_and_refused_stale_edit(acts, isolated, store, es, prefect_env):
    from pipeline.record_store import correct_record, load_record, record_history
    from pipeline.records import StaleEdit
    from search.acts import search_acts

    act_id, bucket = acts["benali"], acts["bucket"]
    before = load_record(store, bucket=bucket, act_id=act_id).record
    updated = correct_record(store, es, bucket=bucket, index_prefix=isolated.index_prefix, act_id=act_id,
                             field="given.lat", value="Mohammed", reason="vu sur le registre", user="archiviste",
                             expected_revision=before["revision"])
    assert updated["revision"] == before["revision"] + 1
    assert updated["fields"]["given"]["ocr"]["lat"] == "Mohamed"
    # A second editor who read the old revision is refused; nothing is written.
    with pytest.raises(StaleEdit):
        correct_record(store, es, bucket=bucket, index_prefix=isolated.index_prefix, act_id=act_id,
                       field="given.lat", value="Mohamad", reason="autre lecture", user="autre",
                       expected_revision=before["revision"])
    history = record_history(store, bucket=bucket, act_id=act_id)
    assert [h["revision"] for h in history] == [before["revision"], updated["revision"]]
    assert history[-1]["history"][-1] | {"at": None} == {"revision": updated["revision"], "at": None, "by": "archiviste",
                                                         "field": "given.lat", "old": "Mohamed", "new": "Mohammed",
                                                         "why": "vu sur le registre"}
    _, hits = search_acts(es, index_prefix=isolated.index_prefix, name="Mohammed Benali")
    found = next(h for h in hits if h.act_id == act_id)
    assert found.record["revision"] == updated["revision"]
    # The CLI says the same, with exit code 7 for the stale edit.
    env = sijil_env(isolated, prefect_env)
    out = subprocess.run([sys.executable, "-m", "sijil.cli", "records", "correct", act_id, "given.lat", "Mhamed",
                          "--reason", "essai", "--user", "cli", "--revision", str(before["revision"])],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 7 and "refus" in out.stderr


def test_review_queue_weakest_first(acts, isolated, es):
    from search.acts import review_queue

    total, hits = review_queue(es, index_prefix=isolated.index_prefix)
    assert total >= 0
    assert all(h.record["review"]["status"] == "needs_review" for h in hits)


def test_reindex_from_minio_gives_the_same_hits(acts, isolated, store, es, prefect_env):
    from search.acts import ActFilters, search_acts

    queries = [("Mohamed Benali", ActFilters()), ("عبد الرحمن", ActFilters()), ("Fatima", ActFilters(year=1986)),
               (None, ActFilters(commune="1601", year=1987))]

    def snapshot():
        return [[(h.act_id, tuple(h.matched)) for h in
                 search_acts(es, index_prefix=isolated.index_prefix, name=name, filters=f, size=20)[1]]
                for name, f in queries]

    # Same acts, same order, same keys matched. Scores themselves move in the last digits:
    # before the rebuild a corrected act leaves a soft-deleted copy that Elasticsearch keeps
    # (retention leases) and that still weighs in BM25 statistics.
    before = snapshot()
    out = subprocess.run([sys.executable, "-m", "sijil.cli", "reindex", "acts"], env=sijil_env(isolated, prefect_env),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"{acts['count']} acte(s)" in out.stdout
    after = snapshot()
    for query, old, new in zip(queries, before, after):
        assert new == old, (query, [(i, o, n) for i, (o, n) in enumerate(zip(old, new)) if o != n][:3])


def test_reads_are_audited(acts, isolated, store, prefect_env):
    from storage.audit import read_events

    out = subprocess.run([sys.executable, "-m", "sijil.cli", "records", "show", acts["benali"], "--json"],
                         env=sijil_env(isolated, prefect_env), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["act_id"] == acts["benali"]
    events = read_events(store, bucket_prefix=isolated.bucket_prefix)
    assert any(e["action"] == "show" and e["acts"] == [acts["benali"]] for e in events)
