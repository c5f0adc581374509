"""Reproducibly train the shipped classifier of scikit-learn's 8x8 digits, set A of `digits-mnist`.

    python -m ganzoo.metrics.train_digits8x8_classifier [--out PATH] [--seed 0] [--epochs 40]

It reads set A as `digits-mnist` serves it (upsampled into MNIST's 28x28 layout), with the same
network and recipe as the digits classifier, and trains on the train split only: the test split's
digits, which the translation benchmark scores, are never trained on. CycleGAN's semantic
consistency loss (`model.semantic_classifier: digits-8x8`) reads translations with it; scores
never do (they use the MNIST-trained `digits` classifier).
"""
from __future__ import annotations

import keras

from ganzoo.metrics.classifiers import training_command
from ganzoo.metrics.digits_classifier import DIGITS8X8_WEIGHTS_PATH
from ganzoo.metrics.train_digits_classifier import accuracy, fit_classifier

SOURCE = "digits-mnist"


def set_a(split: str):
    """(images, labels) of the 8x8 digits in a split of `digits-mnist`, float32 in [-1, 1]."""
    from ganzoo.data import load_arrays

    a, _, a_labels, _ = load_arrays(SOURCE, labels=True, split=split)
    return a, a_labels


def train(seed: int = 0, epochs: int = 40, batch_size: int = 64, verbose: int = 2) -> tuple[keras.Model, dict]:
    """Train from scratch; returns the classifier, its accuracy on the held-out 8x8 digits and, to
    show how far apart the two sets are, on the held-out MNIST digits of set B."""
    from ganzoo.data import load_arrays

    classifier = fit_classifier(*set_a("train"), seed, epochs, batch_size, verbose)
    a, b, a_labels, b_labels = load_arrays(SOURCE, labels=True, split="test")
    return classifier, {"held_out": accuracy(classifier, a, a_labels), "mnist": accuracy(classifier, b, b_labels)}


def main(argv=None) -> None:
    training_command(
        argv, __doc__, DIGITS8X8_WEIGHTS_PATH, 40, train,
        lambda result: (f"held-out accuracy: {result['held_out']:.4f} on the 8x8 digits never trained on; "
                        f"{result['mnist']:.4f} on held-out MNIST digits (set B, another style)"),
    )  # fmt: skip


if __name__ == "__main__":
    main()
