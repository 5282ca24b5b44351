"""One page of a scanned file, from the master file to OCR output.

`decode_page` decodes ONE page into memory (`render_page` also writes it as a work
image); `process_page` runs decode → orientation → crop → split → (per page image)
deskew → binarise when it helps → OCR on the page held in memory, writes the image
Tesseract reads once, and returns everything it did: one ProcessedPage, or two for a
double-page spread.
Both take and return plain, picklable values (paths, numbers, frozen dataclasses) so a
process pool can run one page per worker; nothing keeps a file handle open.

Work images are 8-bit GRAYSCALE at (at most) 300 dpi. Why not colour: Tesseract turns
every input into gray before binarising, OSD and deskew work on gray, a gray page is a
third of the bytes to encode, rotate and read, and the colour master is kept untouched in
MinIO for anyone who needs the colour of a stamp or an ink. (The per-page PDF that
Tesseract writes carries this gray image; if PDF/A copies must be in colour, they should
be built from a colour rendering of the master, not from the work image.)
"""

from __future__ import annotations

import dataclasses
import functools
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pipeline.imaging import pyvips

from ocr import line_image, script, tesseract
from ocr.layout import PageLayout, choose_layout
from pipeline import page_steps
from pipeline.errors import SijilError, ToolError
from pipeline.page_steps import StepRecord

FORMATS = ("tiff", "jpeg", "png", "pdf")
_SINGLE_PAGE_FORMATS = ("jpeg", "png")

# A declared resolution below this is taken as "not declared": PNG files without a pHYs
# chunk and JPEGs without density come out of libvips as 72 dpi (imgsrc001.png, a 300-dpi
# A4 page, says 72). Such images are used at their pixel size, not enlarged or shrunk.
_MIN_PLAUSIBLE_DPI = 100
# Only shrink when the source is clearly above the target (a 310-dpi scan stays as is:
# resampling costs more sharpness than 3% of size gains).
_SHRINK_MARGIN = 1.05


class DecodeError(SijilError):
    """A page of an input file could not be decoded; the file needs a look (not transient)."""


@dataclass(frozen=True)
class PageSource:
    """One page of an input file: what `process_page` needs to find it (0-based index)."""

    path: Path
    fmt: str
    page_index: int
    page_count: int


def page_sources(path: Path, *, fmt: str, pages: int) -> tuple[PageSource, ...]:
    """The pages of a validated input file, one entry per page, in order. `pages` comes
    from the format check that validated the file (not re-read here)."""
    if fmt not in FORMATS:
        raise DecodeError(f"{path.name}: format {fmt!r} is not one of {', '.join(FORMATS)}")
    if pages < 1:
        raise DecodeError(f"{path.name}: a file must have at least one page, got {pages}")
    if fmt in _SINGLE_PAGE_FORMATS and pages != 1:
        raise DecodeError(f"{path.name}: a {fmt} file has one page, got {pages}")
    return tuple(PageSource(path=path, fmt=fmt, page_index=i, page_count=pages) for i in range(pages))


def _declared_dpi(image: pyvips.Image) -> float | None:
    dpi = image.xres * 25.4
    return dpi if dpi >= _MIN_PLAUSIBLE_DPI else None


def _to_gray8(image: pyvips.Image) -> pyvips.Image:
    if image.hasalpha():
        image = image.flatten(background=255)  # transparent = paper
    if image.bands > 1:
        image = image.colourspace("b-w")  # sRGB, CMYK, 16-bit RGB: libvips knows them all
    if image.format != "uchar":
        image = image.cast("uchar", shift=image.format in ("ushort", "short"))
    return image


def _vips_to_gray(image: pyvips.Image, dpi: float) -> page_steps.GrayImage:
    pixels = np.ndarray(buffer=image.write_to_memory(), dtype=np.uint8, shape=(image.height, image.width))
    return page_steps.GrayImage(pixels, float(dpi))


