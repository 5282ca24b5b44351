from datetime import datetime, timezone

import pytest

from pipeline.records import RecordError, StaleEdit, apply_correction, make_act_id, validate_record


def sample_record() -> dict:
    return {
        "act_id": "1601-N-1987-01-00452", "kind": "birth",
        "register": {"commune_code": "1601", "commune": {"fr": "Alger-Centre", "ar": "الجزائر الوسطى"},
                     "year": 1987, "series": 1, "lang": "fr+ar"},
        "number": 452, "suffix": None,
        "fields": {"surname": {"lat": "BENALT", "ar": "بن علي", "conf": 0.61, "bbox": [10, 20, 30, 40], "page": 1},
                   "given": {"lat": "Mohamed", "ar": "محمد", "conf": 0.95}},
        "review": {"status": "needs_review", "reasons": ["low_conf:surname"]},
    }


def test_act_id_is_the_natural_key():
    assert make_act_id(commune_code="1601", kind="birth", year=1987, series=1, number=452) == "1601-N-1987-01-00452"
    assert make_act_id(commune_code="1601", kind="death", year=2001, series=12, number=7, suffix="bis") == "1601-D-2001-12-00007bis"
    with pytest.raises(RecordError):
        make_act_id(commune_code="1601", kind="divorce", year=1987, series=1, number=1)


def test_validation_names_every_problem():
    bad = sample_record() | {"act_id": "1601-N-1987-01-00453", "number": 0}
    with pytest.raises(RecordError) as info:
        validate_record(bad)
    assert "number" in str(info.value)
    good = validate_record(sample_record())
    assert good["revision"] == 1 and good["history"] == []


def test_correction_keeps_the_ocr_value_and_the_history():
    record = validate_record(sample_record())
    when = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    fixed = apply_correction(record, field="surname.lat", value="BENALI", reason="lu sur le registre",
                             user="archiviste1", expected_revision=1, now=when)
    surname = fixed["fields"]["surname"]
    assert surname["lat"] == "BENALI"
    assert surname["ocr"]["lat"] == "BENALT" and surname["ocr"]["conf"] == 0.61
    assert fixed["revision"] == 2
    assert fixed["history"] == [{"revision": 2, "at": "2026-11-23T12:00:00+00:00", "by": "archiviste1",
                                 "field": "surname.lat", "old": "BENALT", "new": "BENALI", "why": "lu sur le registre"}]
    assert fixed["review"] == {"status": "verified", "reasons": []}
    # The input is untouched: the earlier revision stays as it was.
    assert record["fields"]["surname"]["lat"] == "BENALT" and "ocr" not in record["fields"]["surname"]
    again = apply_correction(fixed, field="surname.lat", value="BEN ALI", reason="second look", user="b",
                             expected_revision=2, now=when)
    assert again["fields"]["surname"]["ocr"]["lat"] == "BENALT"  # still the machine reading
    assert [h["old"] for h in again["history"]] == ["BENALT", "BENALI"]


def test_stale_edit_is_refused_with_a_clear_message():
    record = validate_record(sample_record())
    fixed = apply_correction(record, field="given.lat", value="Mohammed", reason="r", user="a", expected_revision=1)
    with pytest.raises(StaleEdit, match="revision 2, not 1"):
        apply_correction(fixed, field="given.lat", value="Mohamad", reason="r", user="b", expected_revision=1)


def test_a_correction_needs_a_reason_and_a_user():
    record = validate_record(sample_record())
    with pytest.raises(RecordError):
        apply_correction(record, field="given.lat", value="x", reason=" ", user="a", expected_revision=1)


def test_simple_field_goes_to_value():
    record = validate_record(sample_record())
    fixed = apply_correction(record, field="event_date", value="1987-03-14", reason="r", user="a", expected_revision=1)
    assert fixed["fields"]["event_date"]["value"] == "1987-03-14"
    assert "ocr" not in fixed["fields"]["event_date"]  # nothing was read there before
