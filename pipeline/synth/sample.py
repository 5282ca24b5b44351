"""The bundled sample batch: what a scanning station would drop for one birth register of
Alger-Centre, 1987 — five files in three formats, both layouts, a double-page spread and
a sheet scanned a quarter turn off, with a ``batch.toml``
listing each file and its sha256 — and, beside it (never inside: a file the manifest does
not list would be quarantined), the ground truth of every page.

    make_sample_batch(Path("/tmp/sample"))  →  /tmp/sample/{batch.toml, page-001.png, …}
                                               /tmp/sample-truth/{page-001.gt.txt, page-001.fields.json, …}

Same seed, same bytes: every file is a pure function of the seed (no timestamps, no
unseeded randomness, fixed encoder settings).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pipeline.synth.acts import SynthAct, SynthRegister, random_birth_act
from pipeline.synth.degrade import Degradation
from pipeline.synth.names import OCCUPATIONS_FEMALE, OCCUPATIONS_MALE, PLACES, Spelled
from pipeline.synth.render import RenderedPage, render_register_page, render_spread
from storage.objects import file_sha256

SAMPLE_REGISTER = SynthRegister()  # Alger-Centre (1601), births, 1987, series 1, volume 1, fr+ar
SCAN_OPERATOR = "Amina Belkacem"
SCAN_STATION = "poste-1"
SCAN_SCANNER = "sijil synthetic scanner"
SCAN_DPI = 300
MANIFEST_NAME = "batch.toml"

# Words an OCR test can count on finding in the sample: a surname in both scripts and
# the commune (printed in every page header).
KNOWN_SURNAME = Spelled(ar="بن علي", lat="BENALI")
KNOWN_COMMUNE = SAMPLE_REGISTER.commune  # Alger-Centre / الجزائر الوسطى
KNOWN_WORDS_FR = ("BENALI", "Alger-Centre")
KNOWN_WORDS_AR = ("بن علي", "الجزائر")

OFFICER_SURNAME = Spelled(ar="حداد", lat="HADDAD")
OFFICER_GIVEN = Spelled(ar="رشيد", lat="Rachid")

FileFormat = Literal["png", "jpeg", "tiff"]


@dataclass(frozen=True)
class SamplePage:
    """One file of the sample batch and how to make it."""

    name: str
    file_format: FileFormat
    layout: Literal["L1", "L2"]
    lang: Literal["fr", "ar", "fr+ar"]
    acts: tuple[int, ...]  # indexes into the sample's acts
    degrade: Degradation
    spread_split: int = 0  # for a spread: how many of the acts go on the left page


def benali_act() -> SynthAct:
    """Act 452, the example of REGISTERS.md: BENALI Mohamed, born in Alger-Centre on the
    fourteenth of March 1987 at half past ten, son of Ali, shopkeeper, and of SAADI Fatma."""
    commerce = next(o for o in OCCUPATIONS_MALE if o.fr_m == "commerçant")
    no_job = next(o for o in OCCUPATIONS_FEMALE if o.fr_f == "sans profession")
    return SynthAct(
        number=452,
        sex="M",
        surname=KNOWN_SURNAME,
        given=Spelled(ar="محمد", lat="Mohamed"),
        born_at=dt.datetime(1987, 3, 14, 10, 30),
        place=PLACES[0],
        father_given=Spelled(ar="علي", lat="Ali"),
        father_occupation=commerce,
        mother_surname=Spelled(ar="سعدي", lat="SAADI"),
        mother_given=Spelled(ar="فاطمة", lat="Fatma"),
        mother_occupation=no_job,
        residence=SAMPLE_REGISTER.commune,
        drawn_up_at=dt.datetime(1987, 3, 16, 11, 0),
        officer_surname=OFFICER_SURNAME,
        officer_given=OFFICER_GIVEN,
    )


def sample_acts(*, seed: int) -> list[SynthAct]:
    """Acts 452 to 464 of the register, with 455 bis re-established after 455. Act 452 is
    BENALI Mohamed (L1 page); acts 454 (French narrative) and 457 (Arabic narrative) are
    other BENALIs, so every single page holds the known surname whatever the seed."""
    rng = random.Random(f"sijil-sample-acts:{seed}")
    acts = [benali_act()]
    day = dt.date(1987, 3, 16)
    numbering = [(453, None), (454, None), (455, None), (455, "bis"), (456, None), (457, None),
                 (458, None), (459, None), (460, None), (461, None), (462, None), (463, None)]
    for number, suffix in numbering:
        # Four or five births declared a day in Alger-Centre in 1987.
        day += dt.timedelta(days=1 if rng.random() < 0.25 else 0)
        act = random_birth_act(rng=rng, register=SAMPLE_REGISTER, number=number, suffix=suffix,
                               drawn_up_on=day, officer_surname=OFFICER_SURNAME, officer_given=OFFICER_GIVEN)
        if number in (454, 457):
            act = replace(act, surname=KNOWN_SURNAME)
        acts.append(act)
    return acts


def sample_pages() -> tuple[SamplePage, ...]:
    paper = (247, 242, 228)
    return (
        SamplePage(
            name="page-001.png", file_format="png", layout="L1", lang="fr+ar", acts=(0, 1),
            degrade=Degradation(skew_deg=2.0, noise_sigma=4.0, blur_sigma=0.0, paper=paper, mottle=0.05,
                                ink_fade=0.15, bleed_through=0.05, stamp=True),
        ),
        SamplePage(
            name="page-002.jpg", file_format="jpeg", layout="L2", lang="fr", acts=(2, 3, 4),
            degrade=Degradation(skew_deg=-1.2, noise_sigma=4.0, blur_sigma=0.6, paper=(244, 238, 220), mottle=0.06,
                                ink_fade=0.2, bleed_through=0.08, stamp=True),
        ),
        SamplePage(
            name="page-003.tif", file_format="tiff", layout="L2", lang="ar", acts=(5, 6, 7),
            degrade=Degradation(skew_deg=0.8, noise_sigma=4.0, blur_sigma=0.5, paper=paper, mottle=0.04,
                                ink_fade=0.15, bleed_through=0.06, stamp=False, grayscale=True),
        ),
        SamplePage(
            name="page-004.tif", file_format="tiff", layout="L1", lang="fr+ar", acts=(8, 9, 10, 11),
            spread_split=2,
            degrade=Degradation(skew_deg=-0.7, noise_sigma=3.0, blur_sigma=0.4, paper=paper, mottle=0.04,
                                ink_fade=0.1, bleed_through=0.04, stamp=True),
        ),
        # The sheet laid on the glass turned a quarter (clockwise): a landscape image that
        # orientation detection has to turn back.
        SamplePage(
            name="page-005.png", file_format="png", layout="L1", lang="fr+ar", acts=(12,),
            degrade=Degradation(skew_deg=1.0, quarter_turns=1, noise_sigma=3.0, blur_sigma=0.4, paper=paper,
                                mottle=0.04, ink_fade=0.1, grayscale=True),
        ),
    )


def _render(page: SamplePage, *, acts: list[SynthAct], seed: int, index: int) -> RenderedPage:
    chosen = [acts[i] for i in page.acts]
    page_seed = seed * 100 + index
    if page.spread_split:
        return render_spread(layout=page.layout, lang=page.lang, left_acts=chosen[:page.spread_split],
                             right_acts=chosen[page.spread_split:], dpi=SCAN_DPI, seed=page_seed,
                             degrade=page.degrade, register=SAMPLE_REGISTER, typeface="typewriter")
    # Typewriter faces throughout: the register was typed, and the known words must OCR.
    return render_register_page(layout=page.layout, lang=page.lang, acts=chosen, dpi=SCAN_DPI, seed=page_seed,
                                degrade=page.degrade, register=SAMPLE_REGISTER, typeface="typewriter")


def _save(rendered: RenderedPage, path: Path, file_format: FileFormat) -> None:
    # Fixed encoder settings and no metadata that changes between runs (no dates).
    dpi = (SCAN_DPI, SCAN_DPI)
    if file_format == "png":
        rendered.image.save(path, "PNG", dpi=dpi, compress_level=3)
    elif file_format == "jpeg":
        rendered.image.save(path, "JPEG", dpi=dpi, quality=85, subsampling="4:2:0", optimize=False)
    else:
        # LZW: lossless like the masters of most book scanners, and fast to write.
        rendered.image.save(path, "TIFF", dpi=dpi, compression="tiff_lzw")


def _toml_string(value: str) -> str:
    # A JSON string without ASCII escaping is a valid TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def manifest_text(*, register: SynthRegister, files: list[tuple[str, str]]) -> str:
    """batch.toml for a register and its (file name, sha256) pairs, in page order."""
    lines = [
        "[register]",
        f"commune_code = {_toml_string(register.commune_code)}",
        f"commune_fr = {_toml_string(register.commune.fr)}",
        f"commune_ar = {_toml_string(register.commune.ar)}",
        f"kind = {_toml_string(register.kind)}",
        f"year = {register.year}",
        f"series = {register.series}",
        f"volume = {register.volume}",
        f"lang = {_toml_string(register.lang)}",
        "",
        "[scan]",
        f"operator = {_toml_string(SCAN_OPERATOR)}",
        f"station = {_toml_string(SCAN_STATION)}",
        f"scanner = {_toml_string(SCAN_SCANNER)}",
        f"dpi = {SCAN_DPI}",
    ]
    for name, digest in files:
        lines += ["", "[[files]]", f"path = {_toml_string(name)}", f"sha256 = {_toml_string(digest)}"]
    return "\n".join(lines) + "\n"


def truth_dir_for(out_dir: Path) -> Path:
    """Where the ground truth of a sample batch goes: a sibling folder, ``NAME-truth``."""
    return out_dir.parent / f"{out_dir.name}-truth"


def make_sample_batch(out_dir: Path, *, seed: int = 1987) -> Path:
    """Write the sample scanner batch into out_dir (created if needed) and its ground
    truth into ``out_dir.parent / (out_dir.name + "-truth")``; returns out_dir.

    Refuses a folder holding files of its own: they would not be in the manifest."""
    out_dir = Path(out_dir)
    pages = sample_pages()
    ours = {page.name for page in pages} | {MANIFEST_NAME}
    if out_dir.exists():
        strangers = sorted(p.name for p in out_dir.iterdir() if p.name not in ours)
        if strangers:
            raise FileExistsError(f"{out_dir} already holds files the sample batch would not list: {', '.join(strangers[:5])}")
    truth_dir = truth_dir_for(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    acts = sample_acts(seed=seed)
    listed: list[tuple[str, str]] = []
    for index, page in enumerate(pages):
        rendered = _render(page, acts=acts, seed=seed, index=index)
        path = out_dir / page.name
        _save(rendered, path, page.file_format)
        digest = file_sha256(path)
        listed.append((page.name, digest))
        stem = path.stem
        (truth_dir / f"{stem}.gt.txt").write_text(rendered.ground_truth_text(), encoding="utf-8")
        document = {
            "file": page.name,
            "sha256": digest,
            "register": {
                "commune_code": SAMPLE_REGISTER.commune_code,
                "commune": {"fr": SAMPLE_REGISTER.commune.fr, "ar": SAMPLE_REGISTER.commune.ar},
                "kind": SAMPLE_REGISTER.kind, "year": SAMPLE_REGISTER.year,
                "series": SAMPLE_REGISTER.series, "volume": SAMPLE_REGISTER.volume,
                "lang": SAMPLE_REGISTER.lang,
            },
            **rendered.fields_document(),
        }
        (truth_dir / f"{stem}.fields.json").write_text(
            json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out_dir / MANIFEST_NAME).write_text(manifest_text(register=SAMPLE_REGISTER, files=listed), encoding="utf-8")
    return out_dir
