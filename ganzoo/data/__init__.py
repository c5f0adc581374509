"""Training data as one tf.data pipeline: float32 NHWC in [-1, 1], shuffled, batched, prefetched.

`load(source)` accepts a built-in name (mnist-5k, digits, stacked-mnist, shapes, shapes-64, ring,
grid), `tfds:<name>`, or a folder of images.
"""
from __future__ import annotations

import difflib
import functools
from pathlib import Path

import numpy as np
import tensorflow as tf

from ganzoo.data.captions import make_captions
from ganzoo.data.checks import DataError, check_image_values, check_training_data
from ganzoo.data.mixtures import mixture_modes, sample_mixture
from ganzoo.data.shapes import (
    SHAPE_COMBINATIONS,
    SHAPE_FACTORS,
    decode_shape_combination,
    draw_shapes,
    shape_combination,
)
from ganzoo.data.sources import BUILTIN_SOURCES, folder_classes, image_folder, tensorflow_dataset

__all__ = [
    "SHAPE_COMBINATIONS",
    "SHAPE_FACTORS",
    "DataError",
    "check_preset_data",
    "check_source",
    "check_training_data",
    "decode_shape_combination",
    "draw_shapes",
    "list_sources",
    "load",
    "load_arrays",
    "load_epochs",
    "mixture_modes",
    "preset_dataset",
    "preset_epochs",
    "unpaired_epochs",
    "sample_mixture",
    "shape_combination",
    "to_float_images",
]


def list_sources() -> list[str]:
    return sorted(BUILTIN_SOURCES) + ["tfds:<name>", "<folder of images>"]


def to_float_images(images):
    """uint8 0..255 -> float32 in [-1, 1]; float input must already be in [-1, 1]."""
    if isinstance(images, np.ndarray):
        if images.dtype == np.uint8:
            return images.astype("float32") / 127.5 - 1.0
        check_image_values(images, "image data")
        return images.astype("float32")
    images = tf.convert_to_tensor(images)
    if images.dtype == tf.uint8:
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    return tf.cast(images, tf.float32)


def _resize(images, image_size):
    if image_size is None or images.ndim != 4 or images.shape[1:3] == (image_size, image_size):
        return images
    resized = tf.image.resize(images, (image_size, image_size), method="bilinear", antialias=True)
    return np.clip(resized.numpy(), -1.0, 1.0)


def check_source(source: str) -> None:
    """Refuse a source that is neither built in, nor tensorflow-datasets, nor an existing folder."""
    if source in BUILTIN_SOURCES or source.startswith("tfds:") or Path(source).expanduser().is_dir():
        return
    close = difflib.get_close_matches(source, BUILTIN_SOURCES, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise DataError(
        f"Unknown data source {source!r}: not a built-in name and not an existing folder.{hint} "
        f"Built-in sources: {', '.join(sorted(BUILTIN_SOURCES))}; or use tfds:<name> or a folder path."
    )


def check_preset_data(data, data_shape, pairing: str, num_classes=None) -> None:
    """Check, before anything is built or loaded, that a preset's data agrees with its model: the
    pairing the model class trains on, the sample shape after `image_size`, and the label range."""
    check_source(data.source)
    if data.pairing != pairing:
        raise DataError(
            f"The model trains on data.pairing {pairing!r} but the preset's data says {data.pairing!r}; "
            f"set data.pairing: {pairing}."
        )
    if pairing in ("paired", "unpaired"):
        raise DataError(
            f"{data.source!r} gives single images, not {pairing} ones: ganzoo has no {pairing} data source yet "
            "(ganzoo.data.unpaired_epochs draws two unpaired arrays)."
        )
    builtin = BUILTIN_SOURCES.get(data.source)
    if pairing == "captions" and (builtin is None or builtin.classes != 10):
        raise DataError(f"Captions describe digits; {data.source!r} is not a built-in digits source such as mnist-5k.")
    if builtin is None:
        if pairing == "labels" and Path(data.source).expanduser().is_dir() and not folder_classes(Path(data.source).expanduser()):
            raise DataError(f"{data.source} has no class sub-folders, so it has no labels for this conditional model.")
        return
    shape = tuple(builtin.shape)
    if data.image_size is not None:
        if len(shape) != 3:
            raise DataError(f"data.image_size is for images; {data.source!r} holds points of shape {shape}.")
        shape = (data.image_size, data.image_size, shape[-1])
    if shape != tuple(data_shape):
        fix = f"set model.data_shape: {list(shape)}"
        if len(shape) == 3 and len(data_shape) == 3 and data_shape[0] == data_shape[1] and data_shape[-1] == shape[-1]:
            fix += f" or data.image_size: {data_shape[0]}"
        raise DataError(f"{data.source!r} gives samples of shape {shape} but model.data_shape is {list(data_shape)}; {fix}.")
    if num_classes is not None and builtin.classes > num_classes:
        raise DataError(f"{data.source!r} has {builtin.classes} classes but the model has num_classes {num_classes}.")


def load_arrays(source: str, labels=False, image_size=None, limit=None, seed=0):
    """A built-in or folder source as NumPy: float32 samples (and int labels when asked for)."""
    path = Path(source).expanduser()
    check_source(source)
    if source in BUILTIN_SOURCES:
        x, y = BUILTIN_SOURCES[source].load(limit=limit, seed=seed)
    else:
        if labels and not folder_classes(path):
            raise DataError(
                f"{path} holds its images directly, not in one sub-folder per class, so it has no labels. "
                "Sort the images into class folders (a/, b/, ...) or train an unconditional model."
            )
        x, y = image_folder(path, image_size=image_size)
    if len(x) == 0:
        raise DataError(f"Data source {source!r} holds no examples.")
    if limit is not None and limit < len(x):
        keep = np.random.default_rng(seed).permutation(len(x))[:limit]
        x, y = x[keep], y[keep]
    x = _resize(to_float_images(x), image_size) if x.ndim == 4 else x.astype("float32")
    return (x, y) if labels else x


def _tfds_dataset(name, labels, image_size, limit, data_dir, download, cache):
    """Decoded once: the raw examples are cached in memory (unless `cache` is False), then converted
    and resized in parallel on every pass."""
    dataset = tensorflow_dataset(name, data_dir=data_dir, download=download, labels=labels)
    if limit is not None:
        dataset = dataset.take(limit)
    if cache:
        dataset = dataset.cache()

    def prepare(image, label):
        image = to_float_images(image)
        if image_size is not None:
            image = tf.clip_by_value(tf.image.resize(image, (image_size, image_size), antialias=True), -1, 1)
        return (image, label) if labels else image

    return dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)


