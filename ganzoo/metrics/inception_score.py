"""Inception Score (Salimans et al. 2016): exp E_x KL(p(y|x) || p(y)), high for confident, varied classes."""
from __future__ import annotations

import numpy as np
from scipy.special import rel_entr

from ganzoo.metrics.checks import MetricInputError, check_features

SUM_TOLERANCE = 1e-3


def inception_score(probabilities, *, splits: int = 10) -> tuple[float, float]:
    """Mean and standard deviation of the score over `splits` consecutive splits of the samples.

    As in the original implementation, split i holds rows [i n / splits, (i + 1) n / splits) and
    p(y) is that split's mean prediction. 0 log 0 counts as 0, so one-hot rows are fine.
    """
    if splits < 1:
        raise MetricInputError(f"splits must be a positive integer, got {splits}.")
    (p,) = check_features(
        probabilities, min_samples=splits, what="class probabilities", why="each split needs at least one sample"
    )
    sums = p.sum(axis=1)
    if p.min() < 0 or np.abs(sums - 1.0).max() > SUM_TOLERANCE:
        raise MetricInputError(
            f"Inception Score takes class probabilities, but the rows have values down to {p.min():.3g} and sums in "
            f"[{sums.min():.4g}, {sums.max():.4g}]; pass softmax outputs, not logits."
        )
    bounds = [i * len(p) // splits for i in range(1, splits)]
    scores = [
        np.exp(rel_entr(part, part.mean(axis=0)).sum(axis=1).mean())
        for part in np.split(p, bounds)
    ]
    return float(np.mean(scores)), float(np.std(scores))
