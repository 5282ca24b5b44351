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


def _read_act(number: int, *, officer_ar: str, surname_conf: float = 0.6) -> dict:
    """An act as extraction gives it (commune 9999: no synthetic act shares its ids)."""
    return {"act_id": f"9999-N-1987-01-{number:05d}", "kind": "birth",
            "register": {"commune_code": "9999", "year": 1987, "series": 1}, "number": number,
            "fields": {"surname": {"lat": "BENALT", "ar": "بن علي", "conf": surname_conf},
                       "given": {"lat": "Mohamed", "ar": "محمد", "conf": 0.97},
                       "officer": {"surname": {"lat": "HADAD", "ar": officer_ar, "conf": 0.5},
                                   "given": {"lat": "Karim", "ar": "كريم", "conf": 0.97}}},
            "source": {"batch": "b1"},
            "review": {"status": "needs_review", "reasons": ["low_conf:surname", "low_conf:officer.surname"]}}


def test_nested_correction_survives_a_new_ingest(acts, isolated, store, es):
    from pipeline.record_store import correct_record, load_record, record_history, save_extracted

    bucket = acts["bucket"]
    first = _read_act(9001, officer_ar="حداب")
    assert save_extracted(store, bucket=bucket, record=first) == "created"
    act_id = first["act_id"]
    fixed = correct_record(store, es, bucket=bucket, index_prefix=isolated.index_prefix, act_id=act_id,
                           field="officer.surname.ar", value="حداد", reason="lu sur le registre", user="archiviste",
                           expected_revision=1)
    assert fixed["review"]["reasons"] == ["low_conf:surname"]
    # The register is ingested again: the machine reads the officer's surname another way.
    again = _read_act(9001, officer_ar="حدان", surname_conf=0.95)
    again["review"] = {"status": "needs_review", "reasons": ["low_conf:officer.surname"]}
    assert save_extracted(store, bucket=bucket, record=again) == "updated"
    record = load_record(store, bucket=bucket, act_id=act_id).record
    officer = record["fields"]["officer"]["surname"]
    assert officer["ar"] == "حداد" and officer["corrected"]["by"] == "archiviste"
    assert officer["ocr"]["ar"] == "حدان" and officer["lat"] == "HADAD"
    assert record["review"] == {"status": "verified", "reasons": []}
    assert [h["by"] for h in record["history"]] == ["archiviste", "sijil"]
    reread = record["history"][-1]
    assert reread["at"] and reread["changes"] == [] and reread["field"]  # confidences moved, no value
    assert [h["revision"] for h in record_history(store, bucket=bucket, act_id=act_id)] == [1, 2, 3]
    # A reading that changes a value says which, old → new.
    third = _read_act(9001, officer_ar="حدان", surname_conf=0.95)
    third["fields"]["given"] = {"lat": "Mohammed", "ar": "محمد", "conf": 0.97}
    third["review"] = again["review"]
    assert save_extracted(store, bucket=bucket, record=third) == "updated"
    last = load_record(store, bucket=bucket, act_id=act_id).record["history"][-1]
    assert last["changes"] == [{"field": "given.lat", "old": "Mohamed", "new": "Mohammed"}] and last["changed"] == 1
    assert save_extracted(store, bucket=bucket, record=third) == "unchanged"


def test_bad_corrections_and_verify_on_the_cli(acts, isolated, store, es, prefect_env):
    from pipeline.record_store import load_record, save_extracted
    from search.acts import index_acts

    bucket = acts["bucket"]
    record = _read_act(9002, officer_ar="حداب")
    save_extracted(store, bucket=bucket, record=record)
    act_id = record["act_id"]
    index_acts(es, index_prefix=isolated.index_prefix, records=[load_record(store, bucket=bucket, act_id=act_id).record])
    env = sijil_env(isolated, prefect_env)

    def sijil(*args):
        return subprocess.run([sys.executable, "-m", "sijil.cli", *args], env=env, capture_output=True, text=True,
                              timeout=120)

    out = sijil("records", "correct", act_id, "surnme.lat", "BENALI", "--reason", "r", "--user", "u")
    assert out.returncode == 2 and "surname.lat" in out.stderr, out.stderr
    out = sijil("records", "correct", act_id, "event_date", "1987-02-30", "--reason", "r", "--user", "u")
    assert out.returncode == 2 and "YYYY-MM-DD" in out.stderr, out.stderr
    assert load_record(store, bucket=bucket, act_id=act_id).record["revision"] == 1  # nothing written
    out = sijil("review", "list", "-n", "500")
    assert out.returncode == 0, out.stderr
    line = next(line for line in out.stdout.splitlines() if act_id in line)
    assert "9002" in line and "BENALT" in line and "officer.surname (0.50)" in line
    out = sijil("records", "verify", act_id, "officer.surname", "--user", "archiviste", "--reason", "vu")
    assert out.returncode == 0, out.stderr
    out = sijil("records", "verify", act_id, "surname.lat", "--user", "autre", "--revision", "1")
    assert out.returncode == 7 and "refus" in out.stderr
    out = sijil("records", "verify", act_id, "surname", "--user", "archiviste", "--revision", "2")
    assert out.returncode == 0, out.stderr
    stored = load_record(store, bucket=bucket, act_id=act_id).record
    assert stored["revision"] == 3 and stored["review"] == {"status": "verified", "reasons": []}
    assert stored["fields"]["surname"]["lat"] == "BENALT" and stored["fields"]["surname"]["verified"]["by"] == "archiviste"
    assert stored["history"][0] | {"at": None} == {
        "revision": 2, "at": None, "by": "archiviste", "field": "officer.surname", "why": "verified", "note": "vu",
        "old": {"officer.surname.lat": "HADAD", "officer.surname.ar": "حداب"},
        "new": {"officer.surname.lat": "HADAD", "officer.surname.ar": "حداب"}}
