"""open_batch: every file accepted or rejected with a stable reason, never altered.

All images are generated at run time; the OCRmyPDF robustness PDFs are copied from
../shared/testdata when present (tests skip cleanly otherwise)."""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from pipeline.imaging import pyvips
from PIL import Image, ImageDraw

from scanners.batch import REASONS, Batch, InputLimits, open_batch
from scanners.manifest import ManifestError
from scanners.messages import REJECTION_MESSAGES

A1 = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "A1_ocrmypdf_resources"

MANIFEST_HEAD = """\
[register]
commune_code = "1601"
commune_fr = "Alger-Centre"
commune_ar = "الجزائر الوسطى"
kind = "birth"
year = 1987
series = 1
volume = 1
lang = "fr+ar"

[scan]
operator = "Amina B."
station = "poste-2"
scanner = "Fujitsu fi-7600"
dpi = 300
"""


# --- generated inputs ------------------------------------------------------------------------


def page(seed: int = 0, size: tuple[int, int] = (240, 320)) -> Image.Image:
    """A page with noise and text-like strokes, so compressed data spans the whole file."""
    image = Image.frombytes("L", size, os.urandom(size[0] * size[1]) if seed < 0 else
                            bytes((i * 7919 + seed * 104729) % 251 for i in range(size[0] * size[1])))
    draw = ImageDraw.Draw(image)
    for row in range(10, size[1], 24):
        draw.text((8, row), f"Acte N {seed}-{row} BENALI Mohamed", fill=0)
    return image


def write_png(path: Path, seed: int = 0) -> Path:
    page(seed).save(path, "PNG")
    return path


def write_jpeg(path: Path, seed: int = 0) -> Path:
    page(seed).convert("RGB").save(path, "JPEG", quality=90)
    return path


def write_tiff(path: Path, pages: int = 3, compression: str = "tiff_lzw") -> Path:
    images = [page(seed) for seed in range(pages)]
    images[0].save(path, "TIFF", save_all=True, append_images=images[1:], compression=compression)
    return path


def write_vips_tiff(path: Path, pages: int = 3) -> Path:
    """Multi-page, tiled, JPEG-compressed TIFF written by libvips: another layout (shared
    JPEG tables stored out of line) than Pillow's."""
    images = [pyvips.Image.new_from_memory(page(seed).tobytes(), 240, 320, 1, "uchar") for seed in range(pages)]
    joined = pyvips.Image.arrayjoin(images, across=1).copy()
    joined.set_type(pyvips.GValue.gint_type, "page-height", 320)
    joined.tiffsave(str(path), compression="jpeg", tile=True, tile_width=64, tile_height=64)
    return path


