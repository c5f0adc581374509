"""DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training").

Augmenting real *and* fake images with the same differentiable transforms keeps a discriminator
from memorising a small training set while the generator still gets gradients through them.
Functions take NHWC float images in [-1, 1] (known height and width, any batch size) and a
`keras.random.SeedGenerator` (or a drawing function, as the models pass for tf.distribute), and follow the official TensorFlow code, which also works on [-1, 1].
"""
from __future__ import annotations

import keras
from keras import ops

AUGMENTATIONS = ("color", "translation", "cutout")


def _check_images(images):
    images = ops.convert_to_tensor(images)
    if len(images.shape) != 4:
        raise ValueError(
            f"DiffAugment is for images (N, H, W, C); got shape {tuple(images.shape)}. "
            "Other data, such as 2-D mixtures, has nothing to augment."
        )
    return images


def _check_ratio(ratio):
    if not 0 <= ratio <= 1:
        raise ValueError(f"ratio must be between 0 and 1, got {ratio}.")


def _draw(seed, sample, shape, **options):
    """A draw from `sample` (a keras.random function): `seed` is a SeedGenerator or an int, or a
    drawing function `draw(sample, shape, **options)` such as a model's replica-safe `draw_random`."""
    if callable(seed) and not isinstance(seed, keras.random.SeedGenerator):
        return seed(sample, shape, **options)
    return sample(shape, seed=seed, **options)


def _per_image(images, seed, low, high):
    """One uniform draw per image, shaped to broadcast over (H, W, C)."""
    shape = (ops.shape(images)[0], 1, 1, 1)
    return _draw(seed, keras.random.uniform, shape, minval=low, maxval=high, dtype=images.dtype)


def color(images, seed):
    """Per image: brightness + U(-0.5, 0.5), saturation scaled by U(0, 2) around the channel mean,
    contrast scaled by U(0.5, 1.5) around the image mean."""
    images = _check_images(images)
    images = images + _per_image(images, seed, -0.5, 0.5)
    mean = ops.mean(images, axis=3, keepdims=True)
    images = mean + (images - mean) * _per_image(images, seed, 0.0, 2.0)
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return mean + (images - mean) * _per_image(images, seed, 0.5, 1.5)


def _shift(images, axis, max_shift, seed):
    """Move each image by a whole number of pixels in [-max_shift, max_shift] along `axis`, filling with 0."""
    size = images.shape[axis]
    offsets = _draw(seed, keras.random.randint, (ops.shape(images)[0], 1), minval=-max_shift, maxval=max_shift + 1)
    source = ops.arange(size)[None, :] - offsets  # (N, size): the input row/column each output one shows
    inside = ops.logical_and(source >= 0, source < size)
    index_shape = (-1, size, 1, 1) if axis == 1 else (-1, 1, size, 1)
    moved = ops.take_along_axis(images, ops.reshape(ops.clip(source, 0, size - 1), index_shape), axis=axis)
    return ops.where(ops.reshape(inside, index_shape), moved, ops.zeros((), images.dtype))


def translation(images, seed, ratio=0.125):
    """Shift each image by up to ratio * size whole pixels per axis (rounded half up); uncovered pixels become 0
    (mid-grey on [-1, 1] images), as the official code's zero padding does."""
    images = _check_images(images)
    _check_ratio(ratio)
    images = _shift(images, 1, int(images.shape[1] * ratio + 0.5), seed)
    return _shift(images, 2, int(images.shape[2] * ratio + 0.5), seed)


def _window(batch, size, length, seed):
    """(N, size) mask of one random run of `length` positions lying wholly inside each image."""
    start = _draw(seed, keras.random.randint, (batch, 1), minval=0, maxval=size - length + 1)
    positions = ops.arange(size)[None, :]
    return ops.logical_and(positions >= start, positions < start + length)


def cutout(images, seed, ratio=0.5):
    """Set a round(ratio * H) x round(ratio * W) rectangle of each image to 0, placed at random.

    Rounding is half up, as in the official code (0.5 * 15 -> 8). Unlike the official code, which
    centres the square anywhere and clips it at the border, the square always lies wholly inside the
    image, so every image loses exactly that many pixels.
    """
    images = _check_images(images)
    _check_ratio(ratio)
    batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    rows = _window(batch, height, int(height * ratio + 0.5), seed)
    columns = _window(batch, width, int(width * ratio + 0.5), seed)
    hole = ops.logical_and(rows[:, :, None, None], columns[:, None, :, None])
    return ops.where(hole, ops.zeros((), images.dtype), images)


_FUNCTIONS = {"color": color, "translation": translation, "cutout": cutout}


def diff_augment(images, policy, seed):
    """Apply the augmentations named in `policy` ("color,translation,cutout" or a list; "" for none) in
    the paper's order, color then translation then cutout, whatever order they are named in."""
    images = _check_images(images)
    if isinstance(policy, str):
        policy = policy.split(",") if policy else []
    names = [name.strip() for name in policy]
    unknown = sorted(set(names) - set(AUGMENTATIONS))
    if unknown:
        raise ValueError(f"Unknown DiffAugment policy {unknown}. Available: {', '.join(AUGMENTATIONS)}.")
    for name in AUGMENTATIONS:
        if name in names:
            images = _FUNCTIONS[name](images, seed)
    return images