def _decode_raster(path: Path, *, fmt: str, page_index: int, dpi: int,
                   source_dpi: float | None) -> tuple[page_steps.GrayImage, dict]:
    # fail_on="error": a truncated or corrupt master is a decode error, not a page padded
    # with grey (libvips' default only warns, "VIPS: not enough data").
    load_options = {"fail_on": "error", **({"page": page_index} if fmt == "tiff" else {})}
    try:
        header = pyvips.Image.new_from_file(str(path), **load_options)
        page_count = header.get("n-pages") if "n-pages" in header.get_fields() else 1
        if page_index >= page_count:
            raise DecodeError(f"{path.name} has {page_count} page(s); page index {page_index} does not exist")
        exif_orientation = header.get("orientation") if "orientation" in header.get_fields() else 1
        # Sequential access streams the file through in strips (low memory on a 600-dpi
        # A3 spread); turning by EXIF orientation needs random access.
        image = header if exif_orientation not in (None, 1) else pyvips.Image.new_from_file(
            str(path), access="sequential", **load_options)
        if exif_orientation not in (None, 1):
            image = image.autorot()
        declared = _declared_dpi(header)
        if source_dpi is not None:
            used_dpi, origin = float(source_dpi), "given"
        elif declared is not None:
            used_dpi, origin = declared, "metadata"
        else:
            used_dpi, origin = float(dpi), "assumed (no plausible resolution in the file)"
        image = _to_gray8(image)
        scale = 1.0
        if used_dpi > dpi * _SHRINK_MARGIN:
            scale = dpi / used_dpi
            # libvips resize: box shrink then lanczos3, antialiased; streams.
            image = image.resize(scale, kernel="lanczos3")
            out_dpi = float(dpi)
        else:
            out_dpi = used_dpi  # never enlarge: it adds no detail; Tesseract is told the real dpi
        # Streamed (decode, gray, shrink) into one array: the page's only full decode.
        decoded = _vips_to_gray(image, out_dpi)
    except pyvips.Error as exc:
        raise DecodeError(f"{path.name} page {page_index + 1} could not be decoded: {str(exc).strip()[:300]}") from exc
    return decoded, {"source_dpi": round(used_dpi, 2), "source_dpi_origin": origin, "scale": round(scale, 6),
                     "dpi": round(out_dpi, 2), "width": decoded.width, "height": decoded.height,
                     "exif_orientation": exif_orientation, "decoder": "libvips"}


def _decode_pdf(path: Path, *, page_index: int, dpi: int, timeout_s: float) -> tuple[page_steps.GrayImage, dict]:
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise ToolError("pdftoppm is not installed.", hint="apt-get install poppler-utils")
    page_number = page_index + 1
    with tempfile.TemporaryDirectory(prefix="sijil-pdftoppm-") as tmp:
        prefix = Path(tmp) / "page"
        # PGM, not PNG: pdftoppm's own PNG writer took 2.0 s on a 300-dpi page (and wrote
        # RGB despite -gray); PGM takes 0.3 s and is read back without decompressing.
        args = [exe, "-r", str(dpi), "-gray", "-f", str(page_number), "-l", str(page_number), "-singlefile",
                str(path), str(prefix)]
        try:
            result = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DecodeError(f"{path.name} page {page_number}: pdftoppm gave no result after {timeout_s:.0f} s",
                              hint="a page this slow to render is probably damaged or enormous; look at it") from exc
        pgm = prefix.with_suffix(".pgm")
        if result.returncode != 0 or not pgm.is_file():
            raise DecodeError(f"{path.name} page {page_number} could not be rendered "
                              f"(pdftoppm exit {result.returncode}): {result.stderr.strip()[-300:]}")
        try:
            image = pyvips.Image.new_from_file(str(pgm), access="sequential", fail_on="error")
            decoded = _vips_to_gray(_to_gray8(image), dpi)
        except pyvips.Error as exc:
            raise DecodeError(f"{path.name} page {page_number}: rendered page unreadable: {exc}") from exc
    return decoded, {"source_dpi": None, "source_dpi_origin": "pdf (rendered)", "scale": 1.0, "dpi": float(dpi),
                     "width": decoded.width, "height": decoded.height, "exif_orientation": None, "decoder": "pdftoppm"}