def write_pdf(path: Path, pages: int = 2) -> Path:
    # 240x320 px at 150 dpi: 115.2 x 153.6 pt pages, 480 x 640 px at the 300-dpi render.
    images = [page(seed).convert("RGB") for seed in range(pages)]
    images[0].save(path, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int, *, rows: int) -> bytes:
    """A 1-bit grey PNG whose header announces width x height, with `rows` rows of data."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    data = zlib.compress((b"\x00" + bytes((width + 7) // 8)) * rows, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def cut(source: Path, target: Path, fraction: float) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def write_manifest(folder: Path, entries: list[str | tuple[str, str]]) -> None:
    text = MANIFEST_HEAD
    for entry in entries:
        path, sha = (entry, None) if isinstance(entry, str) else entry
        text += f'\n[[files]]\npath = "{path}"\n' + (f'sha256 = "{sha}"\n' if sha else "")
    (folder / "batch.toml").write_text(text, encoding="utf-8")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reasons(batch: Batch) -> dict[str, str]:
    return {rejection.path: rejection.reason for rejection in batch.rejected}


def folder_state(folder: Path) -> dict[str, tuple]:
    """Everything that must not change: names, bytes, sizes, times, modes."""
    state = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        content = sha256_of(path) if path.is_file() and not path.is_symlink() else os.readlink(path) if path.is_symlink() else None
        state[str(path.relative_to(folder))] = (content, info.st_size, info.st_mtime_ns, info.st_mode)
    return state


@pytest.fixture()
def batch_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lot-0001"
    folder.mkdir()
    return folder


# --- good batches ------------------------------------------------------------------------------


def test_good_files_are_accepted_with_their_facts(batch_dir: Path):
    write_png(batch_dir / "p1.png")
    write_jpeg(batch_dir / "p2.jpg")
    write_tiff(batch_dir / "p3.tif", pages=3)
    (batch_dir / "scans").mkdir()
    write_pdf(batch_dir / "scans" / "p4.pdf", pages=2)
    write_manifest(batch_dir, [("p1.png", sha256_of(batch_dir / "p1.png").upper()), "p2.jpg", "p3.tif", "scans/p4.pdf"])
    (batch_dir / "READY").touch()
    (batch_dir / ".DS_Store").write_bytes(b"junk")

    batch = open_batch(batch_dir, limits=InputLimits())

    assert batch.rejected == ()
    facts = {f.path: (f.format, f.page_count, [(p.width, p.height) for p in f.page_pixels]) for f in batch.accepted}
    assert facts == {
        "p1.png": ("png", 1, [(240, 320)]),
        "p2.jpg": ("jpeg", 1, [(240, 320)]),
        "p3.tif": ("tiff", 3, [(240, 320)] * 3),
        "scans/p4.pdf": ("pdf", 2, [(480, 640)] * 2),
    }
    for accepted in batch.accepted:
        assert accepted.absolute_path == (batch_dir / accepted.path).resolve()
        assert accepted.sha256 == sha256_of(accepted.absolute_path)
        assert accepted.size == accepted.absolute_path.stat().st_size
    assert batch.folder == batch_dir.resolve()
    assert batch.batch_id == batch.manifest.batch_id


def test_batch_id_comes_from_the_manifest_not_the_folder(tmp_path: Path):
    ids = []
    for name in ("lot-a", "poste-2_2024-05-01"):
        folder = tmp_path / name
        folder.mkdir()
        write_png(folder / "p1.png")
        write_manifest(folder, ["p1.png"])
        ids.append(open_batch(folder, limits=InputLimits()).batch_id)
    assert ids[0] == ids[1] and ids[0].startswith("b-")


# --- every rejection reason ----------------------------------------------------------------------


def test_every_bad_file_is_rejected_with_its_reason_and_nothing_is_altered(tmp_path: Path, batch_dir: Path):
    good = write_png(batch_dir / "good.png", seed=1)
    write_png(batch_dir / "same-bytes.png", seed=1)
    write_jpeg(batch_dir / "good.jpg")
    cut(write_png(tmp_path / "full.png", seed=2), batch_dir / "cut.png", 0.6)
    cut(write_jpeg(tmp_path / "full.jpg", seed=2), batch_dir / "cut.jpg", 0.7)
    cut(write_tiff(tmp_path / "full.tif", compression="tiff_lzw"), batch_dir / "cut-multipage.tif", 0.6)
    cut(write_tiff(tmp_path / "raw.tif", pages=1, compression="raw"), batch_dir / "cut-strip.tif", 0.999)
    cut(write_pdf(tmp_path / "full.pdf"), batch_dir / "cut.pdf", 0.8)
    (batch_dir / "garbage.tif").write_bytes(bytes(range(256)) * 8)
    (batch_dir / "photo.gif").write_bytes(b"GIF89a" + bytes(100))
    (batch_dir / "empty.png").write_bytes(b"")
    (batch_dir / "bomb.png").write_bytes(bomb_png(100_000, 100_000, rows=8))
    damaged = bytearray(write_png(tmp_path / "damaged.png", seed=3).read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF  # inside IDAT: the CRC no longer matches
    (batch_dir / "damaged.png").write_bytes(bytes(damaged))
    write_png(batch_dir / "changed.png", seed=4)
    outside = write_png(tmp_path / "outside.png", seed=5)
    (batch_dir / "escape-link.png").symlink_to(outside)
    (batch_dir / "dangling.png").symlink_to(batch_dir / "gone.png")
    (batch_dir / "a-folder.tif").mkdir()
    os.mkfifo(batch_dir / "pipe.tif")
    (batch_dir / "stray.txt").write_text("notes")
    (batch_dir / "extra").mkdir()
    write_png(batch_dir / "extra" / "forgotten.png", seed=6)
    (batch_dir / ".hidden").mkdir()
    (batch_dir / ".hidden" / "x.png").write_bytes(b"ignored")
    (batch_dir / "READY").touch()

    write_manifest(batch_dir, [
        "good.png", "same-bytes.png", "good.jpg", "cut.png", "cut.jpg", "cut-multipage.tif",
        "cut-strip.tif", "cut.pdf", "garbage.tif", "photo.gif", "empty.png", "bomb.png",
        "damaged.png", ("changed.png", "0" * 64), "escape-link.png", "dangling.png",
        "a-folder.tif", "pipe.tif", "../outside.png", str(outside), "not-here.tif", "./good.jpg/../good.jpg",
    ])
    before = folder_state(batch_dir)

    batch = open_batch(batch_dir, limits=InputLimits())

    assert [f.path for f in batch.accepted] == ["good.png", "good.jpg"]
    assert reasons(batch) == {
        "same-bytes.png": "duplicate_content",
        "cut.png": "truncated",
        "cut.jpg": "truncated",
        "cut-multipage.tif": "truncated",
        "cut-strip.tif": "truncated",
        "cut.pdf": "truncated",
        "garbage.tif": "unsupported_format",
        "photo.gif": "unsupported_format",
        "empty.png": "empty",
        "bomb.png": "pixel_limit",
        "damaged.png": "corrupt",
        "changed.png": "checksum_mismatch",
        "escape-link.png": "path_escape",
        "dangling.png": "missing",
        "a-folder.tif": "unsupported_format",
        "pipe.tif": "unsupported_format",
        "../outside.png": "path_escape",
        str(outside): "path_escape",
        "not-here.tif": "missing",
        "./good.jpg/../good.jpg": "path_escape",
        "stray.txt": "not_in_manifest",
        "extra/forgotten.png": "not_in_manifest",
    }
    # Nothing lost: every listed file plus every unlisted one ends in exactly one list.
    assert batch.file_count == len(batch.manifest.files) + 2
    assert folder_state(batch_dir) == before
    assert outside.read_bytes() == (tmp_path / "outside.png").read_bytes()

    by_path = {r.path: r for r in batch.rejected}
    assert "photo.gif" in by_path["photo.gif"].message_fr and "GIF" in by_path["photo.gif"].detail
    assert "100000x100000" in by_path["bomb.png"].detail
    assert "good.png" in by_path["same-bytes.png"].message_fr
    assert "0" * 64 in by_path["changed.png"].detail
    assert "TIFF directory of page 2" in by_path["cut-multipage.tif"].detail
    for rejection in batch.rejected:
        assert rejection.reason in REASONS
        assert rejection.path in rejection.message_fr and rejection.path in rejection.message_en
        assert rejection.message("en") == rejection.message_en and rejection.message() == rejection.message_fr


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9, 0.999])
@pytest.mark.parametrize("kind", ["png", "jpeg", "tiff-lzw", "tiff-raw", "tiff-deflate", "tiff-vips-tiled-jpeg", "pdf"])
def test_truncated_copies_are_always_refused(tmp_path: Path, batch_dir: Path, kind: str, fraction: float):
    writers = {
        "png": lambda p: write_png(p),
        "jpeg": lambda p: write_jpeg(p),
        "tiff-lzw": lambda p: write_tiff(p, compression="tiff_lzw"),
        "tiff-raw": lambda p: write_tiff(p, compression="raw"),
        "tiff-deflate": lambda p: write_tiff(p, compression="tiff_adobe_deflate"),
        "tiff-vips-tiled-jpeg": lambda p: write_vips_tiff(p),
        "pdf": lambda p: write_pdf(p),
    }
    cut(writers[kind](tmp_path / "whole"), batch_dir / "page", fraction)
    write_manifest(batch_dir, ["page"])
    batch = open_batch(batch_dir, limits=InputLimits())
    assert batch.accepted == ()
    assert batch.rejected[0].reason == "truncated", batch.rejected[0].detail


def test_whole_vips_tiff_is_accepted(batch_dir: Path):
    write_vips_tiff(batch_dir / "tiled.tif")
    write_manifest(batch_dir, ["tiled.tif"])
    batch = open_batch(batch_dir, limits=InputLimits())
    assert [(f.format, f.page_count) for f in batch.accepted] == [("tiff", 3)]


def test_a_real_bomb_is_refused_from_its_header_without_decoding(batch_dir: Path):
    # Complete and valid: 20000 x 20000 1-bit pixels (400 Mpx) in about 50 KB.
    (batch_dir / "bomb.png").write_bytes(bomb_png(20_000, 20_000, rows=20_000))
    write_manifest(batch_dir, ["bomb.png"])
    batch = open_batch(batch_dir, limits=InputLimits())
    assert reasons(batch) == {"bomb.png": "pixel_limit"}
    assert "20000 × 20000" in batch.rejected[0].message_fr


def test_limits_apply_to_every_format(batch_dir: Path):
    write_tiff(batch_dir / "three.tif", pages=3)
    write_pdf(batch_dir / "three.pdf", pages=3)
    write_jpeg(batch_dir / "one.jpg")
    write_manifest(batch_dir, ["three.tif", "three.pdf", "one.jpg"])

    few_pages = open_batch(batch_dir, limits=InputLimits(max_pages_per_file=2))
    assert reasons(few_pages) == {"three.tif": "too_many_pages", "three.pdf": "too_many_pages"}
    assert "3 pages" in few_pages.rejected[0].message_fr

    few_pixels = open_batch(batch_dir, limits=InputLimits(max_pixels=70_000))
    assert reasons(few_pixels) == {"three.tif": "pixel_limit", "three.pdf": "pixel_limit", "one.jpg": "pixel_limit"}

    # A PDF page is measured at the render dpi: 480 x 640 at 300 dpi, 240 x 320 at 150.
    low_dpi = open_batch(batch_dir, limits=InputLimits(max_pixels=100_000, pdf_render_dpi=150))
    assert "three.pdf" not in reasons(low_dpi)

    small_files = open_batch(batch_dir, limits=InputLimits(max_file_bytes=1000))
    assert set(reasons(small_files).values()) == {"file_too_large"}


def test_symlinks_inside_the_folder_are_followed(batch_dir: Path):
    (batch_dir / "scans").mkdir()
    write_png(batch_dir / "scans" / "real.png")
    (batch_dir / "alias.png").symlink_to("scans/real.png")
    write_manifest(batch_dir, ["alias.png"])
    batch = open_batch(batch_dir, limits=InputLimits())
    assert [f.path for f in batch.accepted] == ["alias.png"]
    assert batch.accepted[0].absolute_path == (batch_dir / "scans" / "real.png").resolve()
    assert batch.rejected == ()  # the link's target is accounted for, not "not_in_manifest"


def test_encrypted_pdf_is_corrupt(tmp_path: Path, batch_dir: Path):
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed")
    plain = write_pdf(tmp_path / "plain.pdf")
    subprocess.run([qpdf, "--encrypt", "user", "owner", "256", "--", str(plain), str(batch_dir / "locked.pdf")], check=True)
    subprocess.run([qpdf, "--encrypt", "", "owner", "256", "--", str(plain), str(batch_dir / "owner-only.pdf")], check=True)
    write_manifest(batch_dir, ["locked.pdf", "owner-only.pdf"])
    batch = open_batch(batch_dir, limits=InputLimits())
    assert reasons(batch) == {"locked.pdf": "corrupt", "owner-only.pdf": "corrupt"}
    assert all("protégé" in r.message_fr for r in batch.rejected)
    assert "password" in batch.rejected[0].detail.lower()


def test_only_the_manifest_raises(tmp_path: Path, batch_dir: Path):
    with pytest.raises(ManifestError) as caught:
        open_batch(batch_dir, limits=InputLimits())
    assert caught.value.codes == ("manifest_missing",)
    (batch_dir / "batch.toml").write_text(MANIFEST_HEAD.replace("dpi = 300", "dpi = 30"), encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        open_batch(batch_dir, limits=InputLimits(), lang="en")
    assert caught.value.codes == ("out_of_range", "files_missing")
    assert "between 150 and 1200" in str(caught.value)


def test_reason_codes_are_distinct_and_all_have_messages():
    assert len(set(REASONS)) == len(REASONS)
    assert set(REASONS) <= set(REJECTION_MESSAGES)
    assert {key.split("/")[0] for key in REJECTION_MESSAGES} == set(REASONS)


# --- OCRmyPDF robustness files ----------------------------------------------------------------

A1_EXPECTED = {
    "invalid.pdf": ("corrupt", None),              # broken on purpose: no xref, no trailer
    "blank.pdf": ("accepted", (2550, 3300)),       # US Letter at 300 dpi
    "enormous.pdf": ("accepted", (9000, 9000)),    # 2160 pt square = 81 Mpx at 300 dpi, under 200 Mpx
    "hugemono.pdf": ("pixel_limit", None),         # 8400 pt square = 35000 x 35000 px at 300 dpi
    "2400dpi.pdf": ("accepted", (500, 358)),       # 4000x2864 image on a 120 x 85.92 pt page
}


@pytest.mark.parametrize("name", sorted(A1_EXPECTED))
def test_ocrmypdf_robustness_files(name: str, batch_dir: Path):
    source = A1 / name
    if not source.is_file():
        pytest.skip(f"{source} is not available")
    shutil.copyfile(source, batch_dir / name)
    write_manifest(batch_dir, [name])
    batch = open_batch(batch_dir, limits=InputLimits())
    expected, pixels = A1_EXPECTED[name]
    if expected == "accepted":
        assert batch.rejected == (), batch.rejected
        assert batch.accepted[0].format == "pdf" and batch.accepted[0].page_count == 1
        assert (batch.accepted[0].page_pixels[0].width, batch.accepted[0].page_pixels[0].height) == pixels
    else:
        assert reasons(batch) == {name: expected}, batch.rejected[0].detail


def test_a_file_replaced_at_the_same_path_is_checked_afresh(tmp_path: Path, batch_dir: Path):
    # libvips caches operations; a long-running watcher must never get an old answer.
    write_manifest(batch_dir, ["p.png"])
    write_png(batch_dir / "p.png")
    assert [f.format for f in open_batch(batch_dir, limits=InputLimits()).accepted] == ["png"]
    cut(write_png(tmp_path / "other.png", seed=9), batch_dir / "p.png", 0.5)
    assert reasons(open_batch(batch_dir, limits=InputLimits())) == {"p.png": "truncated"}
    page(3, size=(100, 50)).save(batch_dir / "p.png", "PNG")
    accepted = open_batch(batch_dir, limits=InputLimits()).accepted
    assert [(p.width, p.height) for p in accepted[0].page_pixels] == [(100, 50)]


def test_damaged_files_never_raise(tmp_path: Path, batch_dir: Path):
    """Mutated copies of every format: each ends accepted or rejected, nothing escapes."""
    import random

    sources = [write_png(tmp_path / "s.png"), write_jpeg(tmp_path / "s.jpg"), write_tiff(tmp_path / "s.tif"),
               write_vips_tiff(tmp_path / "v.tif"), write_pdf(tmp_path / "s.pdf")]
    chance = random.Random(20240501)
    names = []
    for number in range(40):
        data = bytearray(chance.choice(sources).read_bytes())
        for _ in range(chance.randint(1, 6)):
            data[chance.randrange(min(len(data), 600))] = chance.randrange(256)  # headers mostly
        if number % 4 == 0:
            data = data[: chance.randrange(1, len(data))]
        names.append(f"f{number:02d}")
        (batch_dir / names[-1]).write_bytes(bytes(data))
    write_manifest(batch_dir, names)
    batch = open_batch(batch_dir, limits=InputLimits())
    assert sorted([f.path for f in batch.accepted] + [r.path for r in batch.rejected]) == names
    assert all(r.reason in REASONS for r in batch.rejected)
    assert all(name in reasons(batch) for name in names[::4])  # every cut copy is refused
    # Same bytes, same verdicts, every time (libvips decoding is not allowed to race).
    for _ in range(2):
        assert reasons(open_batch(batch_dir, limits=InputLimits())) == reasons(batch)
