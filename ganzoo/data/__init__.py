"""Training data as one tf.data pipeline: float32 NHWC in [-1, 1], shuffled, batched, prefetched.

`load(source)` accepts a built-in name (mnist-5k, digits, stacked-mnist, shapes, shapes-64, ring,
grid), `tfds:<name>`, or a folder of images.

Translators train on two kinds of data (`pairing`):

- paired, batches of (source, target): the built-in tasks `edges-mnist` (edges -> digit),
  `sr4-mnist` (7x7 -> 28x28 digit), `sr4-shapes` (8x8 -> 32x32 scene) and `sr4-photos` (12x12 ->
  48x48 patches of scikit-image's photographs), or a folder with a/ (sources) and b/ (targets) holding files
  of the same names;
- unpaired, batches of (set A, set B) drawn independently: the built-in `digits-mnist`
  (scikit-learn's digits <-> MNIST digits), `tfds:cycle_gan/<name>` (its trainA and trainB), a
  folder with a/ and b/ of any names, or a paired source read as two sets.

`split` picks `train` (the default) or `test`: the built-in translator tasks hold out a fixed fifth
of each class as `test` (sr4-photos: two photographs never trained on; see `ganzoo.data.pairs`),
tensorflow-datasets sets have their own test splits, and a folder in CycleGAN's layout has testA/
and testB/. Labelled sources of single samples (the built-in ones, folders with class
sub-folders) hold out the same fixed fifth of each class as `test`, but train on all their data
unless asked to `hold_out` (see `load_arrays`). A preset selects the split with `data.split`; benchmarks score held-out pairs from `load_arrays(source, split="test")`.
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
from ganzoo.data.pairs import SPLITS, ImagePairs, resize_images, split_indices
from ganzoo.data.shapes import (
    SHAPE_COMBINATIONS,
    SHAPE_FACTORS,
    decode_shape_combination,
    draw_shapes,
    shape_combination,
)
from ganzoo.data.subsets import labelled_indices, select_examples
from ganzoo.data.sources import (
    BUILTIN_SOURCES,
    folder_classes,
    image_folder,
    pair_folders,
    paired_files,
    paired_folder,
    tensorflow_dataset,
    tensorflow_unpaired,
    tfds_unpaired,
    unpaired_folder,
)

__all__ = [
    "SHAPE_COMBINATIONS",
    "SHAPE_FACTORS",
    "DataError",
    "ImagePairs",
    "batch_kind",
    "check_preset_data",
    "check_source",
    "check_training_data",
    "decode_shape_combination",
    "draw_shapes",
    "labelled_indices",
    "list_sources",
    "load",
    "load_arrays",
    "load_epochs",
    "mixture_modes",
    "preset_dataset",
    "preset_epochs",
    "sample_mixture",
    "select_examples",
    "shape_combination",
    "source_kind",
    "split_indices",
    "to_float_images",
    "unpaired_epochs",
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
    if image_size is None or images.ndim != 4:
        return images
    return resize_images(images, image_size)


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


PAIRED_HINT = "edges-mnist, sr4-mnist, sr4-shapes, sr4-photos, or a folder with a/ (sources) and b/ (targets) holding files of the same names"
UNPAIRED_HINT = "digits-mnist, tfds:cycle_gan/<name>, a paired source, or a folder with a/ and b/"


def source_kind(source: str) -> str:
    """What a source holds as named: `single` samples, `paired` images or two `unpaired` sets.
    A folder is `single` until read as pairs (see `batch_kind`)."""
    if source in BUILTIN_SOURCES:
        return BUILTIN_SOURCES[source].kind
    if source.startswith("tfds:") and tfds_unpaired(source[5:]):
        return "unpaired"
    return "single"


def batch_kind(source: str, pairing: str | None = None) -> str:
    """The kind of examples `source` gives for a `data.pairing`: `single` (for none, labels and
    captions), `paired` or `unpaired`; None takes the source's own kind. A paired source can be read
    as two unpaired sets, and a folder as either (from its a/ and b/); anything else is an error
    that names the sources that would fit."""
    own = source_kind(source)
    if pairing is None:
        return own
    wanted = pairing if pairing in ("paired", "unpaired") else "single"
    folder = own == "single" and not source.startswith("tfds:") and source not in BUILTIN_SOURCES
    if wanted == own or (wanted == "unpaired" and own == "paired") or (folder and wanted != "single"):
        return wanted
    if own == "single":
        hint = PAIRED_HINT if wanted == "paired" else UNPAIRED_HINT
        raise DataError(f"{source!r} gives single images, not {wanted} ones; {wanted} sources: {hint}.")
    if own == "paired":
        raise DataError(
            f"{source!r} gives (source, target) pairs, not single images: train a translator on it "
            "(data.pairing: paired, or unpaired to use its two sides as unpaired sets), or use a source of "
            "single images such as mnist-5k."
        )
    if wanted == "paired":
        raise DataError(
            f"{source!r} gives two unpaired sets of images, not (source, target) pairs: train an unpaired "
            f"translator such as CycleGAN on it (data.pairing: unpaired), or use a paired source: {PAIRED_HINT}."
        )
    raise DataError(
        f"{source!r} gives two unpaired sets of images, not single images: train an unpaired translator on it "
        "(data.pairing: unpaired), or use a source of single images such as mnist-5k."
    )


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise DataError(f"data.split must be one of {', '.join(SPLITS)}; got {split!r}.")


def _prepare(source, pairing, split, labels=False, captions=False) -> str:
    """Check a request for data before anything is read; returns the kind of examples it gives."""
    check_source(source)
    kind = batch_kind(source, pairing)
    _check_split(split)
    if captions and kind != "single":
        raise DataError(f"Captions are made for the built-in digits sources, not for the {kind} images of {source!r}.")
    if labels and kind == "unpaired":
        raise DataError(
            f"{source!r} gives two unpaired sets, whose labels are for evaluation, not training batches: "
            "load them with ganzoo.data.load_arrays(source, labels=True)."
        )
    return kind


def _scaled_shape(shape, image_size, base_side, source):
    """A built-in example's shape once `image_size` resizes its target (of side `base_side`)."""
    if image_size is None:
        return tuple(shape)
    if len(shape) != 3:
        raise DataError(f"data.image_size is for images; {source!r} holds points of shape {tuple(shape)}.")
    side = image_size * shape[0] / base_side
    if not side.is_integer():
        raise DataError(
            f"{source!r} gives sources {base_side // shape[0]}x smaller than its targets, so data.image_size "
            f"must be a multiple of {base_side // shape[0]}; got {image_size}."
        )
    return (int(side), int(side), shape[-1])


