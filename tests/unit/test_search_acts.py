"""The act index's documents and name queries, without Elasticsearch: who is searchable in
each kind of act, and which clauses a name becomes."""

from __future__ import annotations

import pytest

from search.acts import ACTS_MAPPING, ROLES, act_document, key_strings, name_query, person_names
from search.names import detail_distance, name_similarity


def _record(kind: str, fields: dict) -> dict:
    letter = {"birth": "N", "marriage": "M", "death": "D"}[kind]
    return {"act_id": f"1601-{letter}-1987-01-00001", "kind": kind, "number": 1, "suffix": None,
            "register": {"commune_code": "1601", "commune": {"fr": "Alger-Centre", "ar": "الجزائر الوسطى"},
                         "year": 1987, "series": 1, "lang": "fr+ar"},
            "fields": fields, "review": {"status": "auto", "reasons": []}, "revision": 1}


def _name(lat: str | None, ar: str | None) -> dict:
    return {k: v for k, v in (("lat", lat), ("ar", ar)) if v}


def test_birth_subject_and_parents_in_both_scripts():
    names = person_names(_record("birth", {
        "given": _name("Mohamed", "محمد"), "surname": _name("BENALI", "بن علي"),
        "father": {"given": _name("Ali", "علي"), "surname": _name("BENALI", "بن علي")},
        "mother": {"given": _name("Fatma", "فاطمة")},
    }))
    assert names == {"subject": ["Mohamed BENALI", "محمد بن علي"], "father": ["Ali BENALI", "علي بن علي"],
                     "mother": ["Fatma", "فاطمة"]}


def test_scripts_are_not_mixed_when_one_part_lacks_a_script():
    # Given name read in both scripts, surname only in Arabic: no "Mohamed بن علي".
    names = person_names(_record("birth", {"given": _name("Mohamed", "محمد"), "surname": _name(None, "بن علي")}))
    assert names["subject"] == ["Mohamed", "محمد بن علي"]


def test_marriage_both_spouses_are_subjects_and_their_parents_parents():
    names = person_names(_record("marriage", {
        "husband": {"given": _name("Mohamed", "محمد"), "surname": _name("BENALI", "بن علي"),
                    "father": {"given": _name("Ali", "علي")}},
        "wife": {"given": _name("Amina", "أمينة"), "surname": _name("SAADI", "سعدي"),
                 "mother": {"given": _name("Zohra", "زهرة"), "surname": _name("HADDAD", "حداد")}},
        "witness1": {"given": _name("Omar", "عمر"), "surname": _name("TOUATI", "تواتي")},
    }))
    assert names["subject"] == ["Mohamed BENALI", "محمد بن علي", "Amina SAADI", "أمينة سعدي"]
    assert names["father"] == ["Ali", "علي"] and names["mother"] == ["Zohra HADDAD", "زهرة حداد"]
    assert "spouse" not in names  # witnesses are not searched as persons of the act


def test_death_deceased_and_spouse():
    record = _record("death", {"given": _name("Ahmed", "أحمد"), "surname": _name("BOUZID", "بوزيد"),
                               "spouse": {"given": _name("Khadidja", "خديجة"), "surname": _name("MERABET", "مرابط")}})
    document = act_document(record)
    assert document["names"]["subject"] == "Ahmed BOUZID | أحمد بوزيد"
    assert document["names"]["spouse"] == "Khadidja MERABET | خديجة مرابط"
    # The same keys a search for her name makes, in either script.
    assert set(key_strings("Khadidja Merabet")) | set(key_strings("خديجة مرابط")) <= set(document["keys"]["spouse"])
    assert set(document["keys"]) == set(document["names"]) == {"subject", "spouse"}


def test_every_role_is_in_the_mapping_and_derived_fields_stay_out_of_source():
    props = ACTS_MAPPING["properties"]
    assert set(props["names"]["properties"]) == set(props["keys"]["properties"]) == set(ROLES)
    assert set(ACTS_MAPPING["_source"]["excludes"]) == {"names", "keys"}


def test_two_word_query_whole_name_keys_are_marked():
    plan = name_query("Mohamed Benali")
    names = [c["term"][next(iter(c["term"]))]["_name"] for c in plan.keys]
    assert "subject:skeleton_full:mhmdbnl" in plan.whole and "subject:skeleton:mhmd" not in plan.whole
    assert plan.whole <= set(names)
    assert [c["match"]["names.subject"]["_name"] for c in plan.fuzzy] == ["subject:fuzzy"]


def test_one_word_query_is_also_looked_up_as_a_word_of_longer_names():
    plan = name_query("فاطمة")
    names = {c["term"]["keys.subject"]["_name"]: c["term"]["keys.subject"]["boost"] for c in plan.keys}
    # The whole-name key and the same value as a word key, ranked as a word match.
    assert names["subject:skeleton_full:ftma"] > names["subject:skeleton:ftma"] > 0
    assert {"subject:skeleton_full:ftma", "subject:skeleton:ftma"} <= plan.whole


@pytest.mark.parametrize(("a", "b"), [("mUhammad", "mhmd"), ("ʔbdlqAdr", "ʔabdelkader"), ("", "bnʕly"), ("saʕdI", "")])
def test_detail_distance_matches_the_plain_recurrence(a, b):
    from search import names

    def plain(x: str, y: str) -> float:
        rows = [[0.0] * (len(y) + 1) for _ in range(len(x) + 1)]
        for j, sym in enumerate(y, 1):
            rows[0][j] = rows[0][j - 1] + names._DELETE_COST.get(sym, 1.0)
        for i, sa in enumerate(x, 1):
            rows[i][0] = rows[i - 1][0] + names._DELETE_COST.get(sa, 1.0)
            for j, sb in enumerate(y, 1):
                rows[i][j] = min(rows[i - 1][j] + names._DELETE_COST.get(sa, 1.0),
                                 rows[i][j - 1] + names._DELETE_COST.get(sb, 1.0),
                                 rows[i - 1][j - 1] + names._substitute_cost(sa, sb))
        return rows[-1][-1]

    assert detail_distance(a, b) == pytest.approx(plain(a, b), abs=1e-12)


def test_similarity_still_tells_close_names_apart():
    assert name_similarity("Mohamed Benali", "محمد بن علي") > name_similarity("Mohamed Benali", "محمود بن علي")


def test_review_order_uses_the_weakest_field_at_any_depth_not_a_corrected_one():
    fields = {
        "given": {**_name("Mohamed", "محمد"), "conf": 0.97},
        "officer": {"surname": {**_name("HADDAD", "الحالة"), "conf": 0.41}},
        "father": {"given": {**_name("Ali", "علي"), "conf": 0.2, "corrected": {"by": "archiviste"}}},
    }
    document = act_document(_record("birth", fields))
    # The officer's surname (0.41, nested) is the doubt; the father's given name was corrected.
    assert document["review"]["min_conf"] == pytest.approx(0.41)
