"""`sijil bench ocr`: sijil's page path, raw Tesseract and OCRmyPDF side by side on the
same pages, interleaved in rounds, each with the same number of worker processes and the
same Tesseract models.

- sijil: `pipeline.page.process_page` per page (decode, orientation, crop/split, deskew,
  OCR with every renderer), `workers` processes, models from `tessdata_dir`.
- tesseract: `tesseract IMAGE - -l LANGS` on the input as it is (no orientation, no
  deskew), OMP_THREAD_LIMIT=1, `workers` at a time. PDF pages are rendered to 300-dpi
  gray PNG beforehand, untimed: the floor is the OCR alone.
- ocrmypdf: `ocrmypdf --deskew --rotate-pages --output-type pdfa -l LANGS --jobs WORKERS`
  on one PDF holding all the pages (images wrapped by img2pdf beforehand, untimed), the
  way a register volume would be given to it; its text is read back with `pdftotext`
  after the timed run.
- Same models: raw Tesseract and OCRmyPDF run with TESSDATA_PREFIX=`tessdata_dir` (the
  folder sijil reads its models from); the result names the folder and each model's
  digest. A floor read with other models would measure the models, not the pipeline.

Rounds: the machine is shared, and the load one reader meets can differ from the next
one's by a factor of two, so one pass of each reader after the other mostly measures the
load. Each round runs every reader once on the whole page set, in an order rotated from
round to round (with three readers and three rounds each reader runs once first, once
second, once last). Per reader the table gives the median over rounds; the ratios
(sijil/raw Tesseract, sijil/OCRmyPDF) are taken within each round, between runs a few
minutes apart, and their median is reported.

What is measured, per reader and round:
- pages/min: pages / wall time of the whole set.
- CPU s/page: user + system time of every process the reader ran (rusage of the
  children, which on Linux includes grandchildren once they are waited for), plus the
  coordinating process's own time, divided by the pages.
- peak RSS: the largest resident set of any single process the reader ran (ru_maxrss of
  the children: Linux reports the maximum over all waited-for descendants, not a sum of
  the processes that ran at the same time). Each run is its own fresh process so that
  these counters start from zero. The table gives the largest over rounds.
- load: the machine's 1-minute load average when the run started and ended. CPU s/page
  moves much less with the load than pages/min, so the table also gives each reader's
  pages per CPU-second against raw Tesseract's (×tess CPU): what the ratio would be on
  cores nobody else uses.
- CER (ocr/evaluate.py), from the first round (every round is scored; the result says
  whether the texts differed between rounds): page CER (reading order counts), line CER
  (each reference line matched wherever it was read: what was misread, whatever the
  order) and word F1 (bag of words: what search finds), weighted by reference length.

The CLI wraps `bench_ocr` and prints `render_table`.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import multiprocessing
import os
import queue as queue_module
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"

_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff", ".tiff": "tiff", ".pdf": "pdf"}
# Real pages with ground truth, used when the shared test data is present.
_REAL_PAGES = (
    "A1_ocrmypdf_resources/skew.pdf",
    "A2_tesseract_testimages/phototest.tif",
    "A2_tesseract_testimages/phototest-rotated-180.png",
    "B4_french_typewritten_tapuscorpus/AN-96AP_journal_1914-1917/FRAN_0150_0003_L-medium.jpg",
)
# Seeds of the synthetic pages: far from the small seeds the tests use and from the
# sample batch's (1987+), so the bench never measures a page a test was tuned on.
_SYNTH_SEED = 5101
_SYNTH_MIX = (("L2", "ar"), ("L2", "fr"), ("L1", "fr+ar"))


# ---------------------------------------------------------------- page set


def synthetic_pages(out_dir: Path, *, count: int, seed: int = _SYNTH_SEED) -> tuple[list[Path], list[str]]:
    """`count` synthetic register pages (Arabic narrative, French narrative, bilingual
    form in turn; typewriter or print face and worn-scan noise drawn from the seed; one
    page in four turned by a right angle) as 300-dpi PNG files, with their ground truth."""
    from pipeline.synth import random_birth_act, render_register_page, worn_scan
    from pipeline.synth.names import Spelled
    from pipeline.synth.sample import SAMPLE_REGISTER

    import datetime as dt

    out_dir.mkdir(parents=True, exist_ok=True)
    pages, truths = [], []
    for i in range(count):
        page_seed = seed + i
        layout, lang = _SYNTH_MIX[i % len(_SYNTH_MIX)]
        rng = random.Random(f"sijil-bench-ocr:{page_seed}")
        acts = [random_birth_act(rng=rng, register=SAMPLE_REGISTER, number=200 + 3 * i + k,
                                 drawn_up_on=dt.date(1987, 4, 1) + dt.timedelta(days=i),
                                 officer_surname=Spelled("حداد", "HADDAD"), officer_given=Spelled("رشيد", "Rachid"))
                for k in range(3 if layout == "L2" else 2)]
        rendered = render_register_page(layout=layout, lang=lang, acts=acts, seed=page_seed,
                                        degrade=worn_scan(seed=page_seed, turn_share=0.25),
                                        typeface="typewriter" if i % 2 == 0 else "print")
        path = out_dir / f"synth-{i + 1:02d}-{layout}-{lang.replace('+', '')}.png"
        rendered.image.save(path, "PNG", dpi=(rendered.dpi, rendered.dpi), compress_level=3)
        pages.append(path)
        truths.append(rendered.ground_truth_text())
    return pages, truths


def real_pages(testdata: Path = TESTDATA) -> tuple[list[Path], list[str]]:
    """The few real pages with ground truth that exist under `testdata` (none if absent)."""
    from ocr.groundtruth import GroundTruth, find_ground_truth

    pages, truths = [], []
    for relative in _REAL_PAGES:
        path = testdata / relative
        if not path.is_file():
            continue
        truth = find_ground_truth(path)
        if isinstance(truth, GroundTruth) and truth.text.strip():
            pages.append(path)
            truths.append(truth.text)
    return pages, truths


def default_page_set(out_dir: Path, *, synthetic: int = 8, testdata: Path = TESTDATA) -> tuple[list[Path], list[str]]:
    synth, synth_truths = synthetic_pages(out_dir, count=synthetic)
    real, real_truths = real_pages(testdata)
    return synth + real, synth_truths + real_truths


def _kind(path: Path) -> str:
    """Groups for the CER table: synthetic Arabic / French / bilingual pages, real pages."""
    name = path.name
    if name.startswith("synth-"):
        lang = name.rsplit("-", 1)[-1].removesuffix(".png")
        return {"ar": "synthetic ar", "fr": "synthetic fr", "frar": "synthetic fr+ar"}.get(lang, "synthetic")
    return "real"


# ---------------------------------------------------------------- readers (each runs in its own process)


def _sijil_page(job: dict) -> dict:
    """One page through sijil's page path. process_page returns one ProcessedPage or, for a
    spread cut in two, a tuple of them: either is taken, halves joined in reading order."""
    from pipeline.page import process_page

    result = process_page(source=Path(job["source"]), fmt=job["fmt"], page_index=0, work_dir=Path(job["work_dir"]),
                          langs=job["langs"], tessdata_dir=Path(job["tessdata_dir"]) if job["tessdata_dir"] else None,
                          ocr_timeout_s=job["timeout_s"])
    parts = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    stages: dict[str, float] = {}
    for part in parts:
        seconds = part.seconds
        values = dataclasses.asdict(seconds) if dataclasses.is_dataclass(seconds) else dict(vars(seconds))
        for stage, value in values.items():
            if isinstance(value, (int, float)):
                stages[stage] = stages.get(stage, 0.0) + float(value)
    orientation = next((s for s in parts[0].steps if s.step == "orientation"), None)
    shutil.rmtree(job["work_dir"], ignore_errors=True)  # work images are ~6 MB a page
    return {
        "text": "\n".join(part.ocr.text for part in parts),
        "stages": stages,
        "parts": len(parts),
        "langs": [part.ocr.langs for part in parts],
        "language_choice": [getattr(part.ocr, "language_choice", None) for part in parts],
        "orientation_method": orientation.measured.get("method") if orientation else None,
        "rotated": orientation.measured.get("rotate_degrees") if orientation else None,
    }


def _tesseract_env(tessdata_dir: str | None) -> dict[str, str]:
    """The environment of the raw Tesseract and OCRmyPDF runs: one thread per process
    (as sijil's Tesseract chokepoint sets it) and sijil's model folder."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    if tessdata_dir:
        env["TESSDATA_PREFIX"] = tessdata_dir
    return env


def _run_sijil(*, pages: list[dict], workers: int, langs: str, work: str, timeout_s: float,
               tessdata_dir: str | None) -> list[dict]:
    jobs = [{"source": p["path"], "fmt": p["fmt"], "langs": langs, "timeout_s": timeout_s, "tessdata_dir": tessdata_dir,
             "work_dir": str(Path(work) / f"page-{i:03d}")} for i, p in enumerate(pages)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_sijil_page, jobs))


