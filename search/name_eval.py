"""Cross-script name search measured on a file of known names (`sijil eval names PAIRS.tsv`).

PAIRS.tsv (UTF-8, tab-separated) has the header `kind<TAB>arabic<TAB>latin`; `kind` is
given_m, given_f or surname; `arabic` is the authoritative Arabic form; `latin` holds the
usual Latin spellings separated by `|`. Blank lines and lines starting with `#` are skipped.

The evaluation indexes one record per name form and queries every form of the other script:

- `ar->lat`: the records carry the Arabic forms (one per row, plus distractors); each
  Latin spelling is a query and must find the record of its row's Arabic form.
- `lat->ar`: the records carry the Latin spellings (one per spelling, plus distractors);
  each Arabic form is a query and must find a record of one of its row's spellings.

A hit is relevant when its record has the query's Arabic form (rows that share an Arabic
form, e.g. بلقاسم as a given name and a surname, share their records). Distractors are the
names of `pipeline.synth.names` not in the file, so recall@1 is measured among many names.

`search(query, direction, k)` returns ranked record ids. Without one, `memory_search` ranks
with `search.names` alone (exact > skeleton > loose > fuzzy keys, then name_similarity), so
metrics need no Elasticsearch. An Elasticsearch-backed search indexes the records of
`eval_corpus(read_name_pairs(path))` under their ids, then is passed here.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

from pipeline.errors import SijilError
from search.names import (
    FUZZY_MIN_LENGTH,
    NameKeys,
    NameMatch,
    best_match,
    name_keys,
    name_similarity,
)

NameKind = Literal["given_m", "given_f", "surname"]
NAME_KINDS: tuple[str, ...] = ("given_m", "given_f", "surname")
HEADER = ("kind", "arabic", "latin")
Direction = Literal["ar->lat", "lat->ar"]
DIRECTIONS: tuple[Direction, ...] = ("ar->lat", "lat->ar")
SearchFn = Callable[[str, str, int], list[str]]
DEPTH = 10  # recall@10; the search is asked for this many hits
MAX_MISSES_REPORTED = 30
MAX_PROBLEMS_REPORTED = 50


class NamePairsError(SijilError):
    """PAIRS.tsv is missing or invalid; carries every problem found (file:line: what)."""

    def __init__(self, problems: list[str], *, source: str):
        self.problems = tuple(problems)
        shown = problems[:MAX_PROBLEMS_REPORTED]
        more = len(problems) - len(shown)
        lines = [f"{source}: {len(problems)} problem(s)", *(f"  - {p}" for p in shown)]
        if more:
            lines.append(f"  … and {more} more")
        super().__init__("\n".join(lines), hint="Expected a header `kind<TAB>arabic<TAB>latin`, then one name per line: "
                                               "given_m|given_f|surname, the Arabic form, Latin spellings separated by |")


@dataclass(frozen=True)
class NamePair:
    """One row of PAIRS.tsv."""

    line: int
    kind: NameKind
    arabic: str
    latin: tuple[str, ...]


@dataclass(frozen=True)
class EvalRecord:
    """One indexed record: a single name form, and the Arabic form it stands for."""

    id: str
    text: str
    group: str  # normalised Arabic form: records of one group are relevant to each other
    kind: str
    distractor: bool


@dataclass(frozen=True)
class EvalQuery:
    text: str
    group: str
    kind: str
    line: int


@dataclass(frozen=True)
class EvalCorpus:
    arabic_records: tuple[EvalRecord, ...]
    latin_records: tuple[EvalRecord, ...]

    def records(self, direction: Direction) -> tuple[EvalRecord, ...]:
        return self.arabic_records if direction == "ar->lat" else self.latin_records


# --- reading PAIRS.tsv -----------------------------------------------------------------------


def _has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" and ch.isalpha() for ch in text)


def _has_latin(text: str) -> bool:
    return any(ch.isalpha() and (ch.isascii() or "\u00c0" <= ch <= "\u024f") for ch in text)


def read_name_pairs(path: Path) -> tuple[NamePair, ...]:
    """Read and validate PAIRS.tsv. Raises NamePairsError listing every problem by line."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise NamePairsError([f"cannot read the file: {exc.strerror or exc}"], source=source) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise NamePairsError([f"line {line}: not UTF-8 (byte {exc.start})"], source=source) from exc

    problems: list[str] = []
    pairs: list[NamePair] = []
    header_seen = False
    first_line_of: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [f.strip() for f in line.rstrip("\r\n").split("\t")]
        if not header_seen:
            header_seen = True
            if tuple(f.lower() for f in fields) != HEADER:
                problems.append(f"line {number}: the header must be kind<TAB>arabic<TAB>latin, found {line.strip()!r}")
                if len(fields) == 3 and fields[0] in NAME_KINDS:
                    pass  # a data line where the header should be: read it too
                else:
                    continue
            else:
                continue
        where = f"line {number}"
        if len(fields) != 3:
            problems.append(f"{where}: expected 3 tab-separated columns (kind, arabic, latin), found {len(fields)}")
            continue
        kind, arabic, latin_field = fields
        row_ok = True
        if kind not in NAME_KINDS:
            problems.append(f"{where}: kind {kind!r} is not one of {', '.join(NAME_KINDS)}")
            row_ok = False
        if not arabic:
            problems.append(f"{where}: the arabic column is empty")
            row_ok = False
        elif not _has_arabic(arabic) or _has_latin(arabic):
            problems.append(f"{where}: the arabic column must be in Arabic script only, found {arabic!r}")
            row_ok = False
        spellings = [s.strip() for s in latin_field.split("|")]
        if not latin_field:
            problems.append(f"{where}: the latin column is empty")
            row_ok = False
        else:
            for position, spelling in enumerate(spellings, start=1):
                if not spelling:
                    problems.append(f"{where}: Latin spelling {position} is empty (stray or doubled |)")
                    row_ok = False
                elif _has_arabic(spelling) or not _has_latin(spelling):
                    problems.append(f"{where}: Latin spelling {spelling!r} must be in Latin script")
                    row_ok = False
            # Ben Ali, BEN-ALI and Benali are distinct spellings; the same string twice is a slip.
            seen: set[str] = set()
            for spelling in spellings:
                folded = unicodedata.normalize("NFC", spelling).casefold()
                if spelling and folded in seen:
                    problems.append(f"{where}: Latin spelling {spelling!r} is listed twice")
                    row_ok = False
                seen.add(folded)
        if not row_ok:
            continue
        group = _group(arabic)
        earlier = first_line_of.get((kind, group))
        if earlier is not None:
            problems.append(f"{where}: {arabic!r} ({kind}) repeats line {earlier}")
            continue
        first_line_of[(kind, group)] = number
        pairs.append(NamePair(line=number, kind=kind, arabic=arabic, latin=tuple(spellings)))
    if not header_seen:
        problems.append("the file is empty: expected a header kind<TAB>arabic<TAB>latin and name rows")
    elif not pairs and not problems:
        problems.append("no name rows after the header")
    if problems:
        raise NamePairsError(problems, source=source)
    return tuple(pairs)


