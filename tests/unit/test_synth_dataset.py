import hashlib
import json

from pipeline.synth.dataset import make_register_pages


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_register_pages_are_an_eval_dataset_and_reproducible(tmp_path):
    first = make_register_pages(tmp_path / "a", pages=1, layout="L2", lang="ar", seed=11, degraded=True)
    again = make_register_pages(tmp_path / "b", pages=1, layout="L2", lang="ar", seed=11, degraded=True)
    page = first[0]
    assert page.image.name == "page-0001.png" and page.truth.name == "page-0001.gt.txt"
    assert _digest(page.image) == _digest(again[0].image)
    assert page.truth.read_text(encoding="utf-8") == again[0].truth.read_text(encoding="utf-8")
    text = page.truth.read_text(encoding="utf-8")
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)  # Arabic, in logical order
    acts = json.loads(page.fields.read_text(encoding="utf-8"))
    assert acts  # every act of the page, with its fields


def test_l1_pages_are_bilingual(tmp_path):
    page = make_register_pages(tmp_path, pages=1, layout="L1", lang="fr", seed=5, degraded=False)[0]
    assert page.lang == "fr+ar"
