"""Every sentence an operator reads about a batch, in French (the operators' language)
and English, keyed by stable codes.

Codes are part of the contract (reports, dashboards and tests match on them); the
wording may improve at any time. Keeping all texts in one file lets a translator or a
civil-status officer review them without reading code.
"""

from __future__ import annotations

from typing import Mapping, Union

LANGS = ("fr", "en")

# A parameter is either plain text (a value, a path) or already translated text.
Localised = Mapping[str, str]
Param = Union[str, int, Localised]


# --- problems in batch.toml -------------------------------------------------------------

MANIFEST_MESSAGES: dict[str, dict[str, str]] = {
    "manifest_missing": {
        "fr": "Le fichier batch.toml est introuvable dans le dossier du lot « {folder} ».",
        "en": "batch.toml was not found in the batch folder “{folder}”.",
    },
    "manifest_unreadable": {
        "fr": "Le fichier batch.toml ne peut pas être lu ({detail}).",
        "en": "batch.toml cannot be read ({detail}).",
    },
    "manifest_too_large": {
        "fr": "Le fichier batch.toml est anormalement gros ({size} octets ; maximum {max}).",
        "en": "batch.toml is abnormally large ({size} bytes; at most {max}).",
    },
    "manifest_encoding": {
        "fr": "Le fichier batch.toml n'est pas enregistré en UTF-8 (octet illisible à la position "
        "{position}) : réenregistrez-le en UTF-8, les lettres accentuées et arabes en dépendent.",
        "en": "batch.toml is not saved as UTF-8 (unreadable byte at position {position}): save it "
        "again as UTF-8, accented and Arabic letters depend on it.",
    },
    "toml_syntax": {
        "fr": "Erreur d'écriture dans batch.toml : {detail}. Vérifiez les guillemets autour des "
        "textes, les crochets des sections et les signes « = ».",
        "en": "Syntax error in batch.toml: {detail}. Check the quotes around texts, the brackets "
        "around section names and the “=” signs.",
    },
    "table_missing": {
        "fr": "La section [{table}] est absente.",
        "en": "The [{table}] section is missing.",
    },
    "unknown_key": {
        "fr": "« {key} » n'est pas un champ connu{suggestion}. Champs possibles ici : {allowed}.",
        "en": "“{key}” is not a known field{suggestion}. Fields allowed here: {allowed}.",
    },
    "field_missing": {
        "fr": "Le champ obligatoire « {key} » est absent.",
        "en": "The required field “{key}” is missing.",
    },
    "wrong_type": {
        "fr": "« {key} » doit être {expected}, mais c'est {got}.",
        "en": "“{key}” must be {expected}, but it is {got}.",
    },
    "text_empty": {
        "fr": "« {key} » est vide.",
        "en": "“{key}” is empty.",
    },
    "commune_code_not_text": {
        "fr": "Le code commune doit être écrit entre guillemets (par ex. commune_code = \"0101\"), "
        "sinon les zéros en tête sont perdus.",
        "en": "The commune code must be written in quotes (e.g. commune_code = \"0101\"), otherwise "
        "leading zeros are lost.",
    },
    "commune_code_format": {
        "fr": "Le code commune « {value} » doit comporter 4 ou 5 chiffres (0 à 9), par ex. \"1601\".",
        "en": "The commune code “{value}” must have 4 or 5 digits (0 to 9), e.g. \"1601\".",
    },
    "wrong_script": {
        "fr": "« {key} » vaut « {value} », qui ne contient aucune lettre {script}.",
        "en": "“{key}” is “{value}”, which contains no {script} letter.",
    },
    "choice_invalid": {
        "fr": "« {key} » vaut « {value} » ; valeurs possibles : {allowed}.",
        "en": "“{key}” is “{value}”; allowed values: {allowed}.",
    },
    "out_of_range": {
        "fr": "« {key} » vaut {value} ; il doit être compris entre {min} et {max}.",
        "en": "“{key}” is {value}; it must be between {min} and {max}.",
    },
    "below_minimum": {
        "fr": "« {key} » vaut {value} ; il doit valoir au moins {min}.",
        "en": "“{key}” is {value}; it must be at least {min}.",
    },
    "files_missing": {
        "fr": "Aucun fichier n'est listé : ajoutez une section [[files]] avec path = \"…\" par "
        "fichier scanné.",
        "en": "No file is listed: add one [[files]] section with path = \"…\" per scanned file.",
    },
    "path_invalid": {
        "fr": "Le chemin « {value} » contient des caractères interdits (caractères de contrôle).",
        "en": "The path “{value}” contains forbidden characters (control characters).",
    },
    "path_duplicate": {
        "fr": "Le fichier « {value} » est listé deux fois (déjà listé dans [[files]] n°{first}).",
        "en": "The file “{value}” is listed twice (already listed in [[files]] no. {first}).",
    },
    "sha256_format": {
        "fr": "L'empreinte « {value} » n'est pas un sha256 : il faut 64 caractères 0-9 et a-f.",
        "en": "“{value}” is not a sha256 checksum: it needs 64 characters 0-9 and a-f.",
    },
}

