"""How close translated images are to their targets, and whether they keep the source's class.

- `psnr` and `ssim` as the super-resolution papers report them (SRCNN, SRGAN, EDSR...): on the luma
  channel Y of ITU-R BT.601 for RGB images, computed as MATLAB's `rgb2ycbcr` does
  (Y = 16 + 65.481 R + 128.553 G + 24.966 B with R, G, B in [0, 1], so Y is in [16, 235] on the
  0..255 scale), on the image itself (mapped to 0..255) for grey images, with `scale` pixels
  cropped from every border when given (x4 super-resolution crops 4). The data range is 255 on
  that 0..255 scale: PSNR's peak value, and L in SSIM's constants C1 = (0.01 L)^2 and
  C2 = (0.03 L)^2. For grey images this is the same as a range of 2 in ganzoo's [-1, 1] units.
  Y is not rounded to 8 bits: outputs are scored as the model makes them.
  The arithmetic is TensorFlow's: `tf.image.psnr`, and `tf.image.ssim` with the standard 11x11
  Gaussian window (sigma 1.5, k1 0.01, k2 0.03; the window stays inside the image, so images must
  be at least 11x11 after cropping). TensorFlow computes in float32: on digits and the shapes data
  SSIM agrees with a float64 computation to within 1e-6, but on large flat bright areas the variance
  estimates cancel badly (two flat grey images are off by 4e-4).
- `l1_distance`: the mean absolute difference on all channels, in [-1, 1] units (0 to 2).
- `label_preservation`: the share of translations in which a shipped classifier reads the class of
  their source (CyCADA's measure for SVHN -> MNIST).

Each returns the mean over images; `psnr`, `ssim` and `l1_distance` give the per-image values with
`per_image=True`. An output equal to its target (on the scored channel, inside the crop) has an
infinite PSNR, as `tf.image.psnr` and scikit-image give it: no cap is invented, so one exact copy
makes the mean infinite too, and a warning says how many there were.
"""
from __future__ import annotations

import warnings

import numpy as np
import tensorflow as tf

from ganzoo.data.checks import RANGE_TOLERANCE
from ganzoo.metrics.checks import MetricInputError
from ganzoo.metrics.conditional import _labels, class_accuracy

# MATLAB's rgb2ycbcr (ITU-R BT.601): Y on the 0..255 scale from R, G, B in [0, 1].
LUMA_WEIGHTS = (65.481, 128.553, 24.966)
LUMA_OFFSET = 16.0
DATA_RANGE = 255.0  # of the channel scored, on the 0..255 scale
SSIM_WINDOW = 11  # tf.image.ssim's defaults, those of Wang et al. (2004)
SSIM_SIGMA = 1.5
SSIM_K1, SSIM_K2 = 0.01, 0.03
BATCH_SIZE = 256  # images per TensorFlow call, to bound memory


def check_images(images, name: str, metric: str, channels=None) -> np.ndarray:
    """`images` as float32 NHWC in [-1, 1] (values within the tolerance outside are clipped), or
    MetricInputError saying what is wrong and how to fix it. `channels`: the counts allowed."""
    images = np.asarray(images)
    if images.ndim != 4:
        hint = " Add the channel axis with x[..., None]." if images.ndim == 3 else ""
        raise MetricInputError(
            f"The {name} have shape {images.shape}; {metric} takes images shaped (n, height, width, channels).{hint}"
        )
    if len(images) == 0:
        raise MetricInputError(f"The {name} hold no images; {metric} needs at least one.")
    if channels is not None and images.shape[-1] not in channels:
        raise MetricInputError(
            f"The {name} have {images.shape[-1]} channels; {metric} takes grey (1 channel) or RGB (3 channels) images."
        )
    if not np.issubdtype(images.dtype, np.floating):
        raise MetricInputError(
            f"The {name} have dtype {images.dtype}; {metric} takes float images in [-1, 1], ganzoo's convention. "
            "Scale 0..255 pixels with x / 127.5 - 1 (ganzoo.data.to_float_images does it)."
        )
    if not np.all(np.isfinite(images)):
        raise MetricInputError(f"The {name} contain NaN or infinite values; check the model for divergence.")
    low, high = float(images.min()), float(images.max())
    if low < -1 - RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE:
        looks = " They look like 0..255 pixels." if high > 2 else ""
        raise MetricInputError(
            f"The {name} have values in [{low:.4g}, {high:.4g}], outside [-1, 1], the range {metric} takes.{looks} "
            "Scale 0..255 pixels with x / 127.5 - 1 and 0..1 pixels with 2 * x - 1; clip the overshoot of "
            "bicubic resizing with np.clip(x, -1, 1)."
        )
    return np.clip(images, -1.0, 1.0).astype("float32")


def _checked_pair(outputs, targets, metric: str, channels=None):
    outputs = check_images(outputs, "outputs", metric, channels)
    targets = check_images(targets, "targets", metric, channels)
    if outputs.shape != targets.shape:
        raise MetricInputError(
            f"The outputs have shape {outputs.shape} but the targets {targets.shape}; {metric} compares each "
            "output with its own target, so give as many outputs as targets, at the targets' size (a "
            "super-resolution model's outputs, not its inputs)."
        )
    return outputs, targets


