"""What is inside one input file, and whether it can be trusted: format by magic bytes,
container structure, size limits read from headers, then a full decode.

Order matters. Everything that can be learnt without decoding pixels (signature,
structure, page count, pixel size) is checked first, so a decompression bomb is refused
from its header and a truncated multi-page TIFF is caught even where libvips would
quietly see fewer pages. Only then are the pixels decoded, with libvips' own loader for
the detected format (never by guessing from the extension, never through ImageMagick).

Every failure here is a :class:`FileProblem` carrying a rejection reason; batch.py turns
it into a Rejection. Nothing in this module writes to the file.
"""

from __future__ import annotations

import contextlib
import math
import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Literal

from pipeline.imaging import pyvips

from pipeline.errors import ToolError

FileFormat = Literal["tiff", "jpeg", "png", "pdf"]

# How much of the start and end of each file batch.py keeps while hashing it.
HEAD_BYTES = 1024
TAIL_BYTES = 1024


@dataclass(frozen=True)
class InputLimits:
    """Bounds on what one input file may cost to check and process."""

    # 200 Mpx: a 600-dpi A3 spread is 70 Mpx; beyond this is a bomb or a mistake.
    max_pixels: int = 200_000_000
    # PDF pages are measured as they will be rendered for OCR.
    pdf_render_dpi: int = 300
    max_file_bytes: int = 2 * 1024**3
    max_pages_per_file: int = 2000
    # pdfinfo answers in milliseconds on sane files; a hang means a hostile or broken file.
    pdfinfo_timeout_s: float = 30.0

    def __post_init__(self) -> None:
        for name in ("max_pixels", "pdf_render_dpi", "max_file_bytes", "max_pages_per_file", "pdfinfo_timeout_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"InputLimits.{name} must be positive, not {getattr(self, name)!r}")


@dataclass(frozen=True)
class PixelSize:
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class ContentInfo:
    format: FileFormat
    page_count: int
    # One per page; for PDFs, the size the page renders to at InputLimits.pdf_render_dpi.
    page_pixels: tuple[PixelSize, ...]


class FileProblem(Exception):
    """A file cannot be accepted. ``reason`` is a rejection code (see batch.REASONS);
    ``detail`` is the technical evidence (tool message, offsets) for the report."""

    def __init__(self, reason: str, detail: str, *, variant: str | None = None, **params: str | int):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        # Picks a more precise operator message for this case (messages.REJECTION_MESSAGES).
        self.variant = variant
        self.params = params


# --- signatures --------------------------------------------------------------------------

_SIGNATURES: tuple[tuple[bytes, FileFormat], ...] = (
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),  # BigTIFF
    (b"MM\x00+", "tiff"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)

# Formats a station might produce that we refuse; naming them helps the operator.
_KNOWN_UNSUPPORTED: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
    (b"\xffO\xffQ", "JPEG 2000 codestream"),
    (b"PK\x03\x04", "ZIP archive (or Office document)"),
    (b"%!PS", "PostScript"),
    (b"AT&TFORM", "DjVu"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7-Zip archive"),
)


def sniff_format(head: bytes) -> FileFormat | None:
    """The format from the first bytes of a file, or None when it is not one we accept."""
    for signature, file_format in _SIGNATURES:
        if head.startswith(signature):
            return file_format
    # PDF readers accept the header anywhere in the first 1024 bytes (some scanners
    # prepend a few bytes), so we do too.
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


def describe_unsupported(head: bytes) -> str:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "looks like WebP"
    if head[4:8] == b"ftyp":
        return "looks like HEIF/MP4"
    for signature, name in _KNOWN_UNSUPPORTED:
        if head.startswith(signature):
            return f"looks like {name}"
    return f"unknown signature {head[:8].hex(' ')}"


# --- the entry point -----------------------------------------------------------------------


def inspect_content(path: Path, *, file_format: FileFormat, size: int, tail: bytes, limits: InputLimits) -> ContentInfo:
    """Check a file whose signature says ``file_format``. Raises FileProblem."""
    if file_format == "pdf":
        return _inspect_pdf(path, tail=tail, limits=limits)
    if file_format == "jpeg" and b"\xff\xd9" not in tail[-TAIL_BYTES:]:
        # Every complete JPEG ends with the EOI marker. libvips does not reliably report a
        # cut JPEG (libjpeg only warns, and it fills the missing rows with grey).
        raise FileProblem("truncated", "no JPEG end marker (FF D9) in the last 1024 bytes")
    try:
        with _single_threaded_libvips():
            return _inspect_image(path, file_format=file_format, size=size, limits=limits)
    except struct.error as exc:  # a structure walker met bytes it could not unpack
        raise FileProblem("corrupt", f"malformed {file_format.upper()} structure: {exc}") from None


def _check_pixels(page_pixels: list[PixelSize] | tuple[PixelSize, ...], *, limits: InputLimits, unit: str,
                  first_page: int = 1) -> None:
    for number, page in enumerate(page_pixels, start=first_page):
        if page.pixels > limits.max_pixels:
            raise FileProblem(
                "pixel_limit",
                f"page {number}: {page.width}x{page.height} = {page.pixels} pixels {unit}"
                f" > max_pixels {limits.max_pixels}",
                page=number, width=page.width, height=page.height,
                max=f"{limits.max_pixels / 1e6:g}",
            )


def _check_page_count(pages: int, *, limits: InputLimits, detail: str) -> None:
    if pages > limits.max_pages_per_file:
        raise FileProblem("too_many_pages", f"{detail} > max_pages_per_file {limits.max_pages_per_file}",
                          pages=pages, max=limits.max_pages_per_file)


# --- images --------------------------------------------------------------------------------

# libvips fail_on="error" fails on truncation and decoder errors but not on warnings:
# benign warnings are common in real scanner output (unknown private TIFF tags, PNG
# sRGB-profile remarks), and refusing those would refuse whole stations.
_FAIL_ON = "error"

_LOADERS = {
    "png": pyvips.Image.pngload_source,
    "jpeg": pyvips.Image.jpegload_source,
    "tiff": pyvips.Image.tiffload_source,
}

# What libvips, libjpeg, libpng and libtiff say when data stops early.
_TRUNCATION_WORDS = (
    "premature end", "truncated", "unexpected end", "end of file", "not enough data",
    "read error at scanline", "bad seek", "out of data", "short read",
)


@contextlib.contextmanager
def _single_threaded_libvips() -> Iterator[None]:
    """Decode with one libvips worker thread while checking.

    Measured on libvips 8.14: with several workers pulling from one JPEG loader, the
    decoder's "premature end" is sometimes lost and the same damaged file is accepted on
    one run and refused on the next (11 of 320 cut JPEGs accepted, at random; with one
    thread the verdict is always the same). A check must give the same answer every time.
    The setting is process-wide, so it is restored afterwards; flows run one process per
    core, where one libvips thread per process costs nothing."""
    previous = pyvips.concurrency_get()
    pyvips.concurrency_set(1)
    try:
        yield
    finally:
        pyvips.concurrency_set(previous)


def _vips_load(path: Path, file_format: FileFormat, **options) -> pyvips.Image:
    # Loading through a Source, not a filename: libvips caches operations by their
    # arguments, and a filename-keyed cache in a long-running watcher could answer for a
    # file that has since been replaced at the same path.
    source = pyvips.Source.new_from_file(str(path))
    return _LOADERS[file_format](source, access="sequential", fail_on=_FAIL_ON, **options)


def _vips_problem(exc: pyvips.Error, *, stage: str) -> FileProblem:
    detail = " | ".join(line.strip() for line in (exc.detail or exc.message or "").splitlines() if line.strip())
    detail = f"libvips {stage}: {detail or exc.message}"[:1000]
    lowered = detail.lower()
    reason = "truncated" if any(word in lowered for word in _TRUNCATION_WORDS) else "corrupt"
    return FileProblem(reason, detail)


def _inspect_image(path: Path, *, file_format: FileFormat, size: int, limits: InputLimits) -> ContentInfo:
    # 1. Structure, without decoding: truncation, page count and header sizes.
    with open(path, "rb") as stream:
        if file_format == "png":
            structural = [png_structure(stream, size=size)]
        elif file_format == "tiff":
            structural = tiff_structure(stream, size=size, max_pages=limits.max_pages_per_file)
        else:
            structural = []
    _check_pixels(structural, limits=limits, unit="in the header")

    # 2. libvips' header: what every later step will see.
    try:
        first = _vips_load(path, file_format, **({"page": 0} if file_format == "tiff" else {}))
        page_count = first.get("n-pages") if first.get_typeof("n-pages") else 1
    except pyvips.Error as exc:
        raise _vips_problem(exc, stage="header") from None
    if file_format == "tiff" and page_count != len(structural):
        # libvips stops at the first unreadable directory; pages after it would vanish.
        raise FileProblem("corrupt", f"libvips sees {page_count} pages, the TIFF directory chain has {len(structural)}")
    _check_page_count(page_count, limits=limits, detail=f"{page_count} pages")

    # 3. Page by page: size from libvips' header, refused before decoding if too big,
    # then a full decode, the only way to know every byte of pixel data is there.
    page_pixels: list[PixelSize] = []
    for page in range(page_count):
        stage = f"page {page + 1}"
        try:
            image = first if page == 0 else _vips_load(path, file_format, page=page)
            page_pixels.append(PixelSize(image.width, image.height))
            _check_pixels(page_pixels[-1:], limits=limits, unit="in the header", first_page=page + 1)
            if file_format == "jpeg":
                # 1/8 scale: libjpeg still reads every entropy-coded byte, so truncation
                # and stream errors show up, at a fraction of the cost.
                image = _vips_load(path, file_format, shrink=8)
            image.avg()
        except pyvips.Error as exc:
            raise _vips_problem(exc, stage=stage) from None
    return ContentInfo(format=file_format, page_count=page_count, page_pixels=tuple(page_pixels))


def png_structure(stream: BinaryIO, *, size: int) -> PixelSize:
    """Walk the PNG chunks (headers only) up to IEND; return the IHDR size."""
    stream.seek(8)
    position = 8
    pixel_size: PixelSize | None = None
    while True:
        header = stream.read(8)
        if len(header) < 8:
            raise FileProblem("truncated", f"PNG ends at byte {position} before its IEND chunk")
        length, chunk_type = struct.unpack(">I4s", header)
        if length > 0x7FFFFFFF or not chunk_type.isalpha():
            raise FileProblem("corrupt", f"PNG chunk at byte {position} is malformed (type {chunk_type!r}, length {length})")
        if pixel_size is None and chunk_type != b"IHDR":
            raise FileProblem("corrupt", f"PNG starts with chunk {chunk_type!r}, not IHDR")
        end = position + 12 + length
        if end > size:
            raise FileProblem("truncated", f"PNG chunk {chunk_type.decode()} at byte {position} needs {end} bytes, file has {size}")
        if chunk_type == b"IHDR":
            if length != 13:
                raise FileProblem("corrupt", f"PNG IHDR has length {length}, not 13")
            width, height = struct.unpack(">II", stream.read(8))
            if width == 0 or height == 0:
                raise FileProblem("corrupt", f"PNG IHDR says {width}x{height}")
            pixel_size = PixelSize(width, height)
        elif chunk_type == b"IEND":
            assert pixel_size is not None
            return pixel_size
        position = end
        stream.seek(position)


# TIFF field types: struct code and size. Other types are skipped, as libtiff does.
_TIFF_TYPES = {1: "B", 2: "B", 3: "H", 4: "I", 5: "II", 6: "b", 7: "B", 8: "h", 9: "i",
               10: "ii", 11: "f", 12: "d", 13: "I", 16: "Q", 17: "q", 18: "Q"}
_TAG_WIDTH, _TAG_HEIGHT = 256, 257
_TAG_STRIP_OFFSETS, _TAG_STRIP_BYTES = 273, 279
_TAG_TILE_OFFSETS, _TAG_TILE_BYTES = 324, 325
_WANTED_TAGS = {_TAG_WIDTH, _TAG_HEIGHT, _TAG_STRIP_OFFSETS, _TAG_STRIP_BYTES, _TAG_TILE_OFFSETS, _TAG_TILE_BYTES}
# Far more strips or tiles than any scan has; beyond this the file is hostile.
_MAX_TIFF_ARRAY = 16_000_000
# Past the page limit the chain is only counted, and only this far.
_MAX_TIFF_PAGES_COUNTED = 100_000


def tiff_structure(stream: BinaryIO, *, size: int, max_pages: int) -> list[PixelSize]:
    """Walk the chain of TIFF directories (one per page) and check that every directory
    and every strip or tile of image data lies inside the file. Returns each page's
    size from its tags. This is what catches a cut multi-page TIFF: libvips would just
    report fewer pages."""
    header = stream.read(16)
    order = "<" if header[:2] == b"II" else ">"
    magic = struct.unpack(order + "H", header[2:4])[0]
    if magic == 42:
        big, first = False, struct.unpack(order + "I", header[4:8])[0]
    elif magic == 43 and len(header) >= 16 and struct.unpack(order + "HH", header[4:8]) == (8, 0):
        big, first = True, struct.unpack(order + "Q", header[8:16])[0]
    else:
        raise FileProblem("corrupt", f"TIFF header is malformed (version {magic})")
    count_format, entry_size, offset_format = ("Q", 20, "Q") if big else ("H", 12, "I")
    count_size, offset_size = struct.calcsize(count_format), struct.calcsize(offset_format)

    pages: list[PixelSize] = []
    seen: set[int] = set()
    offset = first
    while offset:
        page = len(pages) + 1
        if offset in seen:
            raise FileProblem("corrupt", f"TIFF directory chain loops back to byte {offset}")
        seen.add(offset)
        if offset + count_size > size:
            raise FileProblem("truncated", f"TIFF directory of page {page} at byte {offset} is past the end ({size} bytes)")
        stream.seek(offset)
        (entries,) = struct.unpack(order + count_format, stream.read(count_size))
        end = offset + count_size + entries * entry_size + offset_size
        if end > size:
            raise FileProblem("truncated", f"TIFF directory of page {page} needs {end} bytes, file has {size}")
        if page > _MAX_TIFF_PAGES_COUNTED:
            break
        if page > max_pages:
            # Count the rest without reading their data: enough to say how many there are.
            stream.seek(offset + count_size + entries * entry_size)
            (offset,) = struct.unpack(order + offset_format, stream.read(offset_size))
            pages.append(PixelSize(0, 0))
            continue
        table = stream.read(entries * entry_size)
        (next_offset,) = struct.unpack(order + offset_format, stream.read(offset_size))
        tags: dict[int, tuple[int, ...]] = {}
        for index in range(entries):
            raw = table[index * entry_size:(index + 1) * entry_size]
            tag, field_type = struct.unpack(order + "HH", raw[:4])
            if field_type not in _TIFF_TYPES:
                continue
            (count,) = struct.unpack(order + ("Q" if big else "I"), raw[4:4 + (8 if big else 4)])
            inline = raw[(12 if big else 8):]
            nbytes = struct.calcsize(order + _TIFF_TYPES[field_type]) * count
            if nbytes > len(inline):
                # Any field stored out of line (JPEG tables, ICC profile…) must be in the file too.
                (where,) = struct.unpack(order + ("Q" if big else "I"), inline)
                if where + nbytes > size:
                    raise FileProblem("truncated", f"TIFF page {page}: tag {tag} data at byte {where} (+{nbytes}) is past the end ({size} bytes)")
            if tag not in _WANTED_TAGS:
                continue
            tags[tag] = _tiff_values(stream, order=order, field_type=field_type, count=count,
                                     inline=raw[(12 if big else 8):], big=big, size=size, page=page)
        pages.append(_tiff_page(tags, size=size, page=page))
        offset = next_offset
    if not pages:
        raise FileProblem("corrupt", "TIFF has no image directory")
    if len(pages) > max_pages:
        raise FileProblem("too_many_pages", f"{len(pages)} TIFF directories > max_pages_per_file {max_pages}",
                          pages=len(pages), max=max_pages)
    return pages


def _tiff_values(stream: BinaryIO, *, order: str, field_type: int, count: int, inline: bytes,
                 big: bool, size: int, page: int) -> tuple[int, ...]:
    code = _TIFF_TYPES[field_type]
    if count > _MAX_TIFF_ARRAY:
        raise FileProblem("corrupt", f"TIFF page {page} has a field with {count} values")
    nbytes = struct.calcsize(order + code) * count
    if nbytes <= len(inline):
        data = inline[:nbytes]
    else:
        (where,) = struct.unpack(order + ("Q" if big else "I"), inline)
        if where + nbytes > size:
            raise FileProblem("truncated", f"TIFF page {page}: field data at byte {where} (+{nbytes}) is past the end ({size} bytes)")
        stream.seek(where)
        data = stream.read(nbytes)
    return struct.unpack(order + code * count, data)


def _tiff_page(tags: dict[int, tuple[int, ...]], *, size: int, page: int) -> PixelSize:
    width, height = (tags.get(_TAG_WIDTH) or (0,))[0], (tags.get(_TAG_HEIGHT) or (0,))[0]
    if width <= 0 or height <= 0:
        raise FileProblem("corrupt", f"TIFF page {page} has no valid width/height ({width}x{height})")
    if _TAG_STRIP_OFFSETS in tags:
        offsets, counts, unit = tags[_TAG_STRIP_OFFSETS], tags.get(_TAG_STRIP_BYTES), "strip"
    elif _TAG_TILE_OFFSETS in tags:
        offsets, counts, unit = tags[_TAG_TILE_OFFSETS], tags.get(_TAG_TILE_BYTES), "tile"
    else:
        raise FileProblem("corrupt", f"TIFF page {page} has no image data (no strips or tiles)")
    if counts is None or len(counts) != len(offsets):
        raise FileProblem("corrupt", f"TIFF page {page}: {unit} offsets and byte counts do not match")
    for index, (start, length) in enumerate(zip(offsets, counts)):
        if start + length > size:
            raise FileProblem("truncated", f"TIFF page {page}, {unit} {index}: bytes {start}..{start + length} are past the end ({size} bytes)")
    return PixelSize(width, height)


# --- PDF -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToolRun:
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool


def run_pdfinfo(pdf: Path, *, last_page: int, timeout_s: float) -> ToolRun:
    """The one place that runs poppler's pdfinfo. Pages 1..last_page get a size line."""
    command = ["pdfinfo", "-enc", "UTF-8", "-f", "1", "-l", str(max(1, last_page)), str(pdf)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
    except FileNotFoundError:
        raise ToolError("pdfinfo is not installed", hint="apt-get install poppler-utils") from None
    except subprocess.TimeoutExpired as exc:
        return ToolRun(None, _text(exc.stdout), _text(exc.stderr), timed_out=True)
    return ToolRun(done.returncode, _text(done.stdout), _text(done.stderr), timed_out=False)


def _text(data: bytes | str | None) -> str:
    if isinstance(data, str):
        return data
    return (data or b"").decode("utf-8", errors="replace")


_PDF_PAGES = re.compile(r"^Pages:\s+(\d+)\s*$", re.MULTILINE)
_PDF_ENCRYPTED = re.compile(r"^Encrypted:\s+(.*)$", re.MULTILINE)
# Decimal comma tolerated: the number format follows the locale pdfinfo runs in.
_PDF_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.,]+)\s+x\s+([\d.,]+)\s+pts", re.MULTILINE)
_PDF_PAGE_ROT = re.compile(r"^Page\s+(\d+)\s+rot:\s+(-?\d+)", re.MULTILINE)