def _run_tesseract(*, pages: list[dict], workers: int, langs: str, timeout_s: float,
                   tessdata_dir: str | None) -> list[dict]:
    env = _tesseract_env(tessdata_dir)

    def one(page: dict) -> dict:
        out = subprocess.run(["tesseract", page["raster"], "-", "-l", langs], env=env, capture_output=True,
                             text=True, timeout=timeout_s, check=True)
        return {"text": out.stdout}

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, pages))


def _run_ocrmypdf(*, pages: list[dict], workers: int, langs: str, input_pdf: str, output_pdf: str,
                  timeout_s: float, tessdata_dir: str | None) -> list[dict]:
    """OCRmyPDF's run alone; its text is read back by `_ocrmypdf_texts`, untimed."""
    subprocess.run([sys.executable, "-m", "ocrmypdf", "--deskew", "--rotate-pages", "--output-type", "pdfa", "-l", langs,
                    "--jobs", str(workers), input_pdf, output_pdf], env=_tesseract_env(tessdata_dir),
                   capture_output=True, text=True, timeout=timeout_s * len(pages), check=True)
    return [{"pdf": output_pdf, "page": number} for number in range(1, len(pages) + 1)]


def _ocrmypdf_texts(outputs: list[dict]) -> list[dict]:
    texts = []
    for output in outputs:
        number = str(output["page"])
        out = subprocess.run(["pdftotext", "-f", number, "-l", number, "-enc", "UTF-8", output["pdf"], "-"],
                             capture_output=True, text=True, timeout=60, check=True)
        texts.append({"text": out.stdout})
    return texts


