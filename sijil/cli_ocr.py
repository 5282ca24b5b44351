"""`sijil ocr FILE` and `sijil eval ocr DATASET`: what sijil reads, and how well.

Both go through pipeline.read.read_document, the ingest flow's own page path (format
checks, render, orientation, deskew, Tesseract), for one file, without services.
`register(app, get_settings)` adds them to the main typer app.

Exit codes: 0 done; 1 a file could not be read (or, for eval, at least one file failed);
2 wrong usage (unknown option value, missing file, language not installed).
"""

from __future__ import annotations

import functools
import sys
import tempfile
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable

import typer
from rich.console import Console
from rich.markup import escape

from pipeline.errors import SijilError

EXIT_FAILED, EXIT_USAGE = 1, 2


class OutputFormat(str, Enum):
    text = "text"
    hocr = "hocr"
    alto = "alto"

DEFAULT_LANGS = "ara+fra"

err_console = Console(stderr=True)


def _check_langs(langs: str, *, tessdata_dir: Path | None) -> str:
    """`ara`, `fra`, `ara+fra` (or any `+` combination of installed Tesseract models,
    e.g. `script/Arabic`, to measure alternatives). Unknown → exit 2."""
    from ocr import tesseract

    wanted = [part for part in langs.split("+") if part]
    try:
        installed = tesseract.available_languages(tessdata_dir=tessdata_dir)
    except SijilError as exc:
        err_console.print(f"[red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_FAILED)
    missing = [lang for lang in wanted if lang not in installed]
    if not wanted or missing:
        err_console.print(f"Langue d'OCR inconnue ou non installée / unknown or uninstalled OCR language "
                          f"{escape(', '.join(missing) or repr(langs))} : ara, fra ou/or ara+fra "
                          f"(installées / installed: {escape(', '.join(sorted(installed)))})")
        raise typer.Exit(EXIT_USAGE)
    return "+".join(wanted)


def register(app: typer.Typer, get_settings: Callable[[typer.Context], object]) -> typer.Typer:
    """Add `ocr` and `eval ocr` to `app`. get_settings(ctx) gives the Settings (tessdata_dir).
    Returns the `eval` group, for the other evaluations to join."""

    @app.command("ocr")
    def ocr_command(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="A scanned file: TIFF (multi-page too), JPEG, PNG or PDF",
                                             exists=True, dir_okay=False, readable=True)],
        lang: Annotated[str, typer.Option("--lang", help="Tesseract languages: ara, fra or ara+fra")] = DEFAULT_LANGS,
        output: Annotated[OutputFormat, typer.Option("--format", help="text, hocr or alto")] = OutputFormat.text,
        workers: Annotated[int, typer.Option(min=1, help="Pages read in parallel processes")] = 1,
        timeout: Annotated[float, typer.Option(min=1, help="Seconds Tesseract may spend on one page")] = 300.0,
    ) -> None:
        """Print what sijil reads in every page of FILE, through the same steps as ingest
        (format checks, render, orientation, deskew, OCR). text: pages separated by a form
        feed. hocr/alto: ONE document for the whole file, one page element per page (and
        per half of a split spread), ids made unique. Per-page timings go to stderr."""
        from pipeline.read import merged_alto, merged_hocr, read_document

        settings = get_settings(ctx)
        tessdata_dir = getattr(settings, "tessdata_dir", None)
        langs = _check_langs(lang, tessdata_dir=tessdata_dir)
        with tempfile.TemporaryDirectory(prefix="sijil-ocr-") as tmp:
            try:
                reading = read_document(path=file, langs=langs, work_dir=Path(tmp), tessdata_dir=tessdata_dir,
                                        ocr_timeout_s=timeout, workers=workers)
                if output is OutputFormat.text:
                    document = reading.text
                else:
                    paths = tuple(p for page in reading.pages
                                  for p in (page.hocr_paths if output is OutputFormat.hocr else page.alto_paths))
                    document = merged_hocr(paths) if output is OutputFormat.hocr else merged_alto(paths)
            except SijilError as exc:
                err_console.print(f"[red]Error:[/] {escape(str(exc))}")
                raise typer.Exit(EXIT_FAILED)
        sys.stdout.write(document if document.endswith("\n") else document + "\n")
        for page in reading.pages:
            conf = page.mean_confidence
            parts = f", {len(page.parts)} parts" if len(page.parts) > 1 else ""
            # psm 7: the image was found to be one text line and read in line mode.
            psm = "/".join(sorted({str(p.ocr.psm) for p in page.parts}))
            err_console.print(f"page {page.page_index + 1}/{reading.page_count}{parts}: "
                              f"{sum(p.seconds.total for p in page.parts):.1f} s, psm {psm}, "
                              f"confidence {'-' if conf is None else f'{conf:.2f}'}", highlight=False)
        err_console.print(f"{reading.fmt}, {reading.page_count} page(s), {langs}, {reading.seconds:.1f} s",
                          highlight=False)

    eval_app = typer.Typer(help="Measure sijil against ground truth.", no_args_is_help=True)
    app.add_typer(eval_app, name="eval")

    @eval_app.command("ocr")
    def eval_ocr_command(
        ctx: typer.Context,
        dataset: Annotated[Path, typer.Argument(help="Folder of images with ground truth beside them "
                                                     "(sub-folders too)", exists=True, file_okay=False)],
        lang: Annotated[str, typer.Option("--lang", help="Tesseract languages: ara, fra or ara+fra")] = DEFAULT_LANGS,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
        limit: Annotated[int | None, typer.Option(min=1, help="Evaluate only the first N files with ground truth")] = None,
        workers: Annotated[int, typer.Option(min=1, help="Files read in parallel processes")] = 1,
        timeout: Annotated[float, typer.Option(min=1, help="Seconds Tesseract may spend on one page")] = 300.0,
    ) -> None:
        """Read every image of DATASET that has ground truth (NAME.gt.txt, NAME.xml as ALTO
        or PAGE, NAME.txt, documented aliases) as ingest would, and print per file and
        overall CER, WER, bag-of-words F1 and line-matched CER (by line type when the
        ground truth says: printed, typewritten, handwritten). Exit 1 if a file failed."""
        from ocr.evaluate import evaluate_dataset, render_table
        from pipeline.read import read_text

        settings = get_settings(ctx)
        tessdata_dir = getattr(settings, "tessdata_dir", None)
        langs = _check_langs(lang, tessdata_dir=tessdata_dir)
        read = functools.partial(read_text, langs=langs, tessdata_dir=tessdata_dir, ocr_timeout_s=timeout)
        started = time.perf_counter()
        report = evaluate_dataset(folder=dataset, langs=langs, read=read, limit=limit, workers=workers)
        if as_json:
            print(report.to_json())
        else:
            print(render_table(report))
        if not report.files and not report.failed:
            err_console.print(f"No image with ground truth in {escape(str(dataset))} "
                              f"({len(report.skipped)} skipped).")
            raise typer.Exit(EXIT_FAILED)
        err_console.print(f"{len(report.files)} file(s) scored, {len(report.failed)} failed, "
                          f"{len(report.skipped)} skipped in {time.perf_counter() - started:.1f} s", highlight=False)
        if report.failed:
            raise typer.Exit(EXIT_FAILED)

    return eval_app
