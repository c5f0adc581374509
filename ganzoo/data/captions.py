"""Captions for digit images (a small text-to-image task in the spirit of Reed et al. 2016).

Each caption names the digit and two attributes measured on the image itself, so the text says
something the label alone does not: "a thick seven slanted to the right". Thickness is cut into
three bins at the tertiles of the captioned set; slant at a fixed shear of +-0.15 (about 8.5
degrees), because most digits lean right and tertiles would call a slightly right-leaning digit
"slanted to the left". The middle bins go unnamed (medium strokes, upright), so "a seven" is a
medium, upright seven. The measurements are public because the
text-to-image target measures them again on generated samples.
"""
from __future__ import annotations

import numpy as np

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
THICKNESS_WORDS = ("thin", "", "thick")
SLANT_WORDS = ("slanted to the left", "", "slanted to the right")
# Every word a caption can hold, in a fixed order, so the text encoders' vocabulary is the same in
# every run and is saved with the model.
VOCABULARY = ("a", "thin", "thick", *DIGIT_WORDS, "slanted", "to", "the", "left", "right")
SLANT_EDGES = (-0.15, 0.15)
# What a text-to-image model's preview draws: one row each.
PREVIEW_CAPTIONS = (
    "a zero",
    "a thin one",
    "a thick two",
    "a three slanted to the left",
    "a four slanted to the right",
    "a thick five",
    "a thin six",
    "a seven slanted to the right",
    "a thick eight slanted to the left",
    "a thin nine",
)


def _ink(images) -> np.ndarray:
    """Which pixels hold ink: (N, H, W) booleans from images in [-1, 1] (NHWC or NHW)."""
    images = np.asarray(images, dtype="float32")
    if images.ndim == 4:
        images = images.mean(axis=-1)
    if images.ndim != 3:
        raise ValueError(f"Expected images (N, H, W[, C]); got shape {images.shape}.")
    return images > 0


def stroke_thickness(images) -> np.ndarray:
    """Stroke width in pixels, one per image: ink area over half its outline. Half the outline is
    counted as the ink runs along rows plus those along columns, so a w x h bar gives
    wh / (w + h), about w for a long stroke, whatever the digit's shape. 0 for a blank image."""
    ink = _ink(images)
    area = ink.sum(axis=(1, 2))
    runs_along_rows = (ink[:, :, 1:] & ~ink[:, :, :-1]).sum(axis=(1, 2)) + ink[:, :, 0].sum(axis=1)
    runs_along_columns = (ink[:, 1:, :] & ~ink[:, :-1, :]).sum(axis=(1, 2)) + ink[:, 0, :].sum(axis=1)
    return area / np.maximum(runs_along_rows + runs_along_columns, 1)


def slant(images) -> np.ndarray:
    """Horizontal shift of the ink per row climbed, one per image, from the second moments of the
    ink: -cov(x, row) / var(row). Positive leans right ("/"), negative leans left ("\\"), 0 is
    upright or blank."""
    ink = _ink(images).astype("float32")
    rows, columns = np.mgrid[0 : ink.shape[1], 0 : ink.shape[2]].astype("float32")
    mass = np.maximum(ink.sum(axis=(1, 2)), 1)

    def mean(values):
        return (ink * values).sum(axis=(1, 2)) / mass

    mean_row, mean_column = mean(rows), mean(columns)
    covariance = mean(rows * columns) - mean_row * mean_column
    row_variance = mean(rows * rows) - mean_row**2
    return np.where(row_variance > 0, -covariance / np.maximum(row_variance, 1e-6), 0.0)


def tertiles(values) -> np.ndarray:
    """The two cut points that split `values` into three equal thirds."""
    return np.quantile(np.asarray(values, dtype="float64"), [1 / 3, 2 / 3])


def caption(digit: int, thickness_bin: int = 1, slant_bin: int = 1) -> str:
    """The caption of a digit with its thickness and slant bins (0, 1, 2; 1 goes unnamed)."""
    words = ["a", THICKNESS_WORDS[thickness_bin], DIGIT_WORDS[digit], SLANT_WORDS[slant_bin]]
    return " ".join(word for word in words if word)


def make_captions(images, labels, thickness_edges=None, slant_edges=None) -> np.ndarray:
    """One caption per image (a NumPy array of str). The attribute bins are cut at the tertiles of
    these images unless edges are given (for captioning new images the way a training set was);
    the slant bins at `SLANT_EDGES` unless given."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"Give one digit label per image: {len(images)} images, labels of shape {labels.shape}.")
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"Captions name digits 0-9; got labels from {labels.min()} to {labels.max()}.")
    thickness, slope = stroke_thickness(images), slant(images)
    thickness_bins = np.digitize(thickness, tertiles(thickness) if thickness_edges is None else thickness_edges)
    slant_bins = np.digitize(slope, SLANT_EDGES if slant_edges is None else slant_edges)
    return np.array([caption(*parts) for parts in zip(labels, thickness_bins, slant_bins)])


def random_captions(n: int, seed=None) -> np.ndarray:
    """`n` captions with digit and attribute bins drawn uniformly."""
    rng = np.random.default_rng(seed)
    parts = zip(rng.integers(0, 10, n), rng.integers(0, 3, n), rng.integers(0, 3, n))
    return np.array([caption(*choice) for choice in parts])


def caption_digit(text: str) -> int:
    """The digit a caption names (-1 if it names none)."""
    return next((DIGIT_WORDS.index(word) for word in text.split() if word in DIGIT_WORDS), -1)


def unknown_words(text: str, vocabulary=VOCABULARY) -> list[str]:
    """The words of `text` (lower-cased, punctuation dropped) not in `vocabulary`."""
    words = "".join(c if c.isalnum() or c.isspace() else " " for c in text.lower()).split()
    return [word for word in words if word not in vocabulary]