def check_preset_data(data, data_shape, pairing: str, num_classes=None, source_shape=None) -> None:
    """Check, before anything is built or loaded, that a preset's data agrees with its model: the
    pairing the model class trains on, the split, the sample shape after `image_size`, and the
    label range. For translator data, `data_shape` is a target's shape (set B's), and
    `source_shape`, when the caller knows it, a source's (set A's); built-in tasks are checked
    against both, folders' a/ and b/ are listed (and paired names matched) without being read."""
    check_source(data.source)
    if data.pairing != pairing:
        raise DataError(
            f"The model trains on data.pairing {pairing!r} but the preset's data says {data.pairing!r}; "
            f"set data.pairing: {pairing}."
        )
    kind = batch_kind(data.source, pairing)
    _check_split(data.split)
    builtin = BUILTIN_SOURCES.get(data.source)
    if data.source.startswith("tfds:") and (data.hold_out or data.classes is not None or data.labelled is not None):
        raise DataError(f"data.hold_out, data.classes and data.labelled choose examples of built-in sources and folders, "
                        f"not of {data.source!r}; remove them.")
    if pairing == "captions" and (builtin is None or builtin.classes != 10):
        raise DataError(f"Captions describe digits; {data.source!r} is not a built-in digits source such as mnist-5k.")
    if builtin is None:
        folder = Path(data.source).expanduser()
        if pairing == "labels" and folder.is_dir() and not folder_classes(folder):
            raise DataError(f"{data.source} has no class sub-folders, so it has no labels for this conditional model.")
        if kind != "single" and folder.is_dir():
            sides = pair_folders(folder, data.split)
            if kind == "paired":
                paired_files(*sides)
        return
    shape = _scaled_shape(builtin.shape, data.image_size, builtin.shape[0], data.source)
    what = "samples" if kind == "single" else "targets" if kind == "paired" else "set B images"
    if shape != tuple(data_shape):
        fix = f"set model.data_shape: {list(shape)}"
        if len(shape) == 3 and len(data_shape) == 3 and data_shape[0] == data_shape[1] and data_shape[-1] == shape[-1]:
            fix += f" or data.image_size: {data_shape[0]}"
        raise DataError(f"{data.source!r} gives {what} of shape {shape} but model.data_shape is {list(data_shape)}; {fix}.")
    if kind != "single":  # the sources' shape, which also checks that image_size keeps their scale whole
        given = _scaled_shape(builtin.source_shape, data.image_size, builtin.shape[0], data.source)
        if source_shape is not None and given != tuple(source_shape):
            what = "source images" if kind == "paired" else "set A images"
            raise DataError(
                f"{data.source!r} gives {what} of shape {given} but the model translates images of shape "
                f"{tuple(source_shape)}; choose a source whose {what} fit the model, or change the model."
            )
    if data.classes is not None and max(data.classes) >= builtin.classes:
        raise DataError(f"data.classes {data.classes} names labels that {data.source!r} lacks: its labels are 0..{builtin.classes - 1}.")
    kept = len(data.classes) if data.classes is not None else builtin.classes
    if data.labelled is not None and data.labelled < kept:
        raise DataError(f"data.labelled {data.labelled} cannot label each of the {kept} classes of "
                        f"{data.source!r} once; use at least {kept}.")
    if num_classes is not None and builtin.classes > num_classes:
        raise DataError(f"{data.source!r} has {builtin.classes} classes but the model has num_classes {num_classes}.")


