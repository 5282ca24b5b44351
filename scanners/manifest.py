"""``batch.toml``: the manifest a scanning station writes next to its page files.

Parsing is strict: an unknown key, a wrong type or a value out of range is refused, and
every problem is reported at once, located by line and field, in words an operator can
act on (French first). A typo must never pass silently: a misspelt ``year`` would file
the acts of a whole register under the wrong year.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import hashlib
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping

from pipeline.errors import SijilError
from scanners import messages
from scanners.messages import (
    CHOICE_GLOSSES,
    DID_YOU_MEAN,
    LOCATION,
    MANIFEST_ERROR_HINT,
    MANIFEST_ERROR_SUMMARY,
    MANIFEST_MESSAGES,
    SCRIPT_NAMES,
    TYPE_NAMES,
    Param,
)

MANIFEST_NAME = "batch.toml"
# Written last by a station (or an operator) to say "this batch is complete".
READY_MARKER = "READY"
# A manifest lists a few thousand files at most; anything far bigger is not a manifest.
MAX_MANIFEST_BYTES = 8 * 1024 * 1024

KINDS = ("birth", "marriage", "death")
LANGS = ("fr", "ar", "fr+ar")
FIRST_YEAR = 1830
MIN_DPI, MAX_DPI = 150, 1200

Kind = Literal["birth", "marriage", "death"]
RegisterLang = Literal["fr", "ar", "fr+ar"]

REGISTER_KEYS = ("commune_code", "commune_fr", "commune_ar", "kind", "year", "series", "volume", "lang")
SCAN_KEYS = ("operator", "station", "scanner", "dpi")
FILE_KEYS = ("path", "sha256")
TOP_KEYS = ("register", "scan", "files")

# ASCII digits only: \d would also accept Arabic-Indic digits typed on an Arabic keyboard.
_COMMUNE_CODE = re.compile(r"[0-9]{4,5}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ARABIC_LETTER = re.compile(r"[\u0620-\u064A\u066E-\u06D3\u06FA-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- the validated manifest -------------------------------------------------------------


@dataclass(frozen=True)
class RegisterInfo:
    """Which register the scanned pages belong to (see REGISTERS.md)."""

    commune_code: str
    commune_fr: str
    commune_ar: str
    kind: Kind
    year: int
    series: int
    volume: int
    lang: RegisterLang


@dataclass(frozen=True)
class ScanInfo:
    """Who scanned, where, with what."""

    operator: str
    station: str
    scanner: str
    dpi: int


@dataclass(frozen=True)
class ManifestEntry:
    """One listed file: its path relative to the batch folder, exactly as written, and the
    checksum the station computed, when it gave one (lower-case hex)."""

    path: str
    sha256: str | None = None


@dataclass(frozen=True)
class Manifest:
    register: RegisterInfo
    scan: ScanInfo
    files: tuple[ManifestEntry, ...]

    def canonical_json(self) -> str:
        """The validated content as one canonical JSON text: sorted keys, no spaces, UTF-8
        characters kept. Files stay in manifest order (it is the page order)."""
        content = {
            "register": dataclasses.asdict(self.register),
            "scan": dataclasses.asdict(self.scan),
            "files": [dataclasses.asdict(entry) for entry in self.files],
        }
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @property
    def batch_id(self) -> str:
        """Deterministic id from the manifest content, never from folder or station names,
        so the same batch dropped twice (or renamed) is recognised as the same batch."""
        digest = hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()
        return f"b-{digest[:16]}"


# --- problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestProblem:
    """One thing wrong in batch.toml. ``where`` is the field's path, e.g.
    ``("register", "year")`` or ``("files", 3, "path")`` (entries numbered from 1, as an
    operator counts them); ``line`` is 1-based when it could be found."""

    code: str
    where: tuple[str | int, ...] = ()
    line: int | None = None
    params: Mapping[str, Param] = dataclasses.field(default_factory=dict)

    @property
    def field(self) -> str:
        """Stable dotted name for programs: ``register.year``, ``files[3].path``."""
        text = ""
        for part in self.where:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text

    def location(self, lang: str) -> str:
        parts: list[str] = []
        if self.line is not None:
            parts.append(LOCATION["line"][lang].format(line=self.line))
        if self.where:
            if self.where[0] == "files" and len(self.where) > 1:
                place = LOCATION["entry"][lang].format(number=self.where[1])
                place += "".join(f" {p}" for p in self.where[2:])
            elif len(self.where) > 1:
                place = f"[{self.where[0]}] " + ".".join(str(p) for p in self.where[1:])
            else:
                place = str(self.where[0])
            parts.append(place)
        return ", ".join(parts)

    def message(self, lang: str = "fr") -> str:
        text = messages.render(MANIFEST_MESSAGES[self.code], lang=lang, params=self.params)
        where = self.location(lang)
        if not where:
            return text
        # French typography puts a space before the colon.
        return f"{where} : {text}" if lang == "fr" else f"{where}: {text}"


class ManifestError(SijilError):
    """batch.toml is missing, unreadable or invalid. Carries every problem found."""

    def __init__(self, problems: list[ManifestProblem] | tuple[ManifestProblem, ...], *, source: str, lang: str = "fr"):
        messages.check_lang(lang)
        self.problems = tuple(problems)
        self.source = source
        self.lang = lang
        super().__init__(self.render(lang), hint=MANIFEST_ERROR_HINT[lang], transient=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(problem.code for problem in self.problems)

    def render(self, lang: str = "fr") -> str:
        head = MANIFEST_ERROR_SUMMARY[lang].format(source=self.source, count=len(self.problems))
        return "\n".join([head, *(f"  - {problem.message(lang)}" for problem in self.problems)])


# --- reading -----------------------------------------------------------------------------


def load_manifest(path: Path, *, lang: str = "fr", current_year: int | None = None) -> Manifest:
    """Read and validate a batch.toml file. Raises ManifestError (with every problem)."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise ManifestError(
                [ManifestProblem("manifest_too_large", params={"size": size, "max": MAX_MANIFEST_BYTES})],
                source=source, lang=lang,
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        problem = ManifestProblem("manifest_missing", params={"folder": str(path.parent)})
        raise ManifestError([problem], source=source, lang=lang) from None
    except OSError as exc:
        problem = ManifestProblem("manifest_unreadable", params={"detail": exc.strerror or str(exc)})
        raise ManifestError([problem], source=source, lang=lang) from exc
    return parse_manifest_bytes(raw, source=source, lang=lang, current_year=current_year)


