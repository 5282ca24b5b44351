"""Marriage and death acts: the synthetic generator writes them (L1 form, L2 narrative in
French and Arabic), extraction reads them back — first from the page's own text (what a
perfect OCR would give, so a wrong template or form shows as such), then from the
rendered page read by real Tesseract. Mentions with their dates in words."""

import datetime as dt
import json
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline.extract import kinds, narrative
from pipeline.extract.acts import RegisterInfo, act_record, extract_page, extract_words, review
from pipeline.extract.common import read_mentions
from pipeline.extract.evaluate import evaluate_extraction, tesseract_reader
from pipeline.extract.ocr_words import Line, OcrWord
from pipeline.records import validate_record
from pipeline.synth.acts import DeathAct, MarriageAct, Named, Party, SynthRegister
from pipeline.synth.dataset import make_register_pages
from pipeline.synth.names import PLACES, Spelled
from pipeline.synth.render import render_register_page
from pipeline.synth.sample import OFFICER_GIVEN, OFFICER_SURNAME

MARRIAGE_REGISTER = SynthRegister(kind="marriage", year=1992)
DEATH_REGISTER = SynthRegister(kind="death", year=2003)
BLIDA, ORAN, KOUBA = (next(p for p in PLACES if p.fr == name) for name in ("Blida", "Oran", "Kouba"))


def _s(lat: str, ar: str) -> Spelled:
    return Spelled(lat=lat, ar=ar)


def marriage_act() -> MarriageAct:
    """Act 37 of 1992: BOUZID Kamel and HADDAD Nadia, married the twenty-first of May at
    half past ten, witnesses MERABET Farid and TOUATI Omar."""
    husband = Party(surname=_s("BOUZID", "بوزيد"), given=_s("Kamel", "كمال"), born_on=dt.date(1961, 11, 3),
                    birth_place=BLIDA, father_given=_s("Omar", "عمر"), mother_surname=_s("MANSOURI", "منصوري"),
                    mother_given=_s("Zohra", "زهرة"))
    wife = Party(surname=_s("HADDAD", "حداد"), given=_s("Nadia", "نادية"), born_on=dt.date(1968, 2, 29),
                 birth_place=ORAN, father_given=_s("Mourad", "مراد"), mother_surname=_s("CHERIF", "شريف"),
                 mother_given=_s("Malika", "مليكة"))
    return MarriageAct(number=37, married_at=dt.datetime(1992, 5, 21, 10, 30), husband=husband, wife=wife,
                       witnesses=(Named(_s("MERABET", "مرابط"), _s("Farid", "فريد")),
                                  Named(_s("TOUATI", "تواتي"), _s("Omar", "عمر"))),
                       drawn_up_at=dt.datetime(1992, 5, 21, 11, 0), officer_surname=OFFICER_SURNAME,
                       officer_given=OFFICER_GIVEN)


def death_act() -> DeathAct:
    """Act 118 of 2003: MEZIANE Fatma, died at Kouba the ninth of October at a quarter
    past four, born in 1931 at Blida, wife of BOUZID Mourad, declared by MERABET Farid."""
    deceased = Party(surname=_s("MEZIANE", "مزيان"), given=_s("Fatma", "فاطمة"), born_on=dt.date(1931, 7, 14),
                     birth_place=BLIDA, father_given=_s("Kamel", "كمال"), mother_surname=_s("HADDAD", "حداد"),
                     mother_given=_s("Nadia", "نادية"))
    return DeathAct(number=118, sex="F", deceased=deceased, died_at=dt.datetime(2003, 10, 9, 4, 15), place=KOUBA,
                    spouse=Named(_s("BOUZID", "بوزيد"), _s("Mourad", "مراد")),
                    declarant=Named(_s("MERABET", "مرابط"), _s("Farid", "فريد")),
                    drawn_up_at=dt.datetime(2003, 10, 9, 9, 30), officer_surname=OFFICER_SURNAME,
                    officer_given=OFFICER_GIVEN)


