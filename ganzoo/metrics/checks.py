"""Input checks shared by the metrics, so a bad feature array fails with a message, not a wrong number."""
from __future__ import annotations

import numpy as np


class MetricInputError(ValueError):
    """Metric inputs are unusable as given; the message says what is wrong and how to fix it."""


def _checked(array, name: str, min_samples: int, why: str) -> np.ndarray:
    array = np.asarray(array, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] == 0:
        raise MetricInputError(
            f"The {name} have shape {array.shape}; metrics take features as a 2-D array (samples, dims). "
            "Extract features first, or flatten each sample with x.reshape(len(x), -1)."
        )
    bad = ~np.isfinite(array)
    if bad.any():
        raise MetricInputError(
            f"The {name} contain {int(bad.sum())} NaN or infinite values (first in row {int(bad.any(1).argmax())}); "
            "check the model's outputs and the feature extractor for divergence."
        )
    if len(array) < min_samples:
        reason = f": {why}" if why else ""
        raise MetricInputError(
            f"The {name} have {len(array)} samples but at least {min_samples} are needed{reason}. Pass more samples."
        )
    return array


def check_features(real, fake=None, *, min_samples: int = 1, what: str = "features", why: str = "") -> tuple:
    """`real` (and `fake`) as float64 (samples, dims) arrays, or MetricInputError saying what is wrong.

    Both must be 2-D, finite, hold at least `min_samples` rows (`why` says why the metric needs
    them) and, when both are given, have the same width.
    """
    if fake is None:
        return (_checked(real, what, min_samples, why),)
    real = _checked(real, f"real {what}", min_samples, why)
    fake = _checked(fake, f"generated {what}", min_samples, why)
    if real.shape[1] != fake.shape[1]:
        raise MetricInputError(
            f"The real {what} have {real.shape[1]} dims but the generated {what} have {fake.shape[1]}; "
            "extract both with the same feature extractor."
        )
    return real, fake