def _pairs(source, kind, split, image_size, limit, seed, data_dir=None, download=False) -> ImagePairs:
    """The two image sets of a paired or unpaired source, as loaded (uint8, or float32 in [-1, 1]);
    `limit` keeps a seeded subset of that many pairs (paired) or of each set (unpaired)."""
    if source.startswith("tfds:"):  # its first `limit` of each set, read no further
        return tensorflow_unpaired(source[5:], split, image_size, limit, data_dir, download)
    if source in BUILTIN_SOURCES:
        pairs = BUILTIN_SOURCES[source].load(split=split, image_size=image_size)
    else:
        read = paired_folder if kind == "paired" else unpaired_folder
        pairs = read(Path(source).expanduser(), split=split, image_size=image_size)
    if limit is not None:
        rng = np.random.default_rng(seed)
        if kind == "paired":
            keep = rng.permutation(len(pairs.a))[:limit]
            pairs = ImagePairs(*(part[keep] for part in pairs))
        else:
            keep_a, keep_b = (rng.permutation(len(images))[:limit] for images in (pairs.a, pairs.b))
            pairs = ImagePairs(pairs.a[keep_a], pairs.b[keep_b], pairs.a_labels[keep_a], pairs.b_labels[keep_b])
    return pairs


def load_arrays(source: str, labels=False, image_size=None, limit=None, seed=0, pairing=None, split="train",
                data_dir=None, download=False, hold_out=False, classes=None, labelled=None):
    """A built-in or folder source as NumPy: float32 samples (and int labels when asked for).

    Sources of single samples are labelled (a folder by its class sub-folders) when `split` is
    `test` (the fixed held-out fifth of each class), `hold_out` (the rest), `classes` (only those
    labels) or `labelled` (a seeded, class-balanced choice of that many; see `labelled_indices`)
    is asked for; `limit` then keeps a seeded subset of what is left.

    Translator data gives (sources, targets) when paired, (a, b) when unpaired, or with `labels`
    (sources, targets, labels) and (a, b, a_labels, b_labels). `pairing` reads a folder as
    `paired` or `unpaired` (its a/ and b/; the other sources know their kind); `split` picks `train`
    or the held-out `test`. `limit` keeps a seeded subset (of pairs, or of each unpaired set).
    tensorflow-datasets sets are read here only for cycle_gan/*, with `data_dir` and `download` as
    in `load`.
    """
    kind = _prepare(source, pairing, split)
    if kind != "single":
        pairs = _pairs(source, kind, split, image_size, limit, seed, data_dir, download)
        a, b = to_float_images(pairs.a), to_float_images(pairs.b)
        if not labels:
            return a, b
        return (a, b, pairs.b_labels) if kind == "paired" else (a, b, pairs.a_labels, pairs.b_labels)
    if source.startswith("tfds:"):
        raise DataError(f"load_arrays reads built-in sources and folders; load {source!r} with ganzoo.data.load.")
    path = Path(source).expanduser()
    subset = split == "test" or hold_out or classes is not None or labelled is not None
    if source in BUILTIN_SOURCES:
        # Subsets are taken from all of a source's examples: a drawn source is drawn in full first.
        x, y = BUILTIN_SOURCES[source].load(limit=None if subset else limit, seed=seed)
    else:
        if (labels or subset) and not folder_classes(path):
            raise DataError(
                f"{path} holds its images directly, not in one sub-folder per class, so it has no labels"
                f"{' to hold out a test split by' if split == 'test' or hold_out else ''}. "
                "Sort the images into class folders (a/, b/, ...) or train an unconditional model."
            )
        x, y = image_folder(path, image_size=image_size)
    if len(x) == 0:
        raise DataError(f"Data source {source!r} holds no examples.")
    keep = select_examples(y, split, hold_out, classes)
    if keep is not None:
        x, y = x[keep], y[keep]
    if labelled is not None:
        keep = labelled_indices(y, labelled, seed)
        x, y = x[keep], y[keep]
    if limit is not None and limit < len(x):
        keep = np.random.default_rng(seed).permutation(len(x))[:limit]
        x, y = x[keep], y[keep]
    x = _resize(to_float_images(x), image_size) if x.ndim == 4 else x.astype("float32")
    return (x, y) if labels else x


