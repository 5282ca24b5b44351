"""Synthetic act records for search tests and the search benchmark: all three kinds, as
extracted records nest them, distinct act_ids, the same records for the same seed."""

from collections import Counter

from pipeline.records import validate_record
from pipeline.synth.records import synthetic_records
from search.acts import person_names


def test_records_mix_kinds_in_realistic_shares_with_distinct_act_ids():
    records = list(synthetic_records(count=3000, seed=5, communes=4, years=(1980, 1984)))
    kinds = Counter(r["kind"] for r in records)
    assert 0.5 < kinds["birth"] / len(records) < 0.7
    assert 0.12 < kinds["marriage"] / len(records) < 0.28 and 0.12 < kinds["death"] / len(records) < 0.28
    assert len({r["act_id"] for r in records}) == len(records)
    letters = {"birth": "N", "marriage": "M", "death": "D"}
    assert all(r["act_id"].split("-")[1] == letters[r["kind"]] for r in records)
    # Numbers run from 1 within each register (commune, kind, year), without gaps.
    registers: dict[tuple, list[int]] = {}
    for r in records:
        registers.setdefault((r["register"]["commune_code"], r["kind"], r["register"]["year"]), []).append(r["number"])
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in registers.values())
    for r in records[:300]:
        validate_record(r)


def test_same_seed_same_records_other_seed_other_records():
    first = list(synthetic_records(count=200, seed=11))
    assert first == list(synthetic_records(count=200, seed=11))
    assert first != list(synthetic_records(count=200, seed=12))


def test_marriage_and_death_records_name_spouses_and_parents():
    records = list(synthetic_records(count=400, seed=3))
    marriage = next(r for r in records if r["kind"] == "marriage")
    for party in ("husband", "wife"):
        person = marriage["fields"][party]
        assert person["surname"]["lat"] and person["surname"]["ar"] and person["given"]["ar"]
        assert person["birth_date"]["value"] < marriage["fields"]["event_date"]["value"]
        assert person["mother"]["given"]["ar"]
    roles = person_names(marriage)
    assert len(roles["subject"]) == 4  # both spouses, both scripts
    assert f"{marriage['fields']['wife']['given']['lat']} {marriage['fields']['wife']['surname']['lat']}" in roles["subject"]

    deaths = [r for r in records if r["kind"] == "death"]
    married = next(r for r in deaths if "spouse" in r["fields"])
    assert married["fields"]["birth_date"]["value"] <= married["fields"]["event_date"]["value"]
    assert person_names(married)["spouse"] and person_names(married)["subject"]
    assert all(r["fields"]["declarant"]["surname"]["lat"] for r in deaths)


def test_one_script_records_carry_that_script_only():
    for record in synthetic_records(count=100, seed=2, scripts="ar"):
        names = person_names(record)
        assert all(not any("a" <= c.lower() <= "z" for c in name) for values in names.values() for name in values)
