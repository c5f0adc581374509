"""ganzoo.data: built-in sources, image folders, tensorflow-datasets and the early data checks."""
import time

import numpy as np
import pytest
import tensorflow as tf

import ganzoo.data
from ganzoo.data import DataError, check_training_data, mixture_modes, to_float_images
from ganzoo.data.checks import check_image_values


def _collect(dataset):
    """Concatenate every batch of a dataset (of tensors or (tensor, tensor) pairs) into NumPy."""
    batches = list(dataset.as_numpy_iterator())
    if isinstance(batches[0], tuple):
        return tuple(np.concatenate(part) for part in zip(*batches))
    return np.concatenate(batches)


# ---------------------------------------------------------------- mnist-5k


@pytest.fixture(scope="module")
def mnist_label_of():
    """The label of every mnist-5k image, keyed by the image's float32 bytes."""
    full_images, full_labels = ganzoo.data.load_arrays("mnist-5k", labels=True)
    assert full_images.shape == (5000, 28, 28, 1)
    return {image.tobytes(): int(label) for image, label in zip(full_images, full_labels)}


def test_mnist_5k_batches_are_float32_images_in_range():
    batch = next(iter(ganzoo.data.load("mnist-5k", batch_size=32)))
    assert batch.dtype == tf.float32
    assert tuple(batch.shape) == (32, 28, 28, 1)
    values = batch.numpy()
    assert values.min() >= -1.0 and values.max() <= 1.0
    # Real digits: black background and some fully white strokes, i.e. the whole range is used.
    assert values.min() == -1.0 and values.max() == 1.0


def test_mnist_5k_with_labels_yields_image_label_pairs():
    images, labels = next(iter(ganzoo.data.load("mnist-5k", batch_size=32, labels=True)))
    assert tuple(images.shape) == (32, 28, 28, 1) and images.dtype == tf.float32
    assert tuple(labels.shape) == (32,)
    assert labels.dtype.is_integer
    assert set(labels.numpy().tolist()) <= set(range(10))


def test_mnist_5k_limit_drops_the_remainder_and_is_seeded(mnist_label_of):
    batch = 32
    dataset = ganzoo.data.load("mnist-5k", batch_size=batch, limit=100, labels=True, shuffle=False)
    batches = list(dataset)
    assert len(batches) == 100 // batch
    assert all(tuple(images.shape) == (batch, 28, 28, 1) for images, _ in batches)

    images, labels = _collect(dataset)
    again, again_labels = _collect(
        ganzoo.data.load("mnist-5k", batch_size=batch, limit=100, labels=True, shuffle=False)
    )
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, again_labels)
    other, _ = _collect(ganzoo.data.load("mnist-5k", batch_size=batch, limit=100, labels=True, shuffle=False, seed=1))
    assert not np.array_equal(images, other), "a different seed should pick a different subset"

    # The subset is made of real examples, each still paired with its own label.
    assert [mnist_label_of[image.tobytes()] for image in images] == labels.tolist()


def test_shuffled_labelled_batches_keep_images_and_labels_aligned(mnist_label_of):
    images, labels = _collect(ganzoo.data.load("mnist-5k", batch_size=16, limit=64, labels=True, seed=3))
    assert [mnist_label_of[image.tobytes()] for image in images] == labels.tolist()


# ---------------------------------------------------------------- digits


def test_digits_are_8x8_images_in_range():
    batch = next(iter(ganzoo.data.load("digits", batch_size=16))).numpy()
    assert batch.shape == (16, 8, 8, 1) and batch.dtype == np.float32
    assert batch.min() >= -1.0 and batch.max() <= 1.0
    full = ganzoo.data.load_arrays("digits")
    assert full.shape == (1797, 8, 8, 1)
    assert full.min() == -1.0 and full.max() == 1.0


def test_digits_resized_to_image_size():
    batch = next(iter(ganzoo.data.load("digits", batch_size=16, image_size=16))).numpy()
    assert batch.shape == (16, 16, 16, 1) and batch.dtype == np.float32
    assert batch.min() >= -1.0 and batch.max() <= 1.0
    assert batch.std() > 0.1, "resizing should keep the digit strokes, not produce a flat image"


# ---------------------------------------------------------------- 2-D mixtures


