"""Reproducibly train the shipped shapes classifier on freshly drawn `shapes` images.

    python -m ganzoo.metrics.train_shapes_classifier [--out PATH] [--seed 0] [--epochs 10]

It trains on images drawn with TRAIN_SEED at 32x32 and LARGE_SEED at 64x64 (a quarter of them,
resized to 32x32 as the extractor resizes `shapes-64` samples), each step blurred, tinted and noised
by random amounts so that it also names the factors of generated images, which are never as clean
as drawn ones. It reports its accuracy per factor on images drawn with HELD_OUT_SEED (never trained
on) at 32x32, at 64x64, and at 32x32 `degraded`; the tests reuse `held_out_set`.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from ganzoo.data import SHAPE_FACTORS, draw_shapes, to_float_images
from ganzoo.metrics.classifiers import cosine_adamw, reproducible, training_command
from ganzoo.metrics.shapes_classifier import IMAGE_SIZE, WEIGHTS_PATH, build_shapes_classifier

TRAIN_SIZE = 16_000
# The data's seeds are fixed, independent of --seed (which seeds the training).
TRAIN_SEED, LARGE_SEED, HELD_OUT_SEED = 1, 3, 2
HELD_OUT = 2000
LARGE_FRACTION = 0.25  # share of the training images drawn at 64x64 and resized


def shapes_set(n: int, seed: int, image_size: int = IMAGE_SIZE):
    """(float32 images in [-1, 1] at 32x32, discrete factors) of `n` scenes of `seed` drawn at
    `image_size` and resized to 32x32 as the shapes extractor resizes them."""
    from ganzoo.metrics.extractors import resized  # late: extractors imports the classifier

    images, factors = draw_shapes(n, seed, image_size)
    images = np.asarray(resized(to_float_images(images), IMAGE_SIZE))
    return images, {name: np.asarray(factors[name]) for name in SHAPE_FACTORS}


def held_out_set(n: int = HELD_OUT, image_size: int = IMAGE_SIZE):
    """The first `n` held-out scenes (seed HELD_OUT_SEED), which training never sees."""
    return shapes_set(n, HELD_OUT_SEED, image_size)


def training_set(size: int = TRAIN_SIZE):
    """`size` training scenes: LARGE_FRACTION of them drawn at 64x64 (LARGE_SEED) and resized, the
    rest at 32x32 (TRAIN_SEED)."""
    large = int(size * LARGE_FRACTION)
    parts = [shapes_set(size - large, TRAIN_SEED), shapes_set(large, LARGE_SEED, 2 * IMAGE_SIZE)]
    images = np.concatenate([images for images, _ in parts])
    return images, {name: np.concatenate([factors[name] for _, factors in parts]) for name in SHAPE_FACTORS}


def accuracies(classifier: keras.Model, images, factors) -> dict:
    """Accuracy per discrete factor, and for all three at once ("combination")."""
    predicted = classifier.predict(images, batch_size=500, verbose=0)
    hits = {name: np.argmax(predicted[name], axis=1) == factors[name] for name in SHAPE_FACTORS}
    scores = {name: float(np.mean(hit)) for name, hit in hits.items()}
    return {**scores, "combination": float(np.mean(np.all(list(hits.values()), axis=0)))}


def _blurred(images):
    """Images through half their size and back: about the softness of a generator's output."""
    half = IMAGE_SIZE // 2
    return ops.image.resize(ops.image.resize(images, (half, half), antialias=True), (IMAGE_SIZE, IMAGE_SIZE))


class Degrade(keras.layers.Layer):
    """While training, per image: a blend of random weight towards `_blurred`, a random tint of up to
    `tint` per channel, and Gaussian noise of a random std up to `noise`. At inference, nothing."""

    def __init__(self, noise=0.15, tint=0.08, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.noise, self.tint = noise, tint
        self.generator = keras.random.SeedGenerator(seed)

    def _uniform(self, shape, high):
        return keras.random.uniform(shape, 0.0, high, seed=self.generator)

    def call(self, images, training=False):
        if not training:
            return images
        n = ops.shape(images)[0]
        images = images + self._uniform((n, 1, 1, 1), 1.0) * (_blurred(images) - images)
        images = images + self._uniform((n, 1, 1, 3), 2 * self.tint) - self.tint
        std = self._uniform((n, 1, 1, 1), self.noise)
        return images + std * keras.random.normal(ops.shape(images), seed=self.generator)


def degraded(images, seed: int = 0, noise: float = 0.1) -> np.ndarray:
    """Held-out images made as soft as `_blurred` ones, plus Gaussian noise of std `noise`."""
    blurred = np.asarray(_blurred(images))
    return np.clip(blurred + np.random.default_rng(seed).normal(0, noise, blurred.shape), -1, 1).astype("float32")


def train(seed: int = 0, epochs: int = 10, batch_size: int = 64, verbose: int = 2) -> tuple[keras.Model, dict]:
    """Train from scratch; returns the classifier and its held-out accuracies (see `report`)."""
    reproducible(seed)
    images, factors = training_set()
    shuffle = np.random.default_rng(seed).permutation(len(images))
    images, factors = images[shuffle], {name: labels[shuffle] for name, labels in factors.items()}

    classifier = build_shapes_classifier()
    image = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))
    model = keras.Model(image, classifier(Degrade(seed=seed)(image)))
    steps = epochs * int(np.ceil(len(images) / batch_size))
    model.compile(
        optimizer=cosine_adamw(steps),
        loss={name: "sparse_categorical_crossentropy" for name in SHAPE_FACTORS},
        metrics={name: "accuracy" for name in SHAPE_FACTORS},
    )
    model.fit(images, factors, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=verbose)
    held_images, held_factors = held_out_set()
    return classifier, {
        "32x32": accuracies(classifier, held_images, held_factors),
        "64x64": accuracies(classifier, *held_out_set(image_size=2 * IMAGE_SIZE)),
        "32x32 blurred, noise 0.1": accuracies(classifier, degraded(held_images), held_factors),
    }


def report(held_out: dict) -> str:
    lines = [f"held-out accuracy on {HELD_OUT} images never trained on (seed {HELD_OUT_SEED}):"]
    for kind, scores in held_out.items():
        lines.append(f"  {kind}: " + ", ".join(f"{name} {value:.4f}" for name, value in scores.items()))
    return "\n".join(lines)


def main(argv=None) -> None:
    training_command(argv, __doc__, WEIGHTS_PATH, 10, train, report)


if __name__ == "__main__":
    main()
