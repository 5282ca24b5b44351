"""What an ingest report counts: objects written (record versions included), and pages
against scanned images (a double-page spread is one image and two pages)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.ingest import ActsOutcome, ArchivedMaster, PageOutcome, PreparedBatch, count_new_objects

ROOT = Path(__file__).resolve().parents[2]


def _master(created: bool) -> ArchivedMaster:
    return ArchivedMaster("a.tif", "0" * 64, 10, "tiff", 1, "k", None, created)


def _acts(created: int, updated: int, unchanged: int) -> ActsOutcome:
    return ActsOutcome(created + updated + unchanged, created, updated, unchanged, 0, 0, (), 0.0)


def test_records_read_again_and_changed_are_counted_as_object_versions():
    prepared = PreparedBatch(batch=None, quarantined=(), new_objects=0)
    pages = [PageOutcome("p-1", "a.tif", 0, ok=True, reused=True, new_objects=0)]
    # The walkthrough's re-run: pages already done, 7 records updated, 6 unchanged.
    assert count_new_objects(prepared=prepared, masters=[_master(False)], outcomes=pages, volume=None,
                             acts=_acts(0, 7, 6)) == 7
    first_run = PreparedBatch(batch=None, quarantined=(), new_objects=1)
    fresh = [PageOutcome("p-1", "a.tif", 0, ok=True, reused=False, new_objects=4)]
    assert count_new_objects(prepared=first_run, masters=[_master(True)], outcomes=fresh, volume=None,
                             acts=_acts(3, 0, 0)) == 1 + 1 + 4 + 3
    assert count_new_objects(prepared=prepared, masters=[], outcomes=[], volume=None, acts=None) == 0


def test_quickstart_names_sijil_once(tmp_path):
    # The script's own line, run with a stand-in `sijil version`.
    [line] = [ln for ln in (ROOT / "deploy" / "quickstart.sh").read_text().splitlines()
              if "sijil version" in ln and ln.lstrip().startswith("echo")]
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    fake = tmp_path / ".venv" / "bin" / "sijil"
    fake.write_text("#!/bin/sh\necho 'sijil 0.1.0'\n")
    fake.chmod(0o755)
    out = subprocess.run(["bash", "-c", line], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert out.count("sijil") == 1 and "0.1.0" in out