def _group(arabic: str) -> str:
    return name_keys(arabic).values("exact", scope="full")[0]


# --- the corpus ------------------------------------------------------------------------------------


def eval_corpus(pairs: tuple[NamePair, ...], *, distractors: bool = True) -> EvalCorpus:
    """The records both directions index, with stable ids: `ar-L<line>`, `lat-L<line>-<n>`
    for the file's rows, `ar-x<n>`, `lat-x<n>-<m>` for distractors."""
    arabic: list[EvalRecord] = []
    latin: list[EvalRecord] = []
    groups = set()
    for pair in pairs:
        group = _group(pair.arabic)
        groups.add(group)
        arabic.append(EvalRecord(id=f"ar-L{pair.line}", text=pair.arabic, group=group, kind=pair.kind, distractor=False))
        latin.extend(
            EvalRecord(id=f"lat-L{pair.line}-{n}", text=spelling, group=group, kind=pair.kind, distractor=False)
            for n, spelling in enumerate(pair.latin, start=1)
        )
    if distractors:
        # A synth name whose Latin spellings are in the file is the same name with another
        # Arabic spelling (أولد علي / ولد علي), not a distractor.
        listed = {unicodedata.normalize("NFC", s).casefold() for pair in pairs for s in pair.latin}
        for n, (kind, form) in enumerate(_distractor_names(), start=1):
            group = _group(form.ar)
            if group in groups or any(unicodedata.normalize("NFC", s).casefold() in listed for s in form.latin):
                continue
            groups.add(group)
            arabic.append(EvalRecord(id=f"ar-x{n}", text=form.ar, group=group, kind=kind, distractor=True))
            latin.extend(
                EvalRecord(id=f"lat-x{n}-{m}", text=spelling, group=group, kind=kind, distractor=True)
                for m, spelling in enumerate(form.latin, start=1)
            )
    return EvalCorpus(arabic_records=tuple(arabic), latin_records=tuple(latin))


