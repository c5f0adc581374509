"""Stacked MNIST (Metz et al. 2017; VEEGAN, PacGAN): three MNIST digits as the R, G, B channels.

Its 1,000 modes (one per digit triple) make missing modes countable; see
`ganzoo.metrics.stacked.stacked_mnist_modes`.
"""
from __future__ import annotations

import numpy as np

STACKED_SIZE = 25_600
CHANNEL_WEIGHTS = np.array([100, 10, 1])  # mode id = 100 * red digit + 10 * green digit + blue digit


def stacked_mnist(limit=None, seed=0, **_):
    """`limit` (default 25,600) images drawn from the mnist-5k digits: uint8 (n, 28, 28, 3), int32 modes.

    Each channel is an independent uniform draw, and mnist-5k holds 500 digits per class, so the
    1,000 modes are equally likely.
    """
    from ganzoo.data.sources import mnist_5k  # late: sources registers this loader

    digits, labels = mnist_5k()
    size = STACKED_SIZE if limit is None else limit
    picks = np.random.default_rng(seed).integers(0, len(digits), size=(size, 3))
    images = np.ascontiguousarray(digits[picks, :, :, 0].transpose(0, 2, 3, 1))
    return images, (labels[picks] @ CHANNEL_WEIGHTS).astype("int32")
