"""The act index: one Elasticsearch document per act (`_id` = act_id), built from the
record in MinIO. The record is the truth; this index can be dropped and rebuilt from
MinIO at any time (flows/reindex.py) and gives the same hits.

Names are searched by the persons of the act (subject: the child, the deceased, both
spouses; father, mother, spouse), and each hit says which way matched:
- name keys (search/names.py, one Python function at index and query time): exact
  normalised forms and cross-script skeletons, as keyword terms with named queries;
- the names as folded text, fuzzy, for OCR slips — added when the keys find too few
  whole-name matches, or under a filter (search_acts);
- filters on commune, kind, year, act number and date ranges, in filter context.
Candidates are then re-ranked by name similarity.
Documents are written with external versioning (version = record revision), so an
older revision can never overwrite a newer one in the index.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers

from pipeline.records import weakest_field
from search.analysis import analysis_settings
from search.client import translated
from search.names import name_keys, name_similarity

KEYWORD = {"type": "keyword"}
# Name keys are only ever looked up as terms: no doc values (nothing sorts or aggregates
# on them), which makes bulk indexing and the index lighter.
KEY_TERMS = {"type": "keyword", "doc_values": False}
# Names as text for the fuzzy fallback: script-neutral folding only (the French and Arabic
# stemmers are for prose, and nothing queried stemmed names).
NAME_TEXT = {"type": "text", "analyzer": "sijil_folded"}
# Person roles whose names are searchable; the subject's ranks first. `subject` is the
# person the act is about: the child (birth), the deceased (death), both spouses
# (marriage); `spouse` is a deceased's husband or wife.
ROLES = ("subject", "father", "mother", "spouse")
KEY_BOOST = {"exact": 8.0, "skeleton": 4.0, "loose": 1.5,
             "exact_full": 16.0, "skeleton_full": 8.0, "loose_full": 3.0}


def acts_index_name(index_prefix: str) -> str:
    return f"{index_prefix}-acts"


ACTS_MAPPING = {
    "dynamic": "strict",
    # Names and keys are derived from the record (person_names, key_strings) and searched,
    # never read back: kept out of the stored _source, which then holds the record and the
    # filter fields only. The act index is rebuilt from MinIO (flows/reindex.py), never
    # from its own _source, so nothing needs them there.
    "_source": {"excludes": ["names", "keys"]},
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
        "keys": {"properties": {role: KEY_TERMS for role in ROLES}},
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
    """Create the act index, or give an existing one the name fields of roles added since
    it was made (its other settings stay as they were until `sijil reindex acts`)."""
    name = acts_index_name(index_prefix)
    with translated(f"Preparing index {name}"):
        try:
            mappings = es.indices.get_mapping(index=name)[name]["mappings"]
        except NotFoundError:
            es.indices.create(index=name, mappings=ACTS_MAPPING,
                              settings={"number_of_shards": 1, "number_of_replicas": 0, **analysis_settings()})
            return name
        known = mappings.get("properties", {}).get("keys", {}).get("properties", {})
        missing = [role for role in ROLES if role not in known]
        if missing:
            # The mapping is strict: without this, an act naming a spouse would be refused.
            es.indices.put_mapping(index=name, properties={
                "names": {"properties": {role: NAME_TEXT for role in missing}},
                "keys": {"properties": {role: KEY_TERMS for role in missing}}})
    return name


def _both(value: dict[str, Any] | None) -> list[str]:
    if not isinstance(value, dict):
        return []
    return [v for v in (value.get("lat"), value.get("ar")) if isinstance(v, str) and v.strip()]


def _in_script(value: Any, script: str) -> str | None:
    text = value.get(script) if isinstance(value, dict) else None
    return text if isinstance(text, str) and text.strip() else None


def _full_names(person: Any) -> list[str]:
    """A person's full names, one per script it is written in: given + surname, or the
    given name alone (a father is often named by it), or a bare {"lat", "ar"} name."""
    if not isinstance(person, dict):
        return []
    names = []
    for script in ("lat", "ar"):
        parts = [p for p in (_in_script(person.get("given"), script), _in_script(person.get("surname"), script)) if p]
        if parts:
            names.append(" ".join(parts))
    return names or _both(person)


# Who the act is about, per kind: the record's own given/surname (birth: the child; death:
# the deceased), and for a marriage both spouses. Read whatever the record has, so a kind
# added later with these fields is searchable as it is.
PRINCIPALS = ("husband", "wife")


def person_names(record: dict[str, Any]) -> dict[str, list[str]]:
    """Full names per role, in every script the record has (roles without a name left out)."""
    fields = record.get("fields", {})
    principals = [fields, *(fields.get(p) for p in PRINCIPALS if isinstance(fields.get(p), dict))]
    names = {"subject": [n for person in principals for n in _full_names(person)]}
    for role in ("father", "mother"):
        names[role] = [n for person in principals for n in _full_names(person.get(role))]
    names["spouse"] = _full_names(fields.get("spouse"))
    return {role: values for role, values in names.items() if values}


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
    # The review queue sorts on this: the weakest field at any depth that no person has
    # corrected or confirmed (an officer's surname read at 0.5 counts, not only top-level fields).
    weakest = weakest_field(record.get("fields", {}))
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
                   "min_conf": weakest[1] if weakest else None},
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


# While a whole index is being built: no refresh and a translog fsynced in the background
# rather than on every bulk request (a failed build is rebuilt from MinIO anyway).
BULK_LOAD_SETTINGS = {"refresh_interval": "-1", "translog.durability": "async"}


@contextmanager
def bulk_loading(es: Elasticsearch, *, index: str) -> Iterator[None]:
    """Index settings for a bulk load of `index`, back to the defaults afterwards, then one
    refresh so everything loaded is searchable."""
    with translated(f"Preparing {index} for a bulk load"):
        es.indices.put_settings(index=index, settings={"index": BULK_LOAD_SETTINGS})
    try:
        yield
    finally:
        with translated(f"Ending the bulk load of {index}"):
            es.indices.put_settings(index=index, settings={"index": {key: None for key in BULK_LOAD_SETTINGS}})
            es.indices.refresh(index=index)


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


@dataclass(frozen=True)
class NameQuery:
    """The clauses of a name search. `keys` are cheap term lookups; `fuzzy` are the costly
    edit-distance clauses, added only when the keys find too little (search_acts).
    `whole` names the key clauses that stand for the whole query, not one word of it."""

    keys: tuple[dict, ...]
    fuzzy: tuple[dict, ...]
    whole: frozenset[str]

    @property
    def whole_keys(self) -> tuple[dict, ...]:
        return tuple(c for c in self.keys if next(iter(c["term"].values()))["_name"] in self.whole)


def _key_clause(role: str, key: str, boost: float) -> dict:
    return {"term": {f"keys.{role}": {"value": key, "boost": boost, "_name": f"{role}:{key}"}}}


def name_query(name: str, *, roles: tuple[str, ...] = ("subject",)) -> NameQuery:
    """A term clause for each key of the name (named, so the hit can say which matched),
    and fuzzy text on the analysed names for OCR slips the keys do not absorb."""
    keys: list[dict] = []
    fuzzy: list[dict] = []
    whole: set[str] = set()
    strings = key_strings(name)
    # A one-word query (Fatima, بوشامة) is whole-name keys only, but records hold longer
    # names whose words have word keys: look its keys up as words too, ranked as such.
    one_word = all("_full:" in key for key in strings)
    for role in roles:
        role_boost = 1.0 if role == "subject" else 0.5
        for key in strings:
            kind, value = key.split(":", 1)
            keys.append(_key_clause(role, key, KEY_BOOST.get(kind, 1.0) * role_boost))
            if kind.endswith("_full"):
                whole.add(f"{role}:{key}")
                if one_word:
                    word_key = f"{kind.removesuffix('_full')}:{value}"
                    keys.append(_key_clause(role, word_key, KEY_BOOST.get(word_key.split(":")[0], 1.0) * role_boost))
                    whole.add(f"{role}:{word_key}")
        # On the folded field only, with a bounded expansion: the costly clause.
        fuzzy.append({"match": {f"names.{role}": {"query": name, "fuzziness": "AUTO", "prefix_length": 1,
                                                  "max_expansions": 20, "boost": 1.0 * role_boost,
                                                  "_name": f"{role}:fuzzy"}}})
    return NameQuery(keys=tuple(keys), fuzzy=tuple(fuzzy), whole=frozenset(whole))


# Candidates fetched from Elasticsearch for a name query, then re-ranked in Python.
RERANK_DEPTH = 50


@functools.lru_cache(maxsize=200_000)
def _similarity(query: str, name: str) -> float:
    return name_similarity(query, name)


def subject_names(record: dict[str, Any]) -> list[str]:
    return person_names(record).get("subject", [])


def _ranked(name: str, hits: list[ActHit]) -> list[tuple[float, ActHit]]:
    """Keys find candidates but tie (محمد and محمود share keys); order them by how close the
    name reads to the query (closeness, 1 = reads the same), then by the Elasticsearch score."""
    def closeness(hit: ActHit) -> float:
        return round(max((_similarity(name, n) for n in subject_names(hit.record)), default=0.0), 3)

    return sorted(((closeness(h), h) for h in hits), key=lambda ch: (-ch[0], -ch[1].score, ch[1].act_id))


def _rerank(name: str, hits: list[ActHit], size: int) -> list[ActHit]:
    return [hit for _, hit in _ranked(name, hits)[:size]]


def _search(es: Elasticsearch, *, index: str, action: str = "Searching acts", **request: Any) -> dict | None:
    """One search; None when the index does not exist yet (no acts indexed). No separate
    existence check: that would be one more round trip on every search."""
    with translated(action):
        try:
            return es.search(index=index, **request)
        except NotFoundError as exc:
            if exc.error == "index_not_found_exception":
                return None
            raise


def _hits(answer: dict) -> list[ActHit]:
    return [ActHit(h["_id"], h.get("_score") or 0.0, sorted(h.get("matched_queries", [])), h["_source"]["record"])
            for h in answer["hits"]["hits"]]


def search_acts(es: Elasticsearch, *, index_prefix: str, name: str | None, filters: ActFilters = ActFilters(),
                size: int = 10, roles: tuple[str, ...] = ("subject",)) -> tuple[int, list[ActHit]]:
    """Acts by name and/or filters. Filters are in filter context (cached, not scored).

    A name is looked for in steps, cheapest first, each run only when the one before found
    too little (see below); every step's candidates are re-ranked by name similarity. The
    total is the count of matches of the last step run: the acts bearing the whole name
    when those fill the page."""
    index = acts_index_name(index_prefix)
    filter_clauses = _filter_clauses(filters)
    if not (name and name.strip()):
        answer = _search(es, index=index, query={"bool": {"filter": filter_clauses}}, size=size, source=["record"],
                         sort=[{"register.year": "asc"}, {"number": "asc"}, {"act_id": "asc"}])
        return (answer["hits"]["total"]["value"], _hits(answer)) if answer else (0, [])

    plan = name_query(name, roles=roles)

    def run(should: tuple[dict, ...]) -> dict | None:
        # Ties (many "Mohamed …" score alike) are broken by act_id, so a ranking is stable
        # (and the same after a reindex).
        return _search(es, index=index, size=max(size, RERANK_DEPTH), source=["record"],
                       query={"bool": {"filter": filter_clauses, "should": list(should), "minimum_should_match": 1}},
                       sort=["_score", {"act_id": "asc"}], track_scores=True)

    if filter_clauses:
        # Under a filter (a year, a commune) a name has few whole matches, so the one-word
        # keys and the fuzzy clauses are nearly always needed, and they are cheap there:
        # all at once rather than more round trips.
        answer = run(plan.keys + plan.fuzzy)
        return (answer["hits"]["total"]["value"], _rerank(name, _hits(answer), size)) if answer else (0, [])

    # 1. The whole-name keys alone (a few hundred postings even for Mohamed Benali in a
    # million acts, where each word's keys have tens of thousands). When they fill the
    # page with names that read exactly as the query, a one-word or fuzzy match could at
    # best read as close: the page would hold the same names.
    answer = run(plan.whole_keys)
    if answer is None:
        return 0, []
    whole = _hits(answer)
    ranked = _ranked(name, whole)[:size]
    if len(ranked) == size and all(closeness == 1.0 for closeness, _ in ranked):
        return answer["hits"]["total"]["value"], [hit for _, hit in ranked]
    # 2. Every key, and the fuzzy clauses too unless a page of acts bear the whole name by
    # an exact or skeleton key (the strong ones rank first among the candidates fetched):
    # next to those, fuzzy matches (a letter off) would not read closer. A misspelt or
    # OCR-slipped name, a rare one, gets them.
    strong = sum(1 for h in whole if any(m in plan.whole and ":loose" not in m for m in h.matched))
    answer = run(plan.keys if strong >= size else plan.keys + plan.fuzzy)
    return (answer["hits"]["total"]["value"], _rerank(name, _hits(answer), size)) if answer else (0, [])


def review_queue(es: Elasticsearch, *, index_prefix: str, size: int = 50, filters: ActFilters = ActFilters()
                 ) -> tuple[int, list[ActHit]]:
    """Records waiting for a person, weakest field first."""
    query = {"bool": {"filter": [{"term": {"review.status": "needs_review"}}, *_filter_clauses(filters)]}}
    answer = _search(es, index=acts_index_name(index_prefix), action="Reading the review queue", query=query, size=size,
                     source=["record"],
                     sort=[{"review.min_conf": {"order": "asc", "missing": "_first"}}, {"act_id": "asc"}])
    if answer is None:
        return 0, []
    return answer["hits"]["total"]["value"], [ActHit(h["_id"], 0.0, [], h["_source"]["record"]) for h in answer["hits"]["hits"]]