def _cropped(images: np.ndarray, scale, metric: str, minimum: int) -> np.ndarray:
    """`images` without `scale` pixels on each border; refused when fewer than `minimum` pixels
    would remain on a side."""
    if scale is None:
        scale = 0
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 0:
        raise MetricInputError(
            f"scale is the border cropped in pixels: a whole number of 0 or more (or None); got {scale!r}."
        )
    height, width = images.shape[1:3]
    left = height - 2 * scale, width - 2 * scale
    if min(left) < minimum:
        cropped = ""
        if scale:
            cropped = f" with {scale} pixels cropped from each border (scale={scale}), leaving {left[0]}x{left[1]}"
        needed = minimum + 2 * scale
        if metric == "SSIM":
            raise MetricInputError(
                f"SSIM's {SSIM_WINDOW}x{SSIM_WINDOW} Gaussian window needs images of at least {minimum}x{minimum} "
                f"pixels after cropping; these are {height}x{width}{cropped}. Give images of at least "
                f"{needed}x{needed}{', or a smaller scale' if scale else ''}."
            )
        raise MetricInputError(
            f"{metric} needs at least one pixel after cropping; these are {height}x{width}{cropped}. "
            f"Give images of at least {needed}x{needed}, or a smaller scale."
        )
    return images[:, scale : height - scale, scale : width - scale] if scale else images


def luma(images) -> np.ndarray:
    """The channel PSNR and SSIM score, on the 0..255 scale, shaped (n, height, width, 1): BT.601's Y
    (MATLAB's rgb2ycbcr) for RGB images in [-1, 1], the image itself mapped to 0..255 for grey ones."""
    unit = (np.asarray(images, dtype="float64") + 1.0) / 2.0
    if unit.shape[-1] == 1:
        return (unit * 255.0).astype("float32")
    return (LUMA_OFFSET + unit @ np.asarray(LUMA_WEIGHTS)[:, None]).astype("float32")


def _per_image(measure, outputs, targets, scale, metric: str, minimum: int) -> np.ndarray:
    outputs, targets = _checked_pair(outputs, targets, metric, channels=(1, 3))
    outputs = _cropped(outputs, scale, metric, minimum)
    targets = _cropped(targets, scale, metric, minimum)
    values = [
        measure(luma(outputs[start : start + BATCH_SIZE]), luma(targets[start : start + BATCH_SIZE])).numpy()
        for start in range(0, len(outputs), BATCH_SIZE)
    ]
    return np.concatenate(values).astype("float64")


def psnr(outputs, targets, scale=None, per_image=False):
    """Peak signal-to-noise ratio in dB, 10 log10(255^2 / MSE), on the Y channel (grey images: the
    image) on the 0..255 scale, with `scale` pixels cropped from each border: the mean over images,
    or each image's value with `per_image=True`. Higher is better; an exact copy is infinite (see the
    module notes)."""
    values = _per_image(lambda a, b: tf.image.psnr(a, b, max_val=DATA_RANGE), outputs, targets, scale, "PSNR", 1)
    copies = int(np.sum(np.isinf(values)))
    if copies:
        warnings.warn(
            f"{copies} of {len(values)} outputs equal their targets exactly, so their PSNR is infinite"
            f"{' and so is the mean' if not per_image else ''}. Use per_image=True to see the others.",
            UserWarning,
            stacklevel=2,
        )
    return values if per_image else float(np.mean(values))


def ssim(outputs, targets, scale=None, per_image=False):
    """Structural similarity (Wang et al. 2004) on the Y channel (grey images: the image) on the 0..255
    scale (data range 255), with `scale` pixels cropped from each border: the mean over images, or
    each image's value with `per_image=True`. 1 for identical images; images must be at least 11x11
    after cropping."""
    def measure(a, b):
        return tf.image.ssim(a, b, max_val=DATA_RANGE, filter_size=SSIM_WINDOW, filter_sigma=SSIM_SIGMA,
                             k1=SSIM_K1, k2=SSIM_K2)

    values = _per_image(measure, outputs, targets, scale, "SSIM", SSIM_WINDOW)
    return values if per_image else float(np.mean(values))


def l1_distance(outputs, targets, per_image=False):
    """Mean absolute difference between outputs and targets over all pixels and channels, in [-1, 1]
    units (0 to 2): the mean over images, or each image's value with `per_image=True`."""
    outputs, targets = _checked_pair(outputs, targets, "l1_distance")
    values = np.abs(outputs.astype("float64") - targets).reshape(len(outputs), -1).mean(axis=1)
    return values if per_image else float(np.mean(values))


def label_preservation(translated, source_labels, extractor="digits", verbose=True) -> float:
    """Share of `translated` images in which the extractor's classifier (`digits` by default, the
    shipped MNIST classifier) reads the label of the image each was translated from."""
    translated = check_images(translated, "translated images", "label_preservation")
    labels = _labels(source_labels, len(translated), "source")
    return class_accuracy(translated, labels, extractor, verbose=verbose)
