"""`sijil eval names`: the PAIRS.tsv reader, the metrics, and the in-memory reference search
measured on the development set (and, once, on a held-out set written after the rules
were frozen)."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.name_eval import (
    DIRECTIONS,
    NamePairsError,
    build_memory_index,
    eval_corpus,
    evaluate_names,
    read_name_pairs,
    search_memory,
)

DATA = Path(__file__).resolve().parents[1] / "data"
DEV = DATA / "names-dev.tsv"
HOLDOUT = DATA / "names-holdout.tsv"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pairs.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str) -> str:
    with pytest.raises(NamePairsError) as caught:
        read_name_pairs(_write(tmp_path, text))
    return str(caught.value)


def test_reads_rows_with_their_spellings(tmp_path):
    pairs = read_name_pairs(_write(tmp_path, "\ufeff# comment\nkind\tarabic\tlatin\n\n"
                                             "given_m\tمحمد\tMohamed| Mohammed \nsurname\tبن علي\tBENALI|BEN ALI\n"))
    assert [(p.line, p.kind, p.arabic, p.latin) for p in pairs] == [
        (4, "given_m", "محمد", ("Mohamed", "Mohammed")),
        (5, "surname", "بن علي", ("BENALI", "BEN ALI")),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name\tar\tlat\ngiven_m\tمحمد\tMohamed\n", "line 1: the header must be kind<TAB>arabic<TAB>latin"),
        ("kind\tarabic\tlatin\ngiven_m\tمحمد\n", "line 2: expected 3 tab-separated columns"),
        ("kind\tarabic\tlatin\ngiven_m محمد Mohamed\n", "line 2: expected 3 tab-separated columns"),
        ("kind\tarabic\tlatin\ngiven\tمحمد\tMohamed\n", "line 2: kind 'given' is not one of given_m, given_f, surname"),
        ("kind\tarabic\tlatin\ngiven_m\tMohamed\tMohamed\n", "line 2: the arabic column must be in Arabic script"),
        ("kind\tarabic\tlatin\ngiven_m\t\tMohamed\n", "line 2: the arabic column is empty"),
        ("kind\tarabic\tlatin\ngiven_m\tمحمد\tMohamed||Mohammed\n", "line 2: Latin spelling 2 is empty"),
        ("kind\tarabic\tlatin\ngiven_m\tمحمد\tMohamed|محمد\n", "line 2: Latin spelling 'محمد' must be in Latin"),
        ("kind\tarabic\tlatin\ngiven_m\tمحمد\t\n", "line 2: the latin column is empty"),
        ("kind\tarabic\tlatin\ngiven_m\tمحمد\tAli|ali\n", "line 2: Latin spelling 'ali' is listed twice"),
        ("kind\tarabic\tlatin\ngiven_m\tمحمد\tMohamed\ngiven_m\tمُحمّد\tMohammed\n", "line 3: 'مُحمّد' (given_m) repeats line 2"),
        ("", "the file is empty"),
        ("kind\tarabic\tlatin\n", "no name rows"),
    ],
)
def test_invalid_rows_are_reported_by_line(tmp_path, text, expected):
    assert expected in _problems(tmp_path, text)


def test_every_problem_is_reported_at_once(tmp_path):
    message = _problems(tmp_path, "kind\tarabic\tlatin\nfoo\tمحمد\tMohamed\ngiven_m\tمحمد\n")
    assert "line 2:" in message and "line 3:" in message and "2 problem(s)" in message


def test_a_missing_or_undecodable_file_is_a_clear_error(tmp_path):
    with pytest.raises(NamePairsError, match="cannot read"):
        read_name_pairs(tmp_path / "absent.tsv")
    bad = tmp_path / "latin1.tsv"
    bad.write_bytes("kind\tarabic\tlatin\ngiven_m\tمحمد\tSa\u00efd\n".encode("utf-8")[:-6] + b"\xefd\n")
    with pytest.raises(NamePairsError, match="line 2: not UTF-8"):
        read_name_pairs(bad)


def test_same_arabic_in_two_kinds_is_one_group(tmp_path):
    pairs = read_name_pairs(_write(tmp_path, "kind\tarabic\tlatin\ngiven_m\tبلقاسم\tBelkacem\n"
                                             "surname\tبلقاسم\tBELKACEM\n"))
    corpus = eval_corpus(pairs, distractors=False)
    assert len({r.group for r in corpus.arabic_records}) == 1


def test_corpus_has_stable_ids_and_distractors():
    pairs = read_name_pairs(DEV)
    corpus = eval_corpus(pairs)
    again = eval_corpus(read_name_pairs(DEV))
    assert corpus == again
    assert corpus.arabic_records[0].id == f"ar-L{pairs[0].line}"
    assert corpus.latin_records[0].id == f"lat-L{pairs[0].line}-1"


def test_distractors_come_from_the_synth_names(tmp_path):
    pairs = read_name_pairs(_write(tmp_path, "kind\tarabic\tlatin\ngiven_m\tمحمد\tMohamed\n"))
    corpus = eval_corpus(pairs)
    distractors = [r for r in corpus.arabic_records if r.distractor]
    assert len(distractors) > 50 and all(r.id.startswith("ar-x") for r in distractors)
    assert "محمد" not in {r.text for r in distractors}


def test_memory_search_ranks_the_same_name_first():
    index = build_memory_index([("a", "محمد"), ("b", "محمود"), ("c", "محمد بن علي"), ("d", "أحمد")])
    hits = search_memory(index, "Mohamed", k=10)
    assert [h.id for h in hits][:2] == ["a", "b"]
    assert hits[0].match.kind == "skeleton" and hits[0].match.full
    assert [h.id for h in hits][2:] == ["c", "d"]  # Mohamed in a longer name, then Ahmed (fuzzy)
    assert hits[3].match.kind == "fuzzy"
    assert [h.id for h in search_memory(index, "Mohamed Ben Ali", k=1)] == ["c"]


def test_metrics_follow_the_search_callable(tmp_path):
    path = _write(tmp_path, "kind\tarabic\tlatin\ngiven_m\tمحمد\tMohamed|Mohammed\ngiven_m\tعلي\tAli\n")
    corpus = eval_corpus(read_name_pairs(path), distractors=False)

    def oracle(query: str, direction: str, k: int) -> list[str]:
        records = corpus.records(direction)  # type: ignore[arg-type]
        target = {"Mohamed": "محمد", "Mohammed": "محمد", "Ali": "علي"}
        if direction == "ar->lat":
            return [r.id for r in records if r.text == target[query]][:k]
        wanted = {v: k_ for k_, v in target.items()}
        # second place for Mohamed's spellings: recall@1 misses, recall@10 finds it
        ranked = [r.id for r in records if r.text == "Ali"] + [r.id for r in records if r.text != "Ali"]
        return ranked[:k] if query == "محمد" else [r.id for r in records if r.text == wanted[query]]

    report = evaluate_names(pairs_tsv=path, search=oracle, distractors=False)
    ar, lat = report["directions"]["ar->lat"], report["directions"]["lat->ar"]
    assert (ar["queries"], ar["recall@1"], ar["recall@10"]) == (3, 1.0, 1.0)
    assert (lat["queries"], lat["recall@1"], lat["recall@10"]) == (2, 0.5, 1.0)
    assert lat["spelling_recall@10"] == 1.0
    assert report["search"] == "custom"
    nothing = evaluate_names(pairs_tsv=path, search=lambda q, d, k: [], distractors=False)
    assert nothing["directions"]["ar->lat"]["recall@10"] == 0.0
    assert nothing["directions"]["ar->lat"]["misses"][0]["rank"] is None


def _report(path: Path) -> dict:
    report = evaluate_names(pairs_tsv=path)
    for direction in DIRECTIONS:
        r = report["directions"][direction]
        print(f"{path.name} {direction}: recall@1 {r['recall@1']:.3f} recall@10 {r['recall@10']:.3f}"
              f" ({r['queries']} queries, {r['records']} records)")
    c = report["skeleton_collisions"]
    print(f"{path.name} skeleton collisions: {c['names_sharing_a_skeleton']}/{c['names']} names ({c['rate']:.1%})")
    return report


def test_dev_set_recall_in_memory():
    report = _report(DEV)
    assert report["rows"] >= 80
    for direction in DIRECTIONS:
        r = report["directions"][direction]
        assert r["recall@10"] >= 0.95, r["misses"]
        assert r["recall@1"] >= 0.95, r["misses"]  # measured 0.998 / 1.000 when the rules froze
        assert r["latency_ms"]["p95"] > 0
    # Different names sharing a whole-name skeleton (e.g. حسن/حسين, عمر/عمار): ranking
    # separates them, but the share must stay low (13.5% of names when the rules froze).
    assert report["skeleton_collisions"]["rate"] <= 0.2


def test_holdout_recall_in_memory():
    """Written after the rules were frozen; thresholds chosen before the first run."""
    report = _report(HOLDOUT)
    for direction in DIRECTIONS:
        assert report["directions"][direction]["recall@10"] >= 0.90, report["directions"][direction]["misses"]
