from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from sijil.settings import load_settings, read_env_file


@pytest.fixture()
def clean_env(monkeypatch, tmp_path):
    for key in list(__import__("os").environ):
        if key.startswith("SIJIL_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SIJIL_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_bind_everything_to_loopback(clean_env):
    s = load_settings()
    assert s.es_host == "127.0.0.1" and s.es_port == 9200
    assert s.minio_host == "127.0.0.1" and s.minio_port == 9000
    assert s.prefect_host == "127.0.0.1" and s.prefect_port == 4200
    assert s.es_password is None
    assert s.home == clean_env / "home"


def test_precedence_environment_over_file_over_generated_credentials(clean_env, monkeypatch):
    home = clean_env / "home"
    home.mkdir()
    (home / "credentials.env").write_text("SIJIL_ES_PASSWORD=generated\nSIJIL_MINIO_ACCESS_KEY=gen-key\n")
    (clean_env / "sijil.toml").write_text('es_password = "from-file"\nes_heap = "1g"\n')
    s = load_settings()
    assert s.es_password.get_secret_value() == "from-file"
    assert s.minio_access_key.get_secret_value() == "gen-key"
    assert s.es_heap == "1g"
    monkeypatch.setenv("SIJIL_ES_PASSWORD", "from-env")
    assert load_settings().es_password.get_secret_value() == "from-env"


def test_secrets_are_not_printed(clean_env, monkeypatch):
    monkeypatch.setenv("SIJIL_ES_PASSWORD", "hunter2-secret")
    assert "hunter2-secret" not in repr(load_settings())


def test_unknown_key_in_config_file_is_a_clear_error(clean_env):
    (clean_env / "sijil.toml").write_text('es_pasword = "typo"\n')
    with pytest.raises(ConfigError, match="es_pasword"):
        load_settings()


def test_broken_config_file_is_a_clear_error(clean_env):
    bad = clean_env / "bad.toml"
    bad.write_text("es_url = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config_file=bad)
    with pytest.raises(ConfigError, match="not found"):
        load_settings(config_file=clean_env / "missing.toml")


def test_read_env_file_ignores_comments_and_foreign_keys(tmp_path):
    f = tmp_path / "c.env"
    f.write_text("# comment\nSIJIL_ES_PASSWORD=a=b\nOTHER=x\n\nSIJIL_MINIO_SECRET_KEY = s \n")
    assert read_env_file(f) == {"es_password": "a=b", "minio_secret_key": "s"}
    assert read_env_file(tmp_path / "missing.env") == {}