_READERS = {"sijil": _run_sijil, "tesseract": _run_tesseract, "ocrmypdf": _run_ocrmypdf}


def _measured_child(queue, reader: str, kwargs: dict) -> None:
    """Runs in a fresh process: the reader, then this process's own CPU and its
    children's CPU and peak RSS (see the module docstring)."""
    try:
        own = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        outputs = _READERS[reader](**kwargs)
        wall = time.perf_counter() - started
        own_end = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (own_end.ru_utime - own.ru_utime + own_end.ru_stime - own.ru_stime
               + children.ru_utime + children.ru_stime)
        queue.put({"ok": True, "outputs": outputs, "wall_s": wall, "cpu_s": cpu,
                   "peak_rss_mib": children.ru_maxrss / 1024, "own_rss_mib": own_end.ru_maxrss / 1024})
    except BaseException as exc:  # reported to the parent, which says which reader failed
        queue.put({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:2000]})


def _measure(reader: str, **kwargs: Any) -> dict:
    """Run one reader in a fresh process ("spawn": nothing inherited, counters at zero;
    a script calling bench_ocr needs the usual `if __name__ == "__main__":` guard)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measured_child, args=(queue, reader, kwargs))
    load_start = os.getloadavg()[0]
    process.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except queue_module.Empty:
            if not process.is_alive():  # died without a word (killed, crashed at start)
                result = {"ok": False, "error": f"the {reader} process ended with exit code {process.exitcode}"}
                break
    process.join()
    return {**result, "load": [round(load_start, 2), round(os.getloadavg()[0], 2)]}


# ---------------------------------------------------------------- inputs for the other readers (untimed)


def _raster_for_tesseract(page: Path, *, fmt: str, work: Path) -> Path:
    if fmt != "pdf":
        return page  # a multi-page TIFF would be read whole: the page set holds single pages
    prefix = work / page.stem
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", str(page),
                    str(prefix)], check=True, capture_output=True, timeout=300)
    return prefix.with_suffix(".png")


def _pdf_for_ocrmypdf(pages: list[Path], *, formats: list[str], work: Path) -> Path:
    """One PDF of all pages in order: images wrapped losslessly by img2pdf (their pixels
    and resolution unchanged), first page of each PDF as it is, merged by qpdf."""
    import img2pdf  # installed with ocrmypdf (the `bench` extra)

    singles = []
    for i, (page, fmt) in enumerate(zip(pages, formats)):
        if fmt == "pdf":
            singles.append(page)
            continue
        single = work / f"in-{i:03d}.pdf"
        single.write_bytes(img2pdf.convert(str(page)))
        singles.append(single)
    merged = work / "ocrmypdf-input.pdf"
    pages_args = []
    for single in singles:
        pages_args += [str(single), "1"]
    subprocess.run(["qpdf", "--empty", "--pages", *pages_args, "--", str(merged)], check=True, capture_output=True,
                   timeout=300)
    return merged


# ---------------------------------------------------------------- scoring


def _score(truths: list[str], texts: list[str], kinds: list[str]) -> dict:
    try:
        from ocr.evaluate import char_error_rate, line_char_error_rate, word_f1
    except ImportError:  # TODO: ocr/evaluate.py is the one CER implementation; no scores without it
        return {"note": "ocr.evaluate is not available: no CER"}
    per_page = []
    for truth, text, kind in zip(truths, texts, kinds):
        per_page.append({"kind": kind, "chars": len(" ".join(truth.split())),
                         "cer": char_error_rate(truth, text), "line_cer": line_char_error_rate(truth, text),
                         "word_f1": word_f1(truth, text)})

    def weighted(rows: list[dict], key: str) -> float | None:
        total = sum(r["chars"] for r in rows)
        return round(sum(r[key] * r["chars"] for r in rows) / total, 4) if total else None

    groups = {}
    for kind in sorted({r["kind"] for r in per_page}):
        rows = [r for r in per_page if r["kind"] == kind]
        groups[kind] = {"pages": len(rows), "cer": weighted(rows, "cer"), "line_cer": weighted(rows, "line_cer"),
                        "word_f1": weighted(rows, "word_f1")}
    return {"cer": weighted(per_page, "cer"), "line_cer": weighted(per_page, "line_cer"),
            "word_f1": weighted(per_page, "word_f1"), "by_kind": groups,
            "per_page": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in per_page]}


# ---------------------------------------------------------------- the bench


def _rotated(items: list, shift: int) -> list:
    """The reader order of a round: round r starts with reader r (mod their number)."""
    shift %= len(items)
    return items[shift:] + items[:shift]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _models(langs: str, tessdata_dir: Path | None) -> dict[str, str] | str:
    """The digest of each model the readers load: the proof that all read with the same."""
    from ocr.tesseract import model_digests
    from pipeline.errors import ToolError

    try:
        return dict(model_digests(langs=langs, tessdata_dir=tessdata_dir))
    except (ToolError, OSError, subprocess.SubprocessError) as exc:
        return f"unknown: {exc}"


def _run_rounds(readers: list[tuple[str, str, dict]], *, rounds: int, progress) -> tuple[dict[str, list[dict]], list]:
    """Every reader once per round, in an order rotated per round. Each run is a fresh
    process (`_measure`); OCRmyPDF's text is read out of its PDF after its timed run."""
    runs: dict[str, list[dict]] = {name: [] for name, _, _ in readers}
    orders = []
    for number in range(1, rounds + 1):
        order = _rotated(readers, number - 1)
        orders.append([name for name, _, _ in order])
        for name, reader, kwargs in order:
            if progress is not None:
                progress(f"round {number}/{rounds}: {name} (load {os.getloadavg()[0]:.1f})")
            run = _measure(reader, **kwargs)
            if run.get("ok") and reader == "ocrmypdf":
                try:
                    run["outputs"] = _ocrmypdf_texts(run["outputs"])
                except (OSError, subprocess.SubprocessError) as exc:
                    run = {"ok": False, "error": f"pdftotext could not read OCRmyPDF's output: {exc}", "load": run["load"]}
            runs[name].append({**run, "round": number})
    return runs, orders


