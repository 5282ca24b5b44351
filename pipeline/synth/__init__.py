"""Synthetic civil-status register pages with exact ground truth, and the bundled sample
scanner batch: for tests, benchmarks and demonstrations without real registers (which
hold personal data and never leave the archives).

    render_register_page(layout="L1", lang="fr+ar", acts=[...], seed=1, degrade=worn_scan(seed=1))
    render_spread(layout="L1", lang="fr+ar", left_acts=[...], right_acts=[...], seed=2)
    make_sample_batch(Path("/tmp/sample"))   # + /tmp/sample-truth
"""

from pipeline.synth.acts import Mention, SynthAct, SynthRegister, act_id, random_birth_act
from pipeline.synth.degrade import CLEAN, Degradation, worn_scan
from pipeline.synth.render import RenderedPage, a4_pixels, render_register_page, render_spread
from pipeline.synth.sample import make_sample_batch, truth_dir_for

__all__ = [
    "CLEAN",
    "Degradation",
    "Mention",
    "RenderedPage",
    "SynthAct",
    "SynthRegister",
    "a4_pixels",
    "act_id",
    "make_sample_batch",
    "random_birth_act",
    "render_register_page",
    "render_spread",
    "truth_dir_for",
    "worn_scan",
]
