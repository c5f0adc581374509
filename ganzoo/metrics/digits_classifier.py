"""A small MNIST classifier whose penultimate layer is the feature space for digit metrics.

Inception features say little about 28x28 grey digits, so FID/KID/precision-recall on MNIST-like
data use this network instead. Its weights ship with ganzoo (see `train_digits_classifier`).
"""
from __future__ import annotations

from pathlib import Path

import keras
from keras import layers

WEIGHTS_PATH = Path(__file__).parent / "weights" / "digits_classifier.weights.h5"
FEATURES_LAYER = "features"
PROBABILITIES_LAYER = "probabilities"
FEATURE_DIM = 128


def _conv_block(h, filters: int):
    for _ in range(2):
        h = layers.Conv2D(filters, 3, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU()(h)
    return layers.MaxPooling2D()(h)


def build_digits_classifier() -> keras.Model:
    """28x28x1 digits in [-1, 1] -> 10 class probabilities, through a Dense layer named "features".

    Global average pooling (not flattening) keeps the weights file near 0.5 MB.
    """
    image = keras.Input((28, 28, 1), name="image")
    h = _conv_block(image, 32)
    h = _conv_block(h, 64)
    h = layers.Conv2D(64, 3, padding="same", use_bias=False)(h)
    h = layers.BatchNormalization()(h)
    h = layers.ReLU()(h)
    h = layers.GlobalAveragePooling2D()(h)
    features = layers.Dense(FEATURE_DIM, activation="relu", name=FEATURES_LAYER)(h)
    h = layers.Dropout(0.3)(features)
    probabilities = layers.Dense(10, activation="softmax", name=PROBABILITIES_LAYER)(h)
    return keras.Model(image, probabilities, name="digits_classifier")


def load_digits_classifier(path=None) -> keras.Model:
    """The classifier with the shipped weights (or those at `path`)."""
    path = Path(path) if path is not None else WEIGHTS_PATH
    if not path.is_file():
        raise FileNotFoundError(
            f"The digits classifier weights are missing: {path}. They ship inside the ganzoo package; "
            "reinstall ganzoo, or recreate them with `python -m ganzoo.metrics.train_digits_classifier`."
        )
    model = build_digits_classifier()
    model.load_weights(path)
    return model
