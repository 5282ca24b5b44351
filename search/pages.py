"""The page index: one Elasticsearch document per scanned page, for full-text search.

`_id` is the page id, so indexing the same page twice replaces, never duplicates. Each
document carries a `content_sha256` of its own body: re-indexing an unchanged page is
skipped altogether, so a re-run says "unchanged" instead of bumping versions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from elasticsearch import Elasticsearch

from search.analysis import TEXT_QUERY_FIELDS, analysis_settings, multilingual_text_field
from search.client import translated

KEYWORD = {"type": "keyword"}


def pages_index_name(index_prefix: str) -> str:
    return f"{index_prefix}-pages"


PAGES_MAPPING = {
    "dynamic": "strict",
    "properties": {
        "page_id": KEYWORD,
        "batch_id": KEYWORD,
        "register": {
            "properties": {
                "commune_code": KEYWORD,
                "commune_fr": {"type": "text", "analyzer": "sijil_fr", "fields": {"raw": KEYWORD}},
                "commune_ar": {"type": "text", "analyzer": "sijil_ar", "fields": {"raw": KEYWORD}},
                "kind": KEYWORD,
                "year": {"type": "integer"},
                "series": {"type": "integer"},
                "volume": {"type": "integer"},
                "lang": KEYWORD,
            }
        },
        "source": {
            "properties": {
                "file": KEYWORD,
                "page_index": {"type": "integer"},
                "half": KEYWORD,
                "master_key": KEYWORD,
                "master_version": KEYWORD,
                "master_sha256": KEYWORD,
            }
        },
        "text": multilingual_text_field(),
        "ocr": {
            "properties": {
                "engine": KEYWORD,
                "langs": KEYWORD,
                "direction": KEYWORD,
                "mean_conf": {"type": "float"},
                "words": {"type": "integer"},
            }
        },
        "derived": {"properties": {"prefix": KEYWORD, "pdfa_key": KEYWORD}},
        "content_sha256": KEYWORD,
    },
}


def ensure_pages_index(es: Elasticsearch, *, index_prefix: str) -> str:
    name = pages_index_name(index_prefix)
    with translated(f"Preparing index {name}"):
        if not es.indices.exists(index=name):
            es.indices.create(
                index=name,
                settings={"number_of_shards": 1, "number_of_replicas": 0, **analysis_settings()},
                mappings=PAGES_MAPPING,
            )
        else:
            # Fields added by a newer sijil join an existing index (new fields only; a
            # changed field needs `sijil reindex`).
            es.indices.put_mapping(index=name, properties=PAGES_MAPPING["properties"])
    return name


def content_digest(document: dict) -> str:
    body = {k: v for k, v in document.items() if k != "content_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class IndexOutcome:
    created: int
    updated: int
    unchanged: int


def index_pages(es: Elasticsearch, *, index_prefix: str, documents: list[dict]) -> IndexOutcome:
    """Index page documents by page_id; unchanged ones are not written at all."""
    name = ensure_pages_index(es, index_prefix=index_prefix)
    if not documents:
        return IndexOutcome(0, 0, 0)
    docs = [{**d, "content_sha256": content_digest(d)} for d in documents]
    with translated("Reading existing page documents"):
        existing = es.mget(index=name, ids=[d["page_id"] for d in docs], source=["content_sha256"])["docs"]
    known = {e["_id"]: e["_source"]["content_sha256"] for e in existing if e.get("found")}
    operations: list[dict] = []
    created = updated = unchanged = 0
    for doc in docs:
        if known.get(doc["page_id"]) == doc["content_sha256"]:
            unchanged += 1
            continue
        if doc["page_id"] in known:
            updated += 1
        else:
            created += 1
        operations += [{"index": {"_index": name, "_id": doc["page_id"]}}, doc]
    if operations:
        with translated("Indexing pages"):
            answer = es.bulk(operations=operations, refresh="wait_for")
        if answer.get("errors"):
            failed = [item["index"]["error"] for item in answer["items"] if "error" in item["index"]]
            from pipeline.errors import SearchError

            raise SearchError(f"{len(failed)} page document(s) refused by Elasticsearch: {failed[0]}")
    return IndexOutcome(created, updated, unchanged)


@dataclass(frozen=True)
class PageHit:
    page_id: str
    score: float
    batch_id: str
    file: str
    page_index: int
    register: dict
    snippets: list[str]


def pages_query(text: str) -> dict:
    """Every word of `text` must be on the page (an operator looking for "BENALI Ahmed"
    wants pages with both, not every page with either). Each word may match in any of the
    three readings of the text (as written, Arabic, French), so a query mixing scripts
    still finds a page that has its Arabic word and its French word."""
    words = text.split()
    return {"bool": {"must": [
        {"multi_match": {"query": word, "fields": list(TEXT_QUERY_FIELDS), "type": "most_fields",
                         # A word the analyser cuts in two ("Alger-Centre") needs both parts.
                         "operator": "and"}}
        for word in words
    ]}}


def _plain(fragment: str) -> str:
    return " ".join(fragment.replace("<em>", "").replace("</em>", "").split())


def search_pages(es: Elasticsearch, *, index_prefix: str, text: str, size: int = 10) -> tuple[int, list[PageHit]]:
    """Full-text search over page text in both languages; snippets show the text as read,
    one per place on the page (the same place highlighted in two readings counts once)."""
    name = pages_index_name(index_prefix)
    query = pages_query(text)
    with translated("Searching pages"):
        if not es.indices.exists(index=name):
            return 0, []
        answer = es.search(
            index=name, query=query, size=size,
            source=["page_id", "batch_id", "source", "register"],
            highlight={"fields": {f: {"fragment_size": 120, "number_of_fragments": 2} for f in TEXT_QUERY_FIELDS}},
        )
    hits = []
    for hit in answer["hits"]["hits"]:
        src = hit["_source"]
        snippets: list[str] = []
        seen: set[str] = set()
        for fragments in hit.get("highlight", {}).values():
            for fragment in fragments:
                if _plain(fragment) not in seen:
                    seen.add(_plain(fragment))
                    snippets.append(fragment)
        hits.append(PageHit(src["page_id"], hit["_score"], src["batch_id"], src["source"]["file"],
                            src["source"]["page_index"], src["register"], snippets[:3]))
    return answer["hits"]["total"]["value"], hits
