"""Data for translators: two sets of images, paired (a[i] is the source of b[i]) or unpaired.

Built-in tasks, made offline and deterministically from the digits that ship with the dependencies:

    edges-mnist    paired:   edges of each mnist-5k digit (Sobel magnitude > 0.5, 28x28x1) -> the digit
    sr4-mnist      paired:   the digit box-averaged 4x down to 7x7x1 -> the 28x28x1 digit
    digits-mnist   unpaired: scikit-learn's 8x8 digits, upsampled into MNIST's layout (the digit in the
                             central 20x20 of a 28x28 frame) <-> the mnist-5k digits
    sr4-shapes     paired:   5,000 scenes of the shapes data (32x32x3) box-averaged 4x to 8x8 -> the scene,
                             labelled by shape kind
    sr4-photos     paired:   48x48x3 patches of scikit-image's bundled photographs, shrunk 4x to 12x12
                             (anti-aliased bicubic, as the SR papers degrade them) -> the patch,
                             labelled by photograph; `test` patches come from photographs that
                             `train` never sees

Every digit task has labels (the digit of each image of each set, for label preservation) and two splits:
`test` holds a fifth of each class, chosen by a fixed seed (`SPLIT_SEED`, never the run's seed),
so 100 digits per class of mnist-5k (1,000 in all; the same 1,000 in all three tasks) and about 36
per class of scikit-learn's digits; `train` holds the rest. `split_indices` gives them.
sr4-shapes splits its scenes the same way, by shape kind.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from ganzoo.config import SPLITS
from ganzoo.data.checks import DataError

TEST_SHARE = 0.2
SPLIT_SEED = 2017  # fixed: the held-out examples never depend on a run's seed
EDGE_THRESHOLD = 0.5  # Sobel magnitude, as a fraction of a full black-to-white step
SR_FACTOR = 4
DIGITS_BOX = 20  # scikit-learn's digits are upsampled to 20x20 and framed by 4 pixels, as MNIST's are


class ImagePairs(NamedTuple):
    """Two sets of images (uint8, or float32 in [-1, 1], NHWC) and the class labels of each.

    Paired: `a[i]` is the source of the target `b[i]`, and `a_labels` is `b_labels`. Unpaired:
    the sets are independent and may hold different numbers of images.
    """

    a: np.ndarray
    b: np.ndarray
    a_labels: np.ndarray
    b_labels: np.ndarray


def split_indices(labels, split: str) -> np.ndarray:
    """Sorted indices of the `train` or `test` split of a labelled set: `test` is a seeded fifth of
    each class (rounded), the same for every run and every call."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}; got {split!r}.")
    labels = np.asarray(labels)
    test = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        held_out = round(TEST_SHARE * len(members))
        test.append(np.random.default_rng([SPLIT_SEED, int(label)]).permutation(members)[:held_out])
    in_test = np.zeros(len(labels), bool)
    in_test[np.concatenate(test)] = True
    return np.flatnonzero(in_test if split == "test" else ~in_test)


def resize_images(images: np.ndarray, size, method: str = "bilinear") -> np.ndarray:
    """Float images in [-1, 1] resized to `size` (an int for square, or (height, width)), anti-aliased
    (`method`: bilinear or bicubic), clipped back into [-1, 1]."""
    import tensorflow as tf

    size = (size, size) if isinstance(size, int) else tuple(size)
    if tuple(images.shape[1:3]) == size:
        return images
    resized = tf.image.resize(images, size, method=method, antialias=True)
    return np.clip(resized.numpy(), -1.0, 1.0).astype("float32")


