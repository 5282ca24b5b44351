"""batch.toml parsing and validation: strict, every problem at once, located, bilingual."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from pipeline.errors import SijilError
from scanners.manifest import (
    Manifest,
    ManifestEntry,
    ManifestError,
    RegisterInfo,
    ScanInfo,
    load_manifest,
    parse_manifest,
    parse_manifest_bytes,
)
from scanners.messages import MANIFEST_MESSAGES, REJECTION_MESSAGES

SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

GOOD = f"""\
[register]
commune_code = "1601"          # 4-5 digits (string)
commune_fr = "Alger-Centre"
commune_ar = "الجزائر الوسطى"
kind = "birth"                 # birth | marriage | death
year = 1987                    # 1830..current year
series = 1                     # >= 1
volume = 1                     # >= 1
lang = "fr+ar"                 # fr | ar | fr+ar

[scan]
operator = "Amina B."
station = "poste-2"
scanner = "Fujitsu fi-7600"
dpi = 300                      # 150..1200

[[files]]
path = "page-001.tif"          # relative to the batch folder
sha256 = "{SHA.upper()}"

[[files]]
path = "page-002.tif"
"""


def problems_of(text: str, **kwargs) -> ManifestError:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(text, current_year=2025, **kwargs)
    return caught.value


def by_field(error: ManifestError) -> dict[str, str]:
    return {problem.field: problem.code for problem in error.problems}


def test_valid_manifest_gives_frozen_dataclasses():
    manifest = parse_manifest(GOOD, current_year=2025)
    assert manifest == Manifest(
        register=RegisterInfo(commune_code="1601", commune_fr="Alger-Centre", commune_ar="الجزائر الوسطى",
                              kind="birth", year=1987, series=1, volume=1, lang="fr+ar"),
        scan=ScanInfo(operator="Amina B.", station="poste-2", scanner="Fujitsu fi-7600", dpi=300),
        files=(ManifestEntry("page-001.tif", SHA), ManifestEntry("page-002.tif", None)),
    )
    with pytest.raises(AttributeError):
        manifest.register.year = 1988  # type: ignore[misc]


def test_every_problem_is_reported_at_once_with_lines():
    text = """\
titre = "x"
[register]
commune_code = 101
commune_fr = "الجزائر"
commune_ar = "Alger"
kind = "naissance"
yaer = 1987
series = 0
volume = true
lang = "ar+fr"

[scan]
operator = "  "
station = "poste-2"
scanner = "Fujitsu fi-7600"
dpi = 72.5

