"""Custom Keras layers for discriminators, registered so saved models load them by name."""
from __future__ import annotations

from ganzoo.layers.minibatch import MinibatchDiscrimination, MinibatchStdDev

__all__ = ["MinibatchDiscrimination", "MinibatchStdDev"]
