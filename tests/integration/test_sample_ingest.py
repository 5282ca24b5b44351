"""The README's main job: the bundled sample batch ingested on the real stack."""

from __future__ import annotations

import pytest

from tests.integration.ingest_helpers import object_versions, page_doc_count, run_ingest

pytestmark = pytest.mark.integration

FRENCH_WORD = "BENALI"
# Five files; the double-page spread is read as its two halves.
PAGES = 6
ARABIC_WORD = "بن علي"


@pytest.fixture(scope="module")
def sample_batch(tmp_path_factory):
    from pipeline.synth.sample import make_sample_batch

    return make_sample_batch(tmp_path_factory.mktemp("sample") / "batch")


@pytest.fixture(scope="module")
def first_run(sample_batch, isolated, prefect_env):
    return run_ingest(sample_batch, isolated, prefect_env)


def test_sample_is_archived_read_and_balanced(first_run, isolated, store):
    from pipeline.ingest import buckets_for

    code, report = first_run
    assert code == 0
    files = report["files"]
    assert files["balanced"] and files["quarantined"] == 0 and files["archived"] == files["total"] == 5
    assert report["pages"]["ok"] == report["pages"]["total"] == PAGES
    assert report["pages"]["images"] == 5  # the spread is one scanned image, two pages
    assert sum(1 for p in report["pages"]["mean_conf"] if p.endswith(("-l", "-r"))) == 2
    assert all(0.5 < c <= 1 for c in report["pages"]["mean_conf"].values())
    versions = object_versions(store, isolated)
    masters = [k for k in versions if k[0] == buckets_for(isolated).masters]
    assert len(masters) == 5
    # Every master reads back with the sha256 the station wrote in the manifest.
    for master in report["archived"]:
        store.get_bytes(buckets_for(isolated).masters, master["key"], version_id=master["version_id"],
                        expected_sha256=master["sha256"])


def test_sample_pdfa_passes_verapdf_and_keeps_the_text(first_run, isolated, store, tmp_path, settings):
    from pipeline import pdfa
    from pipeline.ingest import buckets_for
    from sijil.stack.common import StackPaths
    from sijil.stack.verapdf import wrapper

    _, report = first_run
    copy = report["pdfa"]
    assert copy["passed"] and copy["pages"] == PAGES
    archive = buckets_for(isolated).archive
    pdf = tmp_path / "volume.pdf"
    store.download(archive, copy["key"], pdf, version_id=copy["version_id"])
    # Validated again here, independently of the flow; the stored report says the same.
    assert pdfa.validate_pdfa(pdf=pdf, verapdf=wrapper(StackPaths.of(settings)), timeout_s=300).passed
    assert b'isCompliant="true"' in store.get_bytes(archive, copy["report_key"])
    assert FRENCH_WORD in pdfa.extract_text(pdf=pdf)


def test_search_finds_a_french_and_an_arabic_word(first_run, isolated, es):
    from search.pages import search_pages

    _, report = first_run
    for word in (FRENCH_WORD, ARABIC_WORD, "Alger-Centre"):
        total, hits = search_pages(es, index_prefix=isolated.index_prefix, text=word)
        assert total >= 1, word
        assert all(h.batch_id == report["batch_id"] for h in hits)
        assert any("<em>" in s for h in hits for s in h.snippets)
    # Found through normalisation: the page has الوسطى (alef maqsura), the query ي.
    total, _ = search_pages(es, index_prefix=isolated.index_prefix, text="الجزائر الوسطي")
    assert total >= 1


def test_second_ingest_adds_no_object_version_and_no_document(first_run, sample_batch, isolated, store, es,
                                                             prefect_env):
    _, report = first_run
    before = object_versions(store, isolated)
    docs_before = page_doc_count(es, isolated, batch_id=report["batch_id"])
    code, again = run_ingest(sample_batch, isolated, prefect_env)
    assert code == 0
    assert again["new_objects"] == 0 and again["pages"]["reused"] == PAGES
    assert again["index"] == {"created": 0, "updated": 0, "unchanged": PAGES}
    assert again["acts"]["created"] == again["acts"]["updated"] == 0
    assert object_versions(store, isolated) == before
    assert page_doc_count(es, isolated, batch_id=report["batch_id"]) == docs_before == PAGES


def test_acts_are_read_from_the_pages_and_found_by_name_in_either_script(first_run, isolated, es):
    from search.acts import ActFilters, search_acts

    _, report = first_run
    assert report["acts"]["records"] >= 10  # 13 acts on the sample's pages; a few may be unreadable
    assert "1601-N-1987-01-00452" in report["acts"]["act_ids"]
    for query in ("Mohamed Benali", "محمد بن علي"):
        _, hits = search_acts(es, index_prefix=isolated.index_prefix, name=query,
                              filters=ActFilters(commune="1601", year=1987))
        assert "1601-N-1987-01-00452" in [h.act_id for h in hits[:3]], query
    act = next(h.record for h in hits if h.act_id == "1601-N-1987-01-00452")
    assert act["fields"]["event_date"]["value"] == "1987-03-14"
    assert act["source"]["pages"] and act["source"]["batch"] == report["batch_id"]
