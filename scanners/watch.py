"""Hot folder: which batch folders under a drop folder are complete and may be opened.

Scanning stations copy batches over the network; a file can be half-written for
minutes. A folder is reported only when nothing in it changed between two scans:

- with a ``READY`` marker (the station says it is done): unchanged since the previous
  scan, whatever the interval. The marker alone is not enough: copy tools often create
  it before the last page has been flushed;
- without one: it holds ``batch.toml`` and has not changed for at least
  ``settle_seconds`` across scans.

The check is a pure function over the file system plus a small state object, and takes
the clock as an argument, so tests run without sleeping. It never writes anything.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from scanners.manifest import MANIFEST_NAME, READY_MARKER

# (path relative to the batch folder, size, mtime_ns) of every entry, hidden ones
# included: rsync and many copy tools write ".name.XXXX" temporaries, then rename them.
Snapshot = frozenset[tuple[str, int, int]]


@dataclass(frozen=True)
class Observation:
    snapshot: Snapshot
    since: float  # clock time the folder was first seen in this exact state


@dataclass
class WatchState:
    """What the previous scans saw. Mutable on purpose: one per watcher, kept between scans."""

    observed: dict[Path, Observation] = field(default_factory=dict)
    # Folder → the state it was reported in, so a folder is reported once, and again only
    # if it changes and settles again (a station adding a forgotten page).
    reported: dict[Path, Snapshot] = field(default_factory=dict)


def snapshot_folder(folder: Path) -> Snapshot:
    entries: set[tuple[str, int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        for name in filenames + dirnames:
            try:
                status = (here / name).lstat()
            except FileNotFoundError:
                continue  # renamed or removed between listing and stat: the next scan sees it
            size = 0 if (here / name).is_dir() and not (here / name).is_symlink() else status.st_size
            entries.add(((here / name).relative_to(folder).as_posix(), size, status.st_mtime_ns))
    return frozenset(entries)


def scan_ready_batches(root: Path, *, settle_seconds: float, state: WatchState,
                       clock: Callable[[], float] = time.monotonic) -> list[Path]:
    """Batch folders directly under ``root`` that became ready since the last call.
    Hidden folders and symlinks are not batches (a symlink could bring in a folder that
    is still being written elsewhere)."""
    now = clock()
    ready: list[Path] = []
    present: set[Path] = set()
    try:
        candidates = sorted(root.iterdir())
    except FileNotFoundError:
        candidates = []
    for folder in candidates:
        if folder.name.startswith(".") or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            snapshot = snapshot_folder(folder)
        except OSError:
            continue
        present.add(folder)
        previous = state.observed.get(folder)
        unchanged = previous is not None and previous.snapshot == snapshot
        if not unchanged:
            state.observed[folder] = Observation(snapshot=snapshot, since=now)
            continue
        names = {path for path, _, _ in snapshot}
        settled = MANIFEST_NAME in names and now - previous.since >= settle_seconds
        if (READY_MARKER in names or settled) and state.reported.get(folder) != snapshot:
            state.reported[folder] = snapshot
            ready.append(folder)
    # Forget folders that were moved away (ingested) or deleted.
    for folder in set(state.observed) - present:
        state.observed.pop(folder, None)
        state.reported.pop(folder, None)
    return ready
