"""Arabic text rendering must not depend on which imaging library a process loaded first."""

import subprocess
import sys

PROBE = """
import {first}
from PIL import ImageFont, features
font = ImageFont.truetype("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf", 40,
                          layout_engine=ImageFont.Layout.RAQM)
left, top, right, bottom = font.getbbox("وُلِدَ أحمدُ بن مصطفى", direction="rtl")
print(features.version("harfbuzz"), right - left)
"""


def _probe(first: str) -> tuple[str, int]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(first=first)], capture_output=True, text=True, check=True)
    version, width = out.stdout.split()
    return version, int(width)


def test_pyvips_through_pipeline_imaging_keeps_pillow_shaping_sane():
    clean_version, clean_width = _probe("PIL")
    version, width = _probe("pipeline.imaging")
    assert version == clean_version
    assert width == clean_width
    assert 200 < width < 1000  # one short line at 40 px, not millions of pixels