# Pieces inserted into the sentences above.
DID_YOU_MEAN = {"fr": " (vouliez-vous dire « {0} » ?)", "en": " (did you mean “{0}”?)"}

TYPE_NAMES: dict[str, dict[str, str]] = {
    "text": {"fr": "un texte entre guillemets", "en": "a text in quotes"},
    "integer": {"fr": "un nombre entier", "en": "a whole number"},
    "decimal": {"fr": "un nombre à virgule", "en": "a decimal number"},
    "boolean": {"fr": "vrai/faux (true/false)", "en": "true/false"},
    "date": {"fr": "une date ou une heure", "en": "a date or a time"},
    "list": {"fr": "une liste", "en": "a list"},
    "section": {"fr": "une section [ … ]", "en": "a [ … ] section"},
    "files_list": {
        "fr": "une liste de sections [[files]] (avec deux crochets)",
        "en": "a list of [[files]] sections (with double brackets)",
    },
}

SCRIPT_NAMES = {
    "arabic": {"fr": "arabe", "en": "Arabic"},
    "latin": {"fr": "latine", "en": "Latin"},
}

# Shown next to each allowed value so an operator who writes "naissance" sees the mapping.
CHOICE_GLOSSES: dict[str, dict[str, str]] = {
    "birth": {"fr": "naissance", "en": "birth"},
    "marriage": {"fr": "mariage", "en": "marriage"},
    "death": {"fr": "décès", "en": "death"},
    "fr": {"fr": "français", "en": "French"},
    "ar": {"fr": "arabe", "en": "Arabic"},
    "fr+ar": {"fr": "bilingue", "en": "bilingual"},
}

LOCATION = {
    "line": {"fr": "Ligne {line}", "en": "Line {line}"},
    "entry": {"fr": "[[files]] n°{number}", "en": "[[files]] no. {number}"},
}

MANIFEST_ERROR_SUMMARY = {
    "fr": "Le manifeste {source} est refusé : {count} problème(s) à corriger.",
    "en": "The manifest {source} is refused: {count} problem(s) to fix.",
}
MANIFEST_ERROR_HINT = {
    "fr": "Corrigez batch.toml au poste de scan puis redéposez le lot ; aucun fichier n'a été archivé.",
    "en": "Fix batch.toml at the scanning station and drop the batch again; no file was archived.",
}


# --- files refused in a batch -----------------------------------------------------------

