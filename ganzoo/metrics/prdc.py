"""Precision and recall (Kynkaanniemi et al. 2019), density and coverage (Naeem et al. 2020).

All four ask whether samples fall inside k-nearest-neighbour balls around the other set's
samples: precision and density measure fidelity (generated samples land on the real
manifold), recall and coverage measure diversity (the real manifold is reached). Distances
come in row blocks, so memory stays bounded however many samples there are.
"""
from __future__ import annotations

import numpy as np

from ganzoo.metrics.checks import MetricInputError, check_features

CHUNK_SIZE = 1024


def squared_distances_chunked(a, b, chunk_size: int = CHUNK_SIZE):
    """Yield (start, block): float32 squared Euclidean distances from a[start:start + len(block)] to all of b.

    Blocks are ||a||^2 + ||b||^2 - 2 a.b from a float32 matrix product, clipped at 0. Distances do
    not change under a common shift, so both sets are first centred on a's mean, which keeps the
    float32 cancellation small. Memory: float32 copies of a and b plus one chunk_size x len(b) block
    (with the default 1024 rows and 10,000 samples in b, 41 MB per block).
    """
    a = np.asarray(a, dtype=np.float64)
    shift = a.mean(axis=0)
    a = (a - shift).astype(np.float32)
    b = (np.asarray(b, dtype=np.float64) - shift).astype(np.float32)
    a_norms = np.einsum("ij,ij->i", a, a)
    b_norms = np.einsum("ij,ij->i", b, b)
    for start in range(0, len(a), chunk_size):
        chunk = a[start : start + chunk_size]
        block = (-2.0 * chunk) @ b.T
        block += a_norms[start : start + chunk_size, None]
        block += b_norms
        np.maximum(block, 0.0, out=block)
        yield start, block


def _knn_squared_radii(x: np.ndarray, ks, chunk_size: int) -> np.ndarray:
    """(n, len(ks)) squared distance from each row of x to its k-th nearest other row, for each k."""
    ks = list(ks)
    radii = np.empty((len(x), len(ks)), dtype=np.float32)
    for start, block in squared_distances_chunked(x, x, chunk_size):
        rows = np.arange(len(block))
        block[rows, start + rows] = 0.0  # itself, exactly: index k of the sorted row is then the k-th neighbour
        # One partition at the largest k, then a sort of the few smallest: partitioning at several k is slower.
        smallest = np.sort(np.partition(block, max(ks), axis=1)[:, : max(ks) + 1], axis=1)
        radii[start : start + len(block)] = smallest[:, ks]
    return radii


def _check_k(k, name: str) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise MetricInputError(f"{name} must be a positive integer number of neighbours, got {k!r}.")


def _checked_sets(real, fake, k: int):
    return check_features(
        real, fake, min_samples=k + 1,
        why=f"each sample's radius is the distance to its k-th nearest other sample, so k + 1 = {k + 1} are needed",
    )


def knn_radii(features, k: int = 3, chunk_size: int = CHUNK_SIZE) -> np.ndarray:
    """Euclidean distance from each sample to its k-th nearest neighbour in the same set (itself excluded)."""
    _check_k(k, "k")
    (x,) = _checked_sets(features, None, k)
    return np.sqrt(_knn_squared_radii(x, (k,), chunk_size)[:, 0].astype(np.float64))


def prdc(real, fake, *, k_pr: int | None = 3, k_dc: int | None = 5, chunk_size: int = CHUNK_SIZE) -> dict:
    """Precision and recall with k_pr neighbours, density and coverage with k_dc, in one pass over distances.

    A sample is inside a ball when its distance is <= the radius for precision/recall (as in
    Kynkaanniemi et al.'s code) and < the radius for density/coverage (as in Naeem et al.'s).
    Pass k_pr=None or k_dc=None to skip that pair. The real set's radii are shared by all four.
    """
    if k_pr is None and k_dc is None:
        raise MetricInputError("prdc has nothing to compute: give k_pr, k_dc or both.")
    ks = [k for k in (k_pr, k_dc) if k is not None]
    for k, name in zip((k_pr, k_dc), ("k_pr", "k_dc")):
        if k is not None:
            _check_k(k, name)
    real, fake = _checked_sets(real, fake, max(ks))
    real_radii = _knn_squared_radii(real, ks, chunk_size)
    if k_pr is not None:
        real_pr, fake_pr = real_radii[:, 0], _knn_squared_radii(fake, (k_pr,), chunk_size)[:, 0]
        fake_in_real_ball = np.zeros(len(fake), dtype=bool)
        real_in_fake_ball = np.empty(len(real), dtype=bool)
    if k_dc is not None:
        real_dc = real_radii[:, -1]
        density_count = 0
        real_covered = np.empty(len(real), dtype=bool)
    for start, block in squared_distances_chunked(real, fake, chunk_size):
        rows = slice(start, start + len(block))
        if k_pr is not None:
            fake_in_real_ball |= (block <= real_pr[rows, None]).any(axis=0)
            real_in_fake_ball[rows] = (block <= fake_pr).any(axis=1)
        if k_dc is not None:
            inside = block < real_dc[rows, None]
            density_count += int(np.count_nonzero(inside))
            real_covered[rows] = inside.any(axis=1)
    results = {}
    if k_pr is not None:
        results.update(precision=float(fake_in_real_ball.mean()), recall=float(real_in_fake_ball.mean()))
    if k_dc is not None:
        results.update(density=density_count / (k_dc * len(fake)), coverage=float(real_covered.mean()))
    return results


def precision_recall(real, fake, *, k: int = 3, chunk_size: int = CHUNK_SIZE) -> dict:
    """Improved precision and recall: the fraction of each set inside the other set's k-NN balls."""
    return prdc(real, fake, k_pr=k, k_dc=None, chunk_size=chunk_size)


def density_coverage(real, fake, *, k: int = 5, chunk_size: int = CHUNK_SIZE) -> dict:
    """Density (how many real k-NN balls hold each generated sample, / k) and coverage (real balls reached)."""
    return prdc(real, fake, k_pr=None, k_dc=k, chunk_size=chunk_size)
