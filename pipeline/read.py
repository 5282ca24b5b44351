"""Read one file the way the ingest flow reads a page, without any service.

`read_document` is the flow's per-page path applied to every page of one file: the
format from the file's first bytes (scanners.formats.sniff_format), the same format and
safety checks a batch file goes through (inspect_content: structure, page count, pixel
and page limits), then `process_page` (decode → orientation → crop → split → deskew →
binarise → OCR) per page. It is what `sijil ocr` prints and what `sijil eval ocr`
scores, so a figure measured there is a figure about the flow.

`process_page` gives one ProcessedPage per page, or a tuple of them when it cuts a
double-page spread into halves; a PageReading keeps them in the order it gave them.
"""

from __future__ import annotations

import re
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline.page import DecodeError, ProcessedPage, process_page
from scanners.formats import HEAD_BYTES, TAIL_BYTES, FileProblem, InputLimits, describe_unsupported, inspect_content, sniff_format

# Between pages in plain text: a form feed after the last line, as pdftotext writes it.
PAGE_SEPARATOR = "\n\f"


@dataclass(frozen=True)
class PageReading:
    """One page of the file (0-based `page_index`) as processed: one part, or the halves
    of a spread in the order process_page returned them."""

    page_index: int
    parts: tuple[ProcessedPage, ...]

    @property
    def text(self) -> str:
        # A blank line between halves: they are separate text blocks, not one paragraph.
        return "\n\n".join(part.ocr.text.strip("\n") for part in self.parts)

    @property
    def hocr_paths(self) -> tuple[Path, ...]:
        return tuple(part.ocr.hocr_path for part in self.parts)

    @property
    def alto_paths(self) -> tuple[Path, ...]:
        return tuple(part.ocr.alto_path for part in self.parts)

    @property
    def mean_confidence(self) -> float | None:
        scored = [(p.ocr.mean_confidence, p.ocr.word_count) for p in self.parts if p.ocr.mean_confidence is not None]
        words = sum(n for _, n in scored)
        return sum(c * n for c, n in scored) / words if words else None


@dataclass(frozen=True)
class DocumentReading:
    path: Path
    fmt: str
    page_count: int
    langs: str
    pages: tuple[PageReading, ...]
    seconds: float

    @property
    def parts(self) -> tuple[ProcessedPage, ...]:
        """Every processed image in reading order: pages, and halves within a page."""
        return tuple(part for page in self.pages for part in page.parts)

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(page.text for page in self.pages)


