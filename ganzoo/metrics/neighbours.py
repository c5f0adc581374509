"""Nearest training images of generated samples: the check for a model that memorised its data."""
from __future__ import annotations

import numpy as np

from ganzoo.images import image_grid
from ganzoo.metrics.checks import check_features
from ganzoo.metrics.prdc import squared_distances_chunked


def nearest_neighbours(generated, training, k: int = 3, features=None):
    """Indices (n, k) and Euclidean distances (n, k) of each sample's `k` closest training examples.

    Distances are in pixel space unless `features` (a callable, e.g. an extractor's
    `features`) maps both sets into a feature space first.
    """
    embed = features or (lambda images: np.asarray(images).reshape(len(images), -1))
    reference, queries = check_features(embed(training), embed(generated), what="samples")
    if k < 1 or k > len(reference):
        raise ValueError(f"k must be between 1 and the {len(reference)} training examples, got {k}.")
    indices = np.empty((len(queries), k), dtype="int64")
    distances = np.empty((len(queries), k))
    for start, block in squared_distances_chunked(queries, reference):
        nearest = np.argpartition(block, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(block, nearest, axis=1).argsort(axis=1)
        rows = slice(start, start + len(block))
        indices[rows] = np.take_along_axis(nearest, order, axis=1)
        distances[rows] = np.sqrt(np.take_along_axis(block, indices[rows], axis=1))
    return indices, distances


def neighbour_grid(generated, training, k: int = 3, features=None) -> np.ndarray:
    """A picture with one row per generated image: the sample, then its `k` nearest training images."""
    generated, training = np.asarray(generated), np.asarray(training)
    indices, _ = nearest_neighbours(generated, training, k, features)
    rows = [np.concatenate([generated[i : i + 1], training[indices[i]]]) for i in range(len(generated))]
    return image_grid(np.concatenate(rows), columns=k + 1)
