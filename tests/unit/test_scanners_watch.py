"""Hot-folder readiness with an injected clock: no sleeping."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanners.watch import WatchState, scan_ready_batches


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


def scan(root: Path, state: WatchState, clock: FakeClock, settle: float = 30.0) -> list[str]:
    return [folder.name for folder in scan_ready_batches(root, settle_seconds=settle, state=state, clock=clock)]


def new_batch(root: Path, name: str, *, manifest: bool = True) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "page-001.tif").write_bytes(b"II*\x00" + bytes(100))
    if manifest:
        (folder / "batch.toml").write_text("[register]\n")
    return folder


def test_manifest_folder_is_ready_after_settling_and_reported_once(tmp_path: Path, clock: FakeClock):
    new_batch(tmp_path, "lot-1")
    state = WatchState()
    assert scan(tmp_path, state, clock) == []          # first sight: nothing to compare with
    clock.advance(10)
    assert scan(tmp_path, state, clock) == []          # unchanged, but not for 30 s yet
    clock.advance(20)
    assert scan(tmp_path, state, clock) == ["lot-1"]   # unchanged for 30 s
    clock.advance(60)
    assert scan(tmp_path, state, clock) == []          # already reported


def test_a_growing_file_holds_the_folder_back(tmp_path: Path, clock: FakeClock):
    folder = new_batch(tmp_path, "lot-1")
    state = WatchState()
    scan(tmp_path, state, clock)
    for _ in range(5):
        clock.advance(60)
        with open(folder / "page-001.tif", "ab") as growing:
            growing.write(b"\x00" * 10)
        assert scan(tmp_path, state, clock) == []
    clock.advance(29)
    assert scan(tmp_path, state, clock) == []          # settled for 29 s only
    clock.advance(1)
    assert scan(tmp_path, state, clock) == ["lot-1"]


def test_a_rewrite_of_the_same_size_counts_as_a_change(tmp_path: Path, clock: FakeClock):
    folder = new_batch(tmp_path, "lot-1")
    state = WatchState()
    scan(tmp_path, state, clock)
    clock.advance(60)
    page = folder / "page-001.tif"
    stat = page.stat()
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert scan(tmp_path, state, clock) == []
    clock.advance(30)
    assert scan(tmp_path, state, clock) == ["lot-1"]


def test_ready_marker_needs_one_unchanged_rescan_not_the_settle_time(tmp_path: Path, clock: FakeClock):
    folder = new_batch(tmp_path, "lot-1", manifest=False)
    (folder / "READY").touch()
    state = WatchState()
    assert scan(tmp_path, state, clock, settle=3600) == []
    clock.advance(1)
    assert scan(tmp_path, state, clock, settle=3600) == ["lot-1"]


def test_ready_marker_does_not_override_a_file_still_being_written(tmp_path: Path, clock: FakeClock):
    folder = new_batch(tmp_path, "lot-1")
    (folder / "READY").touch()
    state = WatchState()
    scan(tmp_path, state, clock)
    clock.advance(5)
    (folder / "page-002.tif").write_bytes(b"partial")   # copy still running after READY
    assert scan(tmp_path, state, clock) == []
    clock.advance(5)
    with open(folder / "page-002.tif", "ab") as growing:
        growing.write(b"more")
    assert scan(tmp_path, state, clock) == []
    clock.advance(5)
    assert scan(tmp_path, state, clock) == ["lot-1"]


def test_hidden_temporaries_count_as_activity(tmp_path: Path, clock: FakeClock):
    folder = new_batch(tmp_path, "lot-1")
    state = WatchState()
    scan(tmp_path, state, clock)
    clock.advance(60)
    (folder / ".page-002.tif.XyZ123").write_bytes(b"rsync in progress")
    assert scan(tmp_path, state, clock) == []


def test_what_is_never_a_batch(tmp_path: Path, clock: FakeClock):
    new_batch(tmp_path, "no-manifest", manifest=False)       # neither batch.toml nor READY
    new_batch(tmp_path, ".trash")                             # hidden
    new_batch(tmp_path / "nested", "deeper")                  # only direct children are batches
    (tmp_path / "loose-file.tif").write_bytes(b"x")
    (tmp_path / "linked").symlink_to(new_batch(tmp_path.parent / f"{tmp_path.name}-elsewhere", "lot"))
    state = WatchState()
    for _ in range(3):
        assert scan(tmp_path, state, clock) == []
        clock.advance(100)
    assert scan(tmp_path / "missing-root", WatchState(), clock) == []


def test_changed_after_report_is_reported_again_and_vanished_folders_are_forgotten(tmp_path: Path, clock: FakeClock):
    folder = new_batch(tmp_path, "lot-1")
    state = WatchState()
    scan(tmp_path, state, clock)
    clock.advance(30)
    assert scan(tmp_path, state, clock) == ["lot-1"]
    (folder / "page-002.tif").write_bytes(b"forgotten page")
    clock.advance(1)
    assert scan(tmp_path, state, clock) == []
    clock.advance(30)
    assert scan(tmp_path, state, clock) == ["lot-1"]

    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    assert scan(tmp_path, state, clock) == []
    assert state.observed == {} and state.reported == {}


def test_several_folders_are_independent(tmp_path: Path, clock: FakeClock):
    new_batch(tmp_path, "lot-a")
    state = WatchState()
    scan(tmp_path, state, clock)
    clock.advance(20)
    new_batch(tmp_path, "lot-b")
    scan(tmp_path, state, clock)
    clock.advance(10)
    assert scan(tmp_path, state, clock) == ["lot-a"]
    clock.advance(20)
    assert scan(tmp_path, state, clock) == ["lot-b"]