def _examples(source, labels, image_size, limit, seed, data_dir, download, cache, captions=False):
    """(examples, size) of a source. Array sources give their NumPy arrays, so batches can be
    gathered by index (one op per batch); tensorflow-datasets sources give an unbatched dataset
    and a negative size when tfds cannot count it. With `captions`, a digits source gives
    (images, captions) instead of labels."""
    if captions:
        if source.startswith("tfds:"):
            raise DataError(f"Captions are made for the built-in digits sources, not {source!r}.")
        images, digits = load_arrays(source, labels=True, image_size=image_size, limit=limit, seed=seed)
        return (images, make_captions(images, digits)), len(images)
    if source.startswith("tfds:"):
        examples = _tfds_dataset(source[5:], labels, image_size, limit, data_dir, download, cache)
        return examples, int(examples.cardinality())
    arrays = load_arrays(source, labels=labels, image_size=image_size, limit=limit, seed=seed)
    return arrays, len(arrays[0] if labels else arrays)


def _batches_of(examples, size, batch_size, drop_remainder=True, shuffle_seed=None, reshuffle=False):
    """Batches of the examples themselves for a dataset, of indices into them for arrays; shuffled
    with `shuffle_seed` unless it is None."""
    items = examples if isinstance(examples, tf.data.Dataset) else tf.data.Dataset.range(size)
    if shuffle_seed is not None:
        items = items.shuffle(size if size > 0 else 10_000, seed=shuffle_seed, reshuffle_each_iteration=reshuffle)
    return items.batch(batch_size, drop_remainder=drop_remainder)


