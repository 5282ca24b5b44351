"""Import pyvips from here, never directly.

Pillow's wheel carries its own HarfBuzz for complex-script text (raqm, used to render
Arabic); libvips links the system HarfBuzz through Pango. Whichever library loads first
serves both. With the system one first (6.0 on Debian 12), Pillow's raqm lays Arabic out
wrongly — glyph runs millions of pixels wide, pages that no longer fit — while with
Pillow's first (14.x) both work. Loading Pillow's text engine here, before pyvips, makes
the order the same in every process: the CLI, the flow workers, the tests.
"""

from PIL import ImageFont  # noqa: F401  (loads Pillow's FreeType and HarfBuzz before libvips)

import pyvips  # noqa: E402

__all__ = ["pyvips"]
