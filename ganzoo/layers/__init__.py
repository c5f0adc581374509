"""Custom Keras layers, registered so saved models load them by name."""
from __future__ import annotations

from ganzoo.layers.conditional import ConditionalBatchNormalization
from ganzoo.layers.equalized import EqualizedConv2D, EqualizedDense, PixelNorm
from ganzoo.layers.minibatch import MinibatchDiscrimination, MinibatchStdDev
from ganzoo.layers.pixel_shuffle import PixelShuffle

__all__ = ["ConditionalBatchNormalization", "EqualizedConv2D", "EqualizedDense", "MinibatchDiscrimination", "MinibatchStdDev", "PixelNorm", "PixelShuffle"]
