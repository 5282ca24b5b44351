"""`sijil search` checks its dates and commune before asking Elasticsearch: a wrong value
is a usage error (exit 2) with the expected form, never a service error or a silent 0."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sijil.cli import _iso_date, app


@pytest.mark.parametrize(("given", "expected"), [
    ("1987-03-14", "1987-03-14"),
    ("14/03/1987", "1987-03-14"),
    ("4/3/1987", "1987-03-04"),
    (" 29/02/1988 ", "1988-02-29"),
    (None, None),
])
def test_accepted_dates_become_iso(given, expected):
    assert _iso_date(given, "--from") == expected


@pytest.mark.parametrize("given", ["1987-3-14", "31/02/1987", "14.03.1987", "1987", "03/14/1987", "demain"])
def test_other_dates_are_refused_with_the_expected_form(given):
    with pytest.raises(ValueError, match="JJ/MM/AAAA") as caught:
        _iso_date(given, "--from")
    assert given in str(caught.value) and "YYYY-MM-DD" in str(caught.value)


def _search(*args: str):
    # Unreachable services: the checks must answer before any connection is tried.
    env = {"SIJIL_ES_URL": "http://127.0.0.1:9", "SIJIL_MINIO_ENDPOINT": "127.0.0.1:9"}
    return CliRunner().invoke(app, ["search", *args], env=env)


def test_a_bad_date_is_a_usage_error():
    result = _search("--name", "BENALI", "--from", "1987-3-14")
    assert result.exit_code == 2, result.output
    assert "AAAA-MM-JJ" in result.output


def test_a_commune_name_where_a_code_is_expected_is_a_usage_error():
    result = _search("--name", "BENALI", "--commune", "Alger-Centre")
    assert result.exit_code == 2, result.output
    assert "code commune" in result.output and "Alger-Centre" in result.output and "sijil batch list" in result.output