def _summarise(runs: list[dict], *, pages: list[Path], truths: list[str], kinds: list[str]) -> dict:
    """One reader over its rounds: medians of pages/min and CPU, the largest peak RSS,
    scores of the first round that worked, and every round's own figures."""
    n = len(pages)
    ok = [run for run in runs if run.get("ok")]
    errors = [f"round {run['round']}: {run.get('error', 'failed')}" for run in runs if not run.get("ok")]
    if not ok:
        return {"error": "; ".join(errors) or "failed"}
    per_round = []
    for run in runs:
        if not run.get("ok"):
            per_round.append({"round": run["round"], "error": run.get("error", "failed"), "load": run.get("load")})
            continue
        per_round.append({"round": run["round"], "wall_s": round(run["wall_s"], 2),
                          "pages_per_min": round(60 * n / run["wall_s"], 2), "cpu_s_per_page": round(run["cpu_s"] / n, 3),
                          "peak_rss_mib": round(run["peak_rss_mib"], 1), "load": run.get("load")})
    good = [r for r in per_round if "error" not in r]
    texts = [[o["text"] for o in run["outputs"]] for run in ok]
    entry: dict[str, Any] = {
        "rounds_ok": len(ok),
        "wall_s": _rounded(_median([r["wall_s"] for r in good]), 2),
        "pages_per_min": _rounded(_median([r["pages_per_min"] for r in good]), 2),
        "cpu_s_per_page": _rounded(_median([r["cpu_s_per_page"] for r in good]), 3),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in good),
        "load": [_rounded(_median([r["load"][i] for r in good if r.get("load")]), 2) for i in (0, 1)],
        "scores": _score(truths, texts[0], kinds),
        "texts_same_every_round": all(t == texts[0] for t in texts),
        "rounds": per_round,
    }
    if not entry["texts_same_every_round"]:
        entry["line_cer_by_round"] = [_score(truths, t, kinds).get("line_cer") for t in texts]
    if errors:
        entry["errors"] = errors
    if "stages" in ok[0]["outputs"][0]:  # sijil: its own per-stage seconds, every page of every round
        outputs = [o for run in ok for o in run["outputs"]]
        stage_names = sorted({k for o in outputs for k in o["stages"]})
        entry["stage_median_s"] = {k: round(statistics.median(o["stages"].get(k, 0.0) for o in outputs), 3)
                                   for k in stage_names}
        entry["stage_mean_s"] = {k: round(statistics.fmean(o["stages"].get(k, 0.0) for o in outputs), 3)
                                 for k in stage_names}
        entry["per_page"] = [{"page": p.name, "langs": o["langs"], "orientation": o["orientation_method"],
                              "rotated": o["rotated"], "language_choice": o["language_choice"]}
                             for p, o in zip(pages, ok[0]["outputs"])]
    return entry


