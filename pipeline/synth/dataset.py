"""`sijil synth registers`: a folder of synthetic register pages laid out as an OCR
evaluation dataset — each `page-NNNN.png` with `page-NNNN.gt.txt` (the text in reading
order) and `page-NNNN.fields.json` (every act's fields with their boxes) beside it, so
`sijil eval ocr` and `sijil eval extract` read it as they read real datasets."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.synth.acts import Kind, SynthRegister, random_act
from pipeline.synth.degrade import CLEAN, worn_scan
from pipeline.synth.render import render_register_page
from pipeline.synth.sample import OFFICER_GIVEN, OFFICER_SURNAME
# How many acts fit: L1 holds one to three birth blocks (marriage and death forms are
# longer: one or two); an L2 page two or three birth paragraphs, one or two of the others.
ACTS_PER_PAGE = {("L1", "birth"): (1, 3), ("L2", "birth"): (2, 3), ("L1", "marriage"): (1, 2),
                 ("L2", "marriage"): (1, 2), ("L1", "death"): (1, 2), ("L2", "death"): (1, 2)}


@dataclass(frozen=True)
class DatasetPage:
    image: Path
    truth: Path
    fields: Path
    layout: str
    lang: str


def make_register_pages(
    out_dir: Path,
    *,
    pages: int,
    layout: Literal["L1", "L2"],
    lang: Literal["fr", "ar", "fr+ar"],
    seed: int,
    degraded: bool = True,
    typeface: Literal["typewriter", "print"] | None = None,
    dpi: int = 300,
    kind: Kind = "birth",
) -> list[DatasetPage]:
    """Render `pages` pages of a register of `kind` acts; same arguments, same files. L1
    pages are always bilingual (the form has both scripts), whatever `lang` says."""
    if layout == "L1":
        lang = "fr+ar"
    out_dir.mkdir(parents=True, exist_ok=True)
    # Birth datasets keep the seed string they always had (same seed, same pages).
    rng = random.Random(f"sijil-synth-registers:{seed}:{layout}:{lang}" + ("" if kind == "birth" else f":{kind}"))
    register = SynthRegister(kind=kind)
    number = rng.randint(1, 400)
    day = dt.date(register.year, 1, 2)
    made = []
    for index in range(pages):
        low, high = ACTS_PER_PAGE[(layout, kind)]
        acts = []
        for _ in range(rng.randint(low, high)):
            day += dt.timedelta(days=rng.randint(0, 3))
            acts.append(random_act(kind=kind, rng=rng, register=register, number=number, drawn_up_on=day,
                                   officer_surname=OFFICER_SURNAME, officer_given=OFFICER_GIVEN))
            number += 1
        page_seed = seed * 10_000 + index
        degrade = worn_scan(seed=page_seed, turn_share=0.0) if degraded else CLEAN
        try:
            rendered = render_register_page(layout=layout, lang=lang, acts=acts, dpi=dpi, seed=page_seed,
                                            degrade=degrade, register=register, typeface=typeface)
        except ValueError:
            # Long names can overflow a page of three acts: the page then holds fewer.
            rendered = render_register_page(layout=layout, lang=lang, acts=acts[:low], dpi=dpi, seed=page_seed,
                                            degrade=degrade, register=register, typeface=typeface)
        stem = out_dir / f"page-{index + 1:04d}"
        image = stem.with_suffix(".png")
        rendered.image.save(image, "PNG", dpi=(dpi, dpi), compress_level=3)
        truth = Path(f"{stem}.gt.txt")
        truth.write_text(rendered.ground_truth_text() + "\n", encoding="utf-8")
        fields = Path(f"{stem}.fields.json")
        fields.write_text(json.dumps(rendered.fields_document(), ensure_ascii=False, indent=1, default=str),
                          encoding="utf-8")
        made.append(DatasetPage(image, truth, fields, layout, lang))
    return made
