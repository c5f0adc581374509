"""Stacked-MNIST mode coverage, the protocol of VEEGAN (Srivastava et al. 2017) and PacGAN.

A generator trained on `stacked-mnist` should produce all 1,000 digit triples equally often;
classifying each channel counts the triples it reaches and how unevenly.
"""
from __future__ import annotations

import numpy as np

from ganzoo.data.stacked import CHANNEL_WEIGHTS
from ganzoo.metrics.checks import MetricInputError
from ganzoo.metrics.extractors import get_extractor
from ganzoo.metrics.modes import mode_histogram_kl

STACKED_MODES = 1000


def stacked_mnist_modes(images, extractor=None, verbose=True) -> dict:
    """Modes captured (of 1,000) and reverse KL, KL(mode histogram || uniform), of stacked-MNIST samples.

    Each channel of the (n, 28, 28, 3) images in [-1, 1] is classified as a digit by the shipped
    digits classifier (or by `extractor`, which must give 10 probabilities), and the three digits
    make the mode id 100 * red + 10 * green + blue, as in the `stacked-mnist` data source.
    """
    shape = np.shape(images)
    if len(shape) != 4 or shape[-1] != 3:
        raise MetricInputError(
            f"stacked_mnist_modes takes stacked-MNIST images shaped (n, 28, 28, 3), one digit per channel; "
            f"got shape {tuple(shape)}."
        )
    extractor = extractor or get_extractor("digits", verbose=verbose)
    # (n, H, W, 3) -> (3n, H, W, 1): red, green and blue digit of image 0, then of image 1, ...
    channels = np.moveaxis(np.asarray(images), -1, 1).reshape(-1, shape[1], shape[2], 1)
    probabilities = extractor.probabilities(channels)
    if probabilities.shape[1] != 10:
        raise MetricInputError(
            f"The {extractor.name} extractor gives {probabilities.shape[1]} classes; stacked MNIST needs a "
            "10-digit classifier such as get_extractor('digits')."
        )
    digits = probabilities.argmax(axis=1).reshape(-1, 3)
    captured, kl = mode_histogram_kl(digits @ CHANNEL_WEIGHTS, STACKED_MODES)
    return dict(modes_captured=captured, modes_total=STACKED_MODES, reverse_kl=kl)