MARRIAGE_FIELDS = {
    "event_date": "1992-05-21", "event_time": "10:30", "drawn_up": "1992-05-21",
    "husband.birth_date": "1961-11-03", "wife.birth_date": "1968-02-29",
}
MARRIAGE_NAMES = {
    "husband.surname": ("BOUZID", "بوزيد"), "husband.given": ("Kamel", "كمال"),
    "husband.birth_place": ("Blida", "البليدة"), "husband.father.given": ("Omar", "عمر"),
    "husband.mother.surname": ("MANSOURI", "منصوري"), "husband.mother.given": ("Zohra", "زهرة"),
    "wife.surname": ("HADDAD", "حداد"), "wife.given": ("Nadia", "نادية"), "wife.birth_place": ("Oran", "وهران"),
    "wife.father.given": ("Mourad", "مراد"), "wife.mother.surname": ("CHERIF", "شريف"),
    "wife.mother.given": ("Malika", "مليكة"),
    "witness1.surname": ("MERABET", "مرابط"), "witness1.given": ("Farid", "فريد"),
    "witness2.surname": ("TOUATI", "تواتي"), "witness2.given": ("Omar", "عمر"),
    "officer.surname": ("HADDAD", "حداد"),
}
DEATH_FIELDS = {"event_date": "2003-10-09", "event_time": "04:15", "drawn_up": "2003-10-09",
                "birth_date": "1931-07-14", "sex": "F"}
DEATH_NAMES = {
    "surname": ("MEZIANE", "مزيان"), "given": ("Fatma", "فاطمة"), "place": ("Kouba", "القبة"),
    "birth_place": ("Blida", "البليدة"), "father.given": ("Kamel", "كمال"), "mother.surname": ("HADDAD", "حداد"),
    "mother.given": ("Nadia", "نادية"), "spouse.surname": ("BOUZID", "بوزيد"), "spouse.given": ("Mourad", "مراد"),
    "declarant.surname": ("MERABET", "مرابط"), "declarant.given": ("Farid", "فريد"),
}


def _words_from_truth(page) -> list[OcrWord]:
    """The page's own text as OCR words: each ground-truth line's words laid over its box
    in proportion to their length (right to left for Arabic lines)."""
    words = []
    for number, line in enumerate(page.lines):
        x, y, w, h = line.bbox
        parts = line.text.split()
        total = sum(len(p) + 1 for p in parts)
        offset = 0
        for index, part in enumerate(parts):
            left = x + w * offset / total
            right = x + w * (offset + len(part)) / total
            if line.lang == "ar":
                left, right = x + w - (right - x), x + w - (left - x)
            offset += len(part) + 1
            words.append(OcrWord(text=part, conf=0.96, box=(int(left), y, int(right - left), h),
                                 line_key=(1, number, 1), left=left, top=y, right=right, bottom=y + h,
                                 index=len(words)))
    return words


def _check(act, values: dict[str, str], names: dict[str, tuple[str, str]], scripts: tuple[str, ...]):
    for name, expected in values.items():
        assert name in act.fields, f"{name} not read"
        assert act.fields[name].value == expected, name
    for name, (lat, ar) in names.items():
        assert name in act.fields, f"{name} not read"
        for script, expected in (("lat", lat), ("ar", ar)):
            if script in scripts:
                assert act.fields[name].text(script) == expected, f"{name}.{script}"


@pytest.mark.parametrize("layout, lang", [("L1", "fr+ar"), ("L2", "fr"), ("L2", "ar"), ("L2", "fr+ar")])
def test_marriage_and_death_read_back_from_their_own_text(layout, lang):
    scripts = {"fr": ("lat",), "ar": ("ar",), "fr+ar": ("lat", "ar")}[lang]
    for register, act, values, names in ((MARRIAGE_REGISTER, marriage_act(), MARRIAGE_FIELDS, MARRIAGE_NAMES),
                                         (DEATH_REGISTER, death_act(), DEATH_FIELDS, DEATH_NAMES)):
        page = render_register_page(layout=layout, lang=lang, acts=[act], seed=7, register=register, dpi=150)
        extraction = extract_words(_words_from_truth(page), expected_year=register.year)
        assert extraction.layout == layout
        [read] = extraction.acts
        assert (read.kind, read.number, read.complete) == (register.kind, act.number, True)
        _check(read, values, names, scripts)


def test_kind_is_told_by_the_register_heading_not_by_margin_mentions():
    birth = render_register_page(layout="L2", lang="fr", acts=[death_act()], seed=3, register=DEATH_REGISTER, dpi=150)
    assert kinds.detect_kind(_words_from_truth(birth)) == "death"
    words = [OcrWord(text=t, conf=0.9, box=(0, 0, 1, 1), line_key=(1, 1, 1), left=0, top=0, right=1, bottom=1)
             for t in "Registre des actes de naissance Marié le 01/02/2010 Décédé le 02/03/2019".split()]
    assert kinds.detect_kind(words) == "birth"