def _distractor_names():
    from pipeline.synth import names as synth

    for kind, forms in (("given_m", synth.GIVEN_MALE), ("given_f", synth.GIVEN_FEMALE), ("surname", synth.SURNAMES)):
        for form in forms:
            yield kind, form


def eval_queries(pairs: tuple[NamePair, ...], direction: Direction) -> tuple[EvalQuery, ...]:
    if direction == "ar->lat":
        return tuple(EvalQuery(text=s, group=_group(p.arabic), kind=p.kind, line=p.line) for p in pairs for s in p.latin)
    return tuple(EvalQuery(text=p.arabic, group=_group(p.arabic), kind=p.kind, line=p.line) for p in pairs)


# --- the in-memory reference search ---------------------------------------------------------


@dataclass(frozen=True)
class MemoryIndex:
    """Records and their keys, with postings per (kind, value) and, for the fuzzy tier, the
    one-deletion neighbourhood of every skeleton (a SymSpell-style lookup)."""

    ids: tuple[str, ...]
    texts: tuple[str, ...]
    keys: tuple[NameKeys, ...]
    postings: dict[tuple[str, str], tuple[int, ...]]
    deletions: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class MemoryHit:
    id: str
    text: str
    match: NameMatch
    similarity: float


def _deletion_neighbourhood(value: str) -> set[str]:
    return {value} | {value[:j] + value[j + 1:] for j in range(len(value))}


