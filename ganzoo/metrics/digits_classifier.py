"""A small MNIST classifier whose penultimate layer is the feature space for digit metrics.

Inception features say little about 28x28 grey digits, so FID/KID/precision-recall on MNIST-like
data use this network instead. Its weights ship with ganzoo (see `train_digits_classifier`).
"""
from __future__ import annotations

from pathlib import Path

import keras
from keras import layers

from ganzoo.metrics.classifiers import FEATURE_DIM, FEATURES_LAYER, conv_features, load_classifier

__all__ = [
    "FEATURES_LAYER",
    "FEATURE_DIM",
    "PROBABILITIES_LAYER",
    "WEIGHTS_PATH",
    "DIGITS8X8_WEIGHTS_PATH",
    "build_digits_classifier",
    "load_digits_classifier",
    "load_digits8x8_classifier",
]

WEIGHTS_PATH = Path(__file__).parent / "weights" / "digits_classifier.weights.h5"
# The same network trained on scikit-learn's 8x8 digits (set A of digits-mnist), for CycleGAN's
# semantic consistency loss; see `train_digits8x8_classifier`.
DIGITS8X8_WEIGHTS_PATH = Path(__file__).parent / "weights" / "digits8x8_classifier.weights.h5"
PROBABILITIES_LAYER = "probabilities"


def build_digits_classifier() -> keras.Model:
    """28x28x1 digits in [-1, 1] -> 10 class probabilities, through a Dense layer named "features"."""
    image = keras.Input((28, 28, 1), name="image")
    features = conv_features(image)
    h = layers.Dropout(0.3)(features)
    probabilities = layers.Dense(10, activation="softmax", name=PROBABILITIES_LAYER)(h)
    return keras.Model(image, probabilities, name="digits_classifier")


def load_digits_classifier(path=None) -> keras.Model:
    """The classifier with the shipped weights (or those at `path`)."""
    return load_classifier(build_digits_classifier, path, WEIGHTS_PATH, "digits", "ganzoo.metrics.train_digits_classifier")


def load_digits8x8_classifier(path=None) -> keras.Model:
    """The classifier of scikit-learn's 8x8 digits with the shipped weights (or those at `path`)."""
    return load_classifier(build_digits_classifier, path, DIGITS8X8_WEIGHTS_PATH, "8x8 digits",
                           "ganzoo.metrics.train_digits8x8_classifier")
