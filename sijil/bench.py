"""`sijil bench ingest`: the ingest flow on a batch, measured next to its floor — raw
Tesseract alone on the same pages (`tesseract FILE - -l LANGS`), two processes on two
cores (OMP_THREAD_LIMIT=1), with the models the flow reads with (settings.tessdata_dir as
TESSDATA_PREFIX).

The two run interleaved in rounds, the order swapped from one round to the next, each
ingest into its own scratch buckets and indices (a second ingest into the same ones would
reuse the pages already read). On a shared machine the load changes from minute to
minute; the ratio is taken within each round and its median reported, beside the median
pages/min of each side and every round's own figures.

CPU seconds are this process's and its children's (the flow's page workers and their
Tesseract runs once they have been waited for; not Elasticsearch, MinIO or the Prefect
server, which run as services)."""

from __future__ import annotations

import os
import resource
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
from search.acts import acts_index_name
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


def raw_tesseract_seconds(inputs: list[Path], *, langs: str, workers: int,
                          tessdata_dir: Path | None = None) -> tuple[float, list[float]]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    if tessdata_dir is not None:
        env["TESSDATA_PREFIX"] = str(tessdata_dir)

    def one(path: Path) -> float:
        started = time.perf_counter()
        subprocess.run(["tesseract", str(path), "-", "-l", langs], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        per_file = list(pool.map(one, inputs))
    return time.perf_counter() - started, per_file


def _cpu_seconds() -> float:
    """User + system time of this process and of its children waited for so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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


def _remove_scratch(scratch: Settings) -> None:
    """The scratch buckets and both scratch indices (pages, acts) of one ingest."""
    store = ObjectStore.from_settings(scratch)
    for bucket in buckets_for(scratch).all():
        store.remove_bucket(bucket)
    es = connect(scratch)
    try:
        with translated("Removing the benchmark indices"):
            for index in (pages_index_name(scratch.index_prefix), acts_index_name(scratch.index_prefix)):
                es.options(ignore_status=404).indices.delete(index=index)
    finally:
        es.close()


def _ingest_once(settings: Settings, *, batch_dir: Path, ingest, pages: int) -> dict:
    """One ingest into scratch buckets and indices of its own, removed afterwards (untimed)."""
    tag = "bench" + uuid.uuid4().hex[:6]
    scratch = settings.model_copy(update={"bucket_prefix": f"sijil-{tag}", "index_prefix": f"sijil-{tag}"})
    load = os.getloadavg()[0]
    cpu = _cpu_seconds()
    started = time.perf_counter()
    try:
        report = ingest(str(batch_dir), scratch)
        wall = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu
    finally:
        _remove_scratch(scratch)
    return {
        "wall_s": round(wall, 2),
        "pages_per_min": round(60 * pages / wall, 2),
        "cpu_s_per_page": round(cpu / pages, 3),
        "load": [round(load, 2), round(os.getloadavg()[0], 2)],
        "page_images_read": report["pages"]["ok"],
        "batch_stages_s": report["stage_seconds"],
        "per_page_stage_median_s": {k: v["median_s"] for k, v in report["per_page_stages"].items()},
        "per_page_stage_total_s": {k: v["total_s"] for k, v in report["per_page_stages"].items()},
        "pdfa_passed": bool(report["pdfa"] and report["pdfa"]["passed"]),
    }


def _floor_once(inputs: list[Path], *, pages: int, langs: str, workers: int, tessdata_dir: Path | None) -> dict:
    load = os.getloadavg()[0]
    cpu = _cpu_seconds()
    wall, per_file = raw_tesseract_seconds(inputs, langs=langs, workers=workers, tessdata_dir=tessdata_dir)
    cpu = _cpu_seconds() - cpu
    return {
        "wall_s": round(wall, 2),
        "pages_per_min": round(60 * pages / wall, 2),
        "cpu_s_per_page": round(cpu / pages, 3),
        "load": [round(load, 2), round(os.getloadavg()[0], 2)],
        "median_s_per_file": round(statistics.median(per_file), 2),
    }


def _median_of(rounds: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in rounds), 3)


def _median_dicts(dicts: list[dict[str, float]]) -> dict[str, float]:
    """Key by key median (a stage absent from a round counts as absent, not zero)."""
    keys = sorted({k for d in dicts for k in d})
    return {k: round(statistics.median(d[k] for d in dicts if k in d), 3) for k in keys}


def summarise_rounds(sijil_rounds: list[dict], floor_rounds: list[dict]) -> dict:
    """Medians over rounds of each side, and the median of the per-round ratios
    (sijil pages/min over the floor's in the same round; and the floor's CPU s/page over
    sijil's, what the ratio would be on idle cores)."""
    ratios = [s["pages_per_min"] / f["pages_per_min"] for s, f in zip(sijil_rounds, floor_rounds)]
    cpu_ratios = [f["cpu_s_per_page"] / s["cpu_s_per_page"] for s, f in zip(sijil_rounds, floor_rounds)
                  if s["cpu_s_per_page"]]
    sijil = {
        "wall_s": _median_of(sijil_rounds, "wall_s"),
        "pages_per_min": _median_of(sijil_rounds, "pages_per_min"),
        "cpu_s_per_page": _median_of(sijil_rounds, "cpu_s_per_page"),
        "batch_stages_s": _median_dicts([r["batch_stages_s"] for r in sijil_rounds]),
        "per_page_stage_median_s": _median_dicts([r["per_page_stage_median_s"] for r in sijil_rounds]),
        "per_page_stage_total_s": _median_dicts([r["per_page_stage_total_s"] for r in sijil_rounds]),
        "pdfa_passed": all(r["pdfa_passed"] for r in sijil_rounds),
        "rounds": sijil_rounds,
    }
    floor = {
        "wall_s": _median_of(floor_rounds, "wall_s"),
        "pages_per_min": _median_of(floor_rounds, "pages_per_min"),
        "cpu_s_per_page": _median_of(floor_rounds, "cpu_s_per_page"),
        "median_s_per_file": _median_of(floor_rounds, "median_s_per_file"),
        "rounds": floor_rounds,
    }
    return {
        "sijil": sijil,
        "raw_tesseract": floor,
        # sijil's throughput as a fraction of the floor's (1.0 = as fast as OCR alone).
        "ratio_to_floor": round(statistics.median(ratios), 3),
        "ratio_to_floor_rounds": [round(r, 3) for r in ratios],
        "cpu_ratio_to_floor": round(statistics.median(cpu_ratios), 3) if cpu_ratios else None,
        "cpu_ratio_to_floor_rounds": [round(r, 3) for r in cpu_ratios],
    }


def bench_ingest(settings: Settings, *, batch_dir: Path | None, ingest, workers: int = 2, copies: int = 3,
                 rounds: int = 3, progress=None) -> dict:
    """`ingest` is the flow function (flows.ingest.ingest_batch), passed in so this module
    imports no Prefect. `rounds` rounds of one ingest and one floor run, the order
    swapped each round; `progress` (optional) is called with a line before each run."""
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, not {rounds}")
    with tempfile.TemporaryDirectory(prefix="sijil-bench-") as tmp:
        work = Path(tmp)
        if batch_dir is None:
            batch_dir = sample_bench_batch(work / "bench-batch", copies=copies)
        inputs, pages, langs = _floor_inputs(batch_dir, work / "floor")
        sijil_rounds, floor_rounds, orders = [], [], []
        for number in range(1, rounds + 1):
            order = ("sijil", "raw_tesseract") if number % 2 else ("raw_tesseract", "sijil")
            orders.append(list(order))
            for side in order:
                if progress is not None:
                    progress(f"round {number}/{rounds}: {side} (load {os.getloadavg()[0]:.1f})")
                if side == "sijil":
                    sijil_rounds.append({"round": number, **_ingest_once(settings, batch_dir=batch_dir, ingest=ingest,
                                                                         pages=pages)})
                else:
                    floor_rounds.append({"round": number, **_floor_once(inputs, pages=pages, langs=langs, workers=workers,
                                                                        tessdata_dir=settings.tessdata_dir)})
    summary = summarise_rounds(sijil_rounds, floor_rounds)
    summary["raw_tesseract"]["workers"] = workers
    return {
        "batch": str(batch_dir),
        # Scanned pages, as the floor counts them; a spread is one scanned page, read as two halves.
        "pages": pages,
        "page_images_read": sijil_rounds[0]["page_images_read"],
        "ocr_langs": langs,
        "tessdata_dir": str(settings.tessdata_dir) if settings.tessdata_dir else None,
        "rounds": rounds,
        "order_by_round": orders,
        "cpu_count": os.cpu_count(),
        **summary,
    }


def render_ingest_table(result: dict) -> str:
    """Medians over rounds, then each round's own figures."""
    s, f = result["sijil"], result["raw_tesseract"]
    lines = [
        f"{result['pages']} scanned pages ({result['page_images_read']} page images read), OCR {result['ocr_langs']}, "
        f"{f['workers']} processes, models {result['tessdata_dir'] or 'Tesseract default folder'}, "
        f"{result['rounds']} round(s), order swapped each round, {result['cpu_count']} CPUs",
        "",
        "median over rounds; ratios are medians of the per-round ratios",
        f"{'':<16}{'wall s':>8}{'pages/min':>11}{'CPU s/page':>12}",
        f"{'sijil ingest':<16}{s['wall_s']:>8.1f}{s['pages_per_min']:>11.1f}{s['cpu_s_per_page']:>12.2f}"
        f"   PDF/A valid: {s['pdfa_passed']}",
        f"{'raw Tesseract':<16}{f['wall_s']:>8.1f}{f['pages_per_min']:>11.1f}{f['cpu_s_per_page']:>12.2f}   (the floor)",
        f"ratio sijil/floor: throughput {result['ratio_to_floor']:.2f}, "
        f"CPU (floor CPU s/page over sijil's) {result['cpu_ratio_to_floor']:.2f}"
        if result.get("cpu_ratio_to_floor") is not None else f"ratio sijil/floor: throughput {result['ratio_to_floor']:.2f}",
        "",
        "per round: pages/min, CPU s/page, 1-min load at start→end",
        f"{'round':<7}{'sijil ingest':>26}{'raw Tesseract':>26}{'ratio':>8}   order",
    ]
    ratios = result.get("ratio_to_floor_rounds", [])
    for i, (mine, floor) in enumerate(zip(s["rounds"], f["rounds"])):
        cells = [f"{r['pages_per_min']:.1f} {r['cpu_s_per_page']:.2f}s {r['load'][0]:.1f}→{r['load'][1]:.1f}"
                 for r in (mine, floor)]
        ratio = f"{ratios[i]:.2f}" if i < len(ratios) else "—"
        order = ", ".join(result["order_by_round"][i]) if i < len(result.get("order_by_round", [])) else ""
        lines.append(f"{mine['round']:<7}{cells[0]:>26}{cells[1]:>26}{ratio:>8}   {order}")
    lines += ["", "batch stages, median s: " + ", ".join(f"{k} {v:.1f}" for k, v in s["batch_stages_s"].items()),
              "per page, median s: " + ", ".join(f"{k} {v:.2f}" for k, v in s["per_page_stage_median_s"].items())]
    return "\n".join(lines)
