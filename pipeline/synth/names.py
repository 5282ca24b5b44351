"""Names as Algerian registers write them: the Arabic form is authoritative, the Latin
forms follow the habits of the French-speaking administration (ش ch, ج dj, و ou, خ kh,
ق k/g, ع dropped, article assimilated, particles Ben/Bel/Bou/Ould/Aït joined, spaced or
hyphenated). Each entry lists its Latin spellings most common first; clerks' variants
in both scripts are drawn from these lists and a few spelling habits, never invented at
random, so a cross-script matcher can be tested against known answers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

Sex = Literal["M", "F"]


@dataclass(frozen=True)
class NameForm:
    """One name in its authoritative Arabic spelling and its usual Latin spellings."""

    ar: str
    latin: tuple[str, ...]


@dataclass(frozen=True)
class Spelled:
    """A name as written in one act: the Arabic and the Latin spelling the clerk used."""

    ar: str
    lat: str


@dataclass(frozen=True)
class Place:
    fr: str
    ar: str


@dataclass(frozen=True)
class Occupation:
    fr_m: str
    fr_f: str
    ar_m: str
    ar_f: str

    def fr(self, sex: Sex) -> str:
        return self.fr_m if sex == "M" else self.fr_f

    def ar(self, sex: Sex) -> str:
        return self.ar_m if sex == "M" else self.ar_f


def _n(ar: str, *latin: str) -> NameForm:
    return NameForm(ar=ar, latin=latin)


GIVEN_MALE: tuple[NameForm, ...] = (
    _n("محمد", "Mohamed", "Mohammed", "Mohamad", "M'hamed"),
    _n("أحمد", "Ahmed", "Ahmad"),
    _n("علي", "Ali"),
    _n("عبد الرحمن", "Abderrahmane", "Abderahmane", "Abdel Rahmane"),
    _n("عبد القادر", "Abdelkader", "Abd El Kader", "Abdelkadir"),
    _n("عبد الله", "Abdellah", "Abdallah", "Abdelah"),
    _n("يوسف", "Youcef", "Youssef", "Yousef"),
    _n("مصطفى", "Mustapha", "Mostefa", "Moustafa"),
    _n("رشيد", "Rachid", "Rachide"),
    _n("كمال", "Kamel", "Kamal"),
    _n("جمال", "Djamel", "Djamal", "Jamal"),
    _n("عمار", "Amar", "Ammar"),
    _n("عمر", "Omar", "Amor"),
    _n("خالد", "Khaled", "Khalid"),
    _n("سعيد", "Said", "Saïd", "Saad"),
    _n("إبراهيم", "Brahim", "Ibrahim"),
    _n("عيسى", "Aissa", "Aïssa"),
    _n("الطاهر", "Tahar", "Tahir"),
    _n("العربي", "Larbi", "Arbi"),
    _n("الهاشمي", "Hachemi", "El Hachemi"),
    _n("بلقاسم", "Belkacem", "Belgacem"),
    _n("مختار", "Mokhtar", "Mokhtare"),
    _n("نور الدين", "Noureddine", "Nour Eddine", "Nourredine"),
    _n("صالح", "Salah", "Saleh"),
    _n("حسين", "Hocine", "Houcine", "Hossine"),
    _n("حسن", "Hacene", "Hassen", "Hassan"),
    _n("مراد", "Mourad", "Murad"),
    _n("فريد", "Farid"),
    _n("سليمان", "Slimane", "Soliman"),
    _n("إسماعيل", "Smail", "Ismail", "Smaïl"),
)

GIVEN_FEMALE: tuple[NameForm, ...] = (
    _n("فاطمة", "Fatma", "Fatima", "Fatna"),
    _n("خديجة", "Khadidja", "Khadija"),
    _n("عائشة", "Aicha", "Aïcha", "Aisha"),
    _n("زهرة", "Zohra", "Zahra"),
    _n("مليكة", "Malika"),
    _n("نادية", "Nadia"),
    _n("سعاد", "Souad"),
    _n("أمينة", "Amina", "Aminah"),
    _n("حورية", "Houria", "Hourya"),
    _n("فتيحة", "Fatiha"),
    _n("يمينة", "Yamina", "Yemina"),
    _n("زينب", "Zineb", "Zaynab"),
    _n("وردية", "Ouardia", "Wardia"),
    _n("جميلة", "Djamila", "Jamila"),
    _n("نصيرة", "Nassira", "Nacira", "Nacera"),
    _n("رقية", "Rekia", "Rokia", "Rokaya"),
    _n("خيرة", "Kheira", "Khaira"),
    _n("ليلى", "Leila", "Leïla", "Layla"),
    _n("سامية", "Samia"),
    _n("كريمة", "Karima"),
    _n("حليمة", "Halima"),
    _n("صليحة", "Saliha"),
    _n("فضيلة", "Fadila", "Fadhila"),
    _n("دليلة", "Dalila"),
)

SURNAMES: tuple[NameForm, ...] = (
    _n("بن علي", "BENALI", "BEN ALI", "BEN-ALI"),
    _n("بلقاسم", "BELKACEM", "BELGACEM"),
    _n("بوزيد", "BOUZID", "BOU ZID"),
    _n("بن عيسى", "BENAISSA", "BEN AISSA", "BENAÏSSA"),
    _n("بن يوسف", "BENYOUCEF", "BEN YOUCEF", "BENYOUSSEF"),
    _n("بن شيخ", "BENCHEIKH", "BEN CHEIKH"),
    _n("بلعيد", "BELAID", "BELAÏD", "BEL AID"),
    _n("بوعلام", "BOUALEM", "BOU ALEM"),
    _n("أولد علي", "OULD ALI", "OULD-ALI", "OULDALI"),
    _n("آيت أحمد", "AIT AHMED", "AÏT AHMED", "AIT-AHMED"),
    _n("حاج علي", "HADJ ALI", "HADJALI", "HADJ-ALI"),
    _n("سعدي", "SAADI", "SAÂDI"),
    _n("حداد", "HADDAD", "HADAD"),
    _n("مرابط", "MERABET", "MRABET"),
    _n("زروقي", "ZEROUKI", "ZERROUKI"),
    _n("قاسمي", "KACEMI", "GACEMI", "KASMI"),
    _n("شريف", "CHERIF", "CHERIFF"),
    _n("خليفي", "KHELIFI", "KHALIFI"),
    _n("عمراني", "AMRANI", "AMRANE"),
    _n("منصوري", "MANSOURI", "MANSOURY"),
    _n("تواتي", "TOUATI", "TOUATY"),
    _n("جبار", "DJEBBAR", "DJABBAR"),
    _n("غربي", "GHARBI", "GHERBI"),
    _n("حمادي", "HAMADI", "HAMMADI"),
    _n("يحياوي", "YAHIAOUI", "YAHYAOUI"),
    _n("بوشامة", "BOUCHAMA", "BOU CHAMA"),
    _n("مزيان", "MEZIANE", "MEZIANI"),
    _n("عبد اللاوي", "ABDELLAOUI", "ABDELAOUI"),
)

# Places of birth around Algiers and the large towns, with the commune names as the
# administration spells them.
PLACES: tuple[Place, ...] = (
    Place(fr="Alger-Centre", ar="الجزائر الوسطى"),
    Place(fr="Bab El Oued", ar="باب الوادي"),
    Place(fr="Hussein Dey", ar="حسين داي"),
    Place(fr="El Harrach", ar="الحراش"),
    Place(fr="Kouba", ar="القبة"),
    Place(fr="Blida", ar="البليدة"),
    Place(fr="Tizi Ouzou", ar="تيزي وزو"),
    Place(fr="Médéa", ar="المدية"),
    Place(fr="Oran", ar="وهران"),
    Place(fr="Constantine", ar="قسنطينة"),
    Place(fr="Sétif", ar="سطيف"),
)

OCCUPATIONS_MALE: tuple[Occupation, ...] = (
    Occupation(fr_m="commerçant", fr_f="commerçante", ar_m="تاجر", ar_f="تاجرة"),
    Occupation(fr_m="agriculteur", fr_f="agricultrice", ar_m="فلاح", ar_f="فلاحة"),
    Occupation(fr_m="fonctionnaire", fr_f="fonctionnaire", ar_m="موظف", ar_f="موظفة"),
    Occupation(fr_m="enseignant", fr_f="enseignante", ar_m="معلم", ar_f="معلمة"),
    Occupation(fr_m="ouvrier", fr_f="ouvrière", ar_m="عامل", ar_f="عاملة"),
    Occupation(fr_m="chauffeur", fr_f="chauffeur", ar_m="سائق", ar_f="سائقة"),
    Occupation(fr_m="menuisier", fr_f="menuisière", ar_m="نجار", ar_f="نجارة"),
)
OCCUPATIONS_FEMALE: tuple[Occupation, ...] = (
    Occupation(fr_m="sans profession", fr_f="sans profession", ar_m="بدون مهنة", ar_f="بدون مهنة"),
    Occupation(fr_m="ménager", fr_f="ménagère", ar_m="ماكث بالبيت", ar_f="ماكثة بالبيت"),
    Occupation(fr_m="enseignant", fr_f="enseignante", ar_m="معلم", ar_f="معلمة"),
    Occupation(fr_m="infirmier", fr_f="infirmière", ar_m="ممرض", ar_f="ممرضة"),
)


def find_name(ar: str, *, names: tuple[NameForm, ...]) -> NameForm:
    """The entry whose Arabic form is ar (for hand-written sample acts)."""
    for form in names:
        if form.ar == ar:
            return form
    raise KeyError(ar)


def latin_spelling(form: NameForm, *, rng: random.Random, usual_share: float = 0.7) -> str:
    """The usual spelling most of the time, a listed variant otherwise."""
    if len(form.latin) == 1 or rng.random() < usual_share:
        return form.latin[0]
    return rng.choice(form.latin[1:])


# Spelling habits of Arabic-script clerks: hamza dropped on alif, final ta marbuta
# written as ha, final ya without dots. Applied rarely: the written form is what the
# ground truth records, so an extractor is scored against what is on the page.
_ARABIC_HABITS = (("أ", "ا"), ("إ", "ا"), ("ة", "ه"), ("ي", "ى"))


def arabic_spelling(form: NameForm, *, rng: random.Random, variant_share: float = 0.1) -> str:
    if rng.random() >= variant_share:
        return form.ar
    candidates = [(old, new) for old, new in _ARABIC_HABITS if old in form.ar]
    if not candidates:
        return form.ar
    old, new = rng.choice(candidates)
    if old in ("ة", "ي"):  # only at the end of a word
        words = [w[:-1] + new if w.endswith(old) else w for w in form.ar.split(" ")]
        return " ".join(words)
    return form.ar.replace(old, new, 1)


def spell(form: NameForm, *, rng: random.Random) -> Spelled:
    """Spell a name in both scripts the way one clerk might have in one act."""
    return Spelled(ar=arabic_spelling(form, rng=rng), lat=latin_spelling(form, rng=rng))


def spell_usual(form: NameForm) -> Spelled:
    """The authoritative Arabic and the most common Latin spelling."""
    return Spelled(ar=form.ar, lat=form.latin[0])
