"""How well extraction reads a dataset made by `sijil synth registers`
(pipeline/synth/dataset.py: page-NNNN.png beside page-NNNN.fields.json).

    report = evaluate_extraction(dataset=Path("/data/l1-clean"), read_tsv=tesseract_reader(work_dir=tmp))

Extracted acts are matched to the true acts by act number (and suffix). Every field the
page shows is one item per script (surname.lat, surname.ar, …; dates, hours, sex and
the act number are one item each); an act not found makes all its items wrong. Reported:
accuracy per field and overall; the precision of the items that would be accepted
without review (conf ≥ threshold) and the share of items that are; the same for whole
records; a sweep of thresholds to choose one from.
"""

from __future__ import annotations

import json
import statistics
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pipeline.extract.acts import (
    DEFAULT_REVIEW_THRESHOLD,
    ExtractedAct,
    RegisterInfo,
    check_register,
    extract_page,
    join_continued,
    review,
)
from pipeline.extract.text import fold_arabic

SWEEP = (0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98)


def _norm(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def _truth_items(act: dict[str, Any], *, layout: str) -> dict[str, str]:
    """item name → the true value, for the fields the page shows."""
    items: dict[str, str] = {}
    number = act["number"]
    items["act_number"] = f"{number}{act.get('suffix') or ''}"

    def leaves(prefix: str, node: dict[str, Any]):
        for key, value in node.items():
            if not isinstance(value, dict):
                continue
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value.get("value"), str) or isinstance(value.get("lat"), str) or isinstance(value.get("ar"), str):
                yield name, value
            else:
                yield from leaves(name, value)

    for name, leaf in leaves("", act["fields"]):
        if name == "act_number":
            continue
        shown = set((leaf.get("bboxes") or {}).keys())
        if not shown:
            continue  # not on the page (L1 has no residence line)
        if "value" in leaf:  # dates, hours, sex: one value whatever the script
            items[name] = leaf["value"]
            if name == "drawn_up" and layout == "L2" and leaf.get("time"):
                items["drawn_up.time"] = leaf["time"]
            continue
        written = leaf.get("as_written") or {}
        for script in sorted(shown):
            items[f"{name}.{script}"] = written.get(script, leaf.get(script))
    return items


def _extracted_items(act: ExtractedAct) -> dict[str, tuple[str | None, float]]:
    items: dict[str, tuple[str | None, float]] = {}
    for name, value in act.fields.items():
        if value.value is not None:
            items[name] = (value.value, value.conf)
        else:
            for reading in value.readings:
                if reading.note and reading.note.startswith("from"):
                    continue
                items.setdefault(f"{name}.{reading.script}", (reading.text, value.conf))
    return items


def _act_key(kind: str, number: int, suffix: str | None) -> str:
    """Acts are matched by kind and number: a dataset may hold several registers' pages."""
    return f"{kind}:{number}{suffix or ''}"


def _per_field(rows: Sequence[tuple[str, bool, bool, float | None, bool]], threshold: float) -> dict[str, Any]:
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # items, correct, accepted, accepted correct
    for item, correct, _folded, conf, _found in rows:
        entry = stats[_field_of(item)]
        entry[0] += 1
        entry[1] += correct
        if conf is not None and conf >= threshold:
            entry[2] += 1
            entry[3] += correct
    return {name: {"items": n, "accuracy": round(ok / n, 4),
                   "auto_accepted_precision": round(acc_ok / acc, 4) if acc else None}
            for name, (n, ok, acc, acc_ok) in sorted(stats.items())}


def _field_of(item: str) -> str:
    return item.rsplit(".", 1)[0] if item.endswith((".lat", ".ar")) else item


