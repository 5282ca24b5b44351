"""Act search on the real Elasticsearch: marriage and death acts searchable by their
persons, a one-word query across scripts, the fuzzy clauses used when the keys find too
little and not when whole-name matches fill the page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def _record(kind: str, number: int, fields: dict, *, year: int = 1987) -> dict:
    letter = {"birth": "N", "marriage": "M", "death": "D"}[kind]
    return {"act_id": f"1601-{letter}-{year}-01-{number:05d}", "kind": kind, "number": number, "suffix": None,
            "register": {"commune_code": "1601", "commune": {"fr": "Alger-Centre", "ar": "الجزائر الوسطى"},
                         "year": year, "series": 1, "lang": "fr+ar"},
            "fields": fields, "review": {"status": "auto", "reasons": []}, "revision": 1}


def _person(given: tuple[str | None, str | None], surname: tuple[str | None, str | None]) -> dict:
    return {"given": {k: v for k, v in zip(("lat", "ar"), given) if v},
            "surname": {k: v for k, v in zip(("lat", "ar"), surname) if v}}


COMMON = 12  # more whole-name matches than a page of 10


@pytest.fixture(scope="module")
def indexed(isolated, es):
    from search.acts import index_acts

    records = [
        _record("marriage", 1, {"husband": _person(("Mohamed", "محمد"), ("SAADI", "سعدي")),
                                "wife": _person(("Amina", "أمينة"), ("HADDAD", "حداد"))}),
        _record("death", 1, {**_person(("Ahmed", "أحمد"), ("BOUZID", "بوزيد")),
                             "spouse": _person(("Khadidja", "خديجة"), ("MERABET", "مرابط"))}),
        # Latin script only, as a French-only register gives it.
        _record("birth", 1, _person(("Khaira", None), ("BOUCHAMA", None))),
        # An OCR slip no key absorbs: r read as n.
        _record("birth", 2, _person(("Abdelkader", None), ("ZITOUNI", None))),
        *(_record("birth", 10 + n, _person(("Mohamed", "محمد"), ("BENALI", "بن علي")), year=1950 + n)
          for n in range(COMMON)),
    ]
    index_acts(es, index_prefix=isolated.index_prefix, records=records)
    return {r["kind"] + str(r["number"]): r["act_id"] for r in records}


def _search(es, isolated, name, **kw):
    from search.acts import search_acts

    return search_acts(es, index_prefix=isolated.index_prefix, name=name, **kw)[1]


def test_marriage_is_found_by_either_spouse_in_either_script(indexed, isolated, es):
    for query in ("Mohamed Saadi", "أمينة حداد", "Amina Haddad"):
        hits = _search(es, isolated, query)
        assert hits and hits[0].act_id == indexed["marriage1"], query


def test_death_deceased_as_subject_and_spouse_by_role(indexed, isolated, es):
    assert _search(es, isolated, "أحمد بوزيد")[0].act_id == indexed["death1"]
    spouse = _search(es, isolated, "Khadija Merabet", roles=("spouse",))
    assert spouse[0].act_id == indexed["death1"] and any(m.startswith("spouse:") for m in spouse[0].matched)
    # The spouse is not the subject: a subject search does not take her for the deceased.
    assert indexed["death1"] not in [h.act_id for h in _search(es, isolated, "Khadija Merabet")]


def test_one_arabic_word_finds_a_latin_only_record(indexed, isolated, es):
    hits = _search(es, isolated, "بوشامة")
    assert hits[0].act_id == indexed["birth1"]
    assert any(":skeleton:" in m for m in hits[0].matched)  # by a key, not by the fuzzy text


def test_fuzzy_clauses_when_the_keys_find_too_little(indexed, isolated, es):
    hits = _search(es, isolated, "Abdelkader Zitouri")
    assert hits[0].act_id == indexed["birth2"]
    assert "subject:fuzzy" in hits[0].matched


def test_no_fuzzy_clauses_when_whole_name_matches_fill_the_page(indexed, isolated, es):
    hits = _search(es, isolated, "محمد بن علي", size=10)
    assert len(hits) == 10
    assert all(any(m.startswith("subject:skeleton_full:") for m in h.matched) for h in hits)
    assert not any("subject:fuzzy" in h.matched for h in hits)
    # With a filter the fuzzy clauses run at once (few whole matches are expected there).
    from search.acts import ActFilters

    filtered = _search(es, isolated, "Mohamed Benali", filters=ActFilters(year=1950))
    assert [h.act_id for h in filtered][:1] == ["1601-N-1950-01-00010"]


def test_missing_index_is_no_hits_not_an_error(es):
    from search.acts import review_queue, search_acts

    assert search_acts(es, index_prefix="sijil-no-such-prefix", name="Mohamed") == (0, [])
    assert review_queue(es, index_prefix="sijil-no-such-prefix") == (0, [])


def test_an_index_made_before_the_spouse_role_takes_death_acts(es, isolated):
    from search.acts import ACTS_MAPPING, ROLES, acts_index_name, index_acts, search_acts
    from search.analysis import analysis_settings

    prefix = f"{isolated.index_prefix}-old"
    old_roles = [r for r in ROLES if r != "spouse"]
    old_mapping = {**ACTS_MAPPING, "properties": {
        **ACTS_MAPPING["properties"],
        "names": {"properties": {r: ACTS_MAPPING["properties"]["names"]["properties"][r] for r in old_roles}},
        "keys": {"properties": {r: {"type": "keyword"} for r in old_roles}}}}
    index = acts_index_name(prefix)
    es.indices.create(index=index, mappings=old_mapping, settings={"number_of_shards": 1, **analysis_settings()})
    try:
        record = _record("death", 7, {**_person(("Ahmed", "أحمد"), ("BOUZID", "بوزيد")),
                                      "spouse": _person(("Khadidja", "خديجة"), ("MERABET", "مرابط"))})
        index_acts(es, index_prefix=prefix, records=[record])
        _, hits = search_acts(es, index_prefix=prefix, name="خديجة مرابط", roles=("spouse",))
        assert [h.act_id for h in hits] == [record["act_id"]]
    finally:
        es.options(ignore_status=404).indices.delete(index=index)
