"""A small classifier of the `shapes` data's discrete factors; its penultimate layer is the feature
space for metrics on that data, and its heads name each image's shape, colour and background.

Its weights ship with ganzoo (see `train_shapes_classifier`).
"""
from __future__ import annotations

from pathlib import Path

import keras
from keras import layers

from ganzoo.data.shapes import SHAPE_FACTORS
from ganzoo.metrics.classifiers import conv_features, load_classifier

WEIGHTS_PATH = Path(__file__).parent / "weights" / "shapes_classifier.weights.h5"
IMAGE_SIZE = 32  # larger images are resized to this before classification


def build_shapes_classifier() -> keras.Model:
    """32x32x3 images in [-1, 1] -> a dict of softmax probabilities, one output per discrete factor
    ("shape", "colour", "background", in the order of `SHAPE_FACTORS`), through a Dense layer named
    "features"."""
    image = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3), name="image")
    features = conv_features(image)
    heads = {name: layers.Dense(len(names), activation="softmax", name=name)(features) for name, names in SHAPE_FACTORS.items()}
    return keras.Model(image, heads, name="shapes_classifier")


def load_shapes_classifier(path=None) -> keras.Model:
    """The classifier with the shipped weights (or those at `path`)."""
    return load_classifier(build_shapes_classifier, path, WEIGHTS_PATH, "shapes", "ganzoo.metrics.train_shapes_classifier")
