"""Semantic consistency for unpaired translation (CyCADA, Hoffman et al. 2018, eq. 4).

Cycle consistency lets a translator turn an unclear 4 into a clear 9 as long as it can turn the 9
back; a classifier trained on set A's labels reads each source, and the generator is asked to
keep what it read in the translation (cross-entropy against the classifier's reading of the source).
The classifier is `digits-8x8` (shipped, trained on the 8x8 digits of `digits-mnist`, see
`ganzoo.metrics.train_digits8x8_classifier`) or a `.keras` file of a classifier of your set A whose
outputs are class probabilities. It is frozen and held outside the model's tracked layers, so it is
neither trained nor saved with the model.

CyCADA also applies the term from B to A, with the same classifier reading set B; that is left out,
because a classifier of set A reads set B poorly (the shipped one: 55% of held-out MNIST digits).
"""
from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from keras import ops

from ganzoo.config import ConfigError

SHIPPED = ("digits-8x8",)


def check_semantic_classifier(spec) -> None:
    """Refuse what is neither a shipped classifier's name nor an existing .keras file."""
    if spec in SHIPPED:
        return
    if not isinstance(spec, str) or not spec.endswith(".keras"):
        raise ConfigError(
            f"model.semantic_classifier is {' or '.join(SHIPPED)} or the path of a .keras classifier of set A; "
            f"got {spec!r}."
        )
    if not Path(spec).expanduser().is_file():
        raise ConfigError(f"model.semantic_classifier {spec} does not exist; give the path of a saved .keras classifier.")


def load_semantic_classifier(spec: str, image_shape) -> keras.Model:
    """The frozen classifier named by `spec`, checked to read `image_shape` images into class probabilities."""
    check_semantic_classifier(spec)
    if spec == "digits-8x8":
        from ganzoo.metrics.digits_classifier import load_digits8x8_classifier

        classifier = load_digits8x8_classifier()
    else:
        classifier = keras.models.load_model(Path(spec).expanduser(), compile=False)
    if tuple(classifier.input_shape[1:]) != tuple(image_shape):
        raise ConfigError(
            f"model.semantic_classifier {spec} reads images of shape {tuple(classifier.input_shape[1:])}, but set A's "
            f"are {tuple(image_shape)}; give a classifier of set A."
        )
    probabilities = np.asarray(classifier(np.zeros((1, *image_shape), "float32"), training=False))
    if probabilities.ndim != 2 or probabilities.min() < 0 or not np.allclose(probabilities.sum(axis=-1), 1, atol=1e-3):
        raise ConfigError(
            f"model.semantic_classifier {spec} must output class probabilities (a softmax over classes); end it "
            "with a softmax."
        )
    classifier.trainable = False
    return classifier


def semantic_loss(classifier: keras.Model, sources, translations):
    """Per example: cross-entropy of the classifier's reading of each translation against the class
    it reads in the source (no gradient through that reading)."""
    read = ops.stop_gradient(ops.argmax(classifier(sources, training=False), axis=-1))
    probabilities = ops.cast(classifier(translations, training=False), "float32")
    return keras.losses.sparse_categorical_crossentropy(read, probabilities)