def _tfds_dataset(name, labels, image_size, limit, data_dir, download, cache, split="train"):
    """Decoded once: the raw examples are cached in memory (unless `cache` is False), then converted
    and resized in parallel on every pass."""
    dataset = tensorflow_dataset(name, split=split, data_dir=data_dir, download=download, labels=labels)
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


def _examples(source, labels, image_size, limit, seed, data_dir, download, cache, captions=False, kind="single",
              split="train", subset=None):
    """(examples, size) of a source of single samples or pairs. Array sources give their NumPy arrays,
    so batches can be gathered by index (one op per batch); tensorflow-datasets sources give an
    unbatched dataset and a negative size when tfds cannot count it. With `captions`, a digits
    source gives (images, captions) instead of labels; paired sources give (sources, targets) and
    with `labels` (sources, targets, labels). `subset` holds `load_arrays`' hold_out, classes and
    labelled options."""
    if kind == "paired":
        pairs = _pairs(source, kind, split, image_size, limit, seed, data_dir, download)
        return (pairs.a, pairs.b, pairs.b_labels) if labels else (pairs.a, pairs.b), len(pairs.a)
    if captions:
        if source.startswith("tfds:"):
            raise DataError(f"Captions are made for the built-in digits sources, not {source!r}.")
        images, digits = load_arrays(source, labels=True, image_size=image_size, limit=limit, seed=seed,
                                     split=split, **(subset or {}))
        return (images, make_captions(images, digits)), len(images)
    if source.startswith("tfds:"):
        if any(value not in (None, False) for value in (subset or {}).values()):
            raise DataError(f"hold_out, classes and labelled choose examples of built-in sources and folders, not {source!r}.")
        examples = _tfds_dataset(source[5:], labels, image_size, limit, data_dir, download, cache, split)
        return examples, int(examples.cardinality())
    arrays = load_arrays(source, labels=labels, image_size=image_size, limit=limit, seed=seed, split=split,
                         **(subset or {}))
    return arrays, len(arrays[0] if labels else arrays)


