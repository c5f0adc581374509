"""Reproducibly train the shipped digits classifier on the offline MNIST 5,000-digit subset.

    python -m ganzoo.metrics.train_digits_classifier [--out PATH] [--seed 0] [--epochs 40]

The held-out 1,000 digits (`held_out_split`) are never trained on; the tests reuse the same split
to check the shipped weights.
"""
from __future__ import annotations

import keras
import numpy as np

from ganzoo.metrics.classifiers import cosine_adamw, reproducible, training_command
from ganzoo.metrics.digits_classifier import WEIGHTS_PATH, build_digits_classifier

HELD_OUT = 1000
SPLIT_SEED = 0  # fixed, independent of --seed, so the held-out digits never change


def held_out_split():
    """((train images, labels), (held-out images, labels)) from mnist-5k, float32 in [-1, 1].

    mnist-5k is sorted by class, so the split is a seeded permutation rather than a slice.
    """
    from ganzoo.data import load_arrays

    images, labels = load_arrays("mnist-5k", labels=True)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(images))
    held_out, train = order[:HELD_OUT], order[HELD_OUT:]
    return (images[train], labels[train]), (images[held_out], labels[held_out])


def _augmented(classifier: keras.Model) -> keras.Model:
    """The classifier behind small random shifts, rotations and zooms; they act only while training."""
    background = dict(fill_mode="constant", fill_value=-1.0)
    image = keras.Input((28, 28, 1))
    h = keras.layers.RandomTranslation(0.1, 0.1, **background)(image)
    h = keras.layers.RandomRotation(10 / 360, **background)(h)
    h = keras.layers.RandomZoom(0.1, **background)(h)
    return keras.Model(image, classifier(h))


def accuracy(classifier: keras.Model, images, labels) -> float:
    predicted = np.argmax(classifier.predict(images, batch_size=500, verbose=0), axis=1)
    return float(np.mean(predicted == labels))


def fit_classifier(images, labels, seed: int, epochs: int, batch_size: int = 64, verbose: int = 2) -> keras.Model:
    """A fresh digits-classifier network trained from scratch on 28x28 digits in [-1, 1], behind
    random shifts, rotations and zooms."""
    reproducible(seed)
    shuffle = np.random.default_rng(seed).permutation(len(images))
    classifier = build_digits_classifier()
    model = _augmented(classifier)
    steps = epochs * int(np.ceil(len(images) / batch_size))
    model.compile(
        optimizer=cosine_adamw(steps),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(images[shuffle], labels[shuffle], batch_size=batch_size, epochs=epochs, shuffle=True, verbose=verbose)
    return classifier


def train(seed: int = 0, epochs: int = 40, batch_size: int = 64, verbose: int = 2) -> tuple[keras.Model, float]:
    """Train from scratch; returns the classifier and its held-out accuracy."""
    (x_train, y_train), (x_held, y_held) = held_out_split()
    classifier = fit_classifier(x_train, y_train, seed, epochs, batch_size, verbose)
    return classifier, accuracy(classifier, x_held, y_held)


def main(argv=None) -> None:
    training_command(
        argv, __doc__, WEIGHTS_PATH, 40, train,
        lambda held_out: f"held-out accuracy: {held_out:.4f} on {HELD_OUT} digits never trained on",
    )  # fmt: skip


if __name__ == "__main__":
    main()
