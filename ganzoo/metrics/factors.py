"""Factor coverage on the `shapes` data: the stacked-MNIST idea (VEEGAN, PacGAN) for colour images.

A generator trained on `shapes` or `shapes-64` should draw all 120 combinations of shape kind,
colour and background equally often; classifying each image's factors counts the combinations it
reaches and how unevenly.
"""
from __future__ import annotations

import numpy as np

from ganzoo.data.shapes import SHAPE_COMBINATIONS, shape_combination
from ganzoo.metrics.checks import MetricInputError
from ganzoo.metrics.extractors import get_extractor
from ganzoo.metrics.modes import mode_histogram_kl


def factor_coverage(images, extractor=None, verbose=True) -> dict:
    """Combinations captured (of 120) and KL(combination histogram || uniform) of shapes samples.

    The discrete factors of each (n, h, w, 3) image in [-1, 1] (or uint8) are predicted by the shipped
    shapes classifier (or by `extractor`, which must have a `factors(images)` method as
    `get_extractor("shapes")` does), and combined into the combination id of the `shapes` source.
    The KL is 0 when every combination is drawn equally often and log(120) = 4.79 when one gets all.
    """
    shape = np.shape(images)
    if len(shape) != 4 or shape[-1] != 3:
        raise MetricInputError(
            f"factor_coverage takes colour images of the shapes data shaped (n, height, width, 3); got shape {tuple(shape)}."
        )
    extractor = extractor or get_extractor("shapes", verbose=verbose)
    if not hasattr(extractor, "factors"):
        raise MetricInputError(
            f"The {extractor.name} extractor does not predict the shapes data's factors; "
            "use get_extractor('shapes') (or leave extractor=None)."
        )
    factors = extractor.factors(images)
    ids = shape_combination(factors["shape"], factors["colour"], factors["background"])
    captured, kl = mode_histogram_kl(ids, SHAPE_COMBINATIONS)
    return dict(combinations_captured=captured, combinations_total=SHAPE_COMBINATIONS, factor_kl=kl)