def _semi_supervised_sets(source, labelled, batch_size, image_size, limit, seed, split, hold_out, classes):
    """(all images, (the labelled few, their labels)) for pairing `semi`: every image is trained on
    unlabelled, and `labelled` of them, chosen by `labelled_indices`, also with their labels. Fewer
    labelled examples than a batch are repeated until they fill one; `limit` keeps a seeded subset
    of the unlabelled images."""
    images, labels = load_arrays(source, labels=True, image_size=image_size, seed=seed, split=split,
                                 hold_out=hold_out, classes=classes)
    chosen = np.tile(labelled_indices(labels, labelled, seed), -(-batch_size // labelled))
    few = images[chosen], labels[chosen]
    if limit is not None and limit < len(images):
        images = images[np.random.default_rng(seed).permutation(len(images))[:limit]]
    return images, few


def _semi_supervised_batch(images, labelled):
    return (images, *labelled)


def _size(examples) -> int:
    """How many examples an array, or a tuple of arrays of one example each, holds."""
    return len(examples[0] if isinstance(examples, tuple) else examples)


def _batches_of(examples, size, batch_size, drop_remainder=True, shuffle_seed=None, reshuffle=False):
    """Batches of the examples themselves for a dataset, of indices into them for arrays; shuffled
    with `shuffle_seed` unless it is None."""
    items = examples if isinstance(examples, tf.data.Dataset) else tf.data.Dataset.range(size)
    if shuffle_seed is not None:
        items = items.shuffle(size if size > 0 else 10_000, seed=shuffle_seed, reshuffle_each_iteration=reshuffle)
    return items.batch(batch_size, drop_remainder=drop_remainder)


def _gather(tensor, index):
    """The rows `index` of `tensor`; uint8 images (kept so in memory) come out as float32 in [-1, 1]."""
    rows = tf.gather(tensor, index)
    return to_float_images(rows) if rows.dtype == tf.uint8 else rows


def _gathered(batches, examples) -> tf.data.Dataset:
    """Index batches -> example batches, one gather per batch, in parallel; datasets pass through.
    Gathering whole batches keeps even sub-millisecond steps fed."""
    if isinstance(examples, tf.data.Dataset):
        return batches
    tensors = tf.nest.map_structure(tf.convert_to_tensor, examples)
    return batches.map(
        lambda index: tf.nest.map_structure(lambda tensor: _gather(tensor, index), tensors),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def _gathered_unpaired(index_batches, a, b) -> tf.data.Dataset:
    """(a indices, b indices) batches -> (a batch, b batch), one gather per set and batch; a set may
    be a tuple of arrays (images and their labels), gathered alike."""
    a, b = tf.nest.map_structure(tf.convert_to_tensor, (a, b))

    def gathered(tensors, index):
        return tf.nest.map_structure(lambda tensor: _gather(tensor, index), tensors)

    return index_batches.map(lambda i, j: (gathered(a, i), gathered(b, j)), num_parallel_calls=tf.data.AUTOTUNE)


def _unpaired_batches(a, b, batch_size, shuffle_seed, drop_remainder, source) -> tf.data.Dataset:
    """(a batch, b batch) of two unpaired sets for `load`: each pass over the dataset covers the
    larger set once and cycles the smaller; each set has its own shuffle, reshuffled every pass."""
    for name, images in (("A", a), ("B", b)):
        _check_batch_size(batch_size, _size(images) if drop_remainder else -1, source, f"set {name}")
    total = max(_size(a), _size(b))
    total -= total % batch_size if drop_remainder else 0

    def indices(size, which):
        items = tf.data.Dataset.range(size)
        if shuffle_seed is not None:
            items = items.shuffle(size, seed=2 * shuffle_seed + which, reshuffle_each_iteration=True)
        return items.repeat().take(total)

    batches = tf.data.Dataset.zip((indices(_size(a), 0), indices(_size(b), 1))).batch(batch_size, drop_remainder=drop_remainder)
    return _gathered_unpaired(batches, a, b)


def _check_batch_size(batch_size, size, source, part=None):
    """`part` names the part of the source (set A, set B) an unpaired set's `size` counts."""
    if batch_size < 1:
        raise DataError(f"batch_size must be a positive integer, got {batch_size}.")
    if 0 <= size < batch_size:
        where = repr(source) if part is None else f"{part} of {source!r}" if source is not None else part
        raise DataError(
            f"batch_size {batch_size} is larger than the {size} examples in {where}; "
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
    pairing: str | None = None,
    split: str = "train",
    hold_out: bool = False,
    classes: list | None = None,
    labelled: int | None = None,
) -> tf.data.Dataset:
    """Batched, prefetched `tf.data.Dataset` of float32 samples (with int32 labels if `labels`), or
    for translators of (source, target) batches (paired; with `labels`, (source, target, labels))
    or (set A, set B) batches (unpaired).

    Args:
        source: `mnist-5k`, `digits`, `stacked-mnist`, `shapes`, `shapes-64`, `ring`, `grid`, the
            translator tasks `edges-mnist`, `sr4-mnist`, `sr4-shapes`, `sr4-photos` (paired) and `digits-mnist` (unpaired),
            `tfds:<name>` (`tfds:cycle_gan/<name>` is unpaired) or a folder of images.
            `shapes` labels are combination ids (see `shape_combination`).
        image_size: resize images to this square size (anti-aliased).
        limit: use a seeded random subset of this many examples (for mixtures and shapes: draw this many).
        data_dir, download: tensorflow-datasets options; offline, prepare the set elsewhere first.
        drop_remainder: drop the last partial batch so every step sees `batch_size` examples.
        cache: keep decoded tensorflow-datasets examples in memory after the first pass; turn it off
            for sets larger than memory.
        captions: yield (images, caption strings) of a digits source (see `ganzoo.data.captions`).
        pairing: the `data.pairing` to read the source for; None takes the source's own kind. A folder
            gives single images unless `paired` (a/ and b/ with same-named files) or `unpaired` (a/
            and b/); a paired source can be read `unpaired`. Unpaired batches cover the larger set
            once per pass and cycle the smaller, each set shuffled on its own.
        split: `train`, or the held-out `test` of the sources that have one (see the module docstring).
        hold_out, classes, labelled: which examples of a labelled source to use (see `load_arrays`).
            With pairing `semi`, batches are (images, labelled images, their labels): the first
            part covers every image once per pass, the second cycles the `labelled` few.
    """
    kind = _prepare(source, pairing, split, labels, captions)
    if pairing == "semi":
        images, few = _semi_supervised_sets(source, labelled, batch_size, image_size, limit, seed, split, hold_out, classes)
        batches = _unpaired_batches(images, few, batch_size, seed if shuffle else None, drop_remainder, source)
        return batches.map(_semi_supervised_batch).prefetch(tf.data.AUTOTUNE)
    if kind == "unpaired":
        pairs = _pairs(source, kind, split, image_size, limit, seed, data_dir, download)
        batches = _unpaired_batches(pairs.a, pairs.b, batch_size, seed if shuffle else None, drop_remainder, source)
        return batches.prefetch(tf.data.AUTOTUNE)
    subset = dict(hold_out=hold_out, classes=classes, labelled=labelled)
    examples, size = _examples(source, labels, image_size, limit, seed, data_dir, download, cache, captions, kind, split,
                               subset)
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
    pairing: str | None = None,
    split: str = "train",
    hold_out: bool = False,
    classes: list | None = None,
    labelled: int | None = None,
) -> tuple[tf.data.Dataset, int]:
    """Batches for epochs `first_epoch`..`epochs - 1` and the number of steps per epoch.

    Each epoch is shuffled with a seed derived from (`seed`, epoch), so a run resumed at
    epoch k sees exactly the batches an uninterrupted run would have seen from epoch k on.
    Pass the step count to `fit(steps_per_epoch=...)`. Batches are as `load` gives them:
    (source, target) for paired data, and for unpaired data (set A, set B) from
    `unpaired_epochs` (the larger set's batches per epoch).
    """
    if not 0 <= first_epoch < epochs:
        raise DataError(f"Need 0 <= first_epoch < epochs, got first_epoch={first_epoch}, epochs={epochs}.")
    kind = _prepare(source, pairing, split, labels, captions)
    if pairing == "semi":
        images, few = _semi_supervised_sets(source, labelled, batch_size, image_size, limit, seed, split, hold_out, classes)
        batches, steps = unpaired_epochs(images, few, first_epoch, epochs, batch_size, seed, source=source)
        return batches.map(_semi_supervised_batch), steps
    if kind == "unpaired":
        pairs = _pairs(source, kind, split, image_size, limit, seed, data_dir, download)
        return unpaired_epochs(pairs.a, pairs.b, first_epoch, epochs, batch_size, seed, source=source)
    subset = dict(hold_out=hold_out, classes=classes, labelled=labelled)
    examples, size = _examples(source, labels, image_size, limit, seed, data_dir, download, cache, captions, kind, split,
                               subset)
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


def unpaired_epochs(a, b, first_epoch: int, epochs: int, batch_size: int = 1, seed: int = 0, source=None):
    """(a batch, b batch) pairs for epochs `first_epoch`..`epochs - 1` of two unpaired arrays, and the
    number of steps per epoch (the larger set's batches, as CycleGAN's reference loader does).

    Each set is drawn by its own index stream, seeded by (`seed`, epoch, set): reshuffled every
    epoch and cycled when it is the smaller set. So which a meets which b changes from epoch to
    epoch, and a run resumed at epoch k sees exactly the pairs an uninterrupted run would.
    uint8 images are kept so and converted to float32 in [-1, 1] batch by batch; `source` names
    the data in error messages.
    """
    if not 0 <= first_epoch < epochs:
        raise DataError(f"Need 0 <= first_epoch < epochs, got first_epoch={first_epoch}, epochs={epochs}.")
    for name, images in (("A", a), ("B", b)):
        _check_batch_size(batch_size, _size(images), source, f"the unpaired set {name}" if source is None else f"set {name}")
    steps = max(_size(a), _size(b)) // batch_size

    def stream(size, epoch, which):
        rng = np.random.default_rng([seed, epoch, which])
        rounds = -(-steps * batch_size // size)  # enough shuffled passes to fill the epoch
        return np.concatenate([rng.permutation(size) for _ in range(rounds)])[: steps * batch_size]

    epochs_range = range(first_epoch, epochs)
    index_a = np.concatenate([stream(_size(a), epoch, 0) for epoch in epochs_range]).reshape(-1, batch_size)
    index_b = np.concatenate([stream(_size(b), epoch, 1) for epoch in epochs_range]).reshape(-1, batch_size)
    batches = _gathered_unpaired(tf.data.Dataset.from_tensor_slices((index_a, index_b)), a, b)
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
        pairing=preset.data.pairing,
        split=preset.data.split,
        hold_out=preset.data.hold_out,
        classes=preset.data.classes,
        labelled=preset.data.labelled,
    )


def preset_dataset(preset, **options) -> tf.data.Dataset:
    """The training data a preset names, batched with its batch size; `options` override `load`'s."""
    return load(preset.data.source, **{**_preset_settings(preset), **options})


def preset_epochs(preset, first_epoch: int) -> tuple[tf.data.Dataset, int]:
    """`load_epochs` for a preset: its remaining epochs from `first_epoch`, and steps per epoch."""
    return load_epochs(preset.data.source, first_epoch, preset.train.epochs, **_preset_settings(preset))
