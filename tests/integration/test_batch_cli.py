"""`sijil batch report` and `sijil batch list` against the real MinIO, under buckets of
this module only."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.integration.ingest_helpers import sijil_env

pytestmark = pytest.mark.integration


def _sijil(settings, prefect_env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sijil.cli", *args], env=sijil_env(settings, prefect_env),
                          capture_output=True, text=True, timeout=120)


def _stored_report(batch_id: str, *, archived: int, quarantined: int) -> dict:
    return {"batch_id": batch_id,
            "register": {"commune_code": "1601", "commune_fr": "Alger-Centre", "kind": "birth", "year": 1987,
                         "series": 1, "volume": 2},
            "files": {"total": archived + quarantined, "archived": archived, "quarantined": quarantined,
                      "balanced": True},
            "pages": {"total": 4, "ok": 3, "failed": [], "reused": 0, "mean_conf": {}}}


def test_unknown_batch_is_a_message_not_a_minio_error(isolated, prefect_env):
    out = _sijil(isolated, prefect_env, "batch", "report", "b-nope")
    assert out.returncode == 1
    assert "Aucun lot b-nope" in out.stderr and "no batch b-nope" in out.stderr and "sijil batch list" in out.stderr
    assert "NoSuchKey" not in out.stderr + out.stdout and "MinIO" not in out.stderr


def test_batch_list_shows_each_stored_report(isolated, store, prefect_env):
    from pipeline.ingest import buckets_for, ensure_buckets

    empty = _sijil(isolated, prefect_env, "batch", "list")
    assert empty.returncode == 1 and "Aucun lot" in empty.stderr
    buckets = buckets_for(isolated)
    ensure_buckets(store, buckets, object_lock=False)
    store.put_bytes(buckets.batches, "batches/b-00000000000000aa/report.json",
                    json.dumps(_stored_report("b-00000000000000aa", archived=5, quarantined=2)).encode())
    store.put_bytes(buckets.batches, "batches/b-00000000000000aa/batch.toml", b"[register]\n")

    out = _sijil(isolated, prefect_env, "batch", "list", "--json")
    assert out.returncode == 0, out.stderr
    [listed] = json.loads(out.stdout)
    assert listed["batch_id"] == "b-00000000000000aa"
    assert (listed["archived"], listed["quarantined"], listed["pages_ok"], listed["pages_total"]) == (5, 2, 3, 4)
    assert listed["register"]["commune_code"] == "1601" and listed["stored_at"][:2] == "20"
    table = _sijil(isolated, prefect_env, "batch", "list")
    assert table.returncode == 0 and "b-00000000000000aa" in table.stdout and "Alger-Centre (1601)" in table.stdout
