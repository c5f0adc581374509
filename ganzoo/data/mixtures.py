"""2-D Gaussian mixtures, the standard toy problems for mode collapse (Metz et al. 2017)."""
from __future__ import annotations

import itertools

import numpy as np

DEFAULT_SIZE = 25_600


def mixture_modes(name: str) -> tuple[np.ndarray, float]:
    """Means (k, 2) and the common standard deviation of a named mixture, for evaluation."""
    if name == "ring":
        angles = 2 * np.pi * np.arange(8) / 8
        return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype("float32"), 0.01
    if name == "grid":
        coords = [-4.0, -2.0, 0.0, 2.0, 4.0]
        return np.array(list(itertools.product(coords, coords)), dtype="float32"), 0.05
    raise ValueError(f"Unknown mixture {name!r}; choose 'ring' or 'grid'.")


def sample_mixture(name: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` points drawn uniformly over the mixture's modes; returns (points, mode index)."""
    means, std = mixture_modes(name)
    rng = np.random.default_rng(seed)
    modes = rng.integers(len(means), size=n)
    points = means[modes] + std * rng.standard_normal((n, 2))
    return points.astype("float32"), modes.astype("int32")
