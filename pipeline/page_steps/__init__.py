"""Image steps on a page's work image: orientation, border crop, spread splitting,
deskew and (when it helps) background cleaning — one module each, shared parts in `base`.

Each step exists in two forms:
- on an image held in memory (`GrayImage`): what `pipeline.page.process_page` chains, so a
  page is decoded once, every step works on the same pixels (the decisions on one reduced
  analysis copy), and only the image that is finally read is encoded, once;
- on a work-image file (`orient`, `crop_borders`, `split_spread`, `deskew`,
  `choose_binarisation`): reads the file, runs the in-memory step and, when it changes
  something, writes a NEW file (the master and earlier work images are never modified).

Either returns the image the next step should read plus a `StepRecord`: what ran, with
which parameters and tool versions, what it measured and how long it took — the
PREMIS-style event stored with the derived page. A step that decides to change nothing
says `applied=False` and hands on its input unchanged.

Work images are 8-bit grayscale (see pipeline/page.py for why grayscale).
"""

from pipeline.page_steps.base import *  # noqa: F401,F403
from pipeline.page_steps.base import _PNG_COMPRESSION, _components, _text_ink, _text_like_ink  # noqa: F401
from pipeline.page_steps.binarise import *  # noqa: F401,F403
from pipeline.page_steps.crop import *  # noqa: F401,F403
from pipeline.page_steps.skew import *  # noqa: F401,F403
from pipeline.page_steps.skew import _MIN_INK_PIXELS  # noqa: F401
from pipeline.page_steps.orientation import *  # noqa: F401,F403
from pipeline.page_steps.split import *  # noqa: F401,F403