def build_memory_index(records: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> MemoryIndex:
    """Index (id, name) pairs with name_keys."""
    postings: dict[tuple[str, str], list[int]] = {}
    deletions: dict[str, list[int]] = {}
    ids, texts, all_keys = [], [], []
    for position, (record_id, text) in enumerate(records):
        keys = name_keys(text)
        ids.append(record_id)
        texts.append(text)
        all_keys.append(keys)
        for key in keys.keys:
            postings.setdefault((key.kind, key.value), []).append(position)
            if key.kind == "skeleton" and len(key.value) >= FUZZY_MIN_LENGTH:
                for variant in _deletion_neighbourhood(key.value):
                    deletions.setdefault(variant, []).append(position)
    return MemoryIndex(
        ids=tuple(ids), texts=tuple(texts), keys=tuple(all_keys),
        postings={k: tuple(dict.fromkeys(v)) for k, v in postings.items()},
        deletions={k: tuple(dict.fromkeys(v)) for k, v in deletions.items()},
    )


def search_memory(index: MemoryIndex, query: str, *, k: int = DEPTH) -> list[MemoryHit]:
    """Records sharing a key with the query, best first: by NameMatch.rank (exact > skeleton
    > loose > fuzzy, whole-name keys above one-word keys), then name_similarity, then id."""
    query_keys = name_keys(query)
    candidates: set[int] = set()
    for key in query_keys.keys:
        candidates.update(index.postings.get((key.kind, key.value), ()))
        if key.kind == "skeleton" and len(key.value) >= FUZZY_MIN_LENGTH:
            for variant in _deletion_neighbourhood(key.value):
                candidates.update(index.deletions.get(variant, ()))
    hits = []
    for position in candidates:
        match = best_match(query_keys, index.keys[position])
        if match is None:
            continue  # a deletion-neighbour that is two edits away
        hits.append(MemoryHit(id=index.ids[position], text=index.texts[position], match=match,
                              similarity=name_similarity(query, index.texts[position])))
    hits.sort(key=lambda h: (-h.match.rank, -h.similarity, h.id))
    return hits[:k]


def memory_search(corpus: EvalCorpus) -> SearchFn:
    """A `search(query, direction, k)` over the corpus, in memory, with search.names only."""
    indexes = {
        direction: build_memory_index([(r.id, r.text) for r in corpus.records(direction)])
        for direction in DIRECTIONS
    }

    def search(query: str, direction: str, k: int) -> list[str]:
        return [hit.id for hit in search_memory(indexes[direction], query, k=k)]  # type: ignore[index]

    return search


# --- the evaluation -------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(share * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def _rate(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def evaluate_direction(*, pairs: tuple[NamePair, ...], corpus: EvalCorpus, search: SearchFn,
                       direction: Direction, k: int = DEPTH) -> dict:
    records = {r.id: r for r in corpus.records(direction)}
    group_sizes = Counter(r.group for r in records.values())
    queries = eval_queries(pairs, direction)
    at1 = at_k = 0
    reciprocal = 0.0
    spelling_found = spelling_total = 0
    per_kind: dict[str, Counter] = {kind: Counter() for kind in NAME_KINDS}
    matched_by: Counter = Counter()
    latencies: list[float] = []
    misses: list[dict] = []
    for query in queries:
        started = time.perf_counter()
        ranked = list(search(query.text, direction, k))[:k]
        latencies.append((time.perf_counter() - started) * 1000.0)
        relevant_ranks = [rank for rank, rid in enumerate(ranked, start=1)
                          if rid in records and records[rid].group == query.group]
        first = relevant_ranks[0] if relevant_ranks else None
        tally = per_kind[query.kind]
        tally["queries"] += 1
        if first == 1:
            at1 += 1
            tally["at1"] += 1
        if first is not None:
            at_k += 1
            tally["atk"] += 1
            reciprocal += 1.0 / first
            match = best_match(name_keys(query.text), name_keys(records[ranked[first - 1]].text))
            matched_by[match.kind if match else "none"] += 1
        else:
            matched_by["missed"] += 1
        spelling_total += group_sizes[query.group]
        spelling_found += len(relevant_ranks)
        if first != 1 and len(misses) < MAX_MISSES_REPORTED:
            expected = [r.text for r in records.values() if r.group == query.group]
            misses.append({
                "line": query.line, "query": query.text, "expected": expected[:5],
                "rank": first, "top": [records[rid].text if rid in records else rid for rid in ranked[:3]],
            })
    total = len(queries)
    return {
        "direction": direction,
        "records": len(records),
        "queries": total,
        "recall@1": _rate(at1, total),
        f"recall@{k}": _rate(at_k, total),
        f"mrr@{k}": round(reciprocal / total, 4) if total else 0.0,
        f"spelling_recall@{k}": _rate(spelling_found, spelling_total),
        "by_kind": {
            kind: {"queries": t["queries"], "recall@1": _rate(t["at1"], t["queries"]),
                   f"recall@{k}": _rate(t["atk"], t["queries"])}
            for kind, t in per_kind.items() if t["queries"]
        },
        "first_relevant_matched_by": dict(matched_by),
        "latency_ms": {"p50": round(statistics.median(latencies), 3) if latencies else 0.0,
                       "p95": round(_percentile(latencies, 0.95), 3)},
        "misses": misses,
    }


