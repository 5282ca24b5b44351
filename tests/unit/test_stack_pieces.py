"""The stack's pieces that need no service: credentials, config files, process groups."""

import os
import stat
import subprocess
import sys
import time

import pytest

from sijil.settings import load_settings
from sijil.stack import elasticsearch, manage
from sijil.stack.common import StackPaths
from sijil.stack.proc import group_alive, group_pids, start_daemon, stop_group


@pytest.fixture()
def local_settings(monkeypatch, tmp_path):
    for key in list(os.environ):
        if key.startswith("SIJIL_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SIJIL_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return load_settings()


def test_credentials_generated_once_private_and_reused(local_settings):
    paths = StackPaths.of(local_settings)
    first = manage.ensure_credentials(local_settings, paths)
    cred = paths.home / "credentials.env"
    assert stat.S_IMODE(cred.stat().st_mode) == 0o600
    assert len(first.es_password.get_secret_value()) >= 24
    assert first.prefect_auth_string.get_secret_value().startswith("sijil:")
    content = cred.read_text()
    again = manage.ensure_credentials(load_settings(), paths)
    assert cred.read_text() == content
    assert again.es_password == first.es_password
    assert again.minio_secret_key == first.minio_secret_key


def test_credentials_given_by_environment_are_not_written(local_settings, monkeypatch):
    monkeypatch.setenv("SIJIL_ES_PASSWORD", "given-by-admin")
    settings = manage.ensure_credentials(load_settings(), StackPaths.of(local_settings))
    assert settings.es_password.get_secret_value() == "given-by-admin"
    assert "given-by-admin" not in (local_settings.home / "credentials.env").read_text()


def test_elasticsearch_config_keeps_security_on_and_http_on_loopback(local_settings):
    yml = elasticsearch.elasticsearch_yml(local_settings, StackPaths.of(local_settings))
    assert "network.host: 127.0.0.1" in yml
    assert "xpack.security.enabled: true" in yml
    assert "discovery.type: single-node" in yml


def test_plugin_digest_changes_with_sources_only(tmp_path, monkeypatch):
    src = tmp_path / "es-plugin"
    (src / "target").mkdir(parents=True)
    (src / "pom.xml").write_text("<project/>")
    monkeypatch.setattr(elasticsearch, "PLUGIN_SOURCE", src)
    first = elasticsearch.plugin_source_digest()
    (src / "target" / "out.zip").write_bytes(b"build output")
    assert elasticsearch.plugin_source_digest() == first
    (src / "pom.xml").write_text("<project><!-- changed --></project>")
    assert elasticsearch.plugin_source_digest() != first


def test_stop_group_reaches_grandchildren(tmp_path):
    # A shell that starts a background child, as Elasticsearch's launcher starts its JVM.
    pid_file = tmp_path / "svc.pid"
    start_daemon(["sh", "-c", "sleep 300 & sleep 300"], env=dict(os.environ), cwd=tmp_path,
                 log_file=tmp_path / "svc.log", pid_file=pid_file)
    pgid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while len(group_pids(pgid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(group_pids(pgid)) == 3
    assert stop_group(pid_file, grace_s=5) is True
    assert not group_alive(pgid) and group_pids(pgid) == []
    assert not pid_file.exists()
    assert stop_group(pid_file) is False