def _gathered(batches, examples) -> tf.data.Dataset:
    """Index batches -> example batches, one gather per batch, in parallel; datasets pass through.
    Gathering whole batches keeps even sub-millisecond steps fed."""
    if isinstance(examples, tf.data.Dataset):
        return batches
    tensors = tf.nest.map_structure(tf.convert_to_tensor, examples)
    return batches.map(
        lambda index: tf.nest.map_structure(lambda tensor: tf.gather(tensor, index), tensors),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def _check_batch_size(batch_size, size, source):
    if batch_size < 1:
        raise DataError(f"batch_size must be a positive integer, got {batch_size}.")
    if 0 <= size < batch_size:
        raise DataError(
            f"batch_size {batch_size} is larger than the {size} examples in {source!r}; "
            "lower the batch size or use more data."
        )


def load(
    source: str,
    batch_size: int = 64,
    labels: bool = False,
    shuffle: bool = True,
    seed: int = 0,
    image_size: int | None = None,
    limit: int | None = None,
    data_dir: str | None = None,
    download: bool = False,
    drop_remainder: bool = True,
    cache: bool = True,
    captions: bool = False,
) -> tf.data.Dataset:
    """Batched, prefetched `tf.data.Dataset` of float32 samples (with int32 labels if `labels`).

    Args:
        source: `mnist-5k`, `digits`, `stacked-mnist`, `shapes`, `shapes-64`, `ring`, `grid`, `tfds:<name>`
            or a folder of images. `shapes` labels are combination ids (see `shape_combination`).
        image_size: resize images to this square size (anti-aliased).
        limit: use a seeded random subset of this many examples (for mixtures and shapes: draw this many).
        data_dir, download: tensorflow-datasets options; offline, prepare the set elsewhere first.
        drop_remainder: drop the last partial batch so every step sees `batch_size` examples.
        cache: keep decoded tensorflow-datasets examples in memory after the first pass; turn it off
            for sets larger than memory.
        captions: yield (images, caption strings) of a digits source (see `ganzoo.data.captions`).
    """
    examples, size = _examples(source, labels, image_size, limit, seed, data_dir, download, cache, captions)
    _check_batch_size(batch_size, size if drop_remainder else -1, source)
    batches = _batches_of(examples, size, batch_size, drop_remainder, seed if shuffle else None, reshuffle=True)
    return _gathered(batches, examples).prefetch(tf.data.AUTOTUNE)


def load_epochs(
    source: str,
    first_epoch: int,
    epochs: int,
    batch_size: int = 64,
    labels: bool = False,
    seed: int = 0,
    image_size: int | None = None,
    limit: int | None = None,
    data_dir: str | None = None,
    download: bool = False,
    cache: bool = True,
    captions: bool = False,
) -> tuple[tf.data.Dataset, int]:
    """Batches for epochs `first_epoch`..`epochs - 1` and the number of steps per epoch.

    Each epoch is shuffled with a seed derived from (`seed`, epoch), so a run resumed at
    epoch k sees exactly the batches an uninterrupted run would have seen from epoch k on.
    Pass the step count to `fit(steps_per_epoch=...)`.
    """
    if not 0 <= first_epoch < epochs:
        raise DataError(f"Need 0 <= first_epoch < epochs, got first_epoch={first_epoch}, epochs={epochs}.")
    examples, size = _examples(source, labels, image_size, limit, seed, data_dir, download, cache, captions)
    if size < 0:
        raise DataError(f"Cannot count the examples of {source!r}; use ganzoo.data.load instead.")
    _check_batch_size(batch_size, size, source)

    batches = functools.reduce(
        tf.data.Dataset.concatenate,
        (
            _batches_of(examples, size, batch_size, shuffle_seed=seed * 1_000_003 + epoch)
            for epoch in range(first_epoch, epochs)
        ),
    )
    return _gathered(batches, examples).prefetch(tf.data.AUTOTUNE), size // batch_size


def unpaired_epochs(a, b, first_epoch: int, epochs: int, batch_size: int = 1, seed: int = 0):
    """(a batch, b batch) pairs for epochs `first_epoch`..`epochs - 1` of two unpaired arrays, and the
    number of steps per epoch (the larger set's batches, as CycleGAN's reference loader does).

    Each set is drawn by its own index stream, seeded by (`seed`, epoch, set): reshuffled every
    epoch and cycled when it is the smaller set. So which a meets which b changes from epoch to
    epoch, and a run resumed at epoch k sees exactly the pairs an uninterrupted run would.
    """
    if not 0 <= first_epoch < epochs:
        raise DataError(f"Need 0 <= first_epoch < epochs, got first_epoch={first_epoch}, epochs={epochs}.")
    for name, images in (("first", a), ("second", b)):
        _check_batch_size(batch_size, len(images), f"the {name} unpaired set")
    steps = max(len(a), len(b)) // batch_size

    def stream(size, epoch, which):
        rng = np.random.default_rng([seed, epoch, which])
        rounds = -(-steps * batch_size // size)  # enough shuffled passes to fill the epoch
        return np.concatenate([rng.permutation(size) for _ in range(rounds)])[: steps * batch_size]

    epochs_range = range(first_epoch, epochs)
    index_a = np.concatenate([stream(len(a), epoch, 0) for epoch in epochs_range]).reshape(-1, batch_size)
    index_b = np.concatenate([stream(len(b), epoch, 1) for epoch in epochs_range]).reshape(-1, batch_size)
    tensors = tf.convert_to_tensor(a), tf.convert_to_tensor(b)
    batches = tf.data.Dataset.from_tensor_slices((index_a, index_b)).map(
        lambda i, j: (tf.gather(tensors[0], i), tf.gather(tensors[1], j)), num_parallel_calls=tf.data.AUTOTUNE
    )
    return batches.prefetch(tf.data.AUTOTUNE), steps


def _preset_settings(preset) -> dict:
    return dict(
        batch_size=preset.train.batch_size,
        labels=preset.data.pairing == "labels",
        captions=preset.data.pairing == "captions",
        seed=preset.train.seed,
        image_size=preset.data.image_size,
        limit=preset.data.limit,
        data_dir=preset.data.data_dir,
        cache=preset.data.cache,
    )


def preset_dataset(preset, **options) -> tf.data.Dataset:
    """The training data a preset names, batched with its batch size; `options` override `load`'s."""
    return load(preset.data.source, **{**_preset_settings(preset), **options})


def preset_epochs(preset, first_epoch: int) -> tuple[tf.data.Dataset, int]:
    """`load_epochs` for a preset: its remaining epochs from `first_epoch`, and steps per epoch."""
    return load_epochs(preset.data.source, first_epoch, preset.train.epochs, **_preset_settings(preset))