def box_downscale(images: np.ndarray, factor: int) -> np.ndarray:
    """Each `factor` x `factor` block of float NHWC images replaced by its mean (area averaging)."""
    n, height, width, channels = images.shape
    if height % factor or width % factor:
        raise ValueError(f"Images of {height}x{width} cannot be divided into {factor}x{factor} blocks.")
    blocks = images.reshape(n, height // factor, factor, width // factor, factor, channels)
    return blocks.mean(axis=(2, 4), dtype="float32")


def sobel_edges(images: np.ndarray, threshold: float = EDGE_THRESHOLD) -> np.ndarray:
    """Binary edges of float NHWC images in [-1, 1]: white (1) where the Sobel gradient magnitude of
    the channel mean exceeds `threshold` times that of a full black-to-white step, black (-1)
    elsewhere. Borders repeat the edge pixels, so a frame adds no edge."""
    grey = (images.mean(axis=-1) + 1.0) / 2.0
    p = np.pad(grey, ((0, 0), (1, 1), (1, 1)), mode="edge")
    left, middle, right = p[:, :, :-2], p[:, :, 1:-1], p[:, :, 2:]
    gx = (right[:, :-2] + 2 * right[:, 1:-1] + right[:, 2:]) - (left[:, :-2] + 2 * left[:, 1:-1] + left[:, 2:])
    gy = (left[:, 2:] + 2 * middle[:, 2:] + right[:, 2:]) - (left[:, :-2] + 2 * middle[:, :-2] + right[:, :-2])
    magnitude = np.hypot(gx, gy) / 4.0  # a step from 0 to 1 gives 1
    return np.where(magnitude > threshold, 1.0, -1.0).astype("float32")[..., None]


@functools.lru_cache(maxsize=1)
def _mnist():
    """mnist-5k as float32 in [-1, 1] and its labels, read once per process (read-only)."""
    from ganzoo.data.sources import mnist_5k  # late: sources registers the loaders below

    images, labels = mnist_5k()
    images = images.astype("float32") / 127.5 - 1.0
    for array in (images, labels):
        array.flags.writeable = False
    return images, labels


def _mnist_split(split: str, image_size=None):
    images, labels = _mnist()
    keep = split_indices(labels, split)
    images = images[keep]
    return (images if image_size is None else resize_images(images, image_size)), labels[keep]


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise DataError(f"data.split must be one of {', '.join(SPLITS)}; got {split!r}.")


def edges_mnist(split: str = "train", image_size=None, **_) -> ImagePairs:
    """Paired: the edges of each mnist-5k digit (`sobel_edges`) -> the digit. With `image_size`,
    the digit is resized first and its edges found at that size."""
    _check_split(split)
    digits, labels = _mnist_split(split, image_size)
    return ImagePairs(sobel_edges(digits), np.ascontiguousarray(digits), labels, labels)


def sr4_mnist(split: str = "train", image_size=None, **_) -> ImagePairs:
    """Paired: each mnist-5k digit averaged over 4x4 blocks (7x7) -> the digit (28x28). With
    `image_size` (a multiple of 4), the digit is resized first and the source is a quarter of it."""
    _check_split(split)
    if image_size is not None and image_size % SR_FACTOR:
        raise DataError(
            f"sr4-mnist's sources are {SR_FACTOR}x smaller than its targets, so image_size must be a multiple "
            f"of {SR_FACTOR}; got {image_size}."
        )
    digits, labels = _mnist_split(split, image_size)
    return ImagePairs(box_downscale(digits, SR_FACTOR), np.ascontiguousarray(digits), labels, labels)


def framed_digits(images: np.ndarray, size: int = 28) -> np.ndarray:
    """scikit-learn's 8x8 digits (float in [-1, 1]) in MNIST's layout: upsampled to 20/28 of `size`
    and framed by black."""
    box = round(size * DIGITS_BOX / 28)
    low = (size - box) // 2
    framed = np.full((len(images), size, size, images.shape[-1]), -1.0, "float32")
    framed[:, low : low + box, low : low + box] = resize_images(images, box)
    return framed


def digits_mnist(split: str = "train", image_size=None, **_) -> ImagePairs:
    """Unpaired: scikit-learn's 8x8 digits in MNIST's layout (`framed_digits`) <-> mnist-5k digits."""
    from ganzoo.data.sources import sklearn_digits

    _check_split(split)
    small, small_labels = sklearn_digits()
    keep = split_indices(small_labels, split)
    a = framed_digits(small[keep].astype("float32") / 127.5 - 1.0, image_size or 28)
    b, b_labels = _mnist_split(split, image_size)
    return ImagePairs(a, np.ascontiguousarray(b), small_labels[keep], b_labels)


def bicubic_upscale(images: np.ndarray, factor: int) -> np.ndarray:
    """Float NHWC images in [-1, 1] made `factor` times larger by bicubic interpolation, clipped to
    [-1, 1]: the baseline every super-resolution model is compared with."""
    import tensorflow as tf

    images = np.asarray(images, dtype="float32")
    size = (images.shape[1] * factor, images.shape[2] * factor)
    return np.clip(tf.image.resize(images, size, method="bicubic").numpy(), -1.0, 1.0).astype("float32")


SHAPES_PAIRS = 5_000  # scenes of sr4-shapes, drawn with the fixed SPLIT_SEED


def sr4_shapes(split: str = "train", image_size=None, **_) -> ImagePairs:
    """Paired: scenes of the shapes data box-averaged 4x -> the scene (32x32x3, or `image_size`)."""
    from ganzoo.data.shapes import draw_shapes

    _check_split(split)
    size = image_size or 32
    if size % SR_FACTOR:
        raise DataError(f"sr4-shapes' sources are {SR_FACTOR}x smaller, so image_size must be a multiple of {SR_FACTOR}; got {size}.")
    images, factors = draw_shapes(SHAPES_PAIRS, SPLIT_SEED, size)
    keep = split_indices(factors["shape"], split)
    scenes = images[keep].astype("float32") / 127.5 - 1.0
    labels = factors["shape"][keep].astype("int32")
    return ImagePairs(box_downscale(scenes, SR_FACTOR), scenes, labels, labels)


# scikit-image's bundled photographs (no download): natural scenes, textures and a portrait for
# training; a cat and a cup of coffee, never seen in training, for testing.
TRAIN_PHOTOS = ("astronaut", "rocket", "immunohistochemistry", "camera", "moon", "brick", "grass", "gravel", "coins")
TEST_PHOTOS = ("chelsea", "coffee")
PHOTO_PATCH = 48
PHOTO_PATCHES = {"train": 4_000, "test": 500}
FLAT_PATCH_STD = 0.02  # patches flatter than this (std of [0, 1] pixels) are skipped: nothing to upscale


def _photo(name: str) -> np.ndarray:
    """A bundled scikit-image photograph as float32 RGB in [-1, 1] (grey ones repeated to RGB)."""
    try:
        import skimage.data
    except ImportError:
        raise DataError("sr4-photos reads scikit-image's bundled photographs: pip install scikit-image.") from None
    image = np.asarray(getattr(skimage.data, name)(), dtype="float32") / 127.5 - 1.0
    return np.repeat(image[..., None], 3, axis=-1) if image.ndim == 2 else image[..., :3]


@functools.lru_cache(maxsize=2)
def _photo_patches(split: str, size: int):
    """Seeded patches of the split's photographs, the same number from each, skipping flat ones."""
    names = TRAIN_PHOTOS if split == "train" else TEST_PHOTOS
    per_photo = -(-PHOTO_PATCHES[split] // len(names))
    patches, labels = [], []
    for label, name in enumerate(names):
        photo = _photo(name)
        rng = np.random.default_rng([SPLIT_SEED, label, split == "test"])
        kept = 0
        while kept < per_photo:
            top = rng.integers(0, photo.shape[0] - size + 1)
            left = rng.integers(0, photo.shape[1] - size + 1)
            patch = photo[top : top + size, left : left + size]
            if (patch.std() / 2.0) >= FLAT_PATCH_STD:
                patches.append(patch)
                kept += 1
        labels += [label] * per_photo
    targets, labels = np.stack(patches)[: PHOTO_PATCHES[split]], np.asarray(labels, "int32")[: PHOTO_PATCHES[split]]
    sources = resize_images(targets, size // SR_FACTOR, method="bicubic")
    for array in (sources, targets, labels):
        array.flags.writeable = False
    return sources, targets, labels


def sr4_photos(split: str = "train", image_size=None, **_) -> ImagePairs:
    """Paired: 48x48 (or `image_size`) patches of scikit-image's photographs shrunk 4x -> the patch."""
    _check_split(split)
    size = image_size or PHOTO_PATCH
    if size % SR_FACTOR:
        raise DataError(f"sr4-photos' sources are {SR_FACTOR}x smaller, so image_size must be a multiple of {SR_FACTOR}; got {size}.")
    sources, targets, labels = _photo_patches(split, size)
    return ImagePairs(sources, targets, labels, labels)
