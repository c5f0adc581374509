"""Mode coverage on mixtures with known modes, the protocol of PacGAN (Lin et al. 2018).

Mode collapse shows up directly: count the modes the generator reaches, and measure how far
its spread over them is from the uniform spread of the data (KL to uniform, 0 when even).
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy.special import rel_entr

from ganzoo.metrics.checks import MetricInputError, check_features

PACGAN_SAMPLES = 2500
QUALITY_STDS = 3.0


def mode_histogram_kl(mode_ids, n_modes: int) -> tuple[int, float]:
    """(modes hit, KL(histogram || uniform over n_modes)) for an int array of mode ids in [0, n_modes).

    KL is 0 when every mode is hit equally often and log(n_modes) when one mode gets everything.
    """
    ids = np.asarray(mode_ids)
    if ids.ndim != 1 or ids.size == 0 or not np.issubdtype(ids.dtype, np.integer):
        raise MetricInputError(
            f"mode_ids must be a non-empty 1-D integer array, got dtype {ids.dtype} and shape {ids.shape}."
        )
    if ids.min() < 0 or ids.max() >= n_modes:
        raise MetricInputError(f"mode ids must lie in [0, {n_modes}), got values in [{ids.min()}, {ids.max()}].")
    histogram = np.bincount(ids, minlength=n_modes) / ids.size
    return int(np.count_nonzero(histogram)), float(rel_entr(histogram, 1.0 / n_modes).sum())


def mode_coverage(samples, means, std: float, *, n: int = PACGAN_SAMPLES) -> dict:
    """Modes captured, high-quality fraction and reverse KL of the first `n` samples of a mixture.

    A sample is high quality when it lies within 3 `std` of its nearest mode; a mode is captured
    when at least one high-quality sample is nearest to it; `reverse_kl` is KL(histogram of the
    high-quality samples over modes || uniform), nan when no sample is high quality.
    """
    (samples,) = check_features(samples, what="samples")
    (means,) = check_features(means, what="mode means")
    if samples.shape[1] != means.shape[1]:
        raise MetricInputError(
            f"The samples have {samples.shape[1]} dims but the mode means have {means.shape[1]}; "
            "pass the means of the mixture the samples were meant to come from."
        )
    if not std > 0:
        raise MetricInputError(f"std must be the mixture's positive standard deviation, got {std}.")
    if len(samples) < n:
        warnings.warn(
            f"Mode coverage uses {n} samples in the PacGAN protocol but only {len(samples)} were given; "
            "fewer samples can miss modes, so figures are not comparable with published ones.",
            UserWarning,
            stacklevel=2,
        )
    samples = samples[:n]
    distances = np.linalg.norm(samples[:, None, :] - means[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    high_quality = distances[np.arange(len(samples)), nearest] <= QUALITY_STDS * std
    if high_quality.any():
        captured, kl = mode_histogram_kl(nearest[high_quality], len(means))
    else:
        captured, kl = 0, float("nan")
    return dict(
        modes_captured=captured,
        modes_total=len(means),
        high_quality_fraction=float(high_quality.mean()),
        reverse_kl=kl,
    )
