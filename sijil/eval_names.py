"""`sijil eval names PAIRS.tsv`: cross-script name search measured on the real act index.

The names of PAIRS.tsv become synthetic act records in two scratch indices — one holding
the Arabic forms, one the Latin spellings — built with sijil's own mapping, name keys and
query (search/acts.py); every other-script form is then queried. The metrics (recall@1,
recall@10, latency) are computed by search/name_eval.py, the same code that evaluates the
in-memory reference search."""

from __future__ import annotations

import uuid
from pathlib import Path

from elasticsearch import Elasticsearch

from search.acts import act_document, acts_index_name, index_acts, search_acts
from search.client import translated
from search.name_eval import eval_corpus, evaluate_names, read_name_pairs


def _record(record_id: str, text: str, number: int) -> dict:
    script = "ar" if any("\u0600" <= ch <= "\u06ff" for ch in text) else "lat"
    return {
        # The eval ids are not act ids; the act number keeps documents distinct.
        "act_id": record_id, "kind": "birth", "number": number, "suffix": None,
        "register": {"commune_code": "9999", "commune": {}, "year": 2000, "series": 1, "lang": "fr+ar"},
        "fields": {"surname": {script: text}}, "review": {"status": "auto", "reasons": []}, "revision": 1,
    }


def evaluate_names_on_elasticsearch(es: Elasticsearch, *, pairs_tsv: Path, k: int = 10) -> dict:
    corpus = eval_corpus(read_name_pairs(pairs_tsv))
    prefixes = {"ar->lat": f"sijil-evalar{uuid.uuid4().hex[:6]}", "lat->ar": f"sijil-evallat{uuid.uuid4().hex[:6]}"}
    try:
        for direction, records in (("ar->lat", corpus.arabic_records), ("lat->ar", corpus.latin_records)):
            index_acts(es, index_prefix=prefixes[direction],
                       records=[_record(r.id, r.text, n + 1) for n, r in enumerate(records)])

        def search(query: str, direction: str, depth: int) -> list[str]:
            _, hits = search_acts(es, index_prefix=prefixes[direction], name=query, size=depth)
            return [h.act_id for h in hits]

        report = evaluate_names(pairs_tsv=pairs_tsv, search=search, k=k)
        report["search"] = "elasticsearch (sijil act index: name keys + fuzzy, re-ranked by name similarity)"
        return report
    finally:
        with translated("Removing the evaluation indices"):
            for prefix in prefixes.values():
                es.options(ignore_status=404).indices.delete(index=acts_index_name(prefix))
