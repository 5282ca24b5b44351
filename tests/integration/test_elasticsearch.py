"""Against the real Elasticsearch started by `sijil stack up`, with sijil's analysis plugin."""

import pytest

from search.analysis import TEXT_QUERY_FIELDS, analysis_settings, multilingual_text_field
from sijil.stack.common import http_get

pytestmark = pytest.mark.integration

ARABIC = "وُلِدَ أحمدُ بنُ مُصطفى في مكة المكرمة يوم ١٤ مارس"
FRENCH = "L'acte de naissance des enfants mariés à Sétif"


@pytest.fixture()
def index(es, unique_name):
    es.indices.create(
        index=unique_name,
        settings={"number_of_shards": 1, "number_of_replicas": 0, **analysis_settings()},
        mappings={"properties": {"text": multilingual_text_field()}},
    )
    es.index(index=unique_name, id="ar", document={"text": ARABIC})
    es.index(index=unique_name, id="fr", document={"text": FRENCH}, refresh=True)
    yield unique_name
    es.indices.delete(index=unique_name)


def _search(es, index, query: str) -> dict:
    return dict(es.search(
        index=index,
        query={"multi_match": {"query": query, "fields": list(TEXT_QUERY_FIELDS), "operator": "and"}},
        highlight={"fields": {f: {} for f in TEXT_QUERY_FIELDS}},
    ))


def _tokens(es, index, analyzer: str, text: str) -> list[str]:
    return [t["token"] for t in es.indices.analyze(index=index, analyzer=analyzer, text=text)["tokens"]]


def test_plugin_is_installed(es):
    from search.client import installed_plugins
    from sijil.stack.versions import ANALYSIS_PLUGIN_NAME, ANALYSIS_PLUGIN_VERSION

    assert installed_plugins(es).get(ANALYSIS_PLUGIN_NAME) == ANALYSIS_PLUGIN_VERSION


def test_arabic_normalisation_tokens(es, index):
    assert _tokens(es, index, "sijil_folded", "مُحَمَّدٌ أحمد مكة مصطفى ٤٥٢") == ["محمد", "احمد", "مكه", "مصطفي", "452"]


def test_arabic_found_despite_hamza_ta_marbuta_alef_maqsura_and_vowels(es, index):
    # Query differs from the text: أحمدُ→احمد (hamza, vowel), مصطفى→مصطفي (alef maqsura),
    # مكة→مكه (ta marbuta), ١٤→14 (Arabic-Indic digits).
    answer = _search(es, index, "احمد مصطفي مكه 14")
    hits = answer["hits"]["hits"]
    assert [h["_id"] for h in hits] == ["ar"]
    fragments = " ".join(f for frags in hits[0]["highlight"].values() for f in frags)
    # The snippet shows the text as written, marks and all.
    assert "<em>أحمدُ</em>" in fragments
    assert "<em>مكة</em>" in fragments


def test_french_found_despite_accents_and_inflection(es, index):
    answer = _search(es, index, "acte naissance enfant marie setif")
    hits = answer["hits"]["hits"]
    assert [h["_id"] for h in hits] == ["fr"]
    fragments = " ".join(f for frags in hits[0]["highlight"].values() for f in frags)
    assert "<em>Sétif</em>" in fragments
    assert "<em>mariés</em>" in fragments


def test_fuzzy_query_uses_the_same_normalisation(es, index):
    answer = es.search(index=index, query={"match": {"text": {"query": "Setiff", "fuzziness": "AUTO"}}})
    assert [h["_id"] for h in answer["hits"]["hits"]] == ["fr"]


def test_unauthenticated_requests_are_refused(settings, es):
    assert http_get(f"{settings.es_url}/_cluster/health").status == 401
    assert http_get(f"{settings.es_url}/_cluster/health", user="elastic", password="wrong").status == 401
