from ocr.text import normalise_for_search, script_counts, text_direction


def test_arabic_indic_and_eastern_digits_become_ascii():
    assert normalise_for_search("عقد رقم ١٩٨٧/٠٤٥٢") == "عقد رقم 1987/0452"
    assert normalise_for_search("۱۲۳۴۵۶۷۸۹۰") == "1234567890"


def test_normalise_composes_to_nfc_and_keeps_arabic_letters():
    decomposed = "e\u0301tat civil"  # é as e + combining acute
    assert normalise_for_search(decomposed) == "\u00e9tat civil"
    assert normalise_for_search("محمد بن علي") == "محمد بن علي"


def test_direction_follows_the_majority_script():
    assert text_direction("سجل الحالة المدنية لبلدية الجزائر الوسطى") == "rtl"
    assert text_direction("Acte de naissance de BENALI Mohamed") == "ltr"
    assert text_direction("Nom BENALI اللقب بن علي Prénom Mohamed الاسم محمد") == "mixed"
    # digits and punctuation are no script; an empty page has nothing to order
    assert text_direction("1987 — 452") == "ltr"
    assert script_counts("Né le ١٤ مارس") == (4, 4)
