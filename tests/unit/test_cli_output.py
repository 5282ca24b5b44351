"""What `sijil` prints for an operator: snippets of page search."""

from __future__ import annotations

from sijil.cli import _snippet_line


def test_each_snippet_is_its_own_bulleted_fragment_with_cut_ends_marked():
    line = _snippet_line("de sexe masculin, <em>BENALI</em>\n Smail, fils [de] Djamal", "«", "»")
    assert line == "    • … de sexe masculin, «BENALI» Smail, fils \\[de] Djamal …"
