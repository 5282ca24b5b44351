"""veraPDF command line (PDF/A validation): jars from Maven Central, run on JDK 17.
A tool, not a service: `up` makes it available as HOME/bin/verapdf."""

from __future__ import annotations

from pathlib import Path

from sijil.settings import Settings
from sijil.stack import versions
from sijil.stack.common import ServiceStatus, StackPaths, write_if_changed
from sijil.stack.elasticsearch import find_java_home
from sijil.stack.proc import require_program, run_tool

NAME = "verapdf"
POM = Path(__file__).with_name("verapdf-pom.xml")


def classpath_file(paths: StackPaths) -> Path:
    return paths.cache / f"verapdf-{versions.VERAPDF_VERSION}" / "classpath.txt"


def wrapper(paths: StackPaths) -> Path:
    return paths.bin / "verapdf"


def _classpath_complete(paths: StackPaths) -> bool:
    cp = classpath_file(paths)
    if not cp.is_file():
        return False
    jars = cp.read_text().strip().split(":")
    return bool(jars) and all(Path(j).is_file() for j in jars)


def provision(settings: Settings, paths: StackPaths, say) -> None:
    if not _classpath_complete(paths):
        require_program("mvn", hint="apt-get install maven")
        say(f"Fetching veraPDF {versions.VERAPDF_VERSION} from Maven Central")
        cp = classpath_file(paths)
        cp.parent.mkdir(parents=True, exist_ok=True)
        run_tool(
            ["mvn", "-B", "-q", "-f", POM, f"-Dverapdf.version={versions.VERAPDF_VERSION}",
             "dependency:build-classpath", f"-Dmdep.outputFile={cp}"],
            cwd=cp.parent, timeout_s=1800, what="Fetching veraPDF",
        )
    java = find_java_home() / "bin" / "java"
    script = (
        "#!/bin/sh\n# Written by `sijil stack up`: veraPDF " + versions.VERAPDF_VERSION + "\n"
        f'exec "{java}" -cp "$(cat "{classpath_file(paths)}")" {versions.VERAPDF_MAIN_CLASS} "$@"\n'
    )
    write_if_changed(wrapper(paths), script)
    wrapper(paths).chmod(0o755)


def status(settings: Settings, paths: StackPaths) -> ServiceStatus:
    ok = _classpath_complete(paths) and wrapper(paths).is_file()
    detail = f"veraPDF {versions.VERAPDF_VERSION} at {wrapper(paths)}" if ok else "not installed (run `sijil stack up`)"
    return ServiceStatus(NAME, str(wrapper(paths)), ok, ok, detail, is_tool=True)
