"""Early, readable checks on training data, run before the first step instead of failing inside it."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

RANGE_TOLERANCE = 1e-3


class DataError(ValueError):
    """Training data is unusable as given; the message says what is wrong and how to fix it."""


def check_image_values(images: np.ndarray, where: str = "data") -> None:
    """Images must be a non-empty float array in [-1, 1] (uint8 is converted before this check)."""
    if images.size == 0:
        raise DataError(f"The {where} is empty: there are no examples to train on.")
    if not np.issubdtype(images.dtype, np.floating):
        raise DataError(
            f"The {where} has dtype {images.dtype}; ganzoo trains on float images in [-1, 1]. "
            "Load it with ganzoo.data.load(...) or scale uint8 pixels with x / 127.5 - 1."
        )
    if not np.all(np.isfinite(images)):
        raise DataError(f"The {where} contains NaN or infinite values.")
    low, high = float(images.min()), float(images.max())
    if low < -1 - RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE:
        raise DataError(
            f"The {where} has float values in [{low:.3g}, {high:.3g}], outside [-1, 1]. "
            "Scale 0..255 pixels with x / 127.5 - 1 and 0..1 pixels with 2 * x - 1."
        )


def _first_batch(data, labels=None) -> tuple:
    """The parts of the first batch a data set yields, or of the arrays given to fit, as a tuple."""
    if isinstance(data, tf.data.Dataset):
        for element in data.take(1):
            return tuple(element) if isinstance(element, (tuple, list)) else (element,)
        raise DataError("The training data set is empty: it yielded no batch.")
    parts = tuple(data) if isinstance(data, (tuple, list)) else (data,)
    return parts + ((labels,) if labels is not None else ())


def _check_structure(names: list, count: int) -> None:
    if count == len(names):
        return
    if names == ["real"] and count == 2:
        raise DataError(
            "This model is unconditional but the data yields labels too; load the data with labels=False "
            "or pass only the samples."
        )
    if names == ["real", "labels"] and count == 1:
        raise DataError("This model is conditional and needs (samples, labels) batches; load the data with labels=True.")
    raise DataError(
        f"This model trains on batches of ({', '.join(names)}) but the data yields {count} part(s) per batch; "
        "load data of the pairing the preset names (data.pairing)."
    )


def check_training_data(data, spec: dict, labels=None) -> None:
    """Check batches against what the model trains on before the first step: their parts, shapes,
    size, label type, and for images dtype and range. `spec` maps each part's name to its
    per-example shape (None for an integer class label, "text" for a string), as
    `model.batch_spec()` gives it."""
    if data is None:
        return
    parts = [np.asarray(part) for part in _first_batch(data, labels)]
    if parts[0].shape[0] == 0:
        raise DataError("The training data is empty: it holds no examples.")
    if parts[0].shape[0] == 1:
        raise DataError(
            "The training batches hold a single example; GAN losses and batch normalisation need at least 2. "
            "Use more data or a larger batch size."
        )
    names = list(spec)
    _check_structure(names, len(parts))
    for name, part in zip(names, parts):
        expected = spec[name]
        if expected is None:
            if part.ndim != 1 or not np.issubdtype(part.dtype, np.integer):
                raise DataError(f"The data's {name} must be one integer class per example; got {part.dtype} of shape {part.shape}.")
            continue
        if expected == "text":
            if part.ndim != 1 or part.dtype.kind not in "OSU":
                raise DataError(f"The data's {name} must be one string per example; got {part.dtype} of shape {part.shape}.")
            continue
        if tuple(part.shape[1:]) != tuple(expected):
            what = "samples" if name == "real" else f"{name} images"
            raise DataError(
                f"The data's {what} have shape {tuple(part.shape[1:])} but the model "
                f"{'generates' if name == 'real' else 'takes'} {tuple(expected)}. "
                "Set model.data_shape to match the data, or resize the data (data.image_size)."
            )
        if len(expected) == 3:
            check_image_values(part, "training data" if name == "real" else f"training data ({name})")


def example_batch(data, labels=None):
    """The first batch as `train_step` receives it, for tracing the step before training starts."""
    parts = _first_batch(data, labels)
    return parts[0] if len(parts) == 1 else parts
