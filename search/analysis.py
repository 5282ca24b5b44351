"""Index analysis built only from Elasticsearch core components and sijil's plugin
(search/es-plugin), so the same settings work on the bundled node and on a production
cluster that has the plugin installed.

Analyzers:
- `sijil_ar`: Arabic text — Arabic-Indic digits to ASCII, alef/hamza forms, ى/ي, ة/ه,
  tatweel and vowel marks normalised, then light stemming.
- `sijil_fr`: French text — elision (l', d', qu'…), lower case, accents folded, light stemming.
- `sijil_folded`: script-neutral exact words — lower case, digits and both scripts
  normalised, no stemming (for names and numbers).
Highlighting works on the original text: analysis keeps offsets.
"""

from __future__ import annotations

# The plugin's components are types; each is declared once here under its own name so
# analyzers can list them.
PLUGIN_FILTERS = (
    "sijil_arabic_normalization",
    "sijil_arabic_stem",
    "sijil_decimal_digit",
    "sijil_french_elision",
    "sijil_french_light_stem",
    "sijil_ascii_folding",
)

ANALYZERS = {
    "sijil_ar": {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["lowercase", "sijil_decimal_digit", "sijil_arabic_normalization", "sijil_arabic_stem"],
    },
    "sijil_fr": {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["sijil_french_elision", "lowercase", "sijil_ascii_folding", "sijil_french_light_stem"],
    },
    "sijil_folded": {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["lowercase", "sijil_decimal_digit", "sijil_arabic_normalization", "sijil_ascii_folding"],
    },
}


def analysis_settings() -> dict:
    return {
        "analysis": {
            "filter": {name: {"type": name} for name in PLUGIN_FILTERS},
            "analyzer": ANALYZERS,
        }
    }


def multilingual_text_field() -> dict:
    """A text field read three ways: as written (folded), as Arabic, as French."""
    return {
        "type": "text",
        "analyzer": "sijil_folded",
        "fields": {
            "ar": {"type": "text", "analyzer": "sijil_ar"},
            "fr": {"type": "text", "analyzer": "sijil_fr"},
        },
    }


TEXT_QUERY_FIELDS = ("text", "text.ar", "text.fr")
