"""The ingest flow end to end, against the real MinIO, Elasticsearch and Prefect server.

Each test module works under its own bucket and index prefix, so it neither sees nor
touches other data. Bad input comes from ../shared/testdata (skipped when absent) and from
files made here."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.ingest_helpers import object_versions, page_doc_count, run_ingest, sijil_env, write_manifest

pytestmark = pytest.mark.integration

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
A1 = TESTDATA / "A1_ocrmypdf_resources"
A2 = TESTDATA / "A2_tesseract_testimages"

def test_every_bad_file_is_quarantined_with_its_reason(tmp_path, isolated, store, prefect_env):
    batch = tmp_path / "bad-batch"
    batch.mkdir()
    listed = []
    # Made here: empty, unsupported, truncated PNG, a path out of the folder, a symlink out.
    (batch / "empty.tif").write_bytes(b"")
    listed.append("empty.tif")
    (batch / "notes.tif").write_text("this is not an image\n" * 20)
    listed.append("notes.tif")
    from PIL import Image

    Image.new("L", (800, 600), 200).save(tmp_path / "ok.png")
    data = (tmp_path / "ok.png").read_bytes()
    (batch / "cut.png").write_bytes(data[: len(data) // 2])
    listed.append("cut.png")
    listed.append("../outside.png")
    (tmp_path / "outside.png").write_bytes(data)
    (batch / "link.png").symlink_to(tmp_path / "outside.png")
    listed.append("link.png")
    (batch / "stray.jpg").write_bytes(b"not listed")  # present, not in the manifest
    expected = {"empty.tif": "empty", "notes.tif": "unsupported_format", "cut.png": "truncated",
                "../outside.png": "path_escape", "link.png": "path_escape", "stray.jpg": "not_in_manifest"}
    # The real robustness files, when this machine has them.
    if A1.is_dir():
        for name, reason in (("invalid.pdf", "corrupt"), ("hugemono.pdf", "pixel_limit")):
            shutil.copy(A1 / name, batch / name)
            listed.append(name)
            expected[name] = reason
        shutil.copy(A1 / "blank.pdf", batch / "blank.pdf")
        listed.append("blank.pdf")
    else:
        Image.new("L", (400, 300), 255).save(batch / "blank.png")
        listed.append("blank.png")
    write_manifest(batch, listed)

    code, report = run_ingest(batch, isolated, prefect_env)
    assert code == 5  # done, with quarantined files
    files = report["files"]
    assert files["balanced"] and files["total"] == files["archived"] + files["quarantined"]
    assert files["archived"] == 1
    got = {q["path"]: q["reason"] for q in report["quarantined"]}
    assert got == expected
    assert len(set(expected.values()) - {"path_escape"}) == len(expected) - 2  # distinct reasons
    for entry in report["quarantined"]:
        assert entry["message_fr"] and entry["message_en"]
        # Refused bytes inside the folder are kept; nothing outside it is ever read.
        if entry["reason"] in ("path_escape", "missing"):
            assert entry["evidence_key"] is None
        else:
            assert entry["evidence_key"]
    # The blank page is read, even with nothing on it.
    assert report["pages"]["ok"] == report["pages"]["total"] == 1


def test_refused_manifest_is_a_clear_error(tmp_path, isolated, prefect_env):
    batch = tmp_path / "refused"
    batch.mkdir()
    (batch / "batch.toml").write_text('[register]\ncommune_code = 1601\nyaer = 1987\n', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "sijil.cli", "ingest", str(batch)],
                         env=sijil_env(isolated, prefect_env), capture_output=True, text=True, timeout=300)
    assert out.returncode == 6
    assert "yaer" in out.stderr and "refusé" in out.stderr
    # An expected outcome, not a crash: no traceback, the next step said once (fr and en),
    # and the Prefect run ends Failed with the reason as its message.
    assert "Traceback" not in out.stderr and "ManifestError" not in out.stderr
    assert out.stderr.count("Corrigez batch.toml") == 1 and out.stderr.count("Fix batch.toml") == 1
    assert out.stderr.count("n'est pas un champ connu") == 1
    assert "Finished in state Failed('Lot refusé / batch refused" in out.stderr
    assert len(out.stderr.splitlines()) < 30  # 11 problems; 100 lines with the traceback


@pytest.mark.skipif(not A2.is_dir(), reason="../shared/testdata is absent")
def test_kill_during_ingest_then_rerun_completes_with_invariants(tmp_path, isolated, store, es, prefect_env):
    batch = tmp_path / "killed"
    batch.mkdir()
    names = ["phototest.tif", "phototest-rotated-R.png", "phototest-rotated-180.png", "eurotext.tif"]
    for name in names:
        shutil.copy(A2 / name, batch / name)
    write_manifest(batch, names, volume=2)
    from pipeline.ingest import buckets_for
    from storage.layout import page_id
    from storage.objects import file_sha256

    derived = buckets_for(isolated).derived
    ours = {page_id(file_sha256(batch / name), 0) for name in names}
    proc = subprocess.Popen([sys.executable, "-m", "sijil.cli", "ingest", str(batch)], env=sijil_env(isolated, prefect_env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # Kill -9 the whole process tree as soon as the first page is complete in MinIO.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            done = [o for o in store._client.list_objects(bucket_name=derived, recursive=True)
                    if o.object_name.endswith("result.json") and o.object_name.split("/")[1] in ours]
        except Exception:
            done = []
        if done:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert done, "no page finished before the deadline"
    assert len(done) < len(names), "the run finished before it could be killed"

    code, report = run_ingest(batch, isolated, prefect_env)
    assert code == 0
    assert report["files"]["balanced"] and report["files"]["archived"] == len(names)
    assert report["pages"]["ok"] == len(names) and report["pages"]["reused"] >= 1
    assert report["pdfa"]["passed"]
    versions = object_versions(store, isolated)
    our_shas = {file_sha256(batch / name) for name in names}
    masters = {k: v for k, v in versions.items()
               if k[0] == buckets_for(isolated).masters and k[1].rsplit("/", 1)[1] in our_shas}
    assert len(masters) == len(names) and set(masters.values()) == {1}
    results = {k: v for k, v in versions.items() if k[1].endswith("result.json") and k[1].split("/")[1] in ours}
    assert len(results) == len(names) and set(results.values()) == {1}
    assert page_doc_count(es, isolated, batch_id=report["batch_id"]) == len(names)


@pytest.mark.skipif(not A2.is_dir(), reason="../shared/testdata is absent")
def test_hot_folder_ingests_a_complete_batch_once(tmp_path, isolated, prefect_env):
    drop = tmp_path / "drop"
    batch = drop / "lot-2026-11-23"
    batch.mkdir(parents=True)
    shutil.copy(A2 / "phototest.tif", batch / "p1.tif")
    write_manifest(batch, ["p1.tif"], volume=3)
    (batch / "READY").write_text("")
    # A folder still being copied (no READY, changing) is left alone.
    copying = drop / "lot-en-cours"
    copying.mkdir()
    (copying / "p1.tif").write_bytes(b"II*\0")

    def watch() -> str:
        out = subprocess.run([sys.executable, "-m", "sijil.cli", "watch", str(drop), "--settle", "600", "--poll", "1",
                              "--minutes", "0.05"], env=sijil_env(isolated, prefect_env), capture_output=True,
                             text=True, timeout=600)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout

    first = watch()
    assert "1 lot(s) ingéré(s)" in first
    # The watcher (a new run, fresh state) finds the stored report and does not ingest again.
    assert "0 lot(s) ingéré(s)" in watch()


@pytest.mark.skipif(not A2.is_dir(), reason="../shared/testdata is absent")
def test_ingest_runs_without_a_prefect_server(tmp_path, isolated, prefect_env):
    batch = tmp_path / "no-server"
    batch.mkdir()
    shutil.copy(A2 / "phototest.tif", batch / "p1.tif")
    write_manifest(batch, ["p1.tif"], volume=4)
    env = sijil_env(isolated, prefect_env)
    for key in [k for k in env if k.startswith("PREFECT_")]:
        del env[key]
    env["SIJIL_PREFECT_API_URL"] = "http://127.0.0.1:9/api"  # nothing listens there
    out = subprocess.run([sys.executable, "-m", "sijil.cli", "ingest", str(batch)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "Prefect server not reachable" in out.stderr
    assert "PDF/A-2b valide" in out.stdout