def detect_format(path: Path, *, limits: InputLimits) -> tuple[str, int]:
    """(format, page count) after the same checks a batch file goes through. A file that
    fails them raises DecodeError with the check's reason."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as stream:
            head = stream.read(HEAD_BYTES)
            stream.seek(max(0, size - TAIL_BYTES))
            tail = stream.read(TAIL_BYTES)
    except OSError as exc:
        raise DecodeError(f"{path.name} cannot be read: {exc}") from exc
    fmt = sniff_format(head)
    if fmt is None:
        raise DecodeError(f"{path.name} is not a TIFF, JPEG, PNG or PDF file ({describe_unsupported(head)})")
    if size > limits.max_file_bytes:
        raise DecodeError(f"{path.name} is {size} bytes, more than max_file_bytes {limits.max_file_bytes}")
    try:
        info = inspect_content(path, file_format=fmt, size=size, tail=tail, limits=limits)
    except FileProblem as problem:
        raise DecodeError(f"{path.name} refused ({problem.reason}): {problem.detail}") from None
    return fmt, info.page_count


def _process_one(kwargs: dict) -> tuple[ProcessedPage, ...]:
    result = process_page(**kwargs)
    return result if isinstance(result, tuple) else (result,)


def read_document(
    *,
    path: Path,
    langs: str,
    work_dir: Path,
    tessdata_dir: Path | None,
    ocr_timeout_s: float = 300,
    source_dpi: float | None = None,
    workers: int = 1,
    limits: InputLimits | None = None,
) -> DocumentReading:
    """Every page of `path` through the flow's page path; work images and OCR outputs
    (hOCR, ALTO, TSV, TXT, per-page PDF) stay in `work_dir`, which the caller owns.
    `source_dpi`: the scanning resolution, when the file does not say it right (the
    flow takes it from the batch manifest). `workers` > 1 processes pages in parallel
    processes (spawned: libvips and Tesseract state is not inherited), worth it from a
    few pages on; each process pays about a second to start."""
    started = time.perf_counter()
    fmt, page_count = detect_format(path, limits=limits or InputLimits())
    jobs = [dict(source=path, fmt=fmt, page_index=index, work_dir=work_dir, langs=langs, tessdata_dir=tessdata_dir,
                 ocr_timeout_s=ocr_timeout_s, source_dpi=source_dpi) for index in range(page_count)]
    if workers > 1 and page_count > 1:
        import multiprocessing

        with ProcessPoolExecutor(max_workers=min(workers, page_count),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_process_one, jobs))
    else:
        results = [_process_one(job) for job in jobs]
    pages = tuple(PageReading(page_index=index, parts=parts) for index, parts in enumerate(results))
    return DocumentReading(path=path, fmt=fmt, page_count=page_count, langs=langs, pages=pages,
                           seconds=time.perf_counter() - started)


def read_text(path: Path, *, langs: str, tessdata_dir: Path | None, ocr_timeout_s: float = 300,
              source_dpi: float | None = None) -> str:
    """The text of every page of `path` (pages separated by a form feed), work files in a
    temporary folder removed afterwards. Picklable as a functools.partial: evaluation
    runs it in worker processes."""
    with tempfile.TemporaryDirectory(prefix="sijil-read-") as tmp:
        return read_document(path=path, langs=langs, work_dir=Path(tmp), tessdata_dir=tessdata_dir,
                             ocr_timeout_s=ocr_timeout_s, source_dpi=source_dpi).text


# ---------------------------------------------------------------- one hOCR / ALTO for the file
#
# Tesseract writes one hOCR and one ALTO document per image, each numbering its elements
# from the same start. A file of several pages (or a spread cut in halves) is given as ONE
# document with one page element per image, in reading order, ids made unique; a reader
# that opens "the hOCR of this file" then sees every page, which printing the documents one
# after the other (several XML declarations in one stream) would not allow.

_HOCR_ID = re.compile(r"""\bid=(['"])([a-z]+)_1(_\d+)?\1""")
_HOCR_PAGENO = re.compile(r"ppageno \d+")
_ALTO_ID = re.compile(r'\bID="([^"]*)"')
_ALTO_IMG_NR = re.compile(r'PHYSICAL_IMG_NR="\d+"')


def _between(text: str, start: str, end: str, *, path: Path) -> tuple[int, int]:
    i, j = text.find(start), text.rfind(end)
    if i < 0 or j < i:
        raise DecodeError(f"{path.name}: unexpected Tesseract output (no {start!r} … {end!r})")
    return i, j


def merged_hocr(paths: tuple[Path, ...]) -> str:
    """One hOCR document holding the ocr_page of every input, ids page-numbered
    (page_2, block_2_1, word_2_7 …) and ppageno set to the position in the file."""
    if len(paths) == 1:
        return paths[0].read_text(encoding="utf-8")
    documents = [p.read_text(encoding="utf-8") for p in paths]
    bodies = []
    for number, (path, document) in enumerate(zip(paths, documents), start=1):
        i, j = _between(document, "<body>", "</body>", path=path)
        body = document[i + len("<body>"):j]
        body = _HOCR_ID.sub(lambda m: f"id={m.group(1)}{m.group(2)}_{number}{m.group(3) or ''}{m.group(1)}", body)
        bodies.append(_HOCR_PAGENO.sub(f"ppageno {number - 1}", body).strip("\n"))
    first = documents[0]
    i, j = _between(first, "<body>", "</body>", path=paths[0])
    return first[: i + len("<body>")] + "\n" + "\n".join(bodies) + "\n " + first[j:]


def merged_alto(paths: tuple[Path, ...]) -> str:
    """One ALTO document whose Layout holds the Page of every input (ALTO allows several),
    IDs prefixed with the page number (p2_string_0 …), PHYSICAL_IMG_NR set to the position
    in the file. The Description is the first document's: sourceImageInformation names
    the first work image only."""
    if len(paths) == 1:
        return paths[0].read_text(encoding="utf-8")
    documents = [p.read_text(encoding="utf-8") for p in paths]
    pages = []
    for number, (path, document) in enumerate(zip(paths, documents), start=1):
        i, _ = _between(document, "<Page", "</Layout>", path=path)
        j = document.rfind("</Page>") + len("</Page>")
        page = _ALTO_ID.sub(lambda m: f'ID="p{number}_{m.group(1)}"', document[i:j])
        pages.append(_ALTO_IMG_NR.sub(f'PHYSICAL_IMG_NR="{number}"', page, count=1))
    first = documents[0]
    i, _ = _between(first, "<Page", "</Layout>", path=paths[0])
    j = first.rfind("</Layout>")
    return first[:i] + "\n\t\t".join(pages) + "\n\t" + first[j:]