def parse_manifest_bytes(raw: bytes, *, source: str = MANIFEST_NAME, lang: str = "fr",
                         current_year: int | None = None) -> Manifest:
    # Windows editors (Notepad) save UTF-8 with a byte-order mark; that is still UTF-8.
    try:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = ManifestProblem("manifest_encoding", params={"position": exc.start})
        raise ManifestError([problem], source=source, lang=lang) from None
    return parse_manifest(text, source=source, lang=lang, current_year=current_year)


def parse_manifest(text: str, *, source: str = MANIFEST_NAME, lang: str = "fr",
                   current_year: int | None = None) -> Manifest:
    """Validate manifest text. ``current_year`` bounds ``year`` (defaults to today's)."""
    messages.check_lang(lang)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        problem = ManifestProblem("toml_syntax", line=line, params={"detail": str(exc)})
        raise ManifestError([problem], source=source, lang=lang) from None

    checker = _Checker(lines=_locate_lines(text), current_year=current_year or _dt.date.today().year)
    manifest = checker.check_document(document)
    if checker.problems:
        raise ManifestError(checker.problems, source=source, lang=lang)
    assert manifest is not None
    return manifest


def same_file_key(path: str) -> str:
    """Key under which two manifest paths name the same file: "./a.tif", "a.tif" and
    "scans//a.tif" vs "scans/a.tif". ".." is left alone: such paths are refused per file
    in batch.py, and collapsing them lexically could hide where they really point."""
    return "/".join(part for part in path.split("/") if part not in ("", "."))


def _toml_error_line(message: str) -> int | None:
    # Python 3.11's TOMLDecodeError has no lineno attribute; the message ends "(at line N, column M)".
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None


# Best-effort map from field path to line number. tomllib gives no positions, and an
# operator fixing a file needs the line; multi-line strings or inline tables only lose the
# line, never the problem itself.
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_KEY_LINE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def _locate_lines(text: str) -> dict[tuple[str | int, ...], int]:
    lines: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    array_counts: dict[str, int] = {}
    open_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if open_multiline:
            if line.count(open_multiline) % 2 == 1:
                open_multiline = None
            continue
        if match := _ARRAY_HEADER.match(line):
            name = match.group(1).strip("\"'")
            array_counts[name] = array_counts.get(name, 0) + 1
            table = (name, array_counts[name])
            lines.setdefault(table, number)
        elif match := _TABLE_HEADER.match(line):
            table = (match.group(1).strip("\"'"),)
            lines.setdefault(table, number)
        elif match := _KEY_LINE.match(line):
            lines.setdefault(table + (match.group(1).strip("\"'"),), number)
            for quotes in ('"""', "'''"):
                if line.count(quotes) % 2 == 1:
                    open_multiline = quotes
    return lines


