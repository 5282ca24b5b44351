"""Acts, not pages: segmentation of register pages into acts and field extraction from
their OCR (Tesseract TSV words with boxes and confidences).

    from pipeline.extract import extract_page, join_continued, check_register, act_record, RegisterInfo
    page = extract_page(tsv_path=tsv, page=1, expected_year=1987)          # L1 or L2, found
    acts = check_register(join_continued([*page1.acts, *page2.acts]))
    record = act_record(acts[0], register=RegisterInfo(commune_code="1601", year=1987))

Modules: words_to_dates (dates and hours in words → ISO), ocr_words (TSV → levelled
words and lines), l1 (bilingual form), l2 (narrative), acts (pages → acts → records,
review), evaluate (accuracy and auto-accepted precision on synthetic datasets).
"""

from pipeline.extract.acts import (
    DEFAULT_REVIEW_THRESHOLD,
    RegisterInfo,
    act_id,
    act_record,
    check_register,
    detect_layout,
    extract_page,
    extract_records,
    extract_words,
    join_continued,
    review,
)
from pipeline.extract.model import ExtractedAct, MentionValue
from pipeline.extract.words_to_dates import ParsedDate, ParsedTime, parse_date, parse_time

__all__ = [
    "DEFAULT_REVIEW_THRESHOLD",
    "ExtractedAct",
    "MentionValue",
    "ParsedDate",
    "ParsedTime",
    "RegisterInfo",
    "act_id",
    "act_record",
    "check_register",
    "detect_layout",
    "extract_page",
    "extract_records",
    "extract_words",
    "join_continued",
    "parse_date",
    "parse_time",
    "review",
]