def test_ring_modes_are_eight_points_on_the_unit_circle():
    means, std = mixture_modes("ring")
    assert means.shape == (8, 2)
    assert std == pytest.approx(0.01)
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), 1.0, atol=1e-6)
    angles = np.sort(np.mod(np.arctan2(means[:, 1], means[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(angles, 2 * np.pi * np.arange(8) / 8, atol=1e-6)


def test_grid_modes_are_a_5x5_lattice():
    means, std = mixture_modes("grid")
    assert means.shape == (25, 2)
    assert std == pytest.approx(0.05)
    coords = [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert {tuple(m) for m in means.tolist()} == {(x, y) for x in coords for y in coords}


def test_unknown_mixture_is_rejected():
    with pytest.raises(ValueError, match="ring"):
        mixture_modes("spiral")


@pytest.mark.parametrize("name, n_modes", [("ring", 8), ("grid", 25)])
def test_mixture_samples_lie_near_modes_and_cover_them_all(name, n_modes):
    points, modes = _collect(ganzoo.data.load(name, batch_size=100, limit=2000, labels=True))
    assert points.shape == (2000, 2) and points.dtype == np.float32
    means, std = mixture_modes(name)
    distances = np.linalg.norm(points[:, None, :] - means[None, :, :], axis=-1)
    assert distances.min(axis=1).max() < 6 * std, "a sample lies far from every mode"
    # Each point sits next to the mode it was drawn from, and every mode is used.
    np.testing.assert_array_equal(distances.argmin(axis=1), modes)
    assert set(modes.tolist()) == set(range(n_modes))


# ---------------------------------------------------------------- image folders


def _write_png(path, value, size=(6, 6), mode="L"):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value).save(path)


@pytest.fixture
def class_folder(tmp_path):
    """cats/ holds two black images and dogs/ two white ones (all 6x6 greyscale)."""
    folder = tmp_path / "pets"
    for i in range(2):
        _write_png(folder / "cats" / f"cat{i}.png", 0)
        _write_png(folder / "dogs" / f"dog{i}.png", 255)
    return folder


def test_image_folder_loads_images_with_class_labels(class_folder):
    dataset = ganzoo.data.load(str(class_folder), batch_size=2, labels=True)
    batches = list(dataset)
    assert len(batches) == 2
    for images, labels in batches:
        assert tuple(images.shape) == (2, 6, 6, 1) and images.dtype == tf.float32
        assert tuple(labels.shape) == (2,)
    images, labels = _collect(dataset)
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert sorted(labels.tolist()) == [0, 0, 1, 1]
    for image, label in zip(images, labels):
        # Sorted folder names give the classes: cats (black) = 0, dogs (white) = 1.
        np.testing.assert_array_equal(image, np.full((6, 6, 1), -1.0 if label == 0 else 1.0, "float32"))


def test_image_folder_with_mixed_sizes_needs_image_size(tmp_path):
    folder = tmp_path / "mixed"
    _write_png(folder / "a" / "small.png", (255, 0, 0), size=(6, 6), mode="RGB")
    _write_png(folder / "a" / "small2.png", (0, 255, 0), size=(6, 6), mode="RGB")
    _write_png(folder / "b" / "large.png", (0, 0, 255), size=(10, 8), mode="RGB")
    _write_png(folder / "b" / "large2.png", (0, 0, 0), size=(10, 8), mode="RGB")
    with pytest.raises(DataError, match="image_size"):
        ganzoo.data.load(str(folder), batch_size=2, labels=True)

    images, labels = _collect(ganzoo.data.load(str(folder), batch_size=2, labels=True, image_size=5, shuffle=False))
    assert images.shape == (4, 5, 5, 3) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert labels.tolist() == [0, 0, 1, 1]
    # Sorted files: a/small.png is pure red.
    np.testing.assert_allclose(images[0, 2, 2], [1.0, -1.0, -1.0], atol=0.02)


def test_folder_without_images_is_rejected(tmp_path):
    (tmp_path / "notes.txt").write_text("no pictures here")
    with pytest.raises(DataError, match="No image files"):
        ganzoo.data.load(str(tmp_path), batch_size=1)


# ---------------------------------------------------------------- tensorflow-datasets


def test_tfds_source_with_mock_data():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=20):
        dataset = ganzoo.data.load("tfds:mnist", batch_size=4)
        batches = [batch.numpy() for batch in dataset]
    assert len(batches) == 5
    for batch in batches:
        assert batch.shape == (4, 28, 28, 1) and batch.dtype == np.float32
        assert batch.min() >= -1.0 and batch.max() <= 1.0


def test_tfds_source_with_mock_data_and_labels():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=8):
        images, labels = next(iter(ganzoo.data.load("tfds:mnist", batch_size=4, labels=True, image_size=14)))
    assert tuple(images.shape) == (4, 14, 14, 1) and images.dtype == tf.float32
    assert tuple(labels.shape) == (4,) and labels.dtype.is_integer


def test_tfds_source_not_prepared_offline_explains_how_to_get_it(tmp_path, no_network):
    start = time.monotonic()
    with pytest.raises(DataError) as error:
        ganzoo.data.load("tfds:mnist", data_dir=str(tmp_path))
    assert time.monotonic() - start < 20, "an unprepared data set must fail fast, not retry downloads"
    assert no_network == [], "download=False must not touch the network"
    message = str(error.value)
    assert "data_dir" in message
    assert str(tmp_path) in message
    assert "download=True" in message and "tfds build mnist" in message


# ---------------------------------------------------------------- bad input


def test_unknown_source_lists_the_builtin_sources():
    with pytest.raises(DataError, match="Unknown data source") as error:
        ganzoo.data.load("no-such-source", batch_size=4)
    message = str(error.value)
    for name in ("mnist-5k", "digits", "ring", "grid"):
        assert name in message
    assert "tfds:" in message


def test_batch_larger_than_the_data_set():
    with pytest.raises(DataError, match="batch_size 32 is larger than the 10 examples"):
        ganzoo.data.load("mnist-5k", batch_size=32, limit=10)


def test_non_positive_batch_size():
    with pytest.raises(DataError, match="positive"):
        ganzoo.data.load("digits", batch_size=0)


def test_float_images_outside_the_range_are_rejected():
    with pytest.raises(DataError, match=r"outside \[-1, 1\]") as error:
        to_float_images(np.full((2, 4, 4, 1), 3.0, "float32"))
    assert "127.5" in str(error.value), "the message should say how to scale pixels"


def test_nan_images_are_rejected():
    images = np.zeros((2, 4, 4, 1), "float32")
    images[1, 2, 3, 0] = np.nan
    with pytest.raises(DataError, match="NaN"):
        to_float_images(images)


def test_empty_images_are_rejected():
    with pytest.raises(DataError, match="empty"):
        check_image_values(np.zeros((0, 4, 4, 1), "float32"))


def test_integer_images_other_than_uint8_are_rejected():
    with pytest.raises(DataError, match="dtype int64"):
        check_image_values(np.zeros((1, 4, 4, 1), "int64"))


def test_training_data_of_the_wrong_shape_names_both_shapes():
    data = tf.data.Dataset.from_tensor_slices(np.zeros((8, 28, 28, 1), "float32")).batch(4)
    with pytest.raises(DataError) as error:
        check_training_data(data, {"real": (32, 32, 1)})
    message = str(error.value)
    assert "(28, 28, 1)" in message and "(32, 32, 1)" in message


def test_empty_training_dataset_is_rejected():
    empty = tf.data.Dataset.from_tensor_slices(np.zeros((0, 28, 28, 1), "float32")).batch(4)
    with pytest.raises(DataError, match="empty"):
        check_training_data(empty, {"real": (28, 28, 1)})


def test_training_data_checks_pass_on_loaded_data_and_catch_bad_ranges():
    check_training_data(ganzoo.data.load("digits", batch_size=8, labels=True), {"real": (8, 8, 1), "labels": None})
    check_training_data(ganzoo.data.load("ring", batch_size=8, limit=64), {"real": (2,)})
    raw = tf.data.Dataset.from_tensor_slices(np.full((8, 8, 8, 1), 255.0, "float32")).batch(4)
    with pytest.raises(DataError, match="outside"):
        check_training_data(raw, {"real": (8, 8, 1)})


# ---------------------------------------------------------------- scaling


def test_uint8_images_are_scaled_to_minus_one_one():
    scaled = to_float_images(np.array([[0, 255]], np.uint8))
    assert scaled.dtype == np.float32
    np.testing.assert_array_equal(scaled, [[-1.0, 1.0]])
    middle = to_float_images(np.array([[128]], np.uint8))
    assert middle[0, 0] == pytest.approx(128 / 127.5 - 1, abs=1e-6)


def test_uint8_tensors_are_scaled_too():
    scaled = to_float_images(tf.constant([[0, 255]], tf.uint8))
    assert scaled.dtype == tf.float32
    np.testing.assert_array_equal(scaled.numpy(), [[-1.0, 1.0]])


def test_unpaired_sets_draw_two_seeded_streams_and_resume_exactly():
    a = np.arange(10, dtype="float32")[:, None]
    b = 100 + np.arange(4, dtype="float32")[:, None]
    dataset, steps = ganzoo.data.unpaired_epochs(a, b, 0, 3, batch_size=2, seed=5)
    assert steps == 5  # the larger set's batches; the smaller set is cycled
    epochs = [[(x.numpy().ravel().tolist(), y.numpy().ravel().tolist()) for x, y in dataset][i * 5:(i + 1) * 5]
              for i in range(3)]
    first_a = sorted(v for x, _ in epochs[0] for v in x)
    assert first_a == list(range(10)), "each epoch shows every example of the larger set once"
    counts = np.unique([v for _, y in epochs[0] for v in y], return_counts=True)[1]
    assert len(counts) == 4 and set(counts) <= {2, 3}, "the smaller set is cycled through whole shuffled passes"
    assert epochs[0] != epochs[1], "a new epoch pairs the sets differently"
    resumed, _ = ganzoo.data.unpaired_epochs(a, b, 1, 3, batch_size=2, seed=5)
    assert [(x.numpy().ravel().tolist(), y.numpy().ravel().tolist()) for x, y in resumed] == epochs[1] + epochs[2]
    other_seed, _ = ganzoo.data.unpaired_epochs(a, b, 0, 1, batch_size=2, seed=6)
    assert [(x.numpy().ravel().tolist(), y.numpy().ravel().tolist()) for x, y in other_seed] != epochs[0]


def test_an_unlabelled_tfds_set_is_refused_when_labels_are_needed():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=4):
        with pytest.raises(DataError, match="no 'label' feature, so it cannot train a model that needs labels"):
            ganzoo.data.load("tfds:celeb_a", batch_size=2, labels=True)
        images = next(iter(ganzoo.data.load("tfds:celeb_a", batch_size=2, image_size=8)))
        assert images.shape == (2, 8, 8, 3)