def skeleton_collisions(pairs: tuple[NamePair, ...]) -> dict:
    """How often different names of the file share a whole-name skeleton key. A name's keys
    are those of its Arabic form and all its Latin spellings; a collision is two distinct
    Arabic forms sharing one. Shared keys are not errors (ranking separates them) but too
    many make recall@1 a coin toss."""
    keys_of: dict[str, set[str]] = {}
    for pair in pairs:
        keys = keys_of.setdefault(_group(pair.arabic), set())
        for text in (pair.arabic, *pair.latin):
            keys.update(name_keys(text).values("skeleton", scope="full"))
    owners: dict[str, set[str]] = {}
    for group, keys in keys_of.items():
        for key in keys:
            owners.setdefault(key, set()).add(group)
    colliding: set[str] = set()
    collided_pairs: set[tuple[str, str]] = set()
    for key, groups in owners.items():
        if len(groups) > 1:
            colliding.update(groups)
            ordered = sorted(groups)
            collided_pairs.update((a, b) for j, a in enumerate(ordered) for b in ordered[j + 1:])
    names = len(keys_of)
    total_pairs = names * (names - 1) // 2
    return {
        "names": names,
        "names_sharing_a_skeleton": len(colliding),
        "rate": _rate(len(colliding), names),
        "pairs_sharing_a_skeleton": len(collided_pairs),
        "pair_rate": round(len(collided_pairs) / total_pairs, 5) if total_pairs else 0.0,
        "examples": [" / ".join(p) for p in sorted(collided_pairs)[:20]],
    }


def evaluate_names(*, pairs_tsv: Path, search: SearchFn | None = None, k: int = DEPTH,
                   distractors: bool = True) -> dict:
    """recall@1, recall@k and latency of cross-script name search on PAIRS.tsv, both ways.
    `search` defaults to the in-memory reference (search.names keys only)."""
    pairs = read_name_pairs(Path(pairs_tsv))
    corpus = eval_corpus(pairs, distractors=distractors)
    started = time.perf_counter()
    engine = "custom" if search is not None else "memory (search.names keys + name_similarity)"
    search = search or memory_search(corpus)
    results = {direction: evaluate_direction(pairs=pairs, corpus=corpus, search=search, direction=direction, k=k)
               for direction in DIRECTIONS}
    return {
        "pairs_tsv": str(pairs_tsv),
        "search": engine,
        "rows": len(pairs),
        "rows_by_kind": dict(Counter(p.kind for p in pairs)),
        "records": {"arabic": len(corpus.arabic_records), "latin": len(corpus.latin_records),
                    "distractor_names": sum(1 for r in corpus.arabic_records if r.distractor)},
        "directions": results,
        "skeleton_collisions": skeleton_collisions(pairs),
        "seconds": round(time.perf_counter() - started, 3),
    }


def summary_lines(report: dict) -> list[str]:
    lines = [f"{report['rows']} names ({report['records']['arabic']} Arabic, {report['records']['latin']} Latin records"
             f" with {report['records']['distractor_names']} distractor names), search: {report['search']}"]
    for direction, r in report["directions"].items():
        recall_k = next(v for key, v in r.items() if key.startswith("recall@") and key != "recall@1")
        lines.append(f"{direction}: {r['queries']} queries, recall@1 {r['recall@1']:.3f}, recall@{DEPTH} {recall_k:.3f},"
                     f" p50 {r['latency_ms']['p50']:.2f} ms, p95 {r['latency_ms']['p95']:.2f} ms")
    c = report["skeleton_collisions"]
    lines.append(f"skeleton collisions: {c['names_sharing_a_skeleton']}/{c['names']} names ({c['rate']:.1%}),"
                 f" {c['pairs_sharing_a_skeleton']} pairs ({c['pair_rate']:.3%} of all pairs)")
    return lines


def main(argv: list[str] | None = None) -> int:
    """`python -m search.name_eval PAIRS.tsv [--json]` (in-memory search)."""
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    paths = [a for a in args if a != "--json"]
    if len(paths) != 1:
        print("usage: python -m search.name_eval PAIRS.tsv [--json]", file=sys.stderr)
        return 2
    try:
        report = evaluate_names(pairs_tsv=Path(paths[0]))
    except NamePairsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(report, ensure_ascii=False, indent=2) if as_json else "\n".join(summary_lines(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