def test_template_alignment_steps_over_misread_and_lost_words():
    template = kinds.TEMPLATES[("death", "lat")]
    text = ("Lan mil neuf cent, le neuf octobre, à quatre heures, est decedee à Kouba, MEZIANE Fatma, de sexe "
            "féminin, nee le quatorze juillet mil neuf cent trente et un à Blida, fllle de Kamel et de HADDAD Nadia, "
            "épouse de BOUZID Mourad. le neuf octobre deux mille trois, sur la déclaration de MERABET Farid, qui, "
            "lecture faite, a signé avec Nous, HADDAD Rachid, Officier")
    from pipeline.extract.text import fold_latin

    words = text.split()
    keys = ["".join(ch for ch in fold_latin(w) if ch.isalpha()) for w in words]
    slots, found = narrative.align(keys, template)
    assert " ".join(words[slots["father"].start:slots["father"].end]) == "Kamel"  # "fllle" read fuzzily
    assert " ".join(words[slots["spouse"].start:slots["spouse"].end]) == "BOUZID Mourad."
    # "Dressé" lost: the drawn-up date is still cut out, at a lower confidence.
    drawn = slots["drawn"]
    assert " ".join(words[drawn.start:drawn.end]).startswith("neuf octobre deux mille trois")
    assert drawn.factor < 1.0
    assert found >= len([t for t in template if not t.startswith("<")]) - 3


def _line(text: str, *, rtl: bool) -> Line:
    # Arabic words stand right to left on the line.
    words = tuple(OcrWord(text=t, conf=0.9, box=(0, 0, 1, 1), line_key=(1, 1, 1), left=-i if rtl else i, top=0,
                          right=(-i if rtl else i) + 1, bottom=10, index=i) for i, t in enumerate(text.split()))
    return Line(words=words, rtl=rtl)


def test_mentions_with_dates_in_words_in_both_languages():
    [french] = read_mentions([_line("Divorcés par jugement du tribunal de Blida", rtl=False),
                              _line("en date du vingt et un mars deux mille dix.", rtl=False),
                              _line("HR", rtl=False)])
    assert (french.kind, french.date, french.lang) == ("divorce", "2010-03-21", "fr")
    assert french.text.endswith("deux mille dix")  # the officer's initials after the sentence are not the mention
    [arabic] = read_mentions([_line("صحح بحكم محكمة وهران بتاريخ الرابع عشر من شهر جويلية عام ألفين وخمسة.",
                                    rtl=True)])
    assert (arabic.kind, arabic.date, arabic.lang) == ("rectification", "2005-07-14", "ar")
    [figures] = read_mentions([_line("Décédé le 02/03/2019 à Oran.", rtl=False)])
    assert (figures.kind, figures.date) == ("death", "2019-03-02")


def test_record_of_a_marriage_nests_both_spouses_and_validates():
    page = render_register_page(layout="L1", lang="fr+ar", acts=[marriage_act()], seed=7,
                                register=MARRIAGE_REGISTER, dpi=150)
    [act] = extract_words(_words_from_truth(page), expected_year=1992).acts
    register = RegisterInfo(commune_code="1601", year=1992, kind="marriage", commune_fr="Alger-Centre",
                            commune_ar="الجزائر الوسطى")
    record = validate_record(act_record(act, register=register))
    assert record["act_id"] == "1601-M-1992-01-00037"
    assert record["fields"]["husband"]["father"]["given"]["lat"] == "Omar"
    assert record["fields"]["wife"]["birth_date"]["value"] == "1968-02-29"
    assert record["fields"]["witness2"]["surname"]["ar"] == "تواتي"
    # Marriage acts require both spouses' names, not a birth act's fields.
    status, reasons = review(act, threshold=0.0)
    assert status == "auto" and reasons == []
    lost = type(act)(**{**act.__dict__, "fields": {k: v for k, v in act.fields.items() if k != "wife.given"}})
    assert "missing:wife.given" in review(lost)[1]


# --- rendered pages read by Tesseract -----------------------------------------------------

tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")


@pytest.fixture(scope="module")
def rendered_tsv(tmp_path_factory):
    """Clean 300-dpi pages of the two acts, in each layout, read as sijil reads a page.""" 
    root = tmp_path_factory.mktemp("extract-kinds")
    pages = {}
    for register, act in ((MARRIAGE_REGISTER, marriage_act()), (DEATH_REGISTER, death_act())):
        for layout, lang in (("L1", "fr+ar"), ("L2", "fr"), ("L2", "ar")):
            # Arabic values typed (Noto Naskh): Tesseract's ara model reads the printed
            # Amiri face far worse (issue 4), which is OCR's problem, not extraction's.
            page = render_register_page(layout=layout, lang=lang, acts=[act], seed=11, register=register,
                                        typeface="typewriter" if lang == "ar" else "print")
            path = root / f"{register.kind}-{layout}-{lang.replace('+', '')}.png"
            page.image.save(path)
            pages[(register.kind, layout, lang)] = path
    reader = tesseract_reader(work_dir=root / "ocr")
    with ThreadPoolExecutor(2) as pool:
        tsvs = list(pool.map(reader, pages.values()))
    return dict(zip(pages, tsvs))