def tesseract_reader(*, work_dir: Path, langs: str = "ara+fra", deskew: bool = True,
                     tessdata_dir: Path | None = None, timeout_s: float = 300.0) -> Callable[[Path], Path]:
    """read_tsv for evaluate_extraction: sijil's page path without orientation (synthetic
    pages are upright) — gray work image, deskew, one Tesseract run — reusing a TSV
    already made for the same image."""
    from ocr.tesseract import ocr_page
    from pipeline import page_steps
    from pipeline.page import render_page

    def read(image: Path) -> Path:
        base = work_dir / image.parent.name / image.stem
        tsv = base.with_name(base.name + ".tsv")
        if tsv.is_file() and tsv.stat().st_mtime >= image.stat().st_mtime:
            return tsv
        base.parent.mkdir(parents=True, exist_ok=True)
        source = image
        if deskew:
            fmt = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff", ".tiff": "tiff"}[image.suffix.lower()]
            gray = render_page(image, fmt=fmt, page_index=0, out_path=base.with_name(base.name + "-gray.png"))
            source = page_steps.deskew(image=gray.image, out_path=base.with_name(base.name + "-deskew.png")).image
        return ocr_page(image=source, out_base=base, langs=langs, tessdata_dir=tessdata_dir, timeout_s=timeout_s).tsv_path

    return read


