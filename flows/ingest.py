"""The ingest flow: one flow run per batch, one task per page (DESIGN decision 5).

The work is done by the plain functions of pipeline/ingest.py; this module only gives
them Prefect names an operator understands, retries for transient errors only, and a
process pool so that two pages are read at once on two cores. Idempotence does not rely
on Prefect's cache: every step finds its own output in MinIO (content-keyed), which also
holds when workers run on several hosts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.states import Failed
from prefect.task_runners import ProcessPoolTaskRunner

from pipeline import ingest
from pipeline.errors import SijilError
from scanners.formats import InputLimits
from scanners.manifest import ManifestError
from sijil.settings import Settings, load_settings
from sijil.stack.common import StackPaths
from sijil.stack.verapdf import wrapper as verapdf_wrapper
from storage.objects import ObjectStore

# Set by the CLI to drive its progress bar; None under a Prefect worker (logs only).
_progress: Callable[[str, int, int], None] | None = None


def set_progress_reporter(reporter: Callable[[str, int, int], None] | None) -> None:
    global _progress
    _progress = reporter


def _report_progress(stage: str, done: int, total: int) -> None:
    if _progress is not None:
        _progress(stage, done, total)


def retry_transient_only(task_, task_run, state) -> bool:
    """Retry when the failure says it may pass (a service restarting), never for bad input."""
    try:
        state.result()
    except SijilError as exc:
        return exc.transient
    except Exception:
        return False
    return False


TASK_OPTIONS = dict(cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30],
                    retry_condition_fn=retry_transient_only, persist_result=False)


@dataclass(frozen=True)
class RefusedBatch:
    """The check's verdict on a batch whose batch.toml is missing or invalid: an expected
    outcome the operator fixes at the scanning station, not a crash (so no traceback)."""

    batch_dir: str
    error: ManifestError

    @property
    def state_message(self) -> str:
        # One line for the Prefect UI and log; the operator's terminal gets the full
        # problems from the CLI, once.
        return (f"Lot refusé / batch refused: {self.error.source} — "
                f"{len(self.error.problems)} problème(s) / problem(s): {', '.join(dict.fromkeys(self.error.codes))}")


@task(name="check-and-register-batch", task_run_name="check {batch_dir}", tags=["sijil", "batch"], **TASK_OPTIONS)
def register_batch(batch_dir: str, settings: Settings) -> ingest.PreparedBatch | RefusedBatch:
    store = ObjectStore.from_settings(settings)
    try:
        prepared = ingest.prepare_batch(batch_dir=Path(batch_dir), settings=settings, store=store,
                                        limits=InputLimits())
    except ManifestError as exc:
        return RefusedBatch(batch_dir, exc)
    logger = get_run_logger()
    logger.info("Lot %s : %d fichier(s), %d accepté(s), %d en quarantaine", prepared.batch.batch_id,
                prepared.batch.file_count, len(prepared.batch.accepted), len(prepared.quarantined))
    for entry in prepared.quarantined:
        logger.warning("Quarantaine : %s — %s (%s)", entry.path, entry.message_fr, entry.reason)
    return prepared


@task(name="archive-master", task_run_name="archive {file.path}", tags=["sijil", "archive"], **TASK_OPTIONS)
def archive_master(file, settings: Settings) -> ingest.ArchivedMaster:
    return ingest.archive_master(file=file, settings=settings, store=ObjectStore.from_settings(settings))


@task(name="read-page", task_run_name="page {job.file_path} p{job.page_index}", tags=["sijil", "ocr"], **TASK_OPTIONS)
def read_page(job: ingest.PageJob, settings: Settings) -> tuple[ingest.PageOutcome, ...]:
    return ingest.run_page_job(job, settings=settings)


@task(name="build-pdfa", tags=["sijil", "pdfa"], **TASK_OPTIONS)
def build_pdfa(prepared: ingest.PreparedBatch, outcomes: list, settings: Settings) -> ingest.VolumeCopy | None:
    return ingest.build_volume_pdfa(batch=prepared.batch, outcomes=outcomes, settings=settings,
                                    verapdf=verapdf_wrapper(StackPaths.of(settings)))


@task(name="index-pages", tags=["sijil", "search"], **TASK_OPTIONS)
def index_pages(documents: list[dict], settings: Settings):
    return ingest.index_batch_pages(documents=documents, settings=settings)


@task(name="extract-acts", tags=["sijil", "acts"], **TASK_OPTIONS)
def extract_acts(prepared: ingest.PreparedBatch, masters: list, outcomes: list, settings: Settings) -> ingest.ActsOutcome:
    return ingest.extract_batch_acts(batch=prepared.batch, masters=masters, outcomes=outcomes, settings=settings,
                                     review_threshold=settings.review_threshold)


@task(name="store-batch-report", tags=["sijil", "report"], **TASK_OPTIONS)
def store_report(report: dict, settings: Settings) -> str:
    key, _ = ingest.store_report(report=report, settings=settings)
    return key


@flow(name="ingest-batch", flow_run_name="ingest {batch_dir}", log_prints=False,
      task_runner=ProcessPoolTaskRunner(max_workers=2), validate_parameters=False)
def ingest_batch(batch_dir: str, settings: Settings | None = None) -> dict:
    """Archive, read, assemble, index and report one scanner batch folder.

    A refused batch (batch.toml missing or invalid) ends the run in a Failed state whose
    message names the problems, without a traceback; calling the flow then raises the
    ManifestError (with every problem) for the caller to show."""
    settings = settings or load_settings()
    logger = get_run_logger()
    started = time.perf_counter()
    stage_seconds: dict[str, float] = {}

    t = time.perf_counter()
    prepared = register_batch(batch_dir, settings)
    if isinstance(prepared, RefusedBatch):
        # Returned, not raised: Prefect records the outcome without logging a crash.
        return Failed(message=prepared.state_message, data=prepared.error)
    masters = []
    for n, file in enumerate(prepared.batch.accepted, start=1):
        masters.append(archive_master(file, settings))
        _report_progress("archive", n, len(prepared.batch.accepted))
    stage_seconds["register_and_archive"] = time.perf_counter() - t

    t = time.perf_counter()
    jobs = ingest.page_jobs(prepared.batch, masters)
    _report_progress("pages", 0, len(jobs))
    futures = [read_page.submit(job, settings) for job in jobs]
    by_job = {}
    for done, future in enumerate(as_completed(futures), start=1):
        parts = future.result()
        by_job[parts[0].page_id.rsplit("-", 1)[0] if parts[0].half else parts[0].page_id] = parts
        _report_progress("pages", done, len(jobs))
        for outcome in parts:
            if outcome.failure:
                logger.warning("Page en échec : %s p%d — %s", outcome.file_path, outcome.page_index,
                               outcome.failure.message_fr)
    # Manifest order, and halves of a spread in reading order.
    outcomes = [part for job in jobs for part in by_job[job.page_id]]
    stage_seconds["pages"] = time.perf_counter() - t

    t = time.perf_counter()
    _report_progress("pdfa", 0, 1)
    volume = build_pdfa(prepared, outcomes, settings)
    _report_progress("pdfa", 1, 1)
    stage_seconds["pdfa"] = time.perf_counter() - t

    t = time.perf_counter()
    index = index_pages(ingest.page_documents(prepared.batch, masters, outcomes, volume), settings)
    stage_seconds["index"] = time.perf_counter() - t

    t = time.perf_counter()
    acts = extract_acts(prepared, masters, outcomes, settings)
    stage_seconds["acts"] = time.perf_counter() - t

    new_objects = ingest.count_new_objects(prepared=prepared, masters=masters, outcomes=outcomes, volume=volume,
                                           acts=acts)
    report = ingest.build_report(prepared=prepared, masters=masters, outcomes=outcomes, volume=volume, index=index,
                                 new_objects=new_objects, wall_seconds=time.perf_counter() - started,
                                 stage_seconds=stage_seconds, acts=acts)
    report["report_key"] = store_report(report, settings)
    logger.info("Lot %s terminé : %d archivé(s), %d en quarantaine, %d page(s) lue(s), %d nouvel(s) objet(s)",
                report["batch_id"], report["files"]["archived"], report["files"]["quarantined"],
                report["pages"]["ok"], new_objects)
    return report
