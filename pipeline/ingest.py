"""Ingesting a scanner batch, as plain functions (flows/ingest.py runs them as Prefect tasks).

Every step is idempotent and keyed by content: masters by sha256, pages by master sha256 and
page number, outputs under the pipeline version. A step that finds its own output already in
MinIO returns it without writing, so a second run adds no object version and a run killed at
any point is completed by running it again. Nothing here assumes one host: a page job
downloads its master from MinIO and uploads what it made, no local path is shared.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from pipeline import pdfa
from pipeline.errors import SijilError
from pipeline.page import process_page
from scanners.batch import Batch, BatchFile, Rejection, open_batch
from scanners.formats import InputLimits
from search.client import connect
from search.pages import IndexOutcome, index_pages
from sijil.settings import Settings
from storage.layout import Buckets, batch_prefix, master_key, page_id, page_prefix, volume_key
from storage.objects import ObjectStore

# Part of every derived key: output of an improved pipeline goes beside the old one.
PIPELINE_VERSION = "v4"  # v2: crop, spread split and binarisation before OCR; v3: tessdata_best models,
# line mode for one-line images, psm chosen per page from its columns; v4: Arabic commas put back, ara+fra
# fallback kept only when clearly better, catalogue rows read as tables (a page read by v3 is read again)
OCR_LANGS = {"fr": "fra", "ar": "ara", "fr+ar": "ara+fra"}
CONTENT_TYPES = {"tiff": "image/tiff", "jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
# Rejections whose file is never read: outside the folder, or absent.
UNREADABLE_REASONS = frozenset({"path_escape", "missing", "unreadable"})


@dataclass(frozen=True)
class QuarantineEntry:
    path: str
    reason: str
    message_fr: str
    message_en: str
    detail: str
    # Where the refused bytes were kept (None when they could not or must not be read).
    evidence_key: str | None
    page_id: str | None = None


@dataclass(frozen=True)
class ArchivedMaster:
    path: str
    sha256: str
    size: int
    format: str
    page_count: int
    key: str
    version_id: str | None
    created: bool


@dataclass(frozen=True)
class PageJob:
    page_id: str
    batch_id: str
    file_path: str
    page_index: int
    fmt: str
    master_key: str
    master_version: str | None
    master_sha256: str
    source_dpi: int
    langs: str


@dataclass(frozen=True)
class PageOutcome:
    page_id: str
    file_path: str
    page_index: int
    ok: bool
    reused: bool  # found complete in MinIO from an earlier run
    new_objects: int
    seconds: dict[str, float] = field(default_factory=dict)
    mean_conf: float | None = None
    words: int = 0
    direction: str | None = None
    engine: str | None = None
    text: str = ""
    prefix: str = ""
    failure: QuarantineEntry | None = None
    half: str | None = None  # "left" / "right" for a half of a double-page spread


@dataclass(frozen=True)
class PreparedBatch:
    batch: Batch
    quarantined: tuple[QuarantineEntry, ...]
    new_objects: int


def buckets_for(settings: Settings) -> Buckets:
    return Buckets.with_prefix(settings.bucket_prefix)


def ensure_buckets(store: ObjectStore, buckets: Buckets, *, object_lock: bool) -> None:
    store.ensure_bucket(buckets.masters, versioned=True, object_lock=object_lock)
    for name in (buckets.derived, buckets.archive, buckets.batches, buckets.records):
        store.ensure_bucket(name, versioned=True)


def _json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode("utf-8")


def prepare_batch(*, batch_dir: Path, settings: Settings, store: ObjectStore, limits: InputLimits) -> PreparedBatch:
    """Validate the batch, keep a copy of its manifest, quarantine every refused file."""
    batch = open_batch(batch_dir, limits=limits)
    buckets = buckets_for(settings)
    ensure_buckets(store, buckets, object_lock=settings.object_lock)
    prefix = batch_prefix(batch.batch_id)
    written = store.put_bytes(buckets.batches, f"{prefix}/batch.toml", (batch.folder / "batch.toml").read_bytes(),
                              content_type="application/toml")
    new_objects = int(written.created)
    entries = []
    for rejection in batch.rejected:
        entry, created = _quarantine_file(store, buckets, batch, rejection)
        entries.append(entry)
        new_objects += created
    return PreparedBatch(batch, tuple(entries), new_objects)


def _quarantine_file(store: ObjectStore, buckets: Buckets, batch: Batch, rejection: Rejection) -> tuple[QuarantineEntry, int]:
    tag = hashlib.sha256(rejection.path.encode("utf-8")).hexdigest()[:16]
    base = f"{batch_prefix(batch.batch_id)}/quarantine/{tag}"
    evidence_key = None
    created = 0
    candidate = (batch.folder / rejection.path)
    # Keep the refused bytes so nothing the operator gave is lost — but only for a regular
    # file really inside the batch folder (never follow a path or link that escapes it).
    if rejection.reason not in UNREADABLE_REASONS and not candidate.is_symlink():
        try:
            resolved = candidate.resolve(strict=True)
            inside = resolved.is_relative_to(batch.folder) and resolved.is_file()
        except OSError:
            inside = False
        if inside:
            stored = store.put_file(buckets.batches, f"{base}/file", resolved)
            evidence_key = stored.key
            created += stored.created
    entry = QuarantineEntry(rejection.path, rejection.reason, rejection.message_fr, rejection.message_en,
                            rejection.detail, evidence_key)
    record = store.put_bytes(buckets.batches, f"{base}/reason.json", _json_bytes(asdict(entry)),
                             content_type="application/json")
    return entry, created + record.created


def archive_master(*, file: BatchFile, settings: Settings, store: ObjectStore) -> ArchivedMaster:
    """Store the scan untouched under its sha256 and read it back before calling it archived."""
    buckets = buckets_for(settings)
    stored = store.put_file(buckets.masters, master_key(file.sha256), file.absolute_path, sha256=file.sha256,
                            content_type=CONTENT_TYPES.get(file.format, "application/octet-stream"))
    store.verify(stored)
    return ArchivedMaster(file.path, file.sha256, file.size, file.format, file.page_count, stored.key,
                          stored.version_id, stored.created)


def page_jobs(batch: Batch, masters: list[ArchivedMaster]) -> list[PageJob]:
    langs = OCR_LANGS[batch.manifest.register.lang]
    jobs = []
    for master in masters:
        for index in range(master.page_count):
            jobs.append(PageJob(page_id(master.sha256, index), batch.batch_id, master.path, index, master.format,
                                master.key, master.version_id, master.sha256, batch.manifest.scan.dpi, langs))
    return jobs


# What a page job stores, besides result.json (which is written last: its presence means
# the page is complete).
PAGE_OUTPUTS = (
    ("image.png", "work_image", "image/png"),
    ("ocr.hocr", "hocr_path", "text/html"),
    ("ocr.alto.xml", "alto_path", "application/xml"),
    ("ocr.tsv", "tsv_path", "text/tab-separated-values"),
    ("ocr.txt", "txt_path", "text/plain"),
    ("text-layer.pdf", "pdf_path", "application/pdf"),
)


def run_page_job(job: PageJob, *, settings: Settings, ocr_timeout_s: float = 300.0) -> tuple[PageOutcome, ...]:
    """One page of a master: decode, orientation, crop, spread split, deskew, OCR; outputs
    to MinIO. A double-page spread gives two outcomes (its halves, in reading order). A bad
    page comes back as a failed outcome with a quarantine entry; only transient errors raise."""
    store = ObjectStore.from_settings(settings)
    buckets = buckets_for(settings)
    prefix = page_prefix(job.page_id, PIPELINE_VERSION)
    result_key = f"{prefix}/result.json"
    if store.exists(buckets.derived, result_key):
        stored = json.loads(store.get_bytes(buckets.derived, result_key))
        # The page may have been read for another batch that holds the same scan under
        # another name: the batch's own file name and page number apply.
        return tuple(PageOutcome(**{**part, "file_path": job.file_path, "page_index": job.page_index,
                                    "reused": True, "new_objects": 0, "failure": None})
                     for part in stored["parts"])

    with tempfile.TemporaryDirectory(prefix="sijil-page-") as tmp:
        work = Path(tmp)
        source = store.download(buckets.masters, job.master_key, work / f"master.{job.fmt}",
                                version_id=job.master_version, expected_sha256=job.master_sha256)
        try:
            parts = process_page(source=source, fmt=job.fmt, page_index=job.page_index, work_dir=work / "steps",
                                 langs=job.langs, tessdata_dir=settings.tessdata_dir, ocr_timeout_s=ocr_timeout_s,
                                 source_dpi=job.source_dpi)
        except SijilError as exc:
            if exc.transient:
                raise
            failure = QuarantineEntry(job.file_path, "page_failed", f"La page {job.page_index + 1} n'a pas pu être traitée : {exc.message}",
                                      f"Page {job.page_index + 1} could not be processed: {exc.message}", str(exc), None, job.page_id)
            return (PageOutcome(job.page_id, job.file_path, job.page_index, ok=False, reused=False, new_objects=0,
                                failure=failure),)

        new_objects = 0
        outcomes = []
        for part in parts:
            # A half of a spread is a page of its own: id and outputs beside the master page's.
            part_id = f"{job.page_id}-{part.half[0]}" if part.half else job.page_id
            part_prefix = f"{prefix}/{part.half}" if part.half else prefix
            for name, attribute, content_type in PAGE_OUTPUTS:
                path = getattr(part, attribute, None) or getattr(part.ocr, attribute)
                new_objects += store.put_file(buckets.derived, f"{part_prefix}/{name}", Path(path),
                                              content_type=content_type).created
            events = {
                "page_id": part_id,
                "half": part.half,
                "master": {"key": job.master_key, "version": job.master_version, "sha256": job.master_sha256,
                           "page_index": job.page_index},
                "pipeline_version": PIPELINE_VERSION,
                "steps": [_step_event(step) for step in part.steps],
                "ocr": {"engine": part.ocr.engine, "langs": part.ocr.langs, "psm": part.ocr.psm,
                        "psm_choice": part.ocr.psm_choice, "language_choice": part.ocr.language_choice,
                        "dpi": part.ocr.dpi, "arabic_commas_restored": part.ocr.arabic_commas_restored,
                        "script_regions": part.ocr.script_regions, "region_psm": part.ocr.region_psm,
                        "models": [list(m) for m in part.ocr.models], "seconds": part.ocr.seconds},
            }
            new_objects += store.put_bytes(buckets.derived, f"{part_prefix}/events.json", _json_bytes(events),
                                           content_type="application/json").created
            seconds = part.seconds
            outcomes.append(PageOutcome(
                part_id, job.file_path, job.page_index, ok=True, reused=False, new_objects=0,
                seconds={"decode": seconds.decode, "orientation": seconds.orientation, "crop": seconds.crop,
                         "split": seconds.split, "deskew": seconds.deskew, "binarise": seconds.binarise,
                         "ocr": seconds.ocr},
                mean_conf=part.ocr.mean_confidence, words=part.ocr.word_count, direction=part.ocr.direction,
                engine=part.ocr.engine, text=part.ocr.text, prefix=part_prefix, half=part.half,
            ))
        stored = {"parts": [{k: v for k, v in asdict(o).items() if k not in ("reused", "new_objects", "failure")}
                            for o in outcomes]}
        # Written last: its presence means every output of this page is in MinIO.
        new_objects += store.put_bytes(buckets.derived, result_key, _json_bytes(stored),
                                       content_type="application/json").created
    # The first outcome carries the count of objects this job wrote.
    return tuple(replace(o, new_objects=new_objects if n == 0 else 0) for n, o in enumerate(outcomes))


def _step_event(step) -> dict:
    """A PREMIS-style event: what was done, with which tool versions and parameters."""
    record = asdict(step)
    for key in ("input_image", "output_image"):
        record.pop(key, None)
    return record


@dataclass(frozen=True)
class VolumeCopy:
    key: str
    version_id: str | None
    report_key: str
    passed: bool
    pages: int
    failed_rules: int
    summary: str
    seconds: float
    new_objects: int


def build_volume_pdfa(*, batch: Batch, outcomes: list[PageOutcome], settings: Settings, verapdf: Path,
                      timeout_s: float = 1800.0) -> VolumeCopy | None:
    """One PDF/A-2b of the batch's pages (manifest order) with the invisible text layer,
    validated by veraPDF; the validation report is stored beside it."""
    good = [o for o in outcomes if o.ok]
    if not good:
        return None
    reg = batch.manifest.register
    store = ObjectStore.from_settings(settings)
    buckets = buckets_for(settings)
    key = volume_key(commune_code=reg.commune_code, kind=reg.kind, year=reg.year, series=reg.series,
                     volume=reg.volume, batch_id=batch.batch_id)
    inputs = hashlib.sha256("\n".join(o.prefix for o in good).encode()).hexdigest()
    sidecar_key = key.removesuffix(".pdf") + ".json"
    if store.exists(buckets.archive, sidecar_key):
        sidecar = json.loads(store.get_bytes(buckets.archive, sidecar_key))
        if sidecar.get("inputs") == inputs:
            return VolumeCopy(**{**sidecar["copy"], "new_objects": 0})

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sijil-volume-") as tmp:
        work = Path(tmp)
        page_pdfs = []
        for n, outcome in enumerate(good):
            target = work / f"page-{n:05d}.pdf"
            store.download(buckets.derived, f"{outcome.prefix}/text-layer.pdf", target)
            page_pdfs.append(target)
        kinds = {"birth": "naissances", "marriage": "mariages", "death": "décès"}
        title = (f"Registre des {kinds[reg.kind]} {reg.year} — {reg.commune_fr} ({reg.commune_code}), "
                 f"série {reg.series}, volume {reg.volume}")
        # The creation date is the register's year, not "now": the same pages give the same bytes.
        created = datetime(reg.year, 1, 1, tzinfo=timezone.utc)
        languages = {"fr": ("fr",), "ar": ("ar",), "fr+ar": ("fr", "ar")}[reg.lang]
        metadata = pdfa.PdfMetadata(title=title, language=languages[0], other_languages=languages[1:],
                                    created=created, subject=f"{reg.commune_ar} — batch {batch.batch_id}",
                                    keywords=(reg.commune_code, reg.kind, str(reg.year)))
        result = pdfa.assemble_pdfa(page_pdfs=page_pdfs, out_pdf=work / "volume.pdf", metadata=metadata,
                                    work_dir=work, timeout_s=timeout_s)
        validation = pdfa.validate_pdfa(pdf=result.path, verapdf=verapdf, timeout_s=timeout_s)
        stored = store.put_file(buckets.archive, key, result.path, sha256=result.sha256, content_type="application/pdf")
        report_key = key.removesuffix(".pdf") + ".verapdf.xml"
        report = store.put_bytes(buckets.archive, report_key, validation.report_xml, content_type="application/xml")
    copy = VolumeCopy(key, stored.version_id, report_key, validation.passed, result.page_count,
                      validation.failed_rules, "; ".join(validation.summary), time.perf_counter() - started, 0)
    side = store.put_bytes(buckets.archive, sidecar_key, _json_bytes({"inputs": inputs, "copy": asdict(copy)}),
                           content_type="application/json")
    return VolumeCopy(**{**asdict(copy), "new_objects": stored.created + report.created + side.created})


def page_documents(batch: Batch, masters: list[ArchivedMaster], outcomes: list[PageOutcome],
                   volume: VolumeCopy | None) -> list[dict]:
    reg = batch.manifest.register
    by_path = {m.path: m for m in masters}
    docs = []
    for outcome in outcomes:
        if not outcome.ok:
            continue
        master = by_path[outcome.file_path]
        docs.append({
            "page_id": outcome.page_id,
            "batch_id": batch.batch_id,
            "register": asdict(reg),
            "source": {"file": outcome.file_path, "page_index": outcome.page_index, "half": outcome.half,
                       "master_key": master.key,
                       "master_version": master.version_id, "master_sha256": master.sha256},
            "text": outcome.text,
            "ocr": {"engine": outcome.engine, "langs": OCR_LANGS[reg.lang], "direction": outcome.direction,
                    "mean_conf": outcome.mean_conf, "words": outcome.words},
            "derived": {"prefix": outcome.prefix, "pdfa_key": volume.key if volume else None},
        })
    return docs


def index_batch_pages(*, documents: list[dict], settings: Settings) -> IndexOutcome:
    es = connect(settings)
    try:
        return index_pages(es, index_prefix=settings.index_prefix, documents=documents)
    finally:
        es.close()


@dataclass(frozen=True)
class ActsOutcome:
    records: int
    created: int
    updated: int
    unchanged: int
    needs_review: int
    unnumbered: int  # acts whose number could not be read: no act_id, their pages go to review
    act_ids: tuple[str, ...]
    seconds: float


def extract_batch_acts(*, batch: Batch, masters: list[ArchivedMaster], outcomes: list[PageOutcome],
                       settings: Settings, review_threshold: float) -> ActsOutcome:
    """Acts and their fields from the batch's pages (in manifest order, acts cut between
    pages joined), stored as records in MinIO and indexed."""
    from pipeline.extract.acts import RegisterInfo, extract_records
    from pipeline.record_store import load_record, save_extracted
    from search.acts import index_acts

    started = time.perf_counter()
    good = [o for o in outcomes if o.ok]
    store = ObjectStore.from_settings(settings)
    buckets = buckets_for(settings)
    by_path = {m.path: m for m in masters}
    with tempfile.TemporaryDirectory(prefix="sijil-acts-") as tmp:
        tsvs = []
        for n, outcome in enumerate(good):
            target = Path(tmp) / f"page-{n:05d}.tsv"
            store.download(buckets.derived, f"{outcome.prefix}/ocr.tsv", target)
            tsvs.append(target)
        register = RegisterInfo.from_mapping(asdict(batch.manifest.register))
        records, unnumbered = extract_records(pages=tsvs, register=register, threshold=review_threshold)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for record in records:
        page_numbers = record["source"].get("extraction", {}).get("pages", [])
        record["source"] = {
            **record["source"], "batch": batch.batch_id,
            "pages": [{"page_id": good[p - 1].page_id, "file": good[p - 1].file_path,
                       "master_key": by_path[good[p - 1].file_path].key,
                       "master_version": by_path[good[p - 1].file_path].version_id,
                       "sha256": by_path[good[p - 1].file_path].sha256}
                      for p in page_numbers if 0 < p <= len(good)],
            "ocr": {"engine": good[0].engine if good else None, "langs": OCR_LANGS[batch.manifest.register.lang]},
        }
        counts[save_extracted(store, bucket=buckets.records, record=record)] += 1
    if records:
        es = connect(settings)
        try:
            index_acts(es, index_prefix=settings.index_prefix,
                       records=[load_record(store, bucket=buckets.records, act_id=r["act_id"]).record for r in records])
        finally:
            es.close()
    return ActsOutcome(len(records), counts["created"], counts["updated"], counts["unchanged"],
                       sum(r["review"]["status"] == "needs_review" for r in records), len(unnumbered),
                       tuple(r["act_id"] for r in records), time.perf_counter() - started)


def _stage_summary(outcomes: list[PageOutcome]) -> dict[str, dict[str, float]]:
    done = [o for o in outcomes if o.ok and not o.reused and o.seconds]
    summary = {}
    for stage in ("decode", "orientation", "crop", "split", "deskew", "binarise", "ocr"):
        values = [o.seconds.get(stage, 0.0) for o in done]
        summary[stage] = {"total_s": round(sum(values), 3), "median_s": round(statistics.median(values), 3) if values else 0.0}
    return summary


def count_new_objects(*, prepared: PreparedBatch, masters: list[ArchivedMaster], outcomes: list[PageOutcome],
                      volume: VolumeCopy | None, acts: ActsOutcome | None) -> int:
    """Objects and object versions this run wrote to MinIO. A record read again and changed
    is a new version of its object, as much as a new record is a new object: both count."""
    return (prepared.new_objects + sum(m.created for m in masters) + sum(o.new_objects for o in outcomes)
            + (volume.new_objects if volume else 0) + (acts.created + acts.updated if acts else 0))


def build_report(*, prepared: PreparedBatch, masters: list[ArchivedMaster], outcomes: list[PageOutcome],
                 volume: VolumeCopy | None, index: IndexOutcome, new_objects: int, wall_seconds: float,
                 stage_seconds: dict[str, float], acts: ActsOutcome | None = None) -> dict:
    batch = prepared.batch
    failed_pages = [o.failure for o in outcomes if not o.ok and o.failure]
    return {
        "batch_id": batch.batch_id,
        "register": asdict(batch.manifest.register),
        "scan": asdict(batch.manifest.scan),
        "pipeline_version": PIPELINE_VERSION,
        "files": {
            "total": batch.file_count,
            "archived": len(masters),
            "quarantined": len(prepared.quarantined),
            "balanced": batch.file_count == len(masters) + len(prepared.quarantined),
        },
        "archived": [asdict(m) for m in masters],
        "quarantined": [asdict(q) for q in prepared.quarantined],
        "pages": {
            "total": len(outcomes),
            # Scanned images read; a double-page spread is one image and two pages.
            "images": len({(o.file_path, o.page_index) for o in outcomes}),
            "ok": sum(o.ok for o in outcomes),
            "failed": [asdict(f) for f in failed_pages],
            "reused": sum(o.reused for o in outcomes),
            "mean_conf": {o.page_id: o.mean_conf for o in outcomes if o.ok},
        },
        "per_page_stages": _stage_summary(outcomes),
        "stage_seconds": {k: round(v, 3) for k, v in stage_seconds.items()},
        "pdfa": asdict(volume) if volume else None,
        "index": asdict(index),
        "acts": asdict(acts) if acts else None,
        "new_objects": new_objects,
        "wall_seconds": round(wall_seconds, 3),
    }


def store_report(*, report: dict, settings: Settings) -> tuple[str, bool]:
    """Keep the report of the run that did the work. A re-run that found everything done
    (no new object, nothing indexed) leaves the stored report as it is."""
    store = ObjectStore.from_settings(settings)
    buckets = buckets_for(settings)
    key = f"{batch_prefix(report['batch_id'])}/report.json"
    acts = report.get("acts") or {}
    nothing_new = (report["new_objects"] == 0 and report["index"]["created"] == 0 and report["index"]["updated"] == 0
                   and not acts.get("created") and not acts.get("updated"))
    if nothing_new and store.exists(buckets.batches, key):
        return key, False
    stored = store.put_bytes(buckets.batches, key, _json_bytes(report), content_type="application/json")
    return key, stored.created


class BatchNotFound(SijilError):
    """No stored report for this batch id (never ingested, refused, or a typo)."""


def load_report(*, batch_id: str, settings: Settings) -> dict:
    store = ObjectStore.from_settings(settings)
    bucket, key = buckets_for(settings).batches, f"{batch_prefix(batch_id)}/report.json"
    if not store.bucket_exists(bucket) or not store.exists(bucket, key):
        raise BatchNotFound(f"Aucun lot {batch_id} / no batch {batch_id}",
                            hint="sijil batch list : les lots ingérés / the ingested batches")
    return json.loads(store.get_bytes(bucket, key))


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    stored_at: str  # when the report was written (UTC, ISO 8601)
    register: dict
    archived: int
    quarantined: int
    pages_ok: int
    pages_total: int


def list_batches(*, settings: Settings) -> list[BatchSummary]:
    """Every ingested batch, from its stored report (the report is written last, so a
    batch without one never finished), oldest first."""
    store = ObjectStore.from_settings(settings)
    bucket = buckets_for(settings).batches
    if not store.bucket_exists(bucket):
        return []
    summaries = []
    for key, modified in store.list_keys_modified(bucket, "batches/"):
        if not key.endswith("/report.json"):
            continue
        report = json.loads(store.get_bytes(bucket, key))
        summaries.append(BatchSummary(report["batch_id"], modified, report["register"], report["files"]["archived"],
                                      report["files"]["quarantined"], report["pages"]["ok"], report["pages"]["total"]))
    return sorted(summaries, key=lambda s: (s.stored_at, s.batch_id))
