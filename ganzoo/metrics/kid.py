"""Kernel Inception Distance (Binkowski et al. 2018): unbiased MMD^2 with a cubic polynomial kernel.

Unlike FID it has an unbiased estimator, so small sample sets can be compared fairly.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from ganzoo.metrics.checks import MetricInputError, check_features


def _kernel_minus_one(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """k(x, y) - 1 = a^3 + 3a^2 + 3a with a = x.y / d, for k(x, y) = (x.y / d + 1)^3.

    The constant 1 cancels exactly in the unbiased MMD^2 (1 + 1 - 2 = 0), so dropping it
    removes most of the float32 rounding that would otherwise survive that cancellation.
    """
    a = x @ y.T
    a *= 1.0 / x.shape[1]
    kernel = a + 3.0
    kernel *= a
    kernel += 3.0
    kernel *= a
    return kernel


def _within_mean(x: np.ndarray) -> float:
    """Mean of k(x_i, x_j) - 1 over the pairs i != j."""
    kernel = _kernel_minus_one(x, x)
    total = kernel.sum(dtype=np.float64) - np.trace(kernel, dtype=np.float64)
    return total / (len(x) * (len(x) - 1))


def _unbiased_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 of two equally sized float32 sets under the KID kernel (no input checks)."""
    return _within_mean(x) + _within_mean(y) - 2.0 * _kernel_minus_one(x, y).mean(dtype=np.float64)


def kernel_inception_distance(real, fake, *, subsets: int = 100, subset_size: int = 1000, seed: int = 0):
    """Mean and standard deviation of unbiased MMD^2 over `subsets` random subsets of each set.

    Each subset draws min(subset_size, n_real, n_fake) samples without replacement from each set,
    the real indices first, with `numpy.random.default_rng(seed)`. The cost is ~100 subsets x three
    1000 x 1000 x d matrix products, so kernels are float32 products (sums are float64), and
    subsets run in parallel, one per core, each with single-threaded BLAS: at this size that is
    faster than one subset at a time with multi-threaded BLAS, which spends its time synchronising.
    """
    if subsets < 1 or subset_size < 2:
        raise MetricInputError(
            f"KID needs subsets >= 1 and subset_size >= 2, got subsets={subsets}, subset_size={subset_size}."
        )
    real, fake = check_features(real, fake, min_samples=2, why="the unbiased MMD^2 averages over pairs i != j")
    size = min(subset_size, len(real), len(fake))
    real, fake = real.astype(np.float32), fake.astype(np.float32)
    rng = np.random.default_rng(seed)
    draws = [
        (rng.choice(len(real), size, replace=False), rng.choice(len(fake), size, replace=False)) for _ in range(subsets)
    ]
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(min(subsets, os.cpu_count() or 1)) as pool:
        estimates = np.array(list(pool.map(lambda draw: _unbiased_mmd2(real[draw[0]], fake[draw[1]]), draws)))
    return float(estimates.mean()), float(estimates.std())
