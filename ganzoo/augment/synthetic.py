"""Synthetic training examples from a conditional GAN, alone or mixed with real ones.

`synthetic(model, n)` draws `n` labelled samples, as many of each class as `n` allows;
`mixed_dataset(model, images, labels, ratio)` is a `tf.data` source of (images, labels) batches in
which a `ratio` share of every batch is generated, for training a classifier on a small real set
enlarged by samples (ratio 0: real only; 1: samples only, the CAS protocol).
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

DEFAULT_POOL = 5000


def balanced_labels(n: int, num_classes: int, seed: int = 0) -> np.ndarray:
    """`n` int32 labels, each class `n // num_classes` times (the first `n % num_classes` classes once
    more), in a seeded random order."""
    labels = np.arange(n) % num_classes
    return np.random.default_rng(seed).permutation(labels).astype("int32")


def _conditional(model):
    if not getattr(model, "conditional", False):
        raise ValueError(
            f"Synthetic labelled examples need a conditional model, one that draws the class it is asked for "
            f"(such as acgan-mnist or cgan-mnist); {getattr(model, 'name', model)!r} draws no classes."
        )
    return model


def synthetic(model, n: int, labels=None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(samples, labels): `n` samples of a conditional model for `labels` (default: class-balanced,
    `balanced_labels`); the same seed gives the same examples."""
    _conditional(model)
    if labels is None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"synthetic needs a positive number of samples, got n={n!r}.")
        labels = balanced_labels(int(n), model.num_classes, seed)
    labels = np.asarray(labels)
    return model.generate(n, labels=labels, seed=seed), labels.astype("int32")


def _index_batches(size: int, batch: int, seed: int) -> tf.data.Dataset:
    """Endless batches of indices into `size` examples, reshuffled on every pass."""
    return tf.data.Dataset.range(size).shuffle(size, seed=seed, reshuffle_each_iteration=True).repeat().batch(batch)


def mixed_dataset(model, images, labels, ratio: float, batch_size: int = 64, pool: int = DEFAULT_POOL,
                  seed: int = 0) -> tf.data.Dataset:
    """Batches of (images, labels), `round(ratio * batch_size)` of each drawn from `pool` class-balanced
    samples of `model` (made once, by `synthetic`) and the rest from the real (`images`, `labels`).

    One pass covers once the stream that needs more batches and cycles the other, each reshuffled
    on every pass; the share within each batch is fixed, so `ratio` is exact. Generated examples come
    first in a batch; shuffle nothing further, the order carries no label information.
    """
    if not 0 <= ratio <= 1:
        raise ValueError(f"ratio is the share of each batch that is generated, between 0 and 1; got {ratio}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    if isinstance(pool, bool) or not isinstance(pool, int) or pool < 1:
        raise ValueError(f"pool is how many samples to draw once, a positive integer; got {pool!r}.")
    fake_per_batch = round(ratio * batch_size)
    real_per_batch = batch_size - fake_per_batch
    parts, counts = [], []
    if fake_per_batch:
        _conditional(model)
        fake_images, fake_labels = synthetic(model, pool, seed=seed)
        parts.append((fake_images, fake_labels, fake_per_batch))
    if real_per_batch:
        images, labels = np.asarray(images, "float32"), np.asarray(labels).astype("int32")
        if len(images) == 0 or len(images) != len(labels):
            raise ValueError(f"Give one label per real image: {len(images)} images, {len(labels)} labels.")
        parts.append((images, labels, real_per_batch))
    streams = []
    for stream, (x, y, per_batch) in enumerate(parts):
        counts.append(-(-len(x) // per_batch))
        tensors = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
        streams.append(_index_batches(len(x), per_batch, seed * 2 + stream).map(
            lambda index, tensors=tensors: (tf.gather(tensors[0], index), tf.gather(tensors[1], index))
        ))
    if len(streams) == 1:
        batches = streams[0]
    else:
        batches = tf.data.Dataset.zip(tuple(streams)).map(
            lambda fake, real: (tf.concat([fake[0], real[0]], 0), tf.concat([fake[1], real[1]], 0))
        )
    return batches.take(max(counts)).prefetch(tf.data.AUTOTUNE)
