"""Ground truth beside a scanned image, as the public datasets in ../shared/testdata hold it.

For an image `DIR/NAME.ext` the first of these that exists is its ground truth:

1. an explicit alias (`ALIASES`): a copy of another image whose text is already there;
2. `NAME.gt.txt`: plain text, one line (a line image, OCR17) or a page;
3. `NAME.xml`: ALTO v3/v4 (Tapuscorpus, Testaments de Poilus) or PAGE XML (LECTAUREP),
   told apart by the root element, never by the folder;
4. `NAME.txt`: plain text of the page (Tesseract's and OCRmyPDF's test images).

Plain-text files are read as UTF-8 when they decode strictly as UTF-8, else as cp1252
(the Testaments de Poilus `.txt` are cp1252). Everything comes back NFC (LECTAUREP is NFD).

What a transcriber wrote is not always what a reader should read. `GroundTruthLine.text`
is the comparable text, `raw` what the file says; the difference is only the markup of
the HTR-United transcription conventions used by the XML datasets here:
`^` before superscript letters ("dud^t" → "dudt"), `_` before underlined words,
`~~~` for a word that is not typed (Tapuscorpus: its text is unknown, so it is dropped,
not compared) and `¥` for a signature (LECTAUREP). In plain text, `¬` marks a line-end
hyphen (OCR17): it is removed and the line is flagged `hyphenated`, so evaluation can
drop the hyphen a reader prints there too.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.errors import SijilError

IMAGE_SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".pdf")

# Image file name → ground-truth file name in the same folder, for copies of a page whose
# text is already there under another name. Documented in the datasets' SOURCE.md, not
# guessed: OCRmyPDF's linn.pdf/skew.pdf/rotated_skew.pdf are linn.png as a PDF (straight,
# skewed through the PDF matrix, turned and skewed; linn.pdf pairs by name already);
# Tesseract's phototest-rotated-* and phototestrot.tif are phototest.tif turned.
# (cardinal.pdf, linn four times at 0/90/180/270°, would need the text four times: absent.)
ALIASES: dict[str, str] = {
    "skew.pdf": "linn.txt",
    "rotated_skew.pdf": "linn.txt",
    "phototest-rotated-L.png": "phototest.txt",
    "phototest-rotated-R.png": "phototest.txt",
    "phototest-rotated-180.png": "phototest.txt",
    "phototestrot.tif": "phototest.txt",
}

GroundTruthFormat = Literal["text", "alto", "page"]
# What a line is, when the file says: ALTO line-type tags (Tapuscorpus), PAGE `custom`
# structure types (LECTAUREP). None: the file does not say.
LineKind = Literal["printed", "typewritten", "handwritten", "signature"]

_HYPHEN_MARK = "¬"
_NOT_TYPED = "~~~"
_SIGNATURE = "¥"
_UNDERLINE_MARK = re.compile(r"(?<!\S)_")
_PAGE_STRUCTURE_TYPE = re.compile(r"structure\s*\{[^}]*\btype\s*:\s*([^;}\s]+)")


class GroundTruthError(SijilError):
    """A ground-truth file exists but cannot be read (encoding, XML, unknown format)."""


@dataclass(frozen=True)
class GroundTruthLine:
    text: str  # NFC, transcription markup removed: what a reader should read
    raw: str  # as the file has it (NFC)
    kind: LineKind | None = None
    label: str | None = None  # the file's own tag (ALTO OtherTag LABEL, PAGE structure type)
    zone: str | None = None  # ALTO block type (MainZone, MarginTextZone, StampZone…)
    hyphenated: bool = False  # ended with ¬ (a printed line-end hyphen), removed from text


@dataclass(frozen=True)
class GroundTruth:
    image: Path
    path: Path
    format: GroundTruthFormat
    encoding: str
    lines: tuple[GroundTruthLine, ...]
    # The image is ONE line (a `.gt.txt` of one line): compare it with everything read.
    line_level: bool = False
    via_alias: bool = False

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines if line.text)


@dataclass(frozen=True)
class NoGroundTruth:
    image: Path
    reason: str


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def decode_text_file(path: Path) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, else
    cp1252. Valid UTF-8 is almost never an accident for accented text, while cp1252
    decodes nearly anything, so the order matters."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise GroundTruthError(f"{path.name} is neither UTF-8 nor cp1252 text: {exc}") from exc


def clean_transcription(raw: str) -> str:
    """Remove the transcription markup (see the module doc) and collapse spaces."""
    text = raw.replace(_NOT_TYPED, " ").replace(_SIGNATURE, " ").replace("^", "")
    text = _UNDERLINE_MARK.sub("", text)
    return " ".join(text.split())


def read_text_ground_truth(path: Path, *, image: Path | None = None, via_alias: bool = False) -> GroundTruth:
    """A plain-text ground truth (`.gt.txt`, `.txt`). Blank lines are paragraph breaks,
    not lines. A `.gt.txt` holding one line makes a line-level ground truth."""
    content, encoding = decode_text_file(path)
    lines = []
    for raw in _nfc(content).splitlines():
        stripped = raw.rstrip()
        if not stripped.strip():
            continue
        hyphenated = stripped.endswith(_HYPHEN_MARK)
        text = " ".join(stripped.replace(_HYPHEN_MARK, "").split())
        lines.append(GroundTruthLine(text=text, raw=stripped, hyphenated=hyphenated))
    line_level = path.name.endswith(".gt.txt") and len(lines) == 1
    return GroundTruth(image=image or path, path=path, format="text", encoding=encoding, lines=tuple(lines),
                       line_level=line_level, via_alias=via_alias)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kind_from_label(label: str | None) -> LineKind | None:
    if not label:
        return None
    lowered = label.lower()
    for word, kind in (("handwritten", "handwritten"), ("typewritten", "typewritten"), ("print", "printed"),
                       ("signature", "signature")):
        if word in lowered:
            return kind  # type: ignore[return-value]
    return None


def _parse_xml(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise GroundTruthError(f"{path.name} is not well-formed XML: {exc}") from exc


def read_alto(path: Path, *, image: Path | None = None) -> GroundTruth:
    """ALTO v2/v3/v4: one line per TextLine, its String/@CONTENT joined by spaces (a HYP
    element's hyphen is kept: it is on the page). Line and block types come from TAGREFS
    pointing at OtherTag/LineTag… LABELs."""
    return _alto_from_root(_parse_xml(path), path=path, image=image)


def _alto_from_root(root: ET.Element, *, path: Path, image: Path | None) -> GroundTruth:
    labels = {el.get("ID"): el.get("LABEL") for el in root.iter() if _local(el.tag).endswith("Tag") and el.get("ID")}

    def label_of(element: ET.Element) -> str | None:
        for ref in (element.get("TAGREFS") or "").split():
            if labels.get(ref):
                return labels[ref]
        return None

    lines = []
    for block in root.iter():
        if _local(block.tag) != "TextBlock":
            continue
        zone = label_of(block)
        for line in block.iter():
            if _local(line.tag) != "TextLine":
                continue
            parts = []
            for child in line:
                name = _local(child.tag)
                if name == "String" and child.get("CONTENT"):
                    parts.append(child.get("CONTENT"))
                elif name == "HYP" and child.get("CONTENT") and parts:
                    parts[-1] += child.get("CONTENT")
            raw = _nfc(" ".join(parts))
            label = label_of(line)
            lines.append(GroundTruthLine(text=clean_transcription(raw), raw=raw, kind=_kind_from_label(label),
                                         label=label, zone=zone))
    return GroundTruth(image=image or path, path=path, format="alto", encoding="xml", lines=tuple(lines))


def read_page_xml(path: Path, *, image: Path | None = None) -> GroundTruth:
    """PAGE XML (2013/2019): one line per TextLine, the line's own TextEquiv/Unicode (not
    its words'); the first TextEquiv when there are several (index 0 or first written).
    The line type is `structure {type:…;}` in the `custom` attribute."""
    return _page_from_root(_parse_xml(path), path=path, image=image)


def _page_from_root(root: ET.Element, *, path: Path, image: Path | None) -> GroundTruth:
    lines = []
    for line in root.iter():
        if _local(line.tag) != "TextLine":
            continue
        equivs = [child for child in line if _local(child.tag) == "TextEquiv"]
        equivs.sort(key=lambda el: int(el.get("index", "0") or 0))
        raw = ""
        for equiv in equivs[:1]:
            for child in equiv:
                if _local(child.tag) == "Unicode":
                    raw = child.text or ""
        raw = _nfc(raw)
        found = _PAGE_STRUCTURE_TYPE.search(line.get("custom") or "")
        label = found.group(1) if found else None
        lines.append(GroundTruthLine(text=clean_transcription(raw), raw=raw, kind=_kind_from_label(label),
                                     label=label))
    return GroundTruth(image=image or path, path=path, format="page", encoding="xml", lines=tuple(lines))


def read_xml_ground_truth(path: Path, *, image: Path | None = None) -> GroundTruth:
    """ALTO or PAGE, by the root element's name."""
    root = _parse_xml(path)
    name = _local(root.tag)
    if name == "alto":
        return _alto_from_root(root, path=path, image=image)
    if name == "PcGts":
        return _page_from_root(root, path=path, image=image)
    raise GroundTruthError(f"{path.name}: root element <{name}> is neither ALTO (<alto>) nor PAGE (<PcGts>)")


def _stem(image: Path) -> str:
    return image.name[: -len(image.suffix)] if image.suffix else image.name


def find_ground_truth(image: Path) -> GroundTruth | NoGroundTruth:
    """The ground truth of `image` (see the module doc for the order), or why there is none."""
    folder, stem = image.parent, _stem(image)
    alias = ALIASES.get(image.name)
    if alias and (folder / alias).is_file():
        return read_text_ground_truth(folder / alias, image=image, via_alias=True)
    if (folder / f"{stem}.gt.txt").is_file():
        return read_text_ground_truth(folder / f"{stem}.gt.txt", image=image)
    if (folder / f"{stem}.xml").is_file():
        return read_xml_ground_truth(folder / f"{stem}.xml", image=image)
    if (folder / f"{stem}.txt").is_file():
        return read_text_ground_truth(folder / f"{stem}.txt", image=image)
    return NoGroundTruth(image, f"no ground truth: none of {stem}.gt.txt, {stem}.xml, {stem}.txt"
                                + (f", {alias} (alias)" if alias else "") + " beside it")