def _add_ratios(readers: dict[str, dict]) -> None:
    """Each reader against raw Tesseract and OCRmyPDF, round by round (runs minutes apart
    on the same machine), then the median of those ratios. ×tess CPU is raw Tesseract's
    CPU s/page over the reader's: the pages/min ratio on cores nobody else uses."""
    def by_round(name: str) -> dict[int, dict]:
        return {r["round"]: r for r in readers.get(name, {}).get("rounds", []) if "error" not in r}

    floor, ocrmypdf = by_round("tesseract"), by_round("ocrmypdf")
    for name, entry in readers.items():
        if "rounds" not in entry:
            continue
        mine = by_round(name)
        ratios = {
            "vs_tesseract": [mine[k]["pages_per_min"] / floor[k]["pages_per_min"] for k in sorted(mine) if k in floor],
            "vs_tesseract_cpu": [floor[k]["cpu_s_per_page"] / mine[k]["cpu_s_per_page"] for k in sorted(mine)
                                 if k in floor and mine[k]["cpu_s_per_page"]],
            "vs_ocrmypdf": [mine[k]["pages_per_min"] / ocrmypdf[k]["pages_per_min"] for k in sorted(mine) if k in ocrmypdf],
        }
        for key, values in ratios.items():
            entry[key] = _rounded(_median(values), 3)
            entry[f"{key}_rounds"] = [round(v, 3) for v in values]


