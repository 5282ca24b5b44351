"""Hot folder: ingest each batch folder once it is complete (scanners/watch.py decides
when a folder is complete; a READY marker or sizes that stopped changing)."""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow, get_run_logger

from flows.ingest import ingest_batch
from pipeline.errors import SijilError
from scanners.manifest import MANIFEST_NAME, load_manifest
from scanners.watch import WatchState, scan_ready_batches
from sijil.settings import Settings, load_settings
from storage.layout import Buckets, batch_prefix
from storage.objects import ObjectStore


def already_ingested(folder: Path, *, settings: Settings, store: ObjectStore) -> bool:
    """A batch whose report is stored was completed by an earlier run (same manifest, same id)."""
    try:
        batch_id = load_manifest(folder / MANIFEST_NAME).batch_id
    except SijilError:
        return False  # the ingest will refuse it with the reasons; let it report them
    return store.exists(Buckets.with_prefix(settings.bucket_prefix).batches, f"{batch_prefix(batch_id)}/report.json")


@flow(name="watch-hot-folder", flow_run_name="watch {root}", validate_parameters=False)
def watch_hot_folder(root: str, settle_seconds: float = 30.0, poll_seconds: float = 10.0,
                     run_minutes: float = 0.0, settings: Settings | None = None) -> list[str]:
    """Scan `root` every poll_seconds; ingest each batch folder that became ready.
    run_minutes = 0 runs until stopped; otherwise the run ends after that long (for a schedule)."""
    settings = settings or load_settings()
    logger = get_run_logger()
    store = ObjectStore.from_settings(settings)
    state = WatchState()
    deadline = time.monotonic() + run_minutes * 60 if run_minutes else None
    ingested: list[str] = []
    logger.info("Surveillance du dossier %s (stabilité %.0f s)", root, settle_seconds)
    while deadline is None or time.monotonic() < deadline:
        for folder in scan_ready_batches(Path(root), settle_seconds=settle_seconds, state=state):
            if already_ingested(folder, settings=settings, store=store):
                logger.info("Déjà traité, ignoré : %s", folder)
                continue
            logger.info("Lot prêt : %s", folder)
            try:
                report = ingest_batch(str(folder), settings)
                ingested.append(report["batch_id"])
            except SijilError as exc:
                # One refused batch must not stop the watcher: it is reported and skipped.
                logger.error("Lot refusé : %s — %s", folder, exc)
        time.sleep(poll_seconds)
    return ingested
