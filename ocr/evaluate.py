"""How well sijil reads, measured against ground truth.

Metrics (all after NFC and whitespace normalisation: every run of whitespace, line breaks
included, is one space; leading/trailing whitespace dropped):

- `char_error_rate`: Levenshtein distance over code points / reference length.
- `word_error_rate`: the same over whitespace-separated words (case and punctuation count).
- `char_error_rate_without_vowel_marks`: CER once Arabic harakat (U+064B–U+0652), the
  superscript alef (U+0670) and tatweel (U+0640) are removed from both sides: registers
  are vocalised unevenly, and a reader that drops a fatha has not misread the name.
- `word_f1`: order-insensitive: the F1 of the two bags of words (casefolded, punctuation
  trimmed from word ends), i.e. "were the words found", which is what search needs.
- `line_char_error_rate`: each reference line is looked for in the hypothesis lines, so
  that reading order does not count (see `_line_distance`). Its chance level is far
  below 100 %: a line may match any stretch of any hypothesis line, so LECTAUREP's lines
  scored against the text of an unrelated typed page come out at 60–66 %. It says how
  well printed or typed lines were read wherever they ended up (measured 1–4 % there);
  for handwriting, read page CER and word F1, not this.
- line CER "،≡,": the line CER again with the Arabic comma ، (U+060C) and the Latin comma
  counted as one character, reported BESIDE the strict figure (only when the reference
  holds Arabic), never instead of it. Why: Tesseract's `ara` models (fast and best alike)
  have no ، in their character set (tesseract-ocr/tesseract#1217), so every ، on a page
  comes out as "," (or », ., ء): ~2.5 % of the characters of a typical Arabic act. For
  search the two are the same (punctuation is not indexed); for the text as read they
  are not, hence the strict figure stays the headline.

An empty reference gives 0.0 when the hypothesis is empty too and 1.0 otherwise (there is
no length to divide by; a reader that invents text on a blank page is wrong).

Overall figures are weighted by size (sum of errors / sum of reference characters or
words), not means of per-file rates: a one-line file weighs as one line.

Edit distance is Hyyrö's bit-parallel Levenshtein on Python integers (one integer per
column of the shorter string): about 25 ms for two 5,000-character pages, pure Python.
Line matching needs the best distance of every prefix of a line, which the bit-parallel
form does not give; it runs the classic dynamic programme one row per reference
character, each row a handful of numpy operations over the whole hypothesis page.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Hashable, Sequence

import numpy as np

from ocr.groundtruth import GroundTruth, NoGroundTruth, find_ground_truth, is_image
from pipeline.errors import SijilError

ARABIC_MARKS = frozenset([*range(0x064B, 0x0653), 0x0670, 0x0640])
_STRIP_ARABIC_MARKS = {cp: None for cp in ARABIC_MARKS}
# What a reader prints for a line-end hyphen that the transcription marked with ¬.
_HYPHENS = "-‐‑¬\u00ad"
# A reference line is also looked for in two pieces (a header line cut by the gutter of a
# spread, a table row Tesseract broke at a wide gap), cut at a space. Shorter pieces
# than this would be found by chance somewhere on any page.
_MIN_PIECE_CHARS = 10
# See "line CER ،≡," above.
_FOLD_ARABIC_COMMA = str.maketrans({"\u060c": ","})


# ---------------------------------------------------------------- normalisation


def normalise(text: str) -> str:
    """NFC, whitespace runs → one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def strip_arabic_marks(text: str) -> str:
    """Remove harakat (U+064B–U+0652), superscript alef (U+0670) and tatweel (U+0640)."""
    return unicodedata.normalize("NFC", text).translate(_STRIP_ARABIC_MARKS)


def fold_arabic_comma(text: str) -> str:
    """The Arabic comma ، written as a Latin comma (for the "،≡," figure only)."""
    return text.translate(_FOLD_ARABIC_COMMA)


def contains_arabic(text: str) -> bool:
    return any(0x0600 <= ord(ch) <= 0x06FF or 0x0750 <= ord(ch) <= 0x077F or 0x08A0 <= ord(ch) <= 0x08FF
               or 0xFB50 <= ord(ch) <= 0xFDFF or 0xFE70 <= ord(ch) <= 0xFEFF for ch in text)


