"""What `sijil` prints for an operator: snippets of page search."""

from __future__ import annotations

from sijil.cli import _snippet_line


def test_each_snippet_is_its_own_bulleted_fragment_with_cut_ends_marked():
    line = _snippet_line("de sexe masculin, <em>BENALI</em>\n Smail, fils [de] Djamal", "«", "»")
    assert line == "    • … de sexe masculin, «BENALI» Smail, fils \\[de] Djamal …"


def test_errors_reaching_main_are_labelled_in_french_and_english(monkeypatch, capsys):
    import pytest

    from pipeline.errors import ServiceUnavailable, SijilError
    from sijil import cli

    def failing(error):
        def run():
            raise error
        return run

    monkeypatch.setattr(cli, "app", failing(SijilError("No act 452 [x]", hint="Check the act id")))
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    err = capsys.readouterr().err
    assert stopped.value.code == cli.EXIT_FAILED
    assert "Erreur / error:" in err and "No act 452 [x]" in err  # markup-like text kept as written
    monkeypatch.setattr(cli, "app", failing(ServiceUnavailable("MinIO cannot be reached")))
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == cli.EXIT_UNAVAILABLE
    assert "Service indisponible / service unavailable:" in capsys.readouterr().err
