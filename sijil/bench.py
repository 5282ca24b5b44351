"""`sijil bench ingest`: the ingest flow on a batch, measured next to its floor — raw
Tesseract alone on the same pages, two processes on two cores (OMP_THREAD_LIMIT=1), in
the same run, so the ratio holds on a shared, noisy machine."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline.ingest import OCR_LANGS, buckets_for
from scanners.batch import open_batch
from scanners.formats import InputLimits
from search.client import connect, translated
from search.pages import pages_index_name
from sijil.settings import Settings
from storage.objects import ObjectStore


def _floor_inputs(batch_dir: Path, work: Path) -> tuple[list[Path], int, str]:
    """The pages as raw Tesseract would be given them: image files as they are; PDF pages
    rendered at 300 dpi beforehand (not timed: the floor is the OCR alone)."""
    batch = open_batch(batch_dir, limits=InputLimits())
    work.mkdir(parents=True, exist_ok=True)
    inputs: list[Path] = []
    pages = 0
    for file in batch.accepted:
        pages += file.page_count
        if file.format == "pdf":
            prefix = work / file.sha256[:12]
            subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(file.absolute_path), str(prefix)], check=True)
            inputs += sorted(work.glob(prefix.name + "*.png"))
        else:
            inputs.append(file.absolute_path)  # a multi-page TIFF is read whole by Tesseract
    return inputs, pages, OCR_LANGS[batch.manifest.register.lang]


def raw_tesseract_seconds(inputs: list[Path], *, langs: str, workers: int) -> tuple[float, list[float]]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> float:
        started = time.perf_counter()
        subprocess.run(["tesseract", str(path), "-", "-l", langs], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        per_file = list(pool.map(one, inputs))
    return time.perf_counter() - started, per_file


def sample_bench_batch(out_dir: Path, *, copies: int) -> Path:
    """One batch holding `copies` samples made with different seeds (different bytes, so
    different pages), enough pages for a throughput that is not all start-up cost."""
    from pipeline.synth.sample import make_sample_batch
    from scanners.manifest import MANIFEST_NAME

    out_dir.mkdir(parents=True)
    entries = []
    for copy in range(copies):
        sample = make_sample_batch(out_dir.parent / f"seed-{copy}" / "batch", seed=1987 + copy)
        for page in sorted(p for p in sample.iterdir() if p.name != MANIFEST_NAME):
            name = f"s{copy}-{page.name}"
            shutil.move(page, out_dir / name)
            entries.append(name)
    head = (sample / MANIFEST_NAME).read_text(encoding="utf-8").split("[[files]]", 1)[0]
    files = "".join(f'[[files]]\npath = "{name}"\n\n' for name in entries)
    (out_dir / MANIFEST_NAME).write_text(head + files, encoding="utf-8")
    return out_dir


def bench_ingest(settings: Settings, *, batch_dir: Path | None, ingest, workers: int = 2, copies: int = 3) -> dict:
    """`ingest` is the flow function (flows.ingest.ingest_batch), passed in so this module
    imports no Prefect."""
    tag = "bench" + uuid.uuid4().hex[:6]
    scratch = settings.model_copy(update={"bucket_prefix": f"sijil-{tag}", "index_prefix": f"sijil-{tag}"})
    with tempfile.TemporaryDirectory(prefix="sijil-bench-") as tmp:
        work = Path(tmp)
        if batch_dir is None:
            batch_dir = sample_bench_batch(work / "bench-batch", copies=copies)
        try:
            started = time.perf_counter()
            report = ingest(str(batch_dir), scratch)
            sijil_seconds = time.perf_counter() - started
            inputs, pages, langs = _floor_inputs(batch_dir, work / "floor")
            floor_seconds, floor_per_file = raw_tesseract_seconds(inputs, langs=langs, workers=workers)
        finally:
            store = ObjectStore.from_settings(scratch)
            for bucket in buckets_for(scratch).all():
                store.remove_bucket(bucket)
            es = connect(scratch)
            with translated("Removing the benchmark index"):
                es.options(ignore_status=404).indices.delete(index=pages_index_name(scratch.index_prefix))
            es.close()
    read = report["pages"]["ok"]
    return {
        "batch": str(batch_dir),
        # Scanned pages, as the floor counts them; a spread is one scanned page, read as two halves.
        "pages": pages,
        "page_images_read": read,
        "ocr_langs": langs,
        "sijil": {
            "wall_s": round(sijil_seconds, 2),
            "pages_per_min": round(60 * pages / sijil_seconds, 2),
            "batch_stages_s": report["stage_seconds"],
            "per_page_stage_median_s": {k: v["median_s"] for k, v in report["per_page_stages"].items()},
            "per_page_stage_total_s": {k: v["total_s"] for k, v in report["per_page_stages"].items()},
            "pdfa_passed": bool(report["pdfa"] and report["pdfa"]["passed"]),
        },
        "raw_tesseract": {
            "wall_s": round(floor_seconds, 2),
            "pages_per_min": round(60 * pages / floor_seconds, 2),
            "median_s_per_file": round(statistics.median(floor_per_file), 2),
            "workers": workers,
        },
        # sijil's throughput as a fraction of the floor's (1.0 = as fast as OCR alone).
        "ratio_to_floor": round(floor_seconds / sijil_seconds, 3),
    }