def bag_of_words(text: str) -> Counter[str]:
    """Casefolded words with punctuation and symbols trimmed from their ends; tokens that
    are punctuation only are not words."""
    words: Counter[str] = Counter()
    for token in normalise(text).split(" "):
        start, end = 0, len(token)
        while start < end and unicodedata.category(token[start])[0] in "PS":
            start += 1
        while end > start and unicodedata.category(token[end - 1])[0] in "PS":
            end -= 1
        if start < end:
            words[token[start:end].casefold()] += 1
    return words


# ---------------------------------------------------------------- edit distance


def edit_distance(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Levenshtein distance (unit costs) between two strings or two sequences of tokens.

    Hyyrö (2001/2003), "Explaining and extending the bit-parallel approximate string
    matching algorithm of Myers": the column of the DP table for the shorter sequence is
    held as two bit vectors (+1 / -1 vertical steps); each element of the longer one
    updates them in ~15 integer operations, whatever the length."""
    if len(a) > len(b):
        a, b = b, a
    m = len(a)
    if m == 0:
        return len(b)
    match_masks: dict[Hashable, int] = {}
    for i, item in enumerate(a):
        match_masks[item] = match_masks.get(item, 0) | (1 << i)
    full = (1 << m) - 1
    last = 1 << (m - 1)
    plus, minus, score = full, 0, m
    for item in b:
        eq = match_masks.get(item, 0)
        xv = eq | minus
        xh = (((eq & plus) + plus) ^ plus) | eq
        h_plus = minus | ~(xh | plus)
        h_minus = plus & xh
        if h_plus & last:
            score += 1
        elif h_minus & last:
            score -= 1
        # "| 1": the top row of a global alignment grows by one per element of b.
        h_plus = (h_plus << 1) | 1
        h_minus <<= 1
        plus = (h_minus | ~(xv | h_plus)) & full
        minus = h_plus & xv & full
    return score


# ---------------------------------------------------------------- page metrics


@dataclass(frozen=True)
class ErrorCount:
    """errors / total, kept apart so that figures add up across files."""

    errors: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.errors / self.total if self.total else None

    def __add__(self, other: ErrorCount) -> ErrorCount:
        return ErrorCount(self.errors + other.errors, self.total + other.total)


@dataclass(frozen=True)
class WordMatch:
    """Bag-of-words overlap: words in common (with multiplicity), words in each bag."""

    common: int
    reference_words: int
    hypothesis_words: int

    @property
    def precision(self) -> float | None:
        return self.common / self.hypothesis_words if self.hypothesis_words else None

    @property
    def recall(self) -> float | None:
        return self.common / self.reference_words if self.reference_words else None

    @property
    def f1(self) -> float:
        total = self.reference_words + self.hypothesis_words
        return 2 * self.common / total if total else 1.0

    def __add__(self, other: WordMatch) -> WordMatch:
        return WordMatch(self.common + other.common, self.reference_words + other.reference_words,
                         self.hypothesis_words + other.hypothesis_words)


def _rate(count: ErrorCount, hypothesis_empty: bool) -> float:
    return count.rate if count.total else (0.0 if hypothesis_empty else 1.0)


def char_errors(reference: str, hypothesis: str) -> ErrorCount:
    ref, hyp = normalise(reference), normalise(hypothesis)
    return ErrorCount(edit_distance(ref, hyp), len(ref))


def word_errors(reference: str, hypothesis: str) -> ErrorCount:
    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    return ErrorCount(edit_distance(ref, hyp), len(ref))


def char_error_rate(reference: str, hypothesis: str) -> float:
    """Character error rate after NFC and whitespace normalisation (may exceed 1)."""
    return _rate(char_errors(reference, hypothesis), not normalise(hypothesis))


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word error rate after NFC and whitespace normalisation (may exceed 1)."""
    return _rate(word_errors(reference, hypothesis), not normalise(hypothesis))


def char_error_rate_without_vowel_marks(reference: str, hypothesis: str) -> float:
    """CER with Arabic vowel marks and tatweel removed from both sides first."""
    return char_error_rate(strip_arabic_marks(reference), strip_arabic_marks(hypothesis))


def word_match(reference: str, hypothesis: str) -> WordMatch:
    ref, hyp = bag_of_words(reference), bag_of_words(hypothesis)
    return WordMatch(sum((ref & hyp).values()), sum(ref.values()), sum(hyp.values()))


def word_f1(reference: str, hypothesis: str) -> float:
    """F1 of the bags of words (order-insensitive); 1.0 when both are empty."""
    return word_match(reference, hypothesis).f1


# ---------------------------------------------------------------- line matching

_SEPARATOR = -1  # between hypothesis lines in the code array; equal to no character


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _hypothesis_codes(lines: Sequence[str]) -> np.ndarray:
    parts: list[np.ndarray] = []
    for line in lines:
        if parts:
            parts.append(np.array([_SEPARATOR], dtype=np.int64))
        parts.append(_codes(line))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _best_prefix_distances(pattern: np.ndarray, text: np.ndarray) -> np.ndarray:
    """best[k] = least edit distance between pattern[:k] and any substring of `text` that
    stays within one line (lines are cut by _SEPARATOR), for k = 0..len(pattern).

    Semi-global DP, one row per pattern character: D[0][j] = 0 (a match may start
    anywhere), D[k][line start] = k, D[k][j] = min(D[k-1][j] + 1, D[k-1][j-1] + cost,
    D[k][j-1] + 1). The last term runs along the row; it is a running minimum of
    D'[j] - j, computed per line by offsetting each line far below the one before it so
    that the running minimum never carries over a line break."""
    n, size = len(pattern), len(text) + 1
    best = np.zeros(n + 1, dtype=np.int64)
    if size == 1:
        best[:] = np.arange(n + 1)
        return best
    columns = np.arange(size, dtype=np.int64)
    line_starts = np.zeros(size, dtype=bool)
    line_starts[0] = True
    line_starts[1:] = text == _SEPARATOR
    line_number = np.cumsum(line_starts) - 1
    offset = line_number * (4 * (size + n + 1))  # larger than any value a row can hold
    previous = np.zeros(size, dtype=np.int64)
    row = np.empty(size, dtype=np.int64)
    for k in range(1, n + 1):
        cost = (text != pattern[k - 1]).astype(np.int64)
        row[0] = k
        np.minimum(previous[1:] + 1, previous[:-1] + cost, out=row[1:])
        row[line_starts] = k
        previous = np.minimum.accumulate(row - columns - offset) + columns + offset
        best[k] = previous.min()
    return best


def _line_distance(reference: str, hypothesis_codes: np.ndarray, *, reversed_codes: np.ndarray) -> int:
    """Edit cost of one reference line as found in the hypothesis lines, wherever they are:
    the least of (a) the best approximate match inside one hypothesis line (semi-global:
    the rest of that line is not counted), (b) two pieces of the line cut at a space, each
    at least _MIN_PIECE_CHARS long, each matched anywhere, (c) the whole line missing
    (its length). Hypothesis text that matches no reference line is not counted here:
    page CER counts it. Lenient by design on very short lines ("dud.", "1895"), which
    can find a near match by chance; a trailing hyphen where the reference has ¬ is
    simply left outside the match."""
    n = len(reference)
    if n == 0:
        return 0
    pattern = _codes(reference)
    forward = _best_prefix_distances(pattern, hypothesis_codes)
    distance = min(int(forward[n]), n)
    cuts = [k for k, ch in enumerate(reference) if ch == " " and k >= _MIN_PIECE_CHARS and n - k - 1 >= _MIN_PIECE_CHARS]
    if distance and cuts:
        backward = _best_prefix_distances(pattern[::-1], reversed_codes)
        distance = min(distance, min(int(forward[k] + backward[n - k - 1]) for k in cuts))
    return distance


def line_errors(reference_lines: Sequence[str], hypothesis: str) -> list[ErrorCount]:
    """Per reference line (normalised), its errors as found in the hypothesis lines."""
    hyp_lines = [line for line in (normalise(raw) for raw in hypothesis.splitlines()) if line]
    codes = _hypothesis_codes(hyp_lines)
    reversed_codes = codes[::-1].copy()
    out = []
    for raw in reference_lines:
        ref = normalise(raw)
        out.append(ErrorCount(_line_distance(ref, codes, reversed_codes=reversed_codes), len(ref)))
    return out


def line_char_error_rate(reference: str, hypothesis: str) -> float:
    """CER with every reference line matched to where it best appears in the hypothesis
    (reading order does not count; see _line_distance)."""
    lines = [line for line in reference.splitlines() if normalise(line)]
    total = sum(line_errors(lines, hypothesis), ErrorCount(0, 0))
    return _rate(total, not normalise(hypothesis))


# ---------------------------------------------------------------- one file


@dataclass(frozen=True)
class FileScore:
    image: str  # relative to the dataset folder
    ground_truth: str
    ground_truth_format: str
    line_level: bool
    chars: ErrorCount
    words: ErrorCount
    bag: WordMatch
    lines: ErrorCount  # line-matched CER
    reference_lines: int
    lines_by_kind: dict[str, ErrorCount]  # "printed", "typewritten", "handwritten", "signature", "untagged"
    chars_without_marks: ErrorCount | None  # only when the reference holds Arabic
    hypothesis_chars: int
    seconds: float
    lines_comma_folded: ErrorCount | None = None  # only when the reference holds Arabic


def _strip_line_end_hyphen(hypothesis: str) -> str:
    stripped = hypothesis.rstrip()
    return stripped[:-1] if stripped and stripped[-1] in _HYPHENS else hypothesis


def score_file(*, truth: GroundTruth, hypothesis: str, image_name: str, truth_name: str, seconds: float) -> FileScore:
    """Every figure for one image. A line-level ground truth (one line image) is compared
    with everything read, joined into one line; a line-end hyphen read where the
    reference had ¬ is dropped, as ¬ was."""
    reference = truth.text
    if truth.line_level:
        hypothesis = " ".join(hypothesis.split())
        if truth.lines[0].hyphenated:
            hypothesis = _strip_line_end_hyphen(hypothesis)
    scored_lines = [line for line in truth.lines if normalise(line.text)]
    per_line = line_errors([line.text for line in scored_lines], hypothesis)
    by_kind: dict[str, ErrorCount] = {}
    for line, count in zip(scored_lines, per_line):
        kind = line.kind or "untagged"
        by_kind[kind] = by_kind.get(kind, ErrorCount(0, 0)) + count
    arabic = contains_arabic(reference)
    return FileScore(
        image=image_name,
        ground_truth=truth_name,
        ground_truth_format=truth.format + (" (alias)" if truth.via_alias else ""),
        line_level=truth.line_level,
        chars=char_errors(reference, hypothesis),
        words=word_errors(reference, hypothesis),
        bag=word_match(reference, hypothesis),
        lines=sum(per_line, ErrorCount(0, 0)),
        reference_lines=len(scored_lines),
        lines_by_kind=dict(sorted(by_kind.items())),
        chars_without_marks=char_errors(strip_arabic_marks(reference), strip_arabic_marks(hypothesis)) if arabic else None,
        hypothesis_chars=len(normalise(hypothesis)),
        seconds=seconds,
        lines_comma_folded=sum(line_errors([fold_arabic_comma(line.text) for line in scored_lines],
                                           fold_arabic_comma(hypothesis)), ErrorCount(0, 0)) if arabic else None,
    )


# ---------------------------------------------------------------- a dataset


@dataclass(frozen=True)
class SkippedFile:
    image: str
    reason: str


@dataclass(frozen=True)
class FailedFile:
    image: str
    error: str


@dataclass(frozen=True)
class Overall:
    files: int
    chars: ErrorCount
    words: ErrorCount
    bag: WordMatch
    lines: ErrorCount
    reference_lines: int
    lines_by_kind: dict[str, ErrorCount]
    chars_without_marks: ErrorCount | None
    read_seconds: float
    lines_comma_folded: ErrorCount | None = None


@dataclass(frozen=True)
class EvalReport:
    folder: str
    langs: str
    files: tuple[FileScore, ...]
    skipped: tuple[SkippedFile, ...]
    failed: tuple[FailedFile, ...]
    wall_seconds: float
    limit: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def overall(self) -> Overall:
        zero, nothing = ErrorCount(0, 0), WordMatch(0, 0, 0)
        by_kind: dict[str, ErrorCount] = {}
        for score in self.files:
            for kind, count in score.lines_by_kind.items():
                by_kind[kind] = by_kind.get(kind, zero) + count
        arabic = [s.chars_without_marks for s in self.files if s.chars_without_marks is not None]
        folded = [s.lines_comma_folded for s in self.files if s.lines_comma_folded is not None]
        return Overall(
            files=len(self.files),
            chars=sum((s.chars for s in self.files), zero),
            words=sum((s.words for s in self.files), zero),
            bag=sum((s.bag for s in self.files), nothing),
            lines=sum((s.lines for s in self.files), zero),
            reference_lines=sum(s.reference_lines for s in self.files),
            lines_by_kind=dict(sorted(by_kind.items())),
            chars_without_marks=sum(arabic, zero) if arabic else None,
            read_seconds=sum(s.seconds for s in self.files),
            lines_comma_folded=sum(folded, zero) if folded else None,
        )

    def to_dict(self) -> dict:
        def figures(item: FileScore | Overall) -> dict:
            return {
                "cer": item.chars.rate, "wer": item.words.rate, "word_f1": item.bag.f1,
                "word_precision": item.bag.precision, "word_recall": item.bag.recall,
                "line_cer": item.lines.rate,
                "line_cer_by_kind": {k: v.rate for k, v in item.lines_by_kind.items()},
                "cer_without_vowel_marks": item.chars_without_marks.rate if item.chars_without_marks else None,
                "line_cer_comma_folded": item.lines_comma_folded.rate if item.lines_comma_folded else None,
            }

        overall = self.overall
        return {
            "folder": self.folder,
            "langs": self.langs,
            "limit": self.limit,
            "wall_seconds": round(self.wall_seconds, 2),
            "overall": {**figures(overall), **asdict(overall)},
            "files": [{**figures(score), **asdict(score)} for score in self.files],
            "skipped": [asdict(s) for s in self.skipped],
            "failed": [asdict(f) for f in self.failed],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def render_table(report: EvalReport) -> str:
    """Plain-text table: one row per file, then the overall (weighted) row, then what was
    skipped or failed. Rates in %."""
    kinds = sorted({kind for s in report.files for kind in s.lines_by_kind})
    show_kinds = kinds != ["untagged"] and bool(kinds)
    arabic = any(s.chars_without_marks is not None for s in report.files)
    headers = ["file", "CER", "WER", "F1", "lineCER", "lines"]
    headers += [f"{k[:5]}CER" for k in kinds] if show_kinds else []
    headers += ["CER-marks", "lineCER،≡,"] if arabic else []
    headers += ["ref", "read", "s"]

    def row(name: str, item: FileScore | Overall, seconds: float) -> list[str]:
        cells = [name, _pct(item.chars.rate), _pct(item.words.rate), _pct(item.bag.f1), _pct(item.lines.rate),
                 str(item.reference_lines)]
        if show_kinds:
            cells += [_pct(item.lines_by_kind[k].rate) if k in item.lines_by_kind else "-" for k in kinds]
        if arabic:
            cells += [_pct(item.chars_without_marks.rate) if item.chars_without_marks else "-",
                      _pct(item.lines_comma_folded.rate) if item.lines_comma_folded else "-"]
        hyp = item.hypothesis_chars if isinstance(item, FileScore) else ""
        cells += [str(item.chars.total), str(hyp), f"{seconds:.1f}"]
        return cells

    rows = [row(s.image, s, s.seconds) for s in report.files]
    overall = report.overall
    rows.append(row(f"OVERALL ({overall.files} files)", overall, overall.read_seconds))
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    out = [f"{report.folder}  (langs {report.langs}; rates in %, overall weighted by reference size)", line(headers),
           line(["-" * w for w in widths])]
    out += [line(r) for r in rows[:-1]] + [line(["-" * w for w in widths]), line(rows[-1])]
    out.append(f"wall time {report.wall_seconds:.1f} s; reading {overall.read_seconds:.1f} s")
    for failed in report.failed:
        out.append(f"FAILED  {failed.image}: {failed.error}")
    if report.skipped:
        out.append(f"skipped {len(report.skipped)}:")
        out += [f"  {s.image}: {s.reason}" for s in report.skipped]
    out += list(report.notes)
    return "\n".join(out)


def _timed_read(read: Callable[[Path], str], path: Path) -> tuple[str | None, str | None, float]:
    """(text, error, seconds). Only sijil's own errors are a failed file; anything else is
    a bug and stops the evaluation."""
    started = time.perf_counter()
    try:
        text = read(path)
    except SijilError as exc:
        return None, str(exc), time.perf_counter() - started
    return text, None, time.perf_counter() - started


def dataset_images(folder: Path) -> list[Path]:
    """Every image under `folder` (sub-folders too), in path order; hidden folders skipped."""
    return sorted(p for p in folder.rglob("*")
                  if is_image(p) and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def evaluate_dataset(
    *,
    folder: Path,
    langs: str,
    read: Callable[[Path], str],
    limit: int | None = None,
    workers: int = 1,
) -> EvalReport:
    """Pair every image under `folder` with its ground truth (ocr.groundtruth), read the
    first `limit` pairs with `read(path) -> text` and score them. Images without usable
    ground truth are listed as skipped with the reason, files `read` failed on (a
    SijilError) as failed. `langs` is recorded, not used: `read` decides how to read.
    workers > 1 reads files in parallel processes (`read` must then be picklable, e.g. a
    functools.partial of a module-level function)."""
    started = time.perf_counter()
    folder = folder.resolve()
    skipped: list[SkippedFile] = []
    pairs: list[tuple[Path, GroundTruth]] = []
    for image in dataset_images(folder):
        name = str(image.relative_to(folder))
        try:
            truth = find_ground_truth(image)
        except SijilError as exc:
            skipped.append(SkippedFile(name, f"ground truth unreadable: {exc}"))
            continue
        if isinstance(truth, NoGroundTruth):
            skipped.append(SkippedFile(name, truth.reason))
        elif not normalise(truth.text):
            skipped.append(SkippedFile(name, f"{truth.path.name} holds no comparable text "
                                             "(only untranscribed or signature lines)"))
        elif limit is not None and len(pairs) >= limit:
            skipped.append(SkippedFile(name, f"beyond --limit {limit}"))
        else:
            pairs.append((image, truth))

    if workers > 1 and len(pairs) > 1:
        import multiprocessing

        # spawn: a forked child would inherit libvips' threads and state from this process.
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_timed_read, [read] * len(pairs), [image for image, _ in pairs]))
    else:
        results = [_timed_read(read, image) for image, _ in pairs]

    scores: list[FileScore] = []
    failed: list[FailedFile] = []
    for (image, truth), (text, error, seconds) in zip(pairs, results):
        name = str(image.relative_to(folder))
        if text is None:
            failed.append(FailedFile(name, error or "unknown error"))
            continue
        scores.append(score_file(truth=truth, hypothesis=text, image_name=name,
                                 truth_name=str(truth.path.relative_to(folder)), seconds=seconds))
    notes = ("CER/WER: whole page in reading order. F1: bag of words, casefolded. lineCER: each reference line "
             "scored where it best appears in what was read (reading order ignored); its chance level is ~60 %, "
             "not 100 %: meaningful for printed/typed lines, not as a handwriting score.",)
    return EvalReport(folder=str(folder), langs=langs, files=tuple(scores), skipped=tuple(skipped),
                      failed=tuple(failed), wall_seconds=time.perf_counter() - started, limit=limit, notes=notes)