def bench_ocr(
    *,
    pages: list[Path],
    truths: list[str],
    langs: str,
    workers: int = 2,
    sijil_langs: tuple[str, ...] = ("auto",),
    include_ocrmypdf: bool = True,
    rounds: int = 3,
    tessdata_dir: Path | None = None,
    timeout_s: float = 600.0,
    work_dir: Path | None = None,
    progress=None,
) -> dict:
    """Read `pages` (single-page images or PDFs; ground truth `truths` in the same order)
    with sijil (once per entry of `sijil_langs`, e.g. ("auto", "ara+fra")), raw Tesseract
    and OCRmyPDF (both with `langs`), `workers` processes each, all with the models in
    `tessdata_dir` (None: Tesseract's own folder), interleaved in `rounds` rounds (module
    docstring). `progress` (optional) is called with a line before each run. Returns a
    JSON-able dict; `render_table` prints it."""
    if len(pages) != len(truths):
        raise ValueError(f"{len(pages)} pages but {len(truths)} ground truths")
    if not pages:
        raise ValueError("bench_ocr needs at least one page")
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, not {rounds}")
    formats = [_FORMATS.get(p.suffix.lower()) for p in pages]
    if None in formats:
        raise ValueError(f"unsupported page file: {pages[formats.index(None)]}")
    kinds = [_kind(p) for p in pages]
    models = str(tessdata_dir) if tessdata_dir is not None else None
    load_start = [round(v, 2) for v in os.getloadavg()]
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sijil-bench-ocr-", dir=work_dir) as tmp:
        work = Path(tmp)
        rasters = [_raster_for_tesseract(p, fmt=f, work=work) for p, f in zip(pages, formats)]
        page_jobs = [{"path": str(p), "fmt": f, "raster": str(r)} for p, f, r in zip(pages, formats, rasters)]
        readers: list[tuple[str, str, dict]] = []
        for variant in sijil_langs:
            readers.append((f"sijil[{variant}]", "sijil",
                            {"pages": page_jobs, "workers": workers, "langs": variant, "timeout_s": timeout_s,
                             "work": str(work / f"sijil-{variant.replace('+', '')}"), "tessdata_dir": models}))
        readers.append(("tesseract", "tesseract", {"pages": page_jobs, "workers": workers, "langs": langs,
                                                   "timeout_s": timeout_s, "tessdata_dir": models}))
        not_run: dict[str, dict] = {}
        if include_ocrmypdf and importlib.util.find_spec("ocrmypdf") is None:
            not_run["ocrmypdf"] = {"error": "ocrmypdf is not installed: pip install -e '.[bench]'"}
        elif include_ocrmypdf:
            try:
                input_pdf = _pdf_for_ocrmypdf(pages, formats=formats, work=work)
            except (OSError, subprocess.SubprocessError, ValueError) as exc:
                not_run["ocrmypdf"] = {"error": f"could not prepare its input: {exc}"}
            else:
                readers.append(("ocrmypdf", "ocrmypdf",
                                {"pages": page_jobs, "workers": workers, "langs": langs, "input_pdf": str(input_pdf),
                                 "output_pdf": str(work / "ocrmypdf-output.pdf"), "timeout_s": timeout_s,
                                 "tessdata_dir": models}))
        runs, orders = _run_rounds(readers, rounds=rounds, progress=progress)

    summary = {name: _summarise(reader_runs, pages=pages, truths=truths, kinds=kinds)
               for name, reader_runs in runs.items()}
    summary.update(not_run)
    _add_ratios(summary)
    return {"pages": [str(p) for p in pages], "kinds": kinds, "langs": langs, "workers": workers,
            "rounds": rounds, "order_by_round": orders,
            "tessdata_dir": models, "models": _models(langs, tessdata_dir),
            "cpu_count": os.cpu_count(), "load_average_start": load_start,
            "load_average": [round(v, 2) for v in os.getloadavg()], "readers": summary}


