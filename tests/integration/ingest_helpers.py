"""Helpers shared by the ingest tests: manifests, running `sijil ingest`, counting what
MinIO and Elasticsearch hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MANIFEST_HEAD = """[register]
commune_code = "1601"
commune_fr = "Alger-Centre"
commune_ar = "الجزائر الوسطى"
kind = "birth"
year = 1987
series = 1
volume = {volume}
lang = "{lang}"

[scan]
operator = "Test"
station = "poste-test"
scanner = "pytest"
dpi = 300
"""


def write_manifest(folder: Path, paths: list[str], *, lang: str = "fr", volume: int = 1) -> None:
    text = MANIFEST_HEAD.format(lang=lang, volume=volume)
    text += "".join(f'\n[[files]]\npath = "{p}"\n' for p in paths)
    (folder / "batch.toml").write_text(text, encoding="utf-8")


def sijil_env(settings, prefect_env) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(prefect_env)
    env["SIJIL_BUCKET_PREFIX"] = settings.bucket_prefix
    env["SIJIL_INDEX_PREFIX"] = settings.index_prefix
    return env


def run_ingest(folder: Path, settings, prefect_env, *, timeout: float = 900) -> tuple[int, dict]:
    out = subprocess.run([sys.executable, "-m", "sijil.cli", "ingest", str(folder), "--json"],
                         env=sijil_env(settings, prefect_env), capture_output=True, text=True, timeout=timeout)
    start = out.stdout.find("{")
    assert start >= 0, f"no report (exit {out.returncode}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.returncode, json.loads(out.stdout[start:])


def object_versions(store, settings) -> dict[tuple[str, str], int]:
    from pipeline.ingest import buckets_for

    counts: dict[tuple[str, str], int] = {}
    for bucket in buckets_for(settings).all():
        for obj in store._client.list_objects(bucket_name=bucket, recursive=True, include_version=True):
            counts[(bucket, obj.object_name)] = counts.get((bucket, obj.object_name), 0) + 1
    return counts


def page_doc_count(es, settings, *, batch_id: str) -> int:
    from search.pages import pages_index_name

    index = pages_index_name(settings.index_prefix)
    es.indices.refresh(index=index)
    return es.count(index=index, query={"term": {"batch_id": batch_id}})["count"]