[[files]]
path = "page-001.tif"
sha256 = "abc"
[[files]]
path = "./page-001.tif"
checksum = "x"
[[files]]
sha256 = "%s"
""" % SHA
    error = problems_of(text)
    assert by_field(error) == {
        "titre": "unknown_key",
        "register.yaer": "unknown_key",
        "register.year": "field_missing",
        "register.commune_code": "commune_code_not_text",
        "register.commune_fr": "wrong_script",
        "register.commune_ar": "wrong_script",
        "register.kind": "choice_invalid",
        "register.series": "below_minimum",
        "register.volume": "wrong_type",
        "register.lang": "choice_invalid",
        "scan.operator": "text_empty",
        "scan.dpi": "wrong_type",
        "files[1].sha256": "sha256_format",
        "files[2].checksum": "unknown_key",
        "files[2].path": "path_duplicate",
        "files[3].path": "field_missing",
    }
    lines = {problem.field: problem.line for problem in error.problems}
    assert lines["titre"] == 1
    assert lines["register.yaer"] == 7
    assert lines["register.year"] == 2  # missing: located at its section
    assert lines["scan.dpi"] == 16
    assert lines["files[2].checksum"] == 23
    assert lines["files[3].path"] == 24  # missing: located at its [[files]] header
    # The rendered message lists every problem, each with its line, in French by default.
    assert str(error).count("\n  - ") == len(error.problems)
    assert "Ligne 7, [register] yaer : « yaer » n'est pas un champ connu (vouliez-vous dire « year » ?)" in str(error)
    assert "[[files]] n°2 path" in str(error) and "listé deux fois" in str(error)


def test_language_of_messages_is_chosen():
    text = GOOD.replace('kind = "birth"', 'kind = "naissance"')
    french = problems_of(text)
    english = problems_of(text, lang="en")
    assert french.codes == english.codes == ("choice_invalid",)
    assert "valeurs possibles : birth (naissance), marriage (mariage), death (décès)" in french.message
    assert "allowed values: birth, marriage, death" in english.message
    assert french.problems[0].message("en") == english.problems[0].message("en")
    assert french.hint and "batch.toml" in french.hint
    with pytest.raises(ValueError):
        parse_manifest(GOOD, lang="de")


def test_manifest_error_is_a_permanent_sijil_error():
    error = problems_of(GOOD.replace("dpi = 300", "dpi = 2400"))
    assert isinstance(error, SijilError) and error.transient is False
    assert error.codes == ("out_of_range",)
    assert "entre 150 et 1200" in error.message


@pytest.mark.parametrize(
    ("line", "replacement", "code"),
    [
        ('commune_code = "1601"', 'commune_code = "160"', "commune_code_format"),
        ('commune_code = "1601"', 'commune_code = "160123"', "commune_code_format"),
        ('commune_code = "1601"', 'commune_code = "١٦٠١"', "commune_code_format"),  # Arabic-Indic digits
        ('commune_code = "1601"', 'commune_code = 1601', "commune_code_not_text"),
        ("year = 1987", "year = 1829", "out_of_range"),
        ("year = 1987", "year = 2026", "out_of_range"),
        ("year = 1987", 'year = "1987"', "wrong_type"),
        ("year = 1987", "year = true", "wrong_type"),
        ("year = 1987", "year = 1987-03-14", "wrong_type"),
        ("series = 1", "series = -2", "below_minimum"),
        ("volume = 1", "volume = 0", "below_minimum"),
        ('lang = "fr+ar"', 'lang = "ar+fr"', "choice_invalid"),
        ('kind = "birth"', 'kind = "Birth"', "choice_invalid"),
        ("dpi = 300", "dpi = 149", "out_of_range"),
        ("dpi = 300", "dpi = 300.0", "wrong_type"),
        ('operator = "Amina B."', 'operator = ""', "text_empty"),
        ('operator = "Amina B."', "operator = 12", "wrong_type"),
        ('sha256 = "%s"' % SHA.upper(), 'sha256 = "%s"' % SHA[:-1], "sha256_format"),
        ('path = "page-002.tif"', 'path = "bad\\u0000name.tif"', "path_invalid"),
        ('path = "page-002.tif"', 'path = "page-001.tif"', "path_duplicate"),
        ('path = "page-002.tif"', 'path = 2', "wrong_type"),
        ('path = "page-002.tif"', 'path = "page-002.tif"\npages = 3', "unknown_key"),
        ('dpi = 300', 'dpi = 300\nDPI = 300', "unknown_key"),
        ("dpi = 300 ", 'dpi = 300\n[extra]\nnote = "x"\n', "unknown_key"),
    ],
)
def test_single_problem(line, replacement, code):
    assert line in GOOD
    error = problems_of(GOOD.replace(line, replacement, 1))
    assert error.codes == (code,)
    problem = error.problems[0]
    assert problem.line is not None
    assert problem.message("fr") and problem.message("en") and problem.message("fr") != problem.message("en")


def test_year_upper_bound_is_the_current_year():
    assert parse_manifest(GOOD.replace("year = 1987", "year = 2025"), current_year=2025).register.year == 2025


def test_missing_sections_and_files():
    text = GOOD.split("[scan]")[0].replace("[register]", "[registre]")
    error = problems_of(text)
    assert by_field(error) == {"registre": "unknown_key", "register": "table_missing",
                               "scan": "table_missing", "files": "files_missing"}
    assert problems_of("files = []\n" + GOOD.split("[[files]]")[0]).codes == ("files_missing",)
    single_bracket = GOOD.split("[[files]]")[0] + '[files]\npath = "a.tif"\n'
    assert problems_of(single_bracket).codes == ("wrong_type",)
    assert "[[files]]" in problems_of(single_bracket).message


def test_toml_syntax_error_is_located():
    error = problems_of(GOOD.replace('station = "poste-2"', "station = poste-2"))
    assert error.codes == ("toml_syntax",)
    assert error.problems[0].line == 13
    assert "Ligne 13" in error.message


def test_encoding_bom_and_unicode_normalisation():
    manifest = parse_manifest_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"), current_year=2025)
    assert manifest.register.commune_ar == "الجزائر الوسطى"
    with pytest.raises(ManifestError) as caught:
        parse_manifest_bytes(GOOD.replace("Alger-Centre", "Sétif").encode("latin-1", errors="replace"))
    assert caught.value.codes == ("manifest_encoding",)
    # The same name typed decomposed (NFD) or composed (NFC) is the same register.
    nfd = GOOD.replace("Alger-Centre", unicodedata.normalize("NFD", "Sétif"))
    nfc = GOOD.replace("Alger-Centre", "Sétif")
    assert parse_manifest(nfd, current_year=2025) == parse_manifest(nfc, current_year=2025)


def test_batch_id_depends_on_content_only():
    manifest = parse_manifest(GOOD, current_year=2025)
    assert manifest.batch_id.startswith("b-") and len(manifest.batch_id) == 18
    reformatted = parse_manifest(
        "# another station, another editor\n"
        + GOOD.replace("[scan]\n", "[scan]\ndpi = 300\n").replace("dpi = 300                      # 150..1200\n", "")
        .replace('commune_code = "1601"          # 4-5 digits (string)', 'commune_code   =   "1601"')
        .replace(SHA.upper(), SHA),
        current_year=2025,
    )
    assert reformatted.batch_id == manifest.batch_id
    assert parse_manifest(GOOD.replace("volume = 1 ", "volume = 2 "), current_year=2025).batch_id != manifest.batch_id
    swapped = GOOD.replace("page-001.tif", "TMP").replace("page-002.tif", "page-001.tif").replace("TMP", "page-002.tif")
    assert parse_manifest(swapped, current_year=2025).batch_id != manifest.batch_id  # page order matters
    assert '"commune_ar":"الجزائر الوسطى"' in manifest.canonical_json()


def test_load_manifest_missing_or_unreadable(tmp_path: Path):
    with pytest.raises(ManifestError) as caught:
        load_manifest(tmp_path / "batch.toml")
    assert caught.value.codes == ("manifest_missing",)
    (tmp_path / "folder.toml").mkdir()
    with pytest.raises(ManifestError) as caught:
        load_manifest(tmp_path / "folder.toml", lang="en")
    assert caught.value.codes == ("manifest_unreadable",)
    good = tmp_path / "ok.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert load_manifest(good, current_year=2025).files[0].path == "page-001.tif"


def test_every_message_exists_in_both_languages():
    for catalog in (MANIFEST_MESSAGES, REJECTION_MESSAGES):
        for code, texts in catalog.items():
            assert set(texts) == {"fr", "en"}, code
            assert all(texts.values()), code
