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


def _first_batch(data, labels=None):
    """(samples, labels or None) of the first batch a data set yields, or of arrays given to fit."""
    if isinstance(data, tf.data.Dataset):
        for element in data.take(1):
            if isinstance(element, (tuple, list)):
                return element[0], (element[1] if len(element) > 1 else None)
            return element, None
        raise DataError("The training data set is empty: it yielded no batch.")
    if isinstance(data, (tuple, list)):
        return data[0], (data[1] if len(data) > 1 else labels)
    return data, labels


def check_training_data(data, sample_shape, labels=None, uses_labels=False) -> None:
    """Check batches against the model before training: shape, labels, size, and for images dtype and range."""
    if data is None:
        return
    batch, batch_labels = _first_batch(data, labels)
    batch = np.asarray(batch)
    if batch.shape[0] == 0:
        raise DataError("The training data is empty: it holds no examples.")
    if batch.shape[0] == 1:
        raise DataError(
            "The training batches hold a single example; GAN losses and batch normalisation need at least 2. "
            "Use more data or a larger batch size."
        )
    expected = tuple(sample_shape)
    if tuple(batch.shape[1:]) != expected:
        raise DataError(
            f"The data's samples have shape {tuple(batch.shape[1:])} but the model generates {expected}. "
            "Set model.data_shape to match the data, or resize the data (data.image_size)."
        )
    if uses_labels and batch_labels is None:
        raise DataError("This model is conditional and needs (samples, labels) batches; load the data with labels=True.")
    if not uses_labels and batch_labels is not None:
        raise DataError(
            "This model is unconditional but the data yields labels too; load the data with labels=False "
            "or pass only the samples."
        )
    if len(expected) == 3:
        check_image_values(batch, "training data")


def example_batch(data, labels=None):
    """The first batch as `train_step` receives it, for tracing the step before training starts."""
    batch, batch_labels = _first_batch(data, labels)
    return batch if batch_labels is None else (batch, batch_labels)