def _inspect_pdf(path: Path, *, tail: bytes, limits: InputLimits) -> ContentInfo:
    # A complete PDF ends with %%EOF (readers look in the last 1024 bytes). poppler can
    # often rebuild a cut file well enough to answer pdfinfo, so this is checked first.
    if b"%%EOF" not in tail[-1024:]:
        raise FileProblem("truncated", "no %%EOF marker in the last 1024 bytes")
    run = run_pdfinfo(path, last_page=limits.max_pages_per_file, timeout_s=limits.pdfinfo_timeout_s)
    if run.timed_out:
        raise FileProblem("corrupt", f"pdfinfo did not finish within {limits.pdfinfo_timeout_s:g} s")
    message = " | ".join(line.strip() for line in run.stderr.splitlines() if line.strip())[:1000]
    if run.returncode != 0:
        variant = "encrypted" if "password" in message.lower() else None
        raise FileProblem("corrupt", f"pdfinfo exit {run.returncode}: {message or 'no message'}", variant=variant)
    encrypted = _PDF_ENCRYPTED.search(run.stdout)
    if encrypted and not encrypted.group(1).strip().startswith("no"):
        # An encrypted master cannot become PDF/A and may not open in twenty years.
        raise FileProblem("corrupt", f"encrypted PDF: {encrypted.group(1).strip()}", variant="encrypted")
    pages_match = _PDF_PAGES.search(run.stdout)
    if not pages_match or int(pages_match.group(1)) == 0:
        raise FileProblem("corrupt", f"pdfinfo reports no pages ({message or 'no message'})")
    page_count = int(pages_match.group(1))
    _check_page_count(page_count, limits=limits, detail=f"{page_count} pages")

    rotations = {int(n): int(r) for n, r in _PDF_PAGE_ROT.findall(run.stdout)}
    page_pixels: list[PixelSize] = []
    for number, width_pts, height_pts in _PDF_PAGE_SIZE.findall(run.stdout):
        width = _pts_to_pixels(width_pts, dpi=limits.pdf_render_dpi)
        height = _pts_to_pixels(height_pts, dpi=limits.pdf_render_dpi)
        if rotations.get(int(number), 0) % 180 == 90:
            width, height = height, width  # rendered upright, as OCR will see it
        page_pixels.append(PixelSize(width, height))
    if len(page_pixels) != page_count:
        raise FileProblem("corrupt", f"pdfinfo gave {len(page_pixels)} page sizes for {page_count} pages")
    if any(page.pixels == 0 for page in page_pixels):
        raise FileProblem("corrupt", "a page has an empty size")
    _check_pixels(page_pixels, limits=limits, unit=f"at {limits.pdf_render_dpi} dpi")
    return ContentInfo(format="pdf", page_count=page_count, page_pixels=tuple(page_pixels))


def _pts_to_pixels(points: str, *, dpi: int) -> int:
    # Rounded to 6 places first so that 8400 pt at 300 dpi is 35000, not 35001.
    return math.ceil(round(float(points.replace(",", ".")) * dpi / 72, 6))