@functools.lru_cache(maxsize=1)
def _poppler_version() -> str:
    try:
        out = subprocess.run(["pdftoppm", "-v"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (out.stderr or out.stdout).splitlines()[0].split()[-1] if (out.stderr or out.stdout) else "unknown"


def decode_page(
    path: Path,
    *,
    fmt: str,
    page_index: int,
    dpi: int = 300,
    source_dpi: float | None = None,
    timeout_s: float = 120.0,
) -> page_steps.StepResult:
    """Page `page_index` (0-based) of `path` as an 8-bit grayscale image in memory, at most
    `dpi`. Images above `dpi` are shrunk to it (OCR at 300 dpi reads as well as at 600 and
    takes half the time); images at or below it keep their pixels. `source_dpi` overrides
    the file's declared resolution (scanning stations know it; files often lie or say
    nothing). PDFs are rendered by pdftoppm at `dpi`, one page, within `timeout_s`."""
    if fmt not in FORMATS:
        raise DecodeError(f"{path.name}: format {fmt!r} is not one of {', '.join(FORMATS)}")
    if page_index < 0 or (fmt in _SINGLE_PAGE_FORMATS and page_index != 0):
        raise DecodeError(f"{path.name}: no page index {page_index} in a {fmt} file")
    started = time.perf_counter()
    if fmt == "pdf":
        image, measured = _decode_pdf(path, page_index=page_index, dpi=dpi, timeout_s=timeout_s)
        versions = {"poppler": _poppler_version(), **page_steps.tool_versions_imaging()}
    else:
        image, measured = _decode_raster(path, fmt=fmt, page_index=page_index, dpi=dpi, source_dpi=source_dpi)
        versions = page_steps.tool_versions_imaging()
    record = StepRecord(
        step="render",
        applied=True,
        parameters={"fmt": fmt, "page_index": page_index, "target_dpi": dpi, "source_dpi": source_dpi,
                    "mode": "gray8", "output": "memory"},
        measured=measured,
        tool_versions=versions,
        seconds=time.perf_counter() - started,
        input_image=path,
        output_image=None,
    )
    return page_steps.StepResult(image, record)


def render_page(
    path: Path,
    *,
    fmt: str,
    page_index: int,
    out_path: Path,
    dpi: int = 300,
    source_dpi: float | None = None,
    timeout_s: float = 120.0,
) -> page_steps.StepOutput:
    """`decode_page`, written to `out_path` as an 8-bit grayscale PNG work image (with
    its resolution)."""
    decoded = decode_page(path, fmt=fmt, page_index=page_index, dpi=dpi, source_dpi=source_dpi, timeout_s=timeout_s)
    started = time.perf_counter()
    try:
        page_steps.write_gray_image(decoded.image, out_path=out_path)
    except page_steps.ImageStepError as exc:
        out_path.unlink(missing_ok=True)  # no half-written work image left for a later step
        raise DecodeError(f"{path.name} page {page_index + 1}: {exc}") from exc
    record = dataclasses.replace(decoded.record, output_image=out_path,
                                 parameters={**decoded.record.parameters, "output": "png"},
                                 seconds=decoded.record.seconds + time.perf_counter() - started)
    return page_steps.StepOutput(out_path, record)


@dataclass(frozen=True)
class StageSeconds:
    """Wall time per stage for one processed image. The stages a spread's halves share
    (decode, orientation, crop, split) are divided equally between the halves, so the
    halves' totals add up to the page's wall time. `decode` includes making the analysis
    copy; `ocr` includes choosing the psm from the page's layout (~10-30 ms) and writing
    the work image Tesseract reads."""

    decode: float
    orientation: float
    deskew: float
    ocr: float
    crop: float = 0.0
    split: float = 0.0
    binarise: float = 0.0

    @property
    def total(self) -> float:
        return self.decode + self.orientation + self.crop + self.split + self.deskew + self.binarise + self.ocr


@dataclass(frozen=True)
class ProcessedPage:
    """One page image as read: a single page, or one half of a double-page spread
    (`half` "left"/"right", None for a single page; `page_index` is the page of the source
    file both halves came from). Step records in order: the shared ones (render,
    orientation, crop, split), then this image's own (deskew, binarise); per-stage
    seconds, the OCR result and the image that was read. `layout`: the column structure
    found on the image read and the psm it chose (None when the psm was given, or for a
    one-line image read in line mode)."""

    source: Path
    fmt: str
    page_index: int
    work_image: Path
    dpi: float
    steps: tuple[StepRecord, ...]
    seconds: StageSeconds
    ocr: tesseract.OcrPageResult
    half: str | None = None
    layout: PageLayout | None = None


# Tesseract language codes of Arabic-script models: a register read with these alone is
# an Arabic register, bound on the right; its spreads read right page first.
_ARABIC_SCRIPT_LANGS = frozenset({"ara", "script/Arabic", "fas", "urd", "pus", "snd", "uig"})


def right_half_first_for(langs: str) -> bool:
    """Reading order of a spread's halves from the OCR languages: right then left for an
    Arabic-only register, left then right otherwise (French, bilingual)."""
    parts = [part for part in langs.split("+") if part]
    return bool(parts) and all(part in _ARABIC_SCRIPT_LANGS for part in parts)


def process_page(
    *,
    source: Path,
    fmt: str,
    page_index: int,
    work_dir: Path,
    langs: str,
    tessdata_dir: Path | None,
    ocr_timeout_s: float,
    psm: int | None = None,
    dpi: int = 300,
    source_dpi: float | None = None,
    osd_timeout_s: float = 60.0,
    decode_timeout_s: float = 120.0,
    split_spreads: bool = True,
    binarise: bool = True,
    right_half_first: bool | None = None,
    script_regions: bool = False,
) -> tuple[ProcessedPage, ...]:
    """decode → orientation → crop → split → per page image: deskew → (binarise when the
    page needs it) → OCR. Returns one ProcessedPage for a single page, two for a
    double-page spread, in reading order: left then right, or right then left when
    `right_half_first` (default: from `langs`, see right_half_first_for). A spread is
    split before deskew because each half lies at its own angle on the glass.

    The page is decoded ONCE into memory; orientation, crop and split decide on one
    shared ~75-dpi analysis copy (made again only after a turn, or for a cropped region);
    the image Tesseract reads is the only one encoded, once per page image, into
    `work_dir` as `pNNNN[L|R]-work.png` (named after the page number and half, so pages
    of one file can share the folder) and named as the last step record's output_image.
    `split_spreads=False` / `binarise=False` turn those steps off.

    `psm`: Tesseract's page segmentation mode for every page image; None (the default)
    chooses it per page image from the column structure of the image read (ocr/layout.py:
    psm 6 for a narrative body with a margin column and for tables, psm 3 otherwise).

    `script_regions`: a page image read with both languages is read again region by
    region, its Arabic lines with `ara` alone (ocr/regions.py); False: one pass."""
    work_dir.mkdir(parents=True, exist_ok=True)
    stem = f"p{page_index + 1:04d}"

    t0 = time.perf_counter()
    decoded = decode_page(source, fmt=fmt, page_index=page_index, dpi=dpi, source_dpi=source_dpi,
                          timeout_s=decode_timeout_s)
    page_dpi = decoded.record.measured["dpi"]
    ocr_dpi = int(round(page_dpi))
    # One line of text (a strip cut from a page, a dataset's line image): line mode inside
    # a margin, none of the page steps, which harm it (measured: ocr/line_image.py). Its
    # languages as given: OSD finds no script on one line (the `auto` look would cost
    # ~0.5 s and fall back to ara+fra anyway).
    line = line_image.prepare_text_line(decoded.image.pixels, dpi=page_dpi, out_path=work_dir / f"{stem}-work.png")
    if line is not None:
        t1 = time.perf_counter()
        ocr = tesseract.ocr_page(image=line.image, out_base=work_dir / f"{stem}-ocr", langs=langs, psm=line.psm,
                                 dpi=ocr_dpi, tessdata_dir=tessdata_dir, timeout_s=ocr_timeout_s)
        return (ProcessedPage(source=source, fmt=fmt, page_index=page_index, work_image=line.image, dpi=page_dpi,
                              steps=(decoded.record, line.record), ocr=ocr,
                              seconds=StageSeconds(decode=t1 - t0, orientation=0.0, deskew=0.0,
                                                   ocr=time.perf_counter() - t1)),)
    analysis = page_steps.analysis_copy(decoded.image)
    t1 = time.perf_counter()
    oriented = page_steps.orient_image(decoded.image, analysis=analysis, tessdata_dir=tessdata_dir,
                                       timeout_s=osd_timeout_s)
    if oriented.record.applied:
        analysis = page_steps.analysis_copy(oriented.image)
    t2 = time.perf_counter()
    # The crop box is only measured: split cuts the halves (or the single page) out of it.
    crop_record = page_steps.measure_crop(analysis)
    box = tuple(crop_record.measured["box"])
    t3 = time.perf_counter()
    if split_spreads:
        parts = page_steps.split_image(oriented.image, region=box, analysis=analysis)
        split_records = tuple(part.record for part in parts)
    else:
        parts = (page_steps.StepResult(oriented.image.region(box) if crop_record.applied else oriented.image,
                                       crop_record),)
        split_records = (None,)
    t4 = time.perf_counter()
    shared = (decoded.record, oriented.record, crop_record)
    share = 1.0 / len(parts)
    results = []
    for part, split_record in zip(parts, split_records):
        half = split_record.measured["half"] if split_record is not None else None
        part_stem = stem + {"left": "L", "right": "R", None: ""}[half]
        s0 = time.perf_counter()
        straightened = page_steps.deskew_image(part.image)
        s1 = time.perf_counter()
        steps = shared + ((split_record,) if split_record is not None else ()) + (straightened.record,)
        image = straightened.image
        if binarise:
            cleaned = page_steps.binarise_image(image)
            steps += (cleaned.record,)
            image = cleaned.image
        s2 = time.perf_counter()
        # The psm from the layout of the image Tesseract reads (after deskew: columns are
        # upright), on its own ~75-dpi copy.
        page_layout = None
        page_psm, psm_choice = psm, None
        if psm is None:
            reduced = page_steps.analysis_copy(image)
            page_layout = choose_layout(reduced.gray, dpi=reduced.dpi, scale_x=reduced.scale_x)
            page_psm, psm_choice = page_layout.psm, f"{page_layout.kind}: {page_layout.reason}"
        # The one encoding of this page image: what Tesseract reads and the page PDF shows
        # (counted in the OCR stage, which needs it as a file).
        work_image = page_steps.write_gray_image(image, out_path=work_dir / f"{part_stem}-work.png")
        steps = steps[:-1] + (dataclasses.replace(steps[-1], output_image=work_image),)
        # A bilingual register: each page (or half) is read with the language(s) its script
        # needs — `ara+fra` on an Arabic-only page costs ~65% more and reads worse. A single
        # page reuses the script seen by the orientation windows instead of looking again.
        page_langs = "auto" if langs == "ara+fra" else langs
        hint = script.decision_from_orientation(oriented.record.measured) if len(parts) == 1 else None
        ocr = tesseract.ocr_page(image=work_image, out_base=work_dir / f"{part_stem}-ocr", langs=page_langs,
                                 psm=page_psm, psm_choice=psm_choice, dpi=ocr_dpi, tessdata_dir=tessdata_dir,
                                 timeout_s=ocr_timeout_s, script_hint=hint, script_regions=script_regions)
        s3 = time.perf_counter()
        results.append(ProcessedPage(
            source=source,
            fmt=fmt,
            page_index=page_index,
            work_image=work_image,
            dpi=page_dpi,
            steps=steps,
            seconds=StageSeconds(decode=(t1 - t0) * share, orientation=(t2 - t1) * share, crop=(t3 - t2) * share,
                                 split=(t4 - t3) * share, deskew=s1 - s0, binarise=s2 - s1, ocr=s3 - s2),
            ocr=ocr,
            half=half,
            layout=page_layout,
        ))
    if right_half_first is None:
        right_half_first = right_half_first_for(langs)
    if len(results) == 2 and right_half_first:
        results.reverse()
    return tuple(results)