def evaluate_extraction(*, dataset: Path, read_tsv: Callable[[Path], Path],
                        threshold: float = DEFAULT_REVIEW_THRESHOLD, expected_year: int | None = None,
                        register: RegisterInfo | None = None, pages: Sequence[Path] | None = None) -> dict[str, Any]:
    """Accuracy per field and overall, and precision of what would be auto-accepted, of
    extraction on the OCR of every page of dataset (read_tsv: image → TSV path).
    register: the register's metadata, as a batch gives it (commune names and year are
    used to check places and dates); None reads the pages without it."""
    images = sorted(pages) if pages is not None else sorted(p for p in dataset.glob("page-*.png"))
    truth: dict[str, dict[str, Any]] = {}
    truth_layout: dict[str, str] = {}
    extracted: list[ExtractedAct] = []
    ocr_seconds, extract_seconds, layouts = [], [], defaultdict(int)
    for number, image in enumerate(images, start=1):
        document = json.loads(image.with_name(image.stem + ".fields.json").read_text(encoding="utf-8"))
        for act in document["acts"]:
            key = _act_key(act.get("kind", "birth"), act["number"], act.get("suffix"))
            truth[key] = act
            truth_layout[key] = document["layout"]
        year = expected_year or (int(document["acts"][0]["act_id"].split("-")[2]) if document["acts"] else None)
        started = time.perf_counter()
        tsv = read_tsv(image)
        ocr_seconds.append(time.perf_counter() - started)
        page = extract_page(tsv_path=tsv, page=number, expected_year=year)
        extract_seconds.append(page.seconds)
        layouts[f"{document['layout']}→{page.layout}"] += 1
        extracted.extend(page.acts)
    acts = check_register(join_continued(extracted, expected_year=expected_year), register=register)
    by_number: dict[str, ExtractedAct] = {}
    spurious = 0
    for act in acts:
        if act.number is None:
            spurious += 1
            continue
        key = _act_key(act.kind, act.number, act.suffix)
        if key in truth and key not in by_number:
            by_number[key] = act
        else:
            spurious += 1

    per_field: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    rows: list[tuple[str, bool, bool, float | None, bool]] = []  # item, correct, folded-correct, conf, found
    act_kind_rows: dict[str, list[tuple[str, bool, bool, float | None, bool]]] = defaultdict(list)
    records = []
    errors: list[dict[str, Any]] = []
    for key, act_truth in truth.items():
        items = _truth_items(act_truth, layout=truth_layout[key])
        act = by_number.get(key)
        got = _extracted_items(act) if act else {}
        all_right = True
        for item, true_value in items.items():
            value, conf = got.get(item, (None, None))
            correct = value is not None and _norm(value) == _norm(true_value)
            folded = correct or (value is not None and item.endswith(".ar")
                                 and fold_arabic(_norm(value)) == fold_arabic(_norm(true_value)))
            rows.append((item, correct, folded, conf, value is not None))
            act_kind_rows[act_truth.get("kind", "birth")].append(rows[-1])
            all_right &= correct
            if not correct and len(errors) < 400:
                errors.append({"act": key, "item": item, "truth": true_value, "got": value, "conf": conf})
        # Margin mentions: each true one is right when a mention of its kind with its date
        # was read beside the act.
        for mention in act_truth.get("mentions", []):
            same = [m for m in (act.mentions if act else ()) if m.kind == mention["kind"]]
            hit = next((m for m in same if m.date == mention["date"]), None)
            chosen = hit or (same[0] if same else None)
            rows.append(("mention.date", hit is not None, hit is not None, chosen.conf if chosen else None,
                         chosen is not None))
            act_kind_rows[act_truth.get("kind", "birth")].append(rows[-1])
            all_right &= hit is not None
            if hit is None and len(errors) < 400:
                errors.append({"act": key, "item": "mention.date", "truth": mention["date"],
                               "got": chosen.date if chosen else None, "conf": chosen.conf if chosen else None})
        if act is not None:
            status, reasons = review(act, threshold=threshold, kind=act.kind)
            records.append((status, all_right, reasons))

    for item, correct, folded, conf, found in rows:
        name = _field_of(item)
        stats = per_field[name]
        stats["items"] += 1
        stats["correct"] += correct
        stats["folded_correct"] += folded
        stats["found"] += found
        if conf is not None and conf >= threshold:
            stats["accepted"] += 1
            stats["accepted_correct"] += correct

    def summary(selected: list[tuple[str, bool, bool, float | None, bool]], at: float) -> dict[str, Any]:
        accepted = [r for r in selected if r[3] is not None and r[3] >= at]
        return {
            "items": len(selected),
            "accuracy": round(sum(r[1] for r in selected) / len(selected), 4) if selected else None,
            "accuracy_arabic_folded": round(sum(r[2] for r in selected) / len(selected), 4) if selected else None,
            "auto_accepted_share": round(len(accepted) / len(selected), 4) if selected else None,
            "auto_accepted_precision": round(sum(r[1] for r in accepted) / len(accepted), 4) if accepted else None,
            # The same, counting an Arabic value right when it differs only by ى/ي, ة/ه or a
            # hamza seat (what OCR most often confuses, and clerks too).
            "auto_accepted_precision_arabic_folded":
                round(sum(r[2] for r in accepted) / len(accepted), 4) if accepted else None,
        }

    fields = {}
    for name, stats in sorted(per_field.items()):
        fields[name] = {
            "items": int(stats["items"]),
            "accuracy": round(stats["correct"] / stats["items"], 4),
            "auto_accepted_share": round(stats["accepted"] / stats["items"], 4),
            "auto_accepted_precision": round(stats["accepted_correct"] / stats["accepted"], 4) if stats["accepted"] else None,
        }
    by_kind = {
        "latin_text": [r for r in rows if r[0].endswith(".lat")],
        "arabic_text": [r for r in rows if r[0].endswith(".ar")],
        "values": [r for r in rows if not r[0].endswith((".lat", ".ar"))],  # dates, hours, sex, number
    }
    record_auto = [r for r in records if r[0] == "auto"]
    return {
        "dataset": str(dataset),
        "pages": len(images),
        "layouts": dict(layouts),
        "acts": {"truth": len(truth), "matched": len(by_number), "spurious_or_unnumbered": spurious},
        "threshold": threshold,
        "overall": summary(rows, threshold),
        "by_kind": {kind: summary(selected, threshold) for kind, selected in by_kind.items() if selected},
        # Per kind of act (birth, marriage, death): overall and per field.
        "by_act_kind": {kind: {**summary(selected, threshold), "fields": _per_field(selected, threshold)}
                        for kind, selected in sorted(act_kind_rows.items())},
        "fields": fields,
        "records": {
            "matched": len(records),
            "auto": len(record_auto),
            "auto_all_fields_correct": round(sum(r[1] for r in record_auto) / len(record_auto), 4) if record_auto else None,
            "all_fields_correct": round(sum(r[1] for r in records) / len(records), 4) if records else None,
        },
        "sweep": {str(t): summary(rows, t) for t in SWEEP},
        "seconds_per_page": {"ocr": round(statistics.fmean(ocr_seconds), 3) if ocr_seconds else None,
                             "extraction": round(statistics.fmean(extract_seconds), 4) if extract_seconds else None},
        "errors": errors,
    }