def _fmt(value: Any, pattern: str = "{:.2f}") -> str:
    return "—" if value is None else pattern.format(value)


def _load_text(load: list | None) -> str:
    if not load or None in load:
        return "—"
    return f"{load[0]:.1f}→{load[1]:.1f}"


def render_table(result: dict) -> str:
    """The bench as text: medians over rounds, each round's own figures, accuracy by
    page kind, sijil's stages."""
    readers = result["readers"]
    models = result.get("models")
    model_text = ", ".join(f"{k} {v}" for k, v in models.items()) if isinstance(models, dict) else str(models)
    rounds = result.get("rounds", 1)
    lines = [f"{len(result['pages'])} pages, {result['workers']} workers, Tesseract langs {result['langs']}, "
             f"{rounds} round(s) with the readers interleaved",
             f"models (all readers): {result.get('tessdata_dir') or 'Tesseract default folder'} ({model_text})",
             f"load average at the start {result.get('load_average_start')}, at the end {result['load_average']}"
             f" on {result.get('cpu_count')} CPUs", "",
             "median over rounds; ×tess, ×ocrmypdf and ×tess CPU are medians of the per-round ratios; "
             "peak RSS is the largest; load is the median 1-min load met at start→end"]
    head = f"{'reader':<18}{'pages/min':>10}{'×tess':>7}{'×ocrmypdf':>10}{'CPU s/pg':>10}{'×tess CPU':>10}" \
           f"{'peak RSS':>10}{'CER':>8}{'line CER':>10}{'word F1':>9}{'load':>12}"
    lines += [head, "-" * len(head)]
    for name, entry in readers.items():
        if "pages_per_min" not in entry:
            lines.append(f"{name:<18}failed: {entry.get('error', 'failed')[:100]}")
            continue
        scores = entry["scores"]
        lines.append(f"{name:<18}{entry['pages_per_min']:>10.1f}{_fmt(entry.get('vs_tesseract')):>7}"
                     f"{_fmt(entry.get('vs_ocrmypdf')):>10}{entry['cpu_s_per_page']:>10.2f}"
                     f"{_fmt(entry.get('vs_tesseract_cpu')):>10}"
                     f"{_fmt(entry['peak_rss_mib'], '{:.0f} MiB'):>10}{_fmt(scores.get('cer'), '{:.1%}'):>8}"
                     f"{_fmt(scores.get('line_cer'), '{:.1%}'):>10}{_fmt(scores.get('word_f1'), '{:.3f}'):>9}"
                     f"{_load_text(entry.get('load')):>12}")
        for error in entry.get("errors", []):
            lines.append(f"{'':<18}failed in {error[:100]}")
    lines += _round_table(result)
    kinds = sorted({k for e in readers.values() if "scores" in e for k in e["scores"].get("by_kind", {})})
    if kinds:
        lines += ["", "line CER / page CER by page kind (first round)"]
        head = f"{'reader':<18}" + "".join(f"{k:>20}" for k in kinds)
        lines += [head, "-" * len(head)]
        for name, entry in readers.items():
            if "scores" not in entry:
                continue
            cells = []
            for kind in kinds:
                group = entry["scores"]["by_kind"].get(kind, {})
                cells.append(f"{_fmt(group.get('line_cer'), '{:.1%}')} / {_fmt(group.get('cer'), '{:.1%}')}")
            lines.append(f"{name:<18}" + "".join(f"{c:>20}" for c in cells))
    for name, entry in readers.items():
        if entry.get("texts_same_every_round") is False:
            lines.append(f"\n{name}: texts differed between rounds; line CER by round "
                         + ", ".join(_fmt(v, "{:.2%}") for v in entry.get("line_cer_by_round", [])))
    for name, entry in readers.items():
        if "stage_median_s" in entry:
            stages = ", ".join(f"{k} {v:.2f}" for k, v in entry["stage_median_s"].items())
            lines.append(f"\n{name} median s/page by stage (every page of every round): {stages}")
    return "\n".join(lines)


