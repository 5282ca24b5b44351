"""The act index: one Elasticsearch document per act (`_id` = act_id), built from the
record in MinIO. The record is the truth; this index can be dropped and rebuilt from
MinIO at any time (flows/reindex.py) and gives the same hits.

Names are searched three ways at once, and each hit says which way matched:
- name keys (search/names.py, one Python function at index and query time): exact
  normalised forms and cross-script skeletons, as keyword terms with named queries;
- the names as text with sijil's Arabic and French analysis, fuzzy, for OCR slips;
- filters on commune, kind, year, act number and date ranges.
Documents are written with external versioning (version = record revision), so an
older revision can never overwrite a newer one in the index.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch, helpers

from search.analysis import analysis_settings
from search.client import translated
from search.names import name_keys, name_similarity

KEYWORD = {"type": "keyword"}
NAME_TEXT = {"type": "text", "analyzer": "sijil_folded",
             "fields": {"ar": {"type": "text", "analyzer": "sijil_ar"}, "fr": {"type": "text", "analyzer": "sijil_fr"}}}
# Person roles whose names are searchable; the subject's ranks first.
ROLES = ("subject", "father", "mother")
KEY_BOOST = {"exact": 8.0, "skeleton": 4.0, "loose": 1.5,
             "exact_full": 16.0, "skeleton_full": 8.0, "loose_full": 3.0}


def acts_index_name(index_prefix: str) -> str:
    return f"{index_prefix}-acts"


ACTS_MAPPING = {
    "dynamic": "strict",
    "properties": {
        "act_id": KEYWORD,
        "kind": KEYWORD,
        "number": {"type": "integer"},
        "suffix": KEYWORD,
        "register": {"properties": {
            "commune_code": KEYWORD, "commune_fr": {"type": "text", "analyzer": "sijil_fr"},
            "commune_ar": {"type": "text", "analyzer": "sijil_ar"}, "year": {"type": "integer"},
            "series": {"type": "integer"}, "lang": KEYWORD}},
        "names": {"properties": {role: NAME_TEXT for role in ROLES}},
        # "kind:key" strings per role, e.g. subject keys ["skeleton:mhmd", …].
        "keys": {"properties": {role: KEYWORD for role in ROLES}},
        "event_date": {"type": "date", "format": "strict_date||strict_year_month||strict_year"},
        "drawn_up": {"type": "date", "format": "strict_date||strict_year_month||strict_year"},
        "review": {"properties": {"status": KEYWORD, "reasons": KEYWORD, "min_conf": {"type": "float"}}},
        "revision": {"type": "long"},
        "pages": KEYWORD,
        # The whole record, returned with hits, not searched.
        "record": {"type": "object", "enabled": False},
    },
}


def ensure_acts_index(es: Elasticsearch, *, index_prefix: str) -> str:
    name = acts_index_name(index_prefix)
    with translated(f"Preparing index {name}"):
        if not es.indices.exists(index=name):
            es.indices.create(index=name, mappings=ACTS_MAPPING,
                              settings={"number_of_shards": 1, "number_of_replicas": 0, **analysis_settings()})
    return name


def _both(value: dict[str, Any] | None) -> list[str]:
    if not isinstance(value, dict):
        return []
    return [v for v in (value.get("lat"), value.get("ar")) if isinstance(v, str) and v.strip()]


def person_names(record: dict[str, Any]) -> dict[str, list[str]]:
    """Full names per role, in every script the record has: given + surname."""
    fields = record.get("fields", {})
    names: dict[str, list[str]] = {}
    subject = [" ".join(parts) for parts in zip(_both(fields.get("given")), _both(fields.get("surname")))]
    names["subject"] = subject or _both(fields.get("surname")) + _both(fields.get("given"))
    for role in ("father", "mother"):
        person = fields.get(role) or {}
        given, surname = _both(person.get("given")), _both(person.get("surname"))
        joined = [" ".join(p) for p in zip(given, surname)] if surname else given
        names[role] = joined or _both(person)
    return names


@functools.lru_cache(maxsize=200_000)
def key_strings(text: str) -> tuple[str, ...]:
    """"kind:value" per key; a key standing for the whole name (not one word) is marked
    "kind_full", so a whole-name match outranks one shared word. Cached: registers repeat
    the same names endlessly (a bulk load computes each distinct name once)."""
    return tuple(sorted({f"{k.kind}{'_full' if k.scope == 'full' else ''}:{k.value}" for k in name_keys(text).keys}))


def _date(field: dict[str, Any] | None) -> str | None:
    value = (field or {}).get("value")
    return value if isinstance(value, str) and value[:4].isdigit() else None


def act_document(record: dict[str, Any]) -> dict[str, Any]:
    register = record["register"]
    names = person_names(record)
    confidences = [v.get("conf") for v in record.get("fields", {}).values()
                   if isinstance(v, dict) and isinstance(v.get("conf"), (int, float))]
    return {
        "act_id": record["act_id"],
        "kind": record["kind"],
        "number": record["number"],
        "suffix": record.get("suffix"),
        "register": {"commune_code": register["commune_code"], "commune_fr": register.get("commune", {}).get("fr"),
                     "commune_ar": register.get("commune", {}).get("ar"), "year": register["year"],
                     "series": register["series"], "lang": register.get("lang")},
        "names": {role: " | ".join(values) for role, values in names.items()},
        "keys": {role: sorted({k for value in values for k in key_strings(value)}) for role, values in names.items()},
        "event_date": _date(record.get("fields", {}).get("event_date")),
        "drawn_up": _date(record.get("fields", {}).get("drawn_up")),
        "review": {"status": record.get("review", {}).get("status"), "reasons": record.get("review", {}).get("reasons", []),
                   "min_conf": min(confidences) if confidences else None},
        "revision": record.get("revision", 1),
        "pages": [p.get("page_id") for p in (record.get("source") or {}).get("pages", []) if p.get("page_id")],
        "record": record,
    }


def index_acts(es: Elasticsearch, *, index_prefix: str, records: list[dict[str, Any]], refresh: bool = True) -> int:
    """Bulk-index records; an older revision than the one indexed is skipped, not an error."""
    name = ensure_acts_index(es, index_prefix=index_prefix)
    actions = ({"_op_type": "index", "_index": name, "_id": r["act_id"], "version": r.get("revision", 1),
                "version_type": "external_gte", "_source": act_document(r)} for r in records)
    with translated("Indexing acts"):
        ok, errors = helpers.bulk(es, actions, raise_on_error=False, refresh="wait_for" if refresh else False,
                                  chunk_size=2000)
    real = [e for e in errors if e.get("index", {}).get("status") != 409]
    if real:
        from pipeline.errors import SearchError

        raise SearchError(f"{len(real)} act document(s) refused by Elasticsearch: {real[0]}")
    return ok


@dataclass(frozen=True)
class ActHit:
    act_id: str
    score: float
    matched: list[str]  # which keys or analyses matched, e.g. ["subject:skeleton:mhmd", "subject:fuzzy"]
    record: dict[str, Any]


@dataclass(frozen=True)
class ActFilters:
    year: int | None = None
    commune: str | None = None
    kind: str | None = None
    number: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    status: str | None = None


def _filter_clauses(filters: ActFilters) -> list[dict]:
    clauses: list[dict] = []
    if filters.year is not None:
        clauses.append({"term": {"register.year": filters.year}})
    if filters.commune:
        clauses.append({"term": {"register.commune_code": filters.commune}})
    if filters.kind:
        clauses.append({"term": {"kind": filters.kind}})
    if filters.number is not None:
        clauses.append({"term": {"number": filters.number}})
    if filters.status:
        clauses.append({"term": {"review.status": filters.status}})
    if filters.date_from or filters.date_to:
        clauses.append({"range": {"event_date": {k: v for k, v in (("gte", filters.date_from), ("lte", filters.date_to)) if v}}})
    return clauses


def name_query(name: str, *, roles: tuple[str, ...] = ("subject",)) -> list[dict]:
    """Should-clauses for a name: each key of each token and of the whole name, named so
    the hit can say which matched; plus fuzzy text on the analysed names."""
    should: list[dict] = []
    for role in roles:
        role_boost = 1.0 if role == "subject" else 0.5
        for key in key_strings(name):
            kind = key.split(":", 1)[0]
            should.append({"term": {f"keys.{role}": {"value": key, "boost": KEY_BOOST.get(kind, 1.0) * role_boost,
                                                       "_name": f"{role}:{key}"}}})
        # Fuzzy text catches OCR slips the keys do not (one wrong letter). On the folded
        # field only, with a bounded expansion: it is the costly clause of the query.
        should.append({"match": {f"names.{role}": {"query": name, "fuzziness": "AUTO", "prefix_length": 1,
                                                   "max_expansions": 20, "boost": 1.0 * role_boost,
                                                   "_name": f"{role}:fuzzy"}}})
    return should


# Candidates fetched from Elasticsearch for a name query, then re-ranked in Python.
RERANK_DEPTH = 50


@functools.lru_cache(maxsize=200_000)
def _similarity(query: str, name: str) -> float:
    return name_similarity(query, name)


def _rerank(name: str, hits: list[ActHit], size: int) -> list[ActHit]:
    """Keys find candidates but tie (محمد and محمود share keys); order them by how close the
    name reads to the query, then by the Elasticsearch score."""
    def closeness(hit: ActHit) -> float:
        names = person_names(hit.record).get("subject") or []
        return max((_similarity(name, n) for n in names), default=0.0)

    return sorted(hits, key=lambda h: (-round(closeness(h), 3), -h.score, h.act_id))[:size]


def search_acts(es: Elasticsearch, *, index_prefix: str, name: str | None, filters: ActFilters = ActFilters(),
                size: int = 10, roles: tuple[str, ...] = ("subject",)) -> tuple[int, list[ActHit]]:
    index = acts_index_name(index_prefix)
    query: dict[str, Any] = {"bool": {"filter": _filter_clauses(filters)}}
    if name and name.strip():
        query["bool"]["should"] = name_query(name, roles=roles)
        query["bool"]["minimum_should_match"] = 1
    with translated("Searching acts"):
        if not es.indices.exists(index=index):
            return 0, []
        # Ties (many "Mohamed …" score alike) are broken by act_id, so a ranking is stable.
        sort = (["_score", {"act_id": "asc"}] if name else [{"register.year": "asc"}, {"number": "asc"}, {"act_id": "asc"}])
        answer = es.search(index=index, query=query, size=max(size, RERANK_DEPTH) if name else size,
                           source=["record"], sort=sort, track_scores=True)
    hits = [ActHit(h["_id"], h.get("_score") or 0.0, sorted(h.get("matched_queries", [])), h["_source"]["record"])
            for h in answer["hits"]["hits"]]
    if name and name.strip():
        hits = _rerank(name, hits, size)
    return answer["hits"]["total"]["value"], hits


def review_queue(es: Elasticsearch, *, index_prefix: str, size: int = 50, filters: ActFilters = ActFilters()
                 ) -> tuple[int, list[ActHit]]:
    """Records waiting for a person, weakest field first."""
    index = acts_index_name(index_prefix)
    query = {"bool": {"filter": [{"term": {"review.status": "needs_review"}}, *_filter_clauses(filters)]}}
    with translated("Reading the review queue"):
        if not es.indices.exists(index=index):
            return 0, []
        answer = es.search(index=index, query=query, size=size, source=["record"],
                           sort=[{"review.min_conf": {"order": "asc", "missing": "_first"}}, {"act_id": "asc"}])
    return answer["hits"]["total"]["value"], [ActHit(h["_id"], 0.0, [], h["_source"]["record"]) for h in answer["hits"]["hits"]]