def _type_name(value: Any) -> str:
    # bool before int: TOML true is a Python bool, which is also an int.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "decimal"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (_dt.date, _dt.time, _dt.datetime)):
        return "date"
    if isinstance(value, dict):
        return "section"
    return "list"


def _choices(values: tuple[str, ...]) -> dict[str, str]:
    def shown(value: str, lang: str) -> str:
        gloss = CHOICE_GLOSSES[value][lang]
        return value if gloss == value else f"{value} ({gloss})"

    return {lang: ", ".join(shown(v, lang) for v in values) for lang in messages.LANGS}


class _Checker:
    """Collects problems while building the dataclasses; returns None for parts that
    failed so the caller keeps going and reports everything in one pass."""

    def __init__(self, *, lines: dict[tuple[str | int, ...], int], current_year: int):
        self.lines = lines
        self.current_year = current_year
        self.problems: list[ManifestProblem] = []

    def add(self, code: str, where: tuple[str | int, ...], **params: Param) -> None:
        line = None
        for depth in range(len(where), 0, -1):
            line = self.lines.get(where[:depth])
            if line is not None:
                break
        self.problems.append(ManifestProblem(code, where=where, line=line, params=params))

    def check_document(self, document: dict[str, Any]) -> Manifest | None:
        self.unknown_keys(document, allowed=TOP_KEYS, where=())
        register = self.check_table(document, "register", REGISTER_KEYS, self.check_register)
        scan = self.check_table(document, "scan", SCAN_KEYS, self.check_scan)
        files = self.check_files(document.get("files"))
        if register is None or scan is None or files is None or self.problems:
            return None
        return Manifest(register=register, scan=scan, files=files)

    def check_table(self, document: dict[str, Any], name: str, keys: tuple[str, ...], build):
        table = document.get(name)
        if table is None:
            self.add("table_missing", (name,), table=name)
            return None
        if not isinstance(table, dict):
            self.add("wrong_type", (name,), key=name, expected=TYPE_NAMES["section"],
                     got=TYPE_NAMES[_type_name(table)])
            return None
        self.unknown_keys(table, allowed=keys, where=(name,))
        return build(table, (name,))

    def unknown_keys(self, table: dict[str, Any], *, allowed: tuple[str, ...], where: tuple[str | int, ...]) -> None:
        for key in table:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key.lower(), allowed, n=1, cutoff=0.6)
            suggestion = {lang: DID_YOU_MEAN[lang].format(close[0]) for lang in messages.LANGS} if close else ""
            self.add("unknown_key", where + (key,), key=key, allowed=", ".join(allowed), suggestion=suggestion)

    # -- typed fields ------------------------------------------------------------------

    def present(self, table: dict[str, Any], key: str, where: tuple[str | int, ...]) -> Any:
        if key not in table:
            self.add("field_missing", where + (key,), key=key)
        return table.get(key)

    def text(self, table: dict[str, Any], key: str, where: tuple[str | int, ...]) -> str | None:
        value = self.present(table, key, where)
        if value is None:
            return None
        if not isinstance(value, str):
            self.add("wrong_type", where + (key,), key=key, expected=TYPE_NAMES["text"], got=TYPE_NAMES[_type_name(value)])
            return None
        # NFC so that the same name typed on two keyboards gives the same batch id.
        value = unicodedata.normalize("NFC", value.strip())
        if not value:
            self.add("text_empty", where + (key,), key=key)
            return None
        return value

    def integer(self, table: dict[str, Any], key: str, where: tuple[str | int, ...], *,
                minimum: int, maximum: int | None = None) -> int | None:
        value = self.present(table, key, where)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add("wrong_type", where + (key,), key=key, expected=TYPE_NAMES["integer"], got=TYPE_NAMES[_type_name(value)])
            return None
        if maximum is None and value < minimum:
            self.add("below_minimum", where + (key,), key=key, value=value, min=minimum)
            return None
        if maximum is not None and not minimum <= value <= maximum:
            self.add("out_of_range", where + (key,), key=key, value=value, min=minimum, max=maximum)
            return None
        return value

    def choice(self, table: dict[str, Any], key: str, where: tuple[str | int, ...], allowed: tuple[str, ...]) -> str | None:
        value = self.text(table, key, where)
        if value is not None and value not in allowed:
            self.add("choice_invalid", where + (key,), key=key, value=value, allowed=_choices(allowed))
            return None
        return value

    def in_script(self, value: str | None, key: str, where: tuple[str | int, ...], script: str) -> str | None:
        pattern = _ARABIC_LETTER if script == "arabic" else _LATIN_LETTER
        if value is not None and not pattern.search(value):
            self.add("wrong_script", where + (key,), key=key, value=value, script=SCRIPT_NAMES[script])
            return None
        return value

    # -- sections ----------------------------------------------------------------------

    def check_register(self, table: dict[str, Any], where: tuple[str | int, ...]) -> RegisterInfo | None:
        code = self.present(table, "commune_code", where)
        if isinstance(code, int) and not isinstance(code, bool):
            self.add("commune_code_not_text", where + ("commune_code",))
            code = None
        elif code is not None:
            code = self.text(table, "commune_code", where)
            if code is not None and not _COMMUNE_CODE.fullmatch(code):
                self.add("commune_code_format", where + ("commune_code",), value=code)
                code = None
        values = {
            "commune_code": code,
            "commune_fr": self.in_script(self.text(table, "commune_fr", where), "commune_fr", where, "latin"),
            "commune_ar": self.in_script(self.text(table, "commune_ar", where), "commune_ar", where, "arabic"),
            "kind": self.choice(table, "kind", where, KINDS),
            "year": self.integer(table, "year", where, minimum=FIRST_YEAR, maximum=self.current_year),
            "series": self.integer(table, "series", where, minimum=1),
            "volume": self.integer(table, "volume", where, minimum=1),
            "lang": self.choice(table, "lang", where, LANGS),
        }
        if any(value is None for value in values.values()):
            return None
        return RegisterInfo(**values)

    def check_scan(self, table: dict[str, Any], where: tuple[str | int, ...]) -> ScanInfo | None:
        values = {
            "operator": self.text(table, "operator", where),
            "station": self.text(table, "station", where),
            "scanner": self.text(table, "scanner", where),
            "dpi": self.integer(table, "dpi", where, minimum=MIN_DPI, maximum=MAX_DPI),
        }
        if any(value is None for value in values.values()):
            return None
        return ScanInfo(**values)

    def path(self, item: dict[str, Any], where: tuple[str | int, ...]) -> str | None:
        # Taken exactly as written (no stripping, no Unicode normalisation): anything else
        # could point at another file than the one the station listed.
        value = self.present(item, "path", where)
        if value is None:
            return None
        if not isinstance(value, str):
            self.add("wrong_type", where + ("path",), key="path", expected=TYPE_NAMES["text"], got=TYPE_NAMES[_type_name(value)])
            return None
        if not value.strip():
            self.add("text_empty", where + ("path",), key="path")
            return None
        if _CONTROL.search(value):
            self.add("path_invalid", where + ("path",), value=value.encode("unicode_escape").decode())
            return None
        return value

    def check_files(self, files: Any) -> tuple[ManifestEntry, ...] | None:
        if files is None:
            self.add("files_missing", ("files",))
            return None
        if not isinstance(files, list) or not all(isinstance(item, dict) for item in files):
            self.add("wrong_type", ("files",), key="files", expected=TYPE_NAMES["files_list"],
                     got=TYPE_NAMES[_type_name(files)])
            return None
        if not files:
            self.add("files_missing", ("files",))
            return None
        entries: list[ManifestEntry] = []
        first_seen: dict[str, int] = {}
        for number, item in enumerate(files, start=1):
            where: tuple[str | int, ...] = ("files", number)
            self.unknown_keys(item, allowed=FILE_KEYS, where=where)
            path = self.path(item, where)
            if path is not None:
                key = same_file_key(path)
                if key in first_seen:
                    self.add("path_duplicate", where + ("path",), value=path, first=first_seen[key])
                    path = None
                else:
                    first_seen[key] = number
            sha256 = None
            if "sha256" in item:
                sha256 = self.text(item, "sha256", where)
                if sha256 is not None:
                    sha256 = sha256.lower()
                    if not _SHA256.fullmatch(sha256):
                        self.add("sha256_format", where + ("sha256",), value=item["sha256"])
                        sha256 = None
            if path is not None:
                entries.append(ManifestEntry(path=path, sha256=sha256))
        return tuple(entries)
