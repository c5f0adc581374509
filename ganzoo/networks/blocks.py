"""Pieces shared by the network families."""
from __future__ import annotations

import keras
from keras import layers


def spectral_normalized(layer, enabled: bool):
    """`layer`, wrapped in Keras' spectral normalization when `enabled` (Miyato et al. 2018)."""
    return layers.SpectralNormalization(layer, dtype=layer.dtype_policy) if enabled else layer


def all_layers(model):
    """Every layer inside `model`, nested models' layers included."""
    for layer in getattr(model, "layers", ()):
        yield layer
        yield from all_layers(layer)


def any_size_copy(model: keras.Model, channels: int) -> keras.Model:
    """`model` rebuilt for inputs of any height and width (its layers permitting), with its weights."""
    copy = keras.models.clone_model(model, input_tensors=keras.Input((None, None, channels)))
    copy.set_weights(model.get_weights())
    return copy