# Keyed by reason code; "reason/variant" keys give a more precise sentence for one case
# of a reason without adding a reason code.
REJECTION_MESSAGES: dict[str, dict[str, str]] = {
    "path_escape": {
        "fr": "« {path} » désigne un emplacement hors du dossier du lot ; seuls les fichiers "
        "du dossier sont acceptés.",
        "en": "“{path}” points outside the batch folder; only files inside the folder are accepted.",
    },
    "missing": {
        "fr": "« {path} » est listé dans batch.toml mais absent du dossier.",
        "en": "“{path}” is listed in batch.toml but absent from the folder.",
    },
    "empty": {
        "fr": "« {path} » est vide (0 octet) : le scan ou la copie a échoué, rescannez la page.",
        "en": "“{path}” is empty (0 bytes): the scan or the copy failed, scan the page again.",
    },
    "file_too_large": {
        "fr": "« {path} » est trop volumineux ({size} Mio ; maximum {max} Mio par fichier).",
        "en": "“{path}” is too large ({size} MiB; at most {max} MiB per file).",
    },
    "unreadable": {
        "fr": "« {path} » ne peut pas être lu (droits d'accès ou erreur du disque).",
        "en": "“{path}” cannot be read (access rights or disk error).",
    },
    "unreadable/changing": {
        "fr": "« {path} » a changé pendant sa lecture : il est sans doute encore en cours de "
        "copie. Attendez la fin de la copie puis redéposez le lot.",
        "en": "“{path}” changed while being read: it is probably still being copied. Wait for "
        "the copy to finish, then drop the batch again.",
    },
    "checksum_mismatch": {
        "fr": "« {path} » ne correspond pas à l'empreinte sha256 notée dans batch.toml : "
        "le fichier a été modifié ou mal copié.",
        "en": "“{path}” does not match the sha256 written in batch.toml: the file was changed "
        "or badly copied.",
    },
    "duplicate_content": {
        "fr": "« {path} » a exactement le même contenu que « {first} » : doublon.",
        "en": "“{path}” has exactly the same content as “{first}”: duplicate.",
    },
    "unsupported_format": {
        "fr": "« {path} » n'est pas dans un format accepté (TIFF, JPEG, PNG ou PDF).",
        "en": "“{path}” is not in an accepted format (TIFF, JPEG, PNG or PDF).",
    },
    "unsupported_format/not_a_file": {
        "fr": "« {path} » n'est pas un fichier (c'est un dossier ou un fichier spécial).",
        "en": "“{path}” is not a file (it is a folder or a special file).",
    },
    "corrupt": {
        "fr": "« {path} » est endommagé et ne peut pas être lu correctement ; rescannez ou "
        "réexportez le fichier.",
        "en": "“{path}” is damaged and cannot be read correctly; scan or export it again.",
    },
    "corrupt/encrypted": {
        "fr": "« {path} » est un PDF protégé (mot de passe ou chiffrement) : réexportez-le sans "
        "protection, une copie d'archive doit rester lisible sans clé.",
        "en": "“{path}” is a protected PDF (password or encryption): export it again without "
        "protection, an archival copy must stay readable without a key.",
    },
    "truncated": {
        "fr": "« {path} » est incomplet (fichier coupé : copie interrompue ?) ; recopiez-le "
        "depuis le poste de scan.",
        "en": "“{path}” is incomplete (cut short: interrupted copy?); copy it again from the "
        "scanning station.",
    },
    "pixel_limit": {
        "fr": "« {path} » est trop grand : page {page} de {width} × {height} pixels, au-delà "
        "de la limite de {max} millions de pixels.",
        "en": "“{path}” is too large: page {page} is {width} × {height} pixels, beyond the "
        "limit of {max} million pixels.",
    },
    "too_many_pages": {
        "fr": "« {path} » contient {pages} pages ; au plus {max} par fichier : découpez-le.",
        "en": "“{path}” holds {pages} pages; at most {max} per file: split it.",
    },
    "not_in_manifest": {
        "fr": "« {path} » est dans le dossier mais n'est pas listé dans batch.toml.",
        "en": "“{path}” is in the folder but not listed in batch.toml.",
    },
}


def render(template: Mapping[str, str], *, lang: str, params: Mapping[str, Param]) -> str:
    """The template in ``lang`` with its parameters filled in, translated ones included."""
    check_lang(lang)
    values = {key: (value[lang] if isinstance(value, Mapping) else value) for key, value in params.items()}
    return template[lang].format(**values)


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
