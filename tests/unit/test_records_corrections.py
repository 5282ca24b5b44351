"""Corrections and confirmations of act records: nested corrections surviving a new
machine reading, field paths and values checked against the act kind, review reasons
answered, history of sijil's own re-readings."""

from datetime import datetime, timezone

import pytest

from pipeline.records import (
    FieldPathError,
    FieldValueError,
    StaleEdit,
    apply_correction,
    apply_verification,
    changed_values,
    merge_reading,
    person_paths,
    settled_reasons,
    validate_record,
)

WHEN = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def birth() -> dict:
    return validate_record({
        "act_id": "1601-N-1987-01-00452", "kind": "birth",
        "register": {"commune_code": "1601", "year": 1987, "series": 1},
        "number": 452,
        "fields": {"surname": {"lat": "BENALT", "ar": "بن علي", "conf": 0.61},
                   "event_date": {"value": "1987-03-14", "precision": "day", "conf": 0.7},
                   "officer": {"surname": {"lat": "HADAD", "ar": "حداب", "conf": 0.5},
                               "given": {"lat": "Karim", "ar": "كريم", "conf": 0.97}}},
        "review": {"status": "needs_review",
                   "reasons": ["low_conf:officer.surname", "low_conf:surname", "low_conf:event_date"]},
    })


def correct(record, field, value, **kw):
    return apply_correction(record, field=field, value=value, reason="vu sur le registre", user="archiviste",
                            expected_revision=record["revision"], now=WHEN, **kw)


# --- 1. a nested correction survives a new machine reading ------------------------------

def test_nested_correction_survives_a_new_reading():
    fixed = correct(birth(), "officer.surname.ar", "حداد")
    new_reading = {"surname": {"lat": "HADDAD", "ar": "حدان", "conf": 0.8},
                   "given": {"lat": "Karima", "ar": "كريمة", "conf": 0.9}}
    merged = merge_reading(fixed["fields"]["officer"], new_reading)
    assert merged["surname"]["ar"] == "حداد"                      # the person's value stays
    assert merged["surname"]["corrected"]["keys"] == ["ar"]
    assert merged["surname"]["lat"] == "HADDAD"                    # the rest is the new reading
    assert merged["surname"]["ocr"]["ar"] == "حدان"               # the machine's, kept beside
    assert merged["given"] == new_reading["given"]
    assert person_paths({"officer": merged}) == ["officer.surname.ar"]


def test_untouched_field_takes_the_new_reading_and_imports_stay_whole():
    assert merge_reading({"lat": "A", "conf": 0.2}, {"lat": "B", "conf": 0.9}) == {"lat": "B", "conf": 0.9}
    keyed = {"lat": "BENALI", "ar": "بن علي", "source": "import"}
    assert merge_reading(keyed, {"lat": "BENALT", "conf": 0.4}) == keyed


def test_marks_without_leaf_list_keep_the_whole_group():
    legacy = {"lat": "BENALI", "ar": "بن علي", "corrected": {"by": "a", "at": "x", "revision": 2},
              "ocr": {"lat": "BENALT"}}
    merged = merge_reading(legacy, {"lat": "BENAL", "ar": "بنعلي"})
    assert merged["lat"] == "BENALI" and merged["ar"] == "بن علي" and merged["ocr"]["lat"] == "BENAL"


# --- 2. field paths and values checked ---------------------------------------------------

def test_unknown_path_is_refused_with_the_closest_known():
    with pytest.raises(FieldPathError, match="surname.lat") as info:
        correct(birth(), "surnme.lat", "BENALI")
    assert "inconnu" in str(info.value) and "unknown" in str(info.value)
    with pytest.raises(FieldPathError):
        correct(birth(), "husband.surname.lat", "BENALI")        # not a field of a birth act
    with pytest.raises(FieldPathError, match="group"):
        correct(birth(), "officer", "HADDAD")


@pytest.mark.parametrize("field,value", [
    ("event_date", "1987-02-30"), ("event_date", "14 mars 1987"), ("event_date", "1987-13"),
    ("event_time", "25:00"), ("event_time", "10h30"), ("sex", "X"), ("act_number", "45a"),
    ("act_number", "453"), ("surname.lat", "بن علي"), ("surname.ar", "BENALI"), ("given.lat", "M0hamed"),
    ("surname", "123"),
])
def test_badly_formed_values_are_refused(field, value):
    with pytest.raises((FieldValueError, FieldPathError)):
        correct(birth(), field, value)


