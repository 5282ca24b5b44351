"""A batch folder → :class:`Batch`: the validated manifest, and every file either
accepted (hashed, format known, decoded once to prove it is whole) or rejected with a
stable reason code and a message for the operator.

Only an unreadable or invalid ``batch.toml`` raises (ManifestError); a bad file never
does. Nothing here writes, moves or deletes anything: the masters are never altered.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from scanners.formats import (
    HEAD_BYTES,
    TAIL_BYTES,
    FileFormat,
    FileProblem,
    InputLimits,
    PixelSize,
    describe_unsupported,
    inspect_content,
    sniff_format,
)
from scanners.manifest import MANIFEST_NAME, READY_MARKER, Manifest, ManifestEntry, load_manifest, same_file_key
from scanners.messages import REJECTION_MESSAGES, check_lang, render

__all__ = ["REASONS", "Batch", "BatchFile", "InputLimits", "PixelSize", "Rejection", "open_batch"]

# Every reason a file can be rejected for. Stable: reports and tests match on them.
REASONS = (
    "path_escape",         # absolute, "..", or a symlink resolving outside the batch folder
    "missing",             # listed but absent (or a dangling symlink)
    "empty",               # 0 bytes
    "file_too_large",      # more than InputLimits.max_file_bytes
    "unreadable",          # the system refused to read it, or it changed while being read
    "checksum_mismatch",   # sha256 in the manifest differs from the bytes
    "duplicate_content",   # same bytes as an earlier accepted file
    "unsupported_format",  # not TIFF/JPEG/PNG/PDF by magic bytes, or not a regular file
    "corrupt",             # cannot be decoded (incl. encrypted or broken PDF)
    "truncated",           # data stops early
    "pixel_limit",         # a page above InputLimits.max_pixels (read from the header)
    "too_many_pages",      # more than InputLimits.max_pages_per_file
    "not_in_manifest",     # present in the folder, not listed
)

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BatchFile:
    """An accepted file."""

    path: str                 # as written in the manifest
    absolute_path: Path       # resolved, inside the batch folder
    size: int
    sha256: str
    format: FileFormat
    page_count: int
    page_pixels: tuple[PixelSize, ...]  # per page; PDFs at InputLimits.pdf_render_dpi


@dataclass(frozen=True)
class Rejection:
    """A refused file, with its reason code and what to tell the operator."""

    path: str       # as written in the manifest, or relative to the folder when unlisted
    reason: str     # one of REASONS
    message_fr: str
    message_en: str
    detail: str     # technical evidence for the report (tool message, offsets, hashes)

    def message(self, lang: str = "fr") -> str:
        check_lang(lang)
        return self.message_fr if lang == "fr" else self.message_en


@dataclass(frozen=True)
class Batch:
    folder: Path
    manifest: Manifest
    batch_id: str
    accepted: tuple[BatchFile, ...]
    rejected: tuple[Rejection, ...]

    @property
    def file_count(self) -> int:
        """Listed files plus unlisted ones found in the folder: accepted + rejected."""
        return len(self.accepted) + len(self.rejected)


def open_batch(folder: Path, *, limits: InputLimits, lang: str = "fr") -> Batch:
    """Validate the manifest of ``folder`` and check every file. Raises ManifestError
    (in ``lang``) only when batch.toml is missing, unreadable or invalid."""
    root = folder.resolve()
    manifest = load_manifest(root / MANIFEST_NAME, lang=lang)

    accepted: list[BatchFile] = []
    rejected: list[Rejection] = []
    first_path_by_sha: dict[str, str] = {}
    listed_targets: set[Path] = set()
    for entry in manifest.files:
        outcome = _check_entry(root, entry, limits=limits, first_path_by_sha=first_path_by_sha,
                               listed_targets=listed_targets)
        if isinstance(outcome, BatchFile):
            accepted.append(outcome)
            first_path_by_sha[outcome.sha256] = outcome.path
        else:
            rejected.append(outcome)

    for relative in _unlisted_entries(root, manifest=manifest, listed_targets=listed_targets):
        rejected.append(_rejection(relative, FileProblem("not_in_manifest", "present in the folder, not listed in batch.toml")))

    return Batch(folder=root, manifest=manifest, batch_id=manifest.batch_id,
                 accepted=tuple(accepted), rejected=tuple(rejected))


def _check_entry(root: Path, entry: ManifestEntry, *, limits: InputLimits,
                 first_path_by_sha: dict[str, str], listed_targets: set[Path]) -> BatchFile | Rejection:
    try:
        resolved = _resolve_inside(root, entry.path)
        listed_targets.add(resolved)
        size, sha256, head, tail = _read_file(resolved, limits=limits)
        if entry.sha256 is not None and entry.sha256 != sha256:
            raise FileProblem("checksum_mismatch", f"manifest sha256 {entry.sha256}, file sha256 {sha256}")
        if sha256 in first_path_by_sha:
            first = first_path_by_sha[sha256]
            raise FileProblem("duplicate_content", f"sha256 {sha256} already accepted as {first}", first=first)
        file_format = sniff_format(head)
        if file_format is None:
            raise FileProblem("unsupported_format", describe_unsupported(head))
        info = inspect_content(resolved, file_format=file_format, size=size, tail=tail, limits=limits)
    except FileProblem as problem:
        return _rejection(entry.path, problem)
    except OSError as exc:
        return _rejection(entry.path, FileProblem("unreadable", f"{type(exc).__name__}: {exc}"))
    return BatchFile(path=entry.path, absolute_path=resolved, size=size, sha256=sha256,
                     format=info.format, page_count=info.page_count, page_pixels=info.page_pixels)


def _rejection(path: str, problem: FileProblem) -> Rejection:
    params = {"path": path, **problem.params}
    template = REJECTION_MESSAGES[f"{problem.reason}/{problem.variant}" if problem.variant else problem.reason]
    return Rejection(path=path, reason=problem.reason,
                     message_fr=render(template, lang="fr", params=params),
                     message_en=render(template, lang="en", params=params),
                     detail=problem.detail)


# A Windows station may write "C:\scans\p1.tif" or "..\p1.tif"; both escape the folder.
_DRIVE = re.compile(r"^[A-Za-z]:")


def _resolve_inside(root: Path, written: str) -> Path:
    parts = re.split(r"[/\\]", written)
    if written.startswith(("/", "\\")) or _DRIVE.match(written) or ".." in parts:
        raise FileProblem("path_escape", "absolute path or '..' in the manifest path")
    candidate = root / written
    try:
        resolved = candidate.resolve()
    except RuntimeError as exc:  # Python 3.11 reports symlink loops this way
        raise FileProblem("unreadable", f"symlink loop: {exc}") from None
    if not resolved.is_relative_to(root):
        raise FileProblem("path_escape", f"resolves to {resolved}, outside {root}")
    if not os.path.lexists(candidate) or not resolved.exists():
        raise FileProblem("missing", "no such file" if not os.path.lexists(candidate) else f"dangling symlink to {resolved}")
    return resolved


def _read_file(path: Path, *, limits: InputLimits) -> tuple[int, str, bytes, bytes]:
    """Size, sha256 (streamed), the first and the last bytes. Opened without following a
    symlink and without blocking, so a FIFO or device planted in a batch cannot hang us."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        os.close(fd)
        kind = "directory" if stat.S_ISDIR(status.st_mode) else "special file"
        raise FileProblem("unsupported_format", f"not a regular file ({kind})", variant="not_a_file")
    with os.fdopen(fd, "rb", buffering=0) as stream:
        if status.st_size == 0:
            raise FileProblem("empty", "0 bytes")
        if status.st_size > limits.max_file_bytes:
            raise FileProblem("file_too_large", f"{status.st_size} bytes > max_file_bytes {limits.max_file_bytes}",
                              size=f"{status.st_size / 2**20:.1f}", max=f"{limits.max_file_bytes / 2**20:.1f}")
        digest = hashlib.sha256()
        head = b""
        tail = b""
        size = 0
        buffer = bytearray(_CHUNK)
        view = memoryview(buffer)
        while count := stream.readinto(buffer):
            chunk = view[:count]
            digest.update(chunk)
            if len(head) < HEAD_BYTES:
                head += bytes(chunk[:HEAD_BYTES - len(head)])
            tail = (tail + bytes(chunk[-TAIL_BYTES:]))[-TAIL_BYTES:]
            size += count
            if size > limits.max_file_bytes:
                break
    if size != status.st_size:
        # Still being written (or rewritten) by the station: what we hashed is not the file.
        raise FileProblem("unreadable", f"file changed while being read ({status.st_size} bytes, then {size})",
                          variant="changing")
    return size, digest.hexdigest(), head, tail


def _unlisted_entries(root: Path, *, manifest: Manifest, listed_targets: set[Path]) -> list[str]:
    """Files (and symlinks, FIFOs…) in the folder that the manifest does not list, as
    paths relative to the folder. Hidden entries and the batch's own control files are
    not pages and are skipped."""
    listed = {same_file_key(entry.path) for entry in manifest.files}
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        # os.walk lists a symlink to a directory as a directory but does not enter it.
        linked_dirs = [name for name in dirnames if (here / name).is_symlink()]
        for name in sorted(filenames + linked_dirs):
            if name.startswith("."):
                continue
            relative = (here / name).relative_to(root).as_posix()
            if here == root and name in (MANIFEST_NAME, READY_MARKER):
                continue
            if relative in listed or any(path.startswith(relative + "/") for path in listed):
                continue
            try:
                if (here / name).resolve() in listed_targets:
                    continue  # the target of a listed symlink is accounted for
            except (RuntimeError, OSError):
                pass  # a symlink loop or an unreadable link is still an unlisted entry
            found.append(relative)
    return sorted(found)