def _read_one(tsv, year):
    extraction = extract_page(tsv_path=tsv, expected_year=year)
    assert len(extraction.acts) == 1, [a.label for a in extraction.acts]
    return extraction.acts[0]


def _mostly_right_in_arabic(act, names: dict[str, tuple[str, str]]) -> None:
    """Tesseract's Arabic reading of these faces drops lines and letters (كال for كمال):
    most names right, and every wrong one below the review threshold, never accepted."""
    right = [n for n, (_lat, ar) in names.items() if n in act.fields and act.fields[n].text("ar") == ar]
    assert len(right) >= 0.6 * len(names), {n: act.fields[n].text("ar") for n in names if n in act.fields}
    for name, (_lat, ar) in names.items():
        if name in act.fields and act.fields[name].text("ar") not in (None, ar):
            assert act.fields[name].conf < 0.9, name


@tesseract
def test_marriage_l1_form_read_by_tesseract(rendered_tsv):
    act = _read_one(rendered_tsv[("marriage", "L1", "fr+ar")], 1992)
    assert (act.kind, act.number) == ("marriage", 37)
    _check(act, MARRIAGE_FIELDS, MARRIAGE_NAMES, ("lat",))
    _mostly_right_in_arabic(act, MARRIAGE_NAMES)
    # Tesseract lost the husband's first birth-date line on the Arabic side; its second
    # line (number words) is not taken for the end of his name.
    assert act.fields["husband.surname"].text("ar") in ("بوزيد", "بوريد")
    assert act.complete and act.fields["officer.surname"].text("ar") == "حداد"


@tesseract
def test_death_l1_form_read_by_tesseract(rendered_tsv):
    act = _read_one(rendered_tsv[("death", "L1", "fr+ar")], 2003)
    assert (act.kind, act.number) == ("death", 118)
    _check(act, DEATH_FIELDS, DEATH_NAMES, ("lat",))
    _mostly_right_in_arabic(act, DEATH_NAMES)


@tesseract
@pytest.mark.parametrize("kind, lang", [("marriage", "fr"), ("marriage", "ar"), ("death", "fr"), ("death", "ar")])
def test_narrative_marriage_and_death_read_by_tesseract(rendered_tsv, kind, lang):
    year = 1992 if kind == "marriage" else 2003
    act = _read_one(rendered_tsv[(kind, "L2", lang)], year)
    assert (act.kind, act.lang) == (kind, lang)
    values, names = (MARRIAGE_FIELDS, MARRIAGE_NAMES) if kind == "marriage" else (DEATH_FIELDS, DEATH_NAMES)
    script = "lat" if lang == "fr" else "ar"
    # Dates and hours in words, French or Arabic: all read in French; in Arabic most (OCR
    # loses some: و الربع read as QUE, شهر as شبر), and a wrong one is never accepted
    # without review.
    wrong = [name for name, expected in values.items()
             if name not in act.fields or act.fields[name].value != expected]
    assert len(wrong) <= (0 if script == "lat" else len(values) // 2), wrong
    assert all(act.fields[name].conf < 0.9 for name in wrong if name in act.fields)
    right = sum(1 for name, pair in names.items() if name in act.fields
                and act.fields[name].text(script) == pair[0 if script == "lat" else 1])
    assert right >= len(names) - (0 if script == "lat" else 2), {n: act.fields[n].text(script) for n in act.fields
                                                                  if n in names}


@tesseract
def test_eval_extract_scores_each_kind_of_act(tmp_path):
    for kind in ("marriage", "death"):
        make_register_pages(tmp_path / "set", pages=1, layout="L2", lang="fr", seed=31, degraded=False, kind=kind)
        (tmp_path / "set" / "page-0001.png").rename(tmp_path / "set" / f"page-{kind}.png")
        (tmp_path / "set" / "page-0001.fields.json").rename(tmp_path / "set" / f"page-{kind}.fields.json")
    report = evaluate_extraction(dataset=tmp_path / "set", read_tsv=tesseract_reader(work_dir=tmp_path / "ocr"))
    assert set(report["by_act_kind"]) == {"marriage", "death"}
    for kind in ("marriage", "death"):
        summary = report["by_act_kind"][kind]
        assert summary["items"] > 15 and summary["accuracy"] >= 0.8
        assert "event_date" in summary["fields"] and "drawn_up" in summary["fields"]
    assert "husband.surname" in report["fields"] and "declarant.surname" in report["fields"]
    json.dumps(report, default=str)