def test_values_are_normalised():
    record = birth()
    assert correct(record, "event_date", "14/03/1987")["fields"]["event_date"]["value"] == "1987-03-14"
    presumed = correct(record, "event_date", "1987")["fields"]["event_date"]
    assert presumed["value"] == "1987" and presumed["precision"] == "year"
    assert correct(record, "event_time", "9:05")["fields"]["event_time"]["value"] == "09:05"
    assert correct(record, "sex", "f")["fields"]["sex"]["value"] == "F"
    assert correct(record, "act_number", "452")["fields"]["act_number"]["value"] == 452


def test_name_without_script_goes_to_the_leaf_of_its_script():
    fixed = correct(birth(), "surname", "BENALI")
    assert fixed["fields"]["surname"]["lat"] == "BENALI" and fixed["history"][-1]["field"] == "surname.lat"
    fixed = correct(birth(), "officer.surname", "حداد")
    assert fixed["fields"]["officer"]["surname"]["ar"] == "حداد"


# --- 3. review reasons of sub-fields; confirmations ---------------------------------------

def test_correcting_a_sub_field_clears_its_reasons():
    fixed = correct(birth(), "officer.surname.ar", "حداد")
    assert fixed["review"]["reasons"] == ["low_conf:surname", "low_conf:event_date"]
    fixed = correct(fixed, "surname.lat", "BENALI")
    fixed = correct(fixed, "event_date", "1987-03-14")
    assert fixed["review"] == {"status": "verified", "reasons": []}
    assert settled_reasons(["missing:father.given.ar", "low_conf:father", "incomplete"], ["father.given.lat"]) == \
        ["low_conf:father"]


def test_verify_confirms_without_changing():
    record = birth()
    checked = apply_verification(record, field="officer.surname", user="archiviste", expected_revision=1,
                                 reason="lu sur l'original", now=WHEN)
    surname = checked["fields"]["officer"]["surname"]
    assert surname["lat"] == "HADAD" and surname["ar"] == "حداب"
    assert surname["verified"]["keys"] == ["ar", "lat"] and surname["verified"]["by"] == "archiviste"
    assert checked["revision"] == 2
    assert checked["history"][-1] == {"revision": 2, "at": "2026-11-23T12:00:00+00:00", "by": "archiviste",
                                      "field": "officer.surname", "why": "verified", "note": "lu sur l'original",
                                      "old": {"officer.surname.lat": "HADAD", "officer.surname.ar": "حداب"},
                                      "new": {"officer.surname.lat": "HADAD", "officer.surname.ar": "حداب"}}
    assert "low_conf:officer.surname" not in checked["review"]["reasons"]
    with pytest.raises(StaleEdit):
        apply_verification(checked, field="surname.lat", user="b", expected_revision=1)
    checked = apply_verification(checked, field="surname", user="a", expected_revision=2)
    checked = apply_verification(checked, field="event_date", user="a", expected_revision=3)
    assert checked["review"] == {"status": "verified", "reasons": []}
    # A verified leaf survives a new reading like a corrected one.
    assert merge_reading(checked["fields"]["event_date"], {"value": "1987-03-15", "conf": 0.4})["value"] == "1987-03-14"
    with pytest.raises(FieldPathError):
        apply_verification(checked, field="surnme", user="a", expected_revision=4)
    with pytest.raises(Exception, match="rien|nothing"):
        apply_verification(checked, field="sex", user="a", expected_revision=4)


# --- 4. what a re-reading changed ----------------------------------------------------------

def test_changed_values_lists_leaves_not_confidences():
    old = {"surname": {"lat": "BENALT", "conf": 0.5}, "given": {"lat": "Mohamed", "conf": 0.9}}
    new = {"surname": {"lat": "BENALI", "conf": 0.9}, "given": {"lat": "Mohamed", "conf": 0.95},
           "sex": {"value": "M"}}
    changes, count = changed_values(old, new)
    assert changes == [{"field": "sex", "old": None, "new": "M"},
                       {"field": "surname.lat", "old": "BENALT", "new": "BENALI"}]
    assert count == 2
    many_old = {f"f{i}": {"lat": "a"} for i in range(30)}
    many_new = {f"f{i}": {"lat": "b"} for i in range(30)}
    changes, count = changed_values(many_old, many_new, limit=5)
    assert len(changes) == 5 and count == 30
