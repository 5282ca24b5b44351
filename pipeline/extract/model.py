"""What extraction returns for an act, before it becomes a record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pipeline.extract.fields import FieldValue
from pipeline.extract.ocr_words import Box, Line, OcrWord, union_box

Layout = Literal["L1", "L2"]


@dataclass(frozen=True)
class MentionValue:
    """A marginal mention: its kind (marriage, death, divorce, rectification, other),
    the date it gives (ISO, when readable), the text as read."""

    kind: str
    date: str | None
    text: str
    lang: str
    conf: float
    words: tuple[OcrWord, ...]

    @property
    def bbox(self) -> Box | None:
        return union_box(self.words)

    @property
    def page(self) -> int | None:
        return self.words[0].page if self.words else None


@dataclass(frozen=True)
class Row:
    """One form row (L1) or one body line (L2) of one side. key: the field its label
    names (None: unlabelled — a continuation, or a label OCR lost); label/value: the
    words; label_factor: how sure the label reading is (1.0 read, less when guessed);
    hint: what the label itself says (Fils/Fille → sex)."""

    key: str | None
    label: tuple[OcrWord, ...]
    value: tuple[OcrWord, ...]
    label_factor: float = 1.0
    starts_row: bool = True
    hint: str | None = None


@dataclass(frozen=True)
class ActPart:
    """The lines of one act on one page (or half-spread): what is needed to read the act
    again when its continuation on the next page is joined to it.

    sides: "lat"/"ar" → rows of the act's body on that side (L1: form rows under the
    header; L2: the lines of the narrative paragraph). head: "lat"/"ar" → the header line (L1) or the
    margin entry lines (L2). margin: lines of the mention margin beside the act."""

    page: int
    half: str | None
    layout: Layout
    sides: Mapping[str, tuple[Row, ...]]
    head: Mapping[str, tuple[Line, ...]]
    margin: tuple[Line, ...]
    kind: str = "birth"


@dataclass(frozen=True)
class ExtractedAct:
    """One act read from one or more page parts.

    continuation: the part starts with no header — the rest of an act begun on the
    previous page. complete: the act's closing (the officer) was read, so it does not
    continue on the next page. fields: by dotted name (surname, father.given,
    event_date …)."""

    layout: Layout
    number: int | None
    suffix: str | None
    fields: Mapping[str, FieldValue]
    mentions: tuple[MentionValue, ...]
    parts: tuple[ActPart, ...]
    continuation: bool
    complete: bool
    lang: str
    notes: tuple[str, ...] = field(default=())
    kind: str = "birth"

    @property
    def pages(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(p.page for p in self.parts))

    @property
    def label(self) -> str:
        if self.number is None:
            return "?"
        return f"{self.number}{' ' + self.suffix if self.suffix else ''}"
