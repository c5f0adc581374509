"""Pieces shared by the network families."""
from __future__ import annotations

from keras import layers


def spectral_normalized(layer, enabled: bool):
    """`layer`, wrapped in Keras' spectral normalization when `enabled` (Miyato et al. 2018)."""
    return layers.SpectralNormalization(layer, dtype=layer.dtype_policy) if enabled else layer


def all_layers(model):
    """Every layer inside `model`, nested models' layers included."""
    for layer in getattr(model, "layers", ()):
        yield layer
        yield from all_layers(layer)