def _round_table(result: dict) -> list[str]:
    """One row per round: each reader's pages/min, CPU s/page and load met, the order
    the readers ran in, and each sijil reader's ratios in that round."""
    readers = {name: entry for name, entry in result["readers"].items() if "rounds" in entry}
    if not readers:
        return []
    sijil = [name for name in readers if name.startswith("sijil")]
    ratio_heads = []
    for name in sijil:
        prefix = f"{name} " if len(sijil) > 1 else ""
        ratio_heads += [(name, "vs_tesseract", f"{prefix}×tess"), (name, "vs_ocrmypdf", f"{prefix}×ocrmypdf")]
    lines = ["", "per round: pages/min, CPU s/page, 1-min load at start→end"]
    head = f"{'round':<7}" + "".join(f"{name:>24}" for name in readers) \
        + "".join(f"{title:>{max(11, len(title) + 2)}}" for _, _, title in ratio_heads) + "   order"
    lines += [head, "-" * len(head)]
    orders = result.get("order_by_round") or []
    for number in range(1, result.get("rounds", 1) + 1):
        cells = []
        for entry in readers.values():
            run = next((r for r in entry["rounds"] if r["round"] == number), None)
            if run is None or "error" in run:
                cells.append(f"{'failed':>24}")
            else:
                cells.append(f"{run['pages_per_min']:.1f} {run['cpu_s_per_page']:.2f}s {_load_text(run.get('load'))}"
                             .rjust(24))
        for name, key, title in ratio_heads:
            entry = readers[name]
            mine = next((r for r in entry["rounds"] if r["round"] == number and "error" not in r), None)
            other_name = "tesseract" if key == "vs_tesseract" else "ocrmypdf"
            other = next((r for r in readers.get(other_name, {}).get("rounds", [])
                          if r["round"] == number and "error" not in r), None)
            value = mine["pages_per_min"] / other["pages_per_min"] if mine and other else None
            cells.append(_fmt(value).rjust(max(11, len(title) + 2)))
        order = ", ".join(orders[number - 1]) if number - 1 < len(orders) else ""
        lines.append(f"{number:<7}" + "".join(cells) + f"   {order}")
    return lines
