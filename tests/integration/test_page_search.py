"""`search_pages` on hand-made page documents in an index of this test only: every word
must be on the page, words may match in either script's reading, one snippet per place."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

PAGES = {
    "p-both": "Nom : BENALI Prénom : Mohamed, né à Alger-Centre. اللقب : بن علي",
    "p-name": "Nom : BENALI Prénom : Amina, née à Oran.",
    "p-city": "Nom : KACI Prénom : Ali, né à Alger-Centre.",
    "p-long": ("BENALI Smail, fils de Djamal. " + "Texte sans rapport ni nom du tout. " * 20
               + "Plus loin BENALI Amina, son épouse."),
}


@pytest.fixture()
def prefix(es, unique_name):
    from search.pages import index_pages, pages_index_name

    register = {"commune_code": "1601", "commune_fr": "Alger-Centre", "commune_ar": "الجزائر الوسطى",
                "kind": "birth", "year": 1987, "series": 1, "volume": 1, "lang": "fr+ar"}
    docs = [{"page_id": pid, "batch_id": "b-test", "register": register,
             "source": {"file": f"{pid}.tif", "page_index": 0}, "text": text} for pid, text in PAGES.items()]
    index_pages(es, index_prefix=unique_name, documents=docs)
    yield unique_name
    es.indices.delete(index=pages_index_name(unique_name))


def _found(es, prefix, text) -> set[str]:
    from search.pages import search_pages

    total, hits = search_pages(es, index_prefix=prefix, text=text)
    assert total == len(hits)
    return {h.page_id for h in hits}


def test_every_word_must_be_on_the_page(es, prefix):
    assert _found(es, prefix, "BENALI") == {"p-both", "p-name", "p-long"}
    assert _found(es, prefix, "BENALI zzzqqq") == set()
    assert _found(es, prefix, "BENALI Alger-Centre") == {"p-both"}
    # A French word and an Arabic word in one query: each found in its own reading.
    assert _found(es, prefix, "benali علي") == {"p-both"}


def test_snippets_are_separate_places_each_once(es, prefix):
    from search.pages import search_pages

    _, [hit] = search_pages(es, index_prefix=prefix, text="Smail")
    assert len(hit.snippets) == 1  # highlighted in three readings of the text, one place
    _, hits = search_pages(es, index_prefix=prefix, text="BENALI Amina")
    [long_page] = [h for h in hits if h.page_id == "p-long"]
    assert len(long_page.snippets) == 2 and all("<em>BENALI</em>" in s for s in long_page.snippets)
