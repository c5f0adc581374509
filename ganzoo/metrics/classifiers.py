"""What the shipped feature classifiers (digits, shapes) share: their convolutional trunk, loading
their weights, reproducible training, and the command that trains them and writes the weights."""
from __future__ import annotations

import argparse
from pathlib import Path

import keras
import tensorflow as tf
from keras import layers

from ganzoo.files import atomic_path

FEATURES_LAYER = "features"
FEATURE_DIM = 128


def _conv_block(h, filters: int):
    for _ in range(2):
        h = layers.Conv2D(filters, 3, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.ReLU()(h)
    return layers.MaxPooling2D()(h)


def conv_features(image, filters=(32, 64)):
    """Two conv blocks (each halves the size), one more conv, global average pooling, then the
    128-d Dense layer named "features". Pooling, not flattening, keeps the weights file small."""
    h = image
    for width in filters:
        h = _conv_block(h, width)
    h = layers.Conv2D(filters[-1], 3, padding="same", use_bias=False)(h)
    h = layers.BatchNormalization()(h)
    h = layers.ReLU()(h)
    h = layers.GlobalAveragePooling2D()(h)
    return layers.Dense(FEATURE_DIM, activation="relu", name=FEATURES_LAYER)(h)


def load_classifier(build, path, default: Path, what: str, command: str) -> keras.Model:
    """`build()` with the weights at `path` (default: the shipped `default`)."""
    path = Path(path) if path is not None else default
    if not path.is_file():
        raise FileNotFoundError(
            f"The {what} classifier weights are missing: {path}. They ship inside the ganzoo package; "
            f"reinstall ganzoo, or recreate them with `python -m {command}`."
        )
    model = build()
    model.load_weights(path)
    return model


def reproducible(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def cosine_adamw(steps: int, learning_rate: float = 2e-3, weight_decay: float = 5e-4):
    return keras.optimizers.AdamW(keras.optimizers.schedules.CosineDecay(learning_rate, steps), weight_decay=weight_decay)


def training_command(argv, doc: str, weights_path: Path, epochs: int, train, report) -> None:
    """Parse --out/--seed/--epochs, `train(seed=, epochs=)` -> (classifier, held-out result),
    print `report(result)` and write the classifier's weights atomically."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", default=str(weights_path), help="weights file (.weights.h5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=epochs)
    args = parser.parse_args(argv)
    if not args.out.endswith(".weights.h5"):
        parser.error(f"--out must end with .weights.h5 (Keras' weights format); got {args.out!r}.")
    classifier, result = train(seed=args.seed, epochs=args.epochs)
    print(report(result))
    with atomic_path(args.out) as temporary:
        classifier.save_weights(temporary)
    print(f"weights written to {args.out}")
