"""Custom Keras layers, registered so saved models load them by name."""
from __future__ import annotations

from ganzoo.layers.conditional import ConditionalBatchNormalization
from ganzoo.layers.equalized import EqualizedConv2D, EqualizedDense, PixelNorm
from ganzoo.layers.minibatch import MinibatchDiscrimination, MinibatchStdDev

__all__ = ["ConditionalBatchNormalization", "EqualizedConv2D", "EqualizedDense", "MinibatchDiscrimination", "MinibatchStdDev", "PixelNorm"]
