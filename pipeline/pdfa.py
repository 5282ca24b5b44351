"""A register volume's page PDFs → one PDF/A-2b, validated by veraPDF.

Input: Tesseract's `pdf` renderer output, one PDF per page (the page image plus an
invisible OCR text layer in text render mode 3, set in Tesseract's embedded
"GlyphLessFont"). Those files are already PDF/A-2b material: fonts embedded, no
transparency, no encryption, images in DeviceGray/DeviceRGB with Flate, DCT or CCITT
filters. What they lack is document-level: the XMP metadata with the PDF/A
identification, an OutputIntent (needed because they paint in device colour spaces),
the Info dictionary and /Lang. So `assemble_pdfa` does not re-render anything:

1. `qpdf --empty --pages … --` merges the pages in order (images and text untouched);
2. `qpdf --update-from-json` adds the catalog entries, the XMP stream, the sRGB
   OutputIntent and the Info dictionary; `--newline-before-endstream` is the one
   serialisation detail PDF/A needs that qpdf does not do by default, and
   `--deterministic-id` makes the trailer /ID a hash of the content.

Why not Ghostscript (`gs -dPDFA=2 -sColorConversionStrategy=RGB` + PDFA_def.ps), measured
on this machine with gs 10.00.0 (Debian 12):
- it drops every non-ASCII Info string in PDF/A mode ("Text string detected in DOCINFO
  cannot be represented in XMP for PDF/A1, discarding DOCINFO"), so a title with "é",
  "—" or Arabic is lost and the XMP says "Untitled": the metadata would have to be
  rewritten afterwards anyway;
- its default AutoRotatePages rotates Arabic pages by 180° (/Rotate 180), because
  Tesseract writes RTL words with a mirrored text matrix; the text layer then reads
  backwards ("ةدابش" for "شهادة") unless `-dAutoRotatePages=/None`;
- its defaults re-encode lossless page images as JPEG (`-dAutoFilterGrayImages=false
  -dGrayImageFilter=/FlateEncode` avoid that; JPEGs pass through), and it still
  re-compresses every Flate image (+6 % on noisy A4 greyscale pages);
- 0.31 s per A4 page against 0.04 s for the two qpdf passes, and a time-based /ID and
  xmpMM:DocumentID, so its output differs on every run.
Both paths passed veraPDF 2b on the same pages. Ghostscript would be the tool to come
back to for inputs that are *not* Tesseract output (non-embedded fonts, transparency,
CMYK images): this module does not repair input, and `validate_pdfa` is what says
whether the result holds.

Determinism: the same page PDFs, metadata, ICC profile and qpdf version give the same
bytes (no clock is read: every date comes from `PdfMetadata`). Tesseract's page PDFs
themselves carry the time they were made, but only in their Info dictionary, which the
merge drops. A different qpdf version may serialise differently, so the version is
reported in `PdfaResult.tool_versions`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline.errors import ConfigError, SijilError, ToolError

# The sRGB profile shipped with Ghostscript on Debian 12 (package libgs-common): ICC v2,
# RGB, 2.5 kB. Any RGB ICC profile of version < 5 does; it is a parameter.
DEFAULT_SRGB_ICC = Path("/usr/share/color/icc/ghostscript/srgb.icc")

# Characters XML 1.0 refuses (they would make the XMP packet unreadable and the file
# non-compliant); tab, LF and CR are allowed.
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, kw_only=True)
class PdfMetadata:
    """What a volume's PDF says about itself (Info dictionary, XMP and /Lang).

    `created` is an input, not "now", so that re-running on the same pages gives the same
    bytes; it must carry a time zone. `modified` defaults to `created`."""

    title: str
    language: str  # BCP 47 tag of the main language: /Lang and first dc:language
    created: datetime
    modified: datetime | None = None
    author: str = "sijil"
    creator: str = "sijil"
    subject: str = ""
    keywords: tuple[str, ...] = ()
    other_languages: tuple[str, ...] = ()  # bilingual registers: ("ar",) beside "fr"

    def __post_init__(self) -> None:
        for when in (self.created, self.modified):
            if when is not None and when.utcoffset() is None:
                raise ValueError("PdfMetadata dates must be timezone-aware (e.g. tzinfo=UTC)")
        if not self.title.strip():
            raise ValueError("PdfMetadata.title must not be empty")
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", self.language):
            raise ValueError(f"PdfMetadata.language must be a BCP 47 tag like 'fr' or 'ar-DZ', not {self.language!r}")
        texts = (self.title, self.author, self.creator, self.subject, *self.keywords)
        if any(_XML_FORBIDDEN.search(t) for t in texts):
            raise ValueError("PdfMetadata text contains control characters that XMP cannot hold")


@dataclass(frozen=True, kw_only=True)
class PdfaResult:
    path: Path
    page_count: int
    bytes: int
    sha256: str
    seconds: float
    tool_versions: dict[str, str]  # {"qpdf": "11.3.0"}
    icc_profile_sha256: str  # the OutputIntent profile: part of what made the bytes


@dataclass(frozen=True, kw_only=True)
class PdfaValidation:
    passed: bool
    flavour: str  # the flavour asked for, e.g. "2b"
    profile: str  # as veraPDF names it, e.g. "PDF/A-2b validation profile"
    failed_rules: int
    failed_checks: int
    summary: tuple[str, ...]  # one line per failed rule: "6.1.7.1-2 (34×): The stream keyword…"
    report_xml: bytes  # veraPDF's XML report, unchanged
    seconds: float
    verapdf_version: str


# --------------------------------------------------------------------------- subprocess


def _run(
    args: list[str], *, timeout_s: float, what: str, ok_codes: tuple[int, ...] = (0,), hint: str | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run one external program; every way it can fail becomes a ToolError that says
    what was being done. Output is captured as bytes (veraPDF's XML, pdftotext's UTF-8)."""
    if timeout_s <= 0:
        raise ToolError(f"{what}: no time left (the overall timeout was used up)", hint="raise timeout_s")
    try:
        proc = subprocess.run(args, capture_output=True, timeout=timeout_s, check=False)
    except FileNotFoundError as exc:
        raise ToolError(f"{what}: program not found: {args[0]}", hint="install it or pass its path") from exc
    except PermissionError as exc:
        raise ToolError(f"{what}: cannot execute {args[0]}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        # Not marked transient: the same input under the same limit would time out again.
        raise ToolError(
            f"{what}: {Path(args[0]).name} did not finish within {timeout_s:.0f} s", hint="raise timeout_s for large volumes"
        ) from exc
    if proc.returncode not in ok_codes:
        raise ToolError(
            f"{what}: {Path(args[0]).name} exited with {proc.returncode}: {_tail(proc.stderr or proc.stdout)}", hint=hint
        )
    return proc


def _tail(output: bytes, limit: int = 800) -> str:
    text = output.decode("utf-8", "replace").strip()
    return text if len(text) <= limit else "…" + text[-limit:]


class _Deadline:
    """One time budget shared by the several programs an operation runs."""

    def __init__(self, timeout_s: float):
        self.start = time.monotonic()
        self.end = self.start + timeout_s

    def left(self) -> float:
        return self.end - time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start


# --------------------------------------------------------------------------- assembly


def assemble_pdfa(
    *,
    page_pdfs: list[Path],
    out_pdf: Path,
    metadata: PdfMetadata,
    work_dir: Path,
    timeout_s: float,
    icc_profile: Path = DEFAULT_SRGB_ICC,
    qpdf: str = "qpdf",
) -> PdfaResult:
    """Merge one-page PDFs (in the given order) into `out_pdf` as PDF/A-2b.

    The page PDFs must each hold exactly one page (Tesseract's `pdf` output). A damaged
    input is refused, even one qpdf could patch up with warnings: a register volume must
    not lose a page silently. `out_pdf` appears only when complete (written beside it,
    then renamed). Intermediate files go to a private folder under `work_dir`, removed
    afterwards. `timeout_s` bounds the whole call. Validation is `validate_pdfa`'s job."""
    deadline = _Deadline(timeout_s)
    if not page_pdfs:
        raise ValueError("assemble_pdfa needs at least one page PDF")
    for i, page in enumerate(page_pdfs, 1):
        if not page.is_file():
            raise SijilError(f"page PDF {i} of {len(page_pdfs)} does not exist: {page}")
    icc = _read_rgb_icc(icc_profile)
    qpdf_version = _qpdf_version(qpdf, timeout_s=deadline.left())
    producer = f"sijil (qpdf {qpdf_version})"

    work_dir.mkdir(parents=True, exist_ok=True)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    partial = out_pdf.with_name(f".{out_pdf.name}.partial")
    with tempfile.TemporaryDirectory(prefix="pdfa-", dir=work_dir) as scratch:
        merged = Path(scratch) / "merged.pdf"
        update = Path(scratch) / "pdfa-update.json"
        page_count = _merge(qpdf, page_pdfs, merged, deadline)
        update.write_text(
            json.dumps(_pdfa_update(qpdf, merged, metadata, icc, producer, deadline), ensure_ascii=False, sort_keys=True),
            encoding="utf-8",
        )
        try:
            _run(
                [
                    qpdf,
                    str(merged),
                    f"--update-from-json={update}",
                    "--deterministic-id",  # /ID = hash of the content, not of the clock
                    "--newline-before-endstream",  # PDF/A-2 6.1.7.1: EOL before "endstream"
                    str(partial),
                ],
                timeout_s=deadline.left(),
                what="adding PDF/A metadata and output intent",
            )
            os.replace(partial, out_pdf)
        finally:
            partial.unlink(missing_ok=True)

    size, digest = _size_and_sha256(out_pdf)
    return PdfaResult(
        path=out_pdf,
        page_count=page_count,
        bytes=size,
        sha256=digest,
        seconds=round(deadline.elapsed(), 3),
        tool_versions={"qpdf": qpdf_version},
        icc_profile_sha256=hashlib.sha256(icc).hexdigest(),
    )


def _merge(qpdf: str, page_pdfs: list[Path], merged: Path, deadline: _Deadline) -> int:
    damaged_hint = "a page PDF named above is damaged or not a PDF: make it again (OCR the page image)"
    proc = _run(
        [qpdf, "--empty", "--pages", *map(str, page_pdfs), "--", str(merged)],
        timeout_s=deadline.left(),
        what=f"merging {len(page_pdfs)} page PDFs",
        hint=damaged_hint,
    )
    # qpdf 11.3 rebuilds a damaged --pages input, prints warnings and still exits 0 (exit 3
    # is only for its main input). A rebuilt page may have lost content: refused.
    if b"WARNING" in proc.stderr:
        raise ToolError(f"merging {len(page_pdfs)} page PDFs: qpdf had to repair input: {_tail(proc.stderr)}", hint=damaged_hint)
    page_count = _page_count(qpdf, merged, timeout_s=deadline.left())
    if page_count != len(page_pdfs):
        raise SijilError(
            f"merging {len(page_pdfs)} page PDFs gave {page_count} pages; expected one page per input",
            hint=_pages_per_input(qpdf, page_pdfs, deadline),
        )
    return page_count


def _pdfa_update(qpdf: str, merged: Path, meta: PdfMetadata, icc: bytes, producer: str, deadline: _Deadline) -> dict:
    """A qpdf-JSON update: new XMP, ICC, OutputIntent and Info objects, numbered after
    the merged file's last object, and the catalog and trailer pointing at them."""
    head, objects = _qpdf_json(qpdf, merged, ["trailer"], timeout_s=deadline.left())
    trailer = objects["trailer"]["value"]
    root_ref = trailer["/Root"]
    catalog = _qpdf_json(qpdf, merged, [root_ref], timeout_s=deadline.left())[1][f"obj:{root_ref}"]["value"]
    n = head["maxobjectid"]
    xmp_ref, icc_ref, intent_ref, info_ref = (f"{n + k} 0 R" for k in (1, 2, 3, 4))
    catalog = catalog | {"/Metadata": xmp_ref, "/OutputIntents": [intent_ref], "/Lang": f"u:{meta.language}"}
    # The trailer is written without /ID so that --deterministic-id computes both halves
    # (qpdf keeps a first half it finds, and the merge made a random one).
    trailer = {k: v for k, v in trailer.items() if k not in ("/ID", "/Info")} | {"/Info": info_ref}
    b64 = lambda data: base64.b64encode(data).decode("ascii")  # noqa: E731
    return {
        "qpdf": [
            {"jsonversion": 2, "pushedinheritedpageresources": False, "calledgetallpages": False, "maxobjectid": n},
            {
                f"obj:{root_ref}": {"value": catalog},
                f"obj:{xmp_ref}": {
                    "stream": {"dict": {"/Type": "/Metadata", "/Subtype": "/XML"}, "data": b64(build_xmp(meta, producer=producer))}
                },
                f"obj:{icc_ref}": {"stream": {"dict": {"/N": 3}, "data": b64(icc)}},
                f"obj:{intent_ref}": {
                    "value": {
                        "/Type": "/OutputIntent",
                        "/S": "/GTS_PDFA1",  # the subtype PDF/A readers look for, in every part
                        "/OutputConditionIdentifier": "u:sRGB",
                        "/Info": "u:sRGB IEC61966-2.1",
                        "/DestOutputProfile": icc_ref,
                    }
                },
                f"obj:{info_ref}": {"value": _info_dict(meta, producer=producer)},
                "trailer": {"value": trailer},
            },
        ]
    }


def _size_and_sha256(path: Path) -> tuple[int, str]:
    h, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _read_rgb_icc(path: Path) -> bytes:
    # The OutputIntent declares /N 3: an RGB profile is required (Tesseract pages are
    # DeviceGray or DeviceRGB, both allowed under an RGB output intent).
    try:
        icc = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the sRGB ICC profile {path}: {exc}", hint="install libgs-common or pass icc_profile=") from exc
    if len(icc) < 128 or icc[36:40] != b"acsp" or icc[16:20] != b"RGB " or icc[8] >= 5:
        raise ConfigError(f"{path} is not an RGB ICC profile of version 2–4, as PDF/A needs")
    return icc


def _qpdf_version(qpdf: str, *, timeout_s: float) -> str:
    out = _run([qpdf, "--version"], timeout_s=timeout_s, what="asking qpdf its version").stdout.decode()
    match = re.search(r"qpdf version (\S+)", out)
    return match.group(1) if match else out.strip().splitlines()[0]


def _page_count(qpdf: str, pdf: Path, *, timeout_s: float) -> int:
    out = _run([qpdf, "--show-npages", str(pdf)], timeout_s=timeout_s, what=f"counting the pages of {pdf}").stdout
    return int(out.strip())


def _pages_per_input(qpdf: str, page_pdfs: list[Path], deadline: _Deadline) -> str:
    # Only on the failure path: one qpdf per input to name the files that are not one page.
    odd = [f"{p} has {n}" for p in page_pdfs if (n := _page_count(qpdf, p, timeout_s=deadline.left())) != 1]
    return "; ".join(odd) or "every input has one page"


def _qpdf_json(qpdf: str, pdf: Path, objects: list[str], *, timeout_s: float) -> tuple[dict, dict]:
    args = [qpdf, "--json=2", "--json-key=qpdf", "--json-stream-data=none"]
    # qpdf names objects "12,0" on the command line and "12 0 R" in the JSON.
    args += [f"--json-object={o if o == 'trailer' else ','.join(o.split()[:2])}" for o in objects]
    out = _run([*args, str(pdf)], timeout_s=timeout_s, what=f"reading the structure of {pdf}").stdout
    head, objs = json.loads(out)["qpdf"]
    return head, objs


def _pdf_date(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("D:%Y%m%d%H%M%SZ")


def _xmp_date(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _info_dict(meta: PdfMetadata, *, producer: str) -> dict[str, str]:
    # PDF/A-2 requires each Info entry to equal its XMP counterpart (veraPDF checks it),
    # so both are built from the same values. "u:" is qpdf-JSON for a text string; qpdf
    # writes it in PDFDocEncoding when it can and in UTF-16BE otherwise (Arabic titles).
    info = {
        "/Title": meta.title,
        "/Author": meta.author,
        "/Creator": meta.creator,
        "/Producer": producer,
        "/CreationDate": _pdf_date(meta.created),
        "/ModDate": _pdf_date(meta.modified or meta.created),
    }
    if meta.subject:
        info["/Subject"] = meta.subject
    if meta.keywords:
        info["/Keywords"] = "; ".join(meta.keywords)
    return {k: f"u:{v}" for k, v in info.items()}


def build_xmp(meta: PdfMetadata, *, producer: str) -> bytes:
    """The XMP packet: PDF/A identification plus the same values as the Info dictionary.

    Only properties of the schemas PDF/A predefines (dc, xmp, pdf, pdfaid) are used, so
    no extension-schema declaration is needed."""
    e = lambda s: escape(s, {'"': "&quot;"})  # noqa: E731
    modified = meta.modified or meta.created
    lines = [
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        '  <rdf:Description rdf:about=""',
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"',
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
        '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"',
        '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">',
        "   <pdfaid:part>2</pdfaid:part>",
        "   <pdfaid:conformance>B</pdfaid:conformance>",
        "   <dc:format>application/pdf</dc:format>",
        f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(meta.title)}</rdf:li></rdf:Alt></dc:title>',
        f"   <dc:creator><rdf:Seq><rdf:li>{e(meta.author)}</rdf:li></rdf:Seq></dc:creator>",
    ]
    if meta.subject:
        lines.append(
            f'   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(meta.subject)}</rdf:li></rdf:Alt></dc:description>'
        )
    langs = "".join(f"<rdf:li>{e(lang)}</rdf:li>" for lang in (meta.language, *meta.other_languages))
    lines.append(f"   <dc:language><rdf:Bag>{langs}</rdf:Bag></dc:language>")
    if meta.keywords:
        lines.append(f"   <pdf:Keywords>{e('; '.join(meta.keywords))}</pdf:Keywords>")
    lines += [
        f"   <pdf:Producer>{e(producer)}</pdf:Producer>",
        f"   <xmp:CreatorTool>{e(meta.creator)}</xmp:CreatorTool>",
        f"   <xmp:CreateDate>{_xmp_date(meta.created)}</xmp:CreateDate>",
        f"   <xmp:ModifyDate>{_xmp_date(modified)}</xmp:ModifyDate>",
        f"   <xmp:MetadataDate>{_xmp_date(modified)}</xmp:MetadataDate>",
        "  </rdf:Description>",
        " </rdf:RDF>",
        "</x:xmpmeta>",
        '<?xpacket end="r"?>',
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- validation


def validate_pdfa(*, pdf: Path, verapdf: Path, timeout_s: float, flavour: str = "2b") -> PdfaValidation:
    """Validate with veraPDF against `flavour`. Non-compliance is a result (passed=False);
    a missing program, a crash, a timeout or a file veraPDF cannot parse is a ToolError."""
    deadline = _Deadline(timeout_s)
    if not pdf.is_file():
        raise SijilError(f"cannot validate {pdf}: no such file")
    # veraPDF exits 0 when compliant, 1 when not; anything else (4: no file, 7: parse
    # failure, …) is handled below from the report itself or from the exit code.
    proc = _run(
        [str(verapdf), "--flavour", flavour, "--format", "xml", "--nonpdfext", str(pdf)],
        timeout_s=deadline.left(),
        what=f"validating {pdf.name} with veraPDF",
        ok_codes=(0, 1, 7),
    )
    report = proc.stdout
    try:
        root = ET.fromstring(report)
    except ET.ParseError as exc:
        raise ToolError(f"veraPDF gave no readable XML report for {pdf} (exit {proc.returncode}): {_tail(proc.stderr)}") from exc
    version = next((r.get("version", "") for r in root.iter("releaseDetails") if r.get("id") == "core"), "")
    vr = root.find("./jobs/job/validationReport")
    if vr is None:
        problem = root.findtext("./jobs/job/taskException/exceptionMessage") or _tail(proc.stderr)
        raise ToolError(f"veraPDF could not validate {pdf}: {problem}", hint="the file is probably not a readable PDF")
    details = vr.find("details")
    summary = []
    for rule in vr.iter("rule"):
        if rule.get("status") != "failed":
            continue
        text = " ".join((rule.findtext("description") or "").split())
        if len(text) > 160:
            text = text[:157] + "…"
        summary.append(f"{rule.get('clause')}-{rule.get('testNumber')} ({rule.get('failedChecks')}×): {text}")
    passed = vr.get("isCompliant") == "true"
    if passed != (proc.returncode == 0):
        raise ToolError(
            f"veraPDF's exit code {proc.returncode} contradicts its report (isCompliant={vr.get('isCompliant')}) for {pdf}"
        )
    return PdfaValidation(
        passed=passed,
        flavour=flavour,
        profile=vr.get("profileName", ""),
        failed_rules=int(details.get("failedRules", "0")) if details is not None else len(summary),
        failed_checks=int(details.get("failedChecks", "0")) if details is not None else 0,
        summary=tuple(summary),
        report_xml=report,
        seconds=round(deadline.elapsed(), 3),
        verapdf_version=version,
    )


# --------------------------------------------------------------------------- text layer


def extract_text(*, pdf: Path, pdftotext: str = "pdftotext", timeout_s: float = 120.0) -> str:
    """The text layer as poppler reads it, pages separated by form feeds.

    pdftotext wraps right-to-left runs in Unicode directional embeddings (U+202B … U+202C,
    digits in U+202A … U+202C); they are kept: words are intact between them."""
    proc = _run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], timeout_s=timeout_s, what=f"extracting the text of {pdf}")
    return proc.stdout.decode("utf-8")
