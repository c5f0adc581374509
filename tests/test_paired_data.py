"""ganzoo.data for translators: the built-in paired and unpaired tasks, their held-out split, paired and
unpaired folders, tensorflow-datasets' cycle_gan sets, resumable epochs, and the preset checks."""
import time

import numpy as np
import pytest
import tensorflow as tf

import ganzoo
import ganzoo.data
from ganzoo.config import ConfigError, DataConfig
from ganzoo.data import DataError, check_preset_data
from ganzoo.data.pairs import box_downscale, sobel_edges, split_indices


def _numpy(element):
    return tuple(np.asarray(part) for part in element)


def _epoch_batches(dataset, steps, epochs):
    """The batches of a multi-epoch dataset, as NumPy, one list per epoch."""
    batches = [_numpy(element) for element in dataset]
    assert len(batches) == steps * epochs
    return [batches[i * steps : (i + 1) * steps] for i in range(epochs)]


def _assert_same_batches(first, second):
    assert len(first) == len(second)
    for one, other in zip(first, second):
        assert len(one) == len(other)
        for part, again in zip(one, other):
            np.testing.assert_array_equal(part, again)


@pytest.fixture(scope="module")
def mnist():
    """mnist-5k's images (float32) and labels, and each image's index keyed by its bytes."""
    images, labels = ganzoo.data.load_arrays("mnist-5k", labels=True)
    return images, labels, {image.tobytes(): index for index, image in enumerate(images)}


# ---------------------------------------------------------------- the held-out split


def test_the_test_split_is_a_fixed_stratified_fifth():
    labels = np.repeat(np.arange(10), 500)
    test, train = split_indices(labels, "test"), split_indices(labels, "train")
    assert len(test) == 1000 and len(train) == 4000
    assert np.intersect1d(test, train).size == 0 and len(np.union1d(test, train)) == 5000
    assert np.bincount(labels[test]).tolist() == [100] * 10
    np.testing.assert_array_equal(test, split_indices(labels, "test"))
    assert np.all(np.diff(test) > 0), "indices come sorted"
    assert not np.array_equal(test[:100], np.arange(400, 500)), "a seeded choice, not the last of each class"
    with pytest.raises(ValueError, match="train, test"):
        split_indices(labels, "validation")


@pytest.mark.parametrize("name", ["edges-mnist", "sr4-mnist"])
def test_paired_tasks_hold_out_the_same_1000_digits_whatever_the_seed(name, mnist):
    _, labels, index_of = mnist
    held_out = {index_of[t.tobytes()] for t in ganzoo.data.load_arrays(name, split="test", seed=3)[1]}
    trained = {index_of[t.tobytes()] for t in ganzoo.data.load_arrays(name, split="train", seed=7)[1]}
    assert len(held_out) == 1000 and len(trained) == 4000 and not held_out & trained
    assert held_out == set(split_indices(labels, "test").tolist())
    _, b = ganzoo.data.load_arrays("digits-mnist", split="test")
    assert {index_of[t.tobytes()] for t in b} == held_out, "digits-mnist holds out the same MNIST digits"


# ---------------------------------------------------------------- built-in tasks


def test_edges_mnist_pairs_each_digit_with_its_edges(mnist):
    _, labels, index_of = mnist
    sources, targets, pair_labels = ganzoo.data.load_arrays("edges-mnist", labels=True)
    assert sources.shape == targets.shape == (4000, 28, 28, 1)
    assert sources.dtype == targets.dtype == np.float32 and pair_labels.dtype == np.int32
    assert set(np.unique(sources).tolist()) == {-1.0, 1.0}, "edges are binary"
    assert 0.05 < (sources > 0).mean() < 0.4
    np.testing.assert_array_equal(sources, sobel_edges(targets))
    rows = [index_of[t.tobytes()] for t in targets]
    np.testing.assert_array_equal(pair_labels, labels[rows]), "each target is an mnist-5k digit with its label"
    again = ganzoo.data.load_arrays("edges-mnist", labels=True)
    for part, same in zip((sources, targets, pair_labels), again):
        np.testing.assert_array_equal(part, same)


def test_sobel_edges_outline_a_square():
    image = np.full((1, 8, 8, 1), -1.0, "float32")
    image[0, 2:6, 2:6] = 1.0
    edges = sobel_edges(image)[0, ..., 0] > 0
    assert edges[2, 2] and edges[1, 3] and not edges[0, 0]
    assert not edges[3:5, 3:5].any(), "the inside of a flat region has no edges"


def test_sr4_mnist_sources_are_4x4_block_means_of_the_targets():
    sources, targets = ganzoo.data.load_arrays("sr4-mnist", split="test")
    assert sources.shape == (1000, 7, 7, 1) and targets.shape == (1000, 28, 28, 1)
    assert sources.min() >= -1 and sources.max() <= 1
    np.testing.assert_allclose(sources[:, 1, 2, 0], targets[:, 4:8, 8:12, 0].mean(axis=(1, 2)), atol=1e-6)
    np.testing.assert_allclose(box_downscale(targets, 4), sources)


def test_built_in_tasks_resize_the_target_first():
    sources, targets = ganzoo.data.load_arrays("sr4-mnist", image_size=32, limit=16)
    assert sources.shape == (16, 8, 8, 1) and targets.shape == (16, 32, 32, 1)
    np.testing.assert_allclose(box_downscale(targets, 4), sources, atol=1e-6)
    edges, digits = ganzoo.data.load_arrays("edges-mnist", image_size=32, limit=16)
    assert edges.shape == digits.shape == (16, 32, 32, 1)
    np.testing.assert_array_equal(edges, sobel_edges(digits))
    with pytest.raises(DataError, match="multiple of 4; got 30"):
        ganzoo.data.load_arrays("sr4-mnist", image_size=30)


def test_digits_mnist_is_two_labelled_sets_in_mnist_layout():
    a, b, a_labels, b_labels = ganzoo.data.load_arrays("digits-mnist", labels=True)
    assert a.shape == (1438, 28, 28, 1) and b.shape == (4000, 28, 28, 1)
    assert len(a_labels) == 1438 and len(b_labels) == 4000
    assert a.min() >= -1 and a.max() <= 1 and a.dtype == np.float32
    # The upsampled 8x8 digit fills the central 20x20, framed by 4 black pixels as in MNIST.
    assert np.all(a[:, :4] == -1) and np.all(a[:, -4:] == -1) and np.all(a[:, :, :4] == -1)
    assert a[:, 4:24, 4:24].max() > 0.9
    test_a, test_b, test_a_labels, _ = ganzoo.data.load_arrays("digits-mnist", labels=True, split="test")
    assert len(test_a) == 359 and len(test_b) == 1000
    assert set(np.bincount(test_a_labels).tolist()) <= {35, 36, 37}
    # The class means of the two sets look alike: a translator must keep the digit, not redraw it.
    for digit in (0, 1):
        assert np.corrcoef(a[a_labels == digit].mean(0).ravel(), b[b_labels == digit].mean(0).ravel())[0, 1] > 0.6


# ---------------------------------------------------------------- load and load_epochs


def test_paired_batches_keep_sources_with_their_targets_and_labels(mnist):
    _, labels, index_of = mnist
    batches = list(ganzoo.data.load("edges-mnist", batch_size=16, labels=True, limit=64, seed=3))
    assert len(batches) == 4
    for sources, targets, batch_labels in batches:
        assert sources.dtype == targets.dtype == tf.float32 and tuple(sources.shape) == (16, 28, 28, 1)
        np.testing.assert_array_equal(sources.numpy(), sobel_edges(targets.numpy()))
        assert [labels[index_of[t.tobytes()]] for t in targets.numpy()] == batch_labels.numpy().tolist()
    sources, targets = next(iter(ganzoo.data.load("sr4-mnist", batch_size=8)))
    assert tuple(sources.shape) == (8, 7, 7, 1) and tuple(targets.shape) == (8, 28, 28, 1)


def test_unpaired_load_draws_both_sets_and_reshuffles_each_pass():
    dataset = ganzoo.data.load("digits-mnist", batch_size=50, limit=200, seed=1)
    first, second = ([_numpy(element) for element in dataset] for _ in range(2))
    a, b = first[0]
    assert a.dtype == b.dtype == np.float32 and a.shape == b.shape == (50, 28, 28, 1)
    assert len(first) == len(second) == 4
    assert not np.array_equal(first[0][0], second[0][0]), "each pass is shuffled anew"
    again = [_numpy(element) for element in ganzoo.data.load("digits-mnist", batch_size=50, limit=200, seed=1)]
    _assert_same_batches(first, again)


@pytest.mark.parametrize("source, pairing, steps", [("edges-mnist", None, 3), ("digits-mnist", None, 3),
                                                     ("sr4-mnist", "unpaired", 3)])
def test_translator_epochs_resume_exactly(source, pairing, steps):
    options = {"batch_size": 20, "limit": 60, "seed": 4, "pairing": pairing}
    dataset, count = ganzoo.data.load_epochs(source, 0, 3, **options)
    assert count == steps
    epochs = _epoch_batches(dataset, steps, 3)
    resumed, _ = ganzoo.data.load_epochs(source, 2, 3, **options)
    _assert_same_batches(_epoch_batches(resumed, steps, 1)[0], epochs[2])
    assert not np.array_equal(epochs[0][0][0], epochs[1][0][0]), "each epoch is shuffled from (seed, epoch)"
    first_sources = np.concatenate([batch[0] for batch in epochs[0]])
    assert len({image.tobytes() for image in first_sources}) == 60, "an epoch shows every example once"
    if source == "edges-mnist":
        for sources, targets in (batch for epoch in epochs for batch in epoch):
            np.testing.assert_array_equal(sources, sobel_edges(targets))
    if pairing == "unpaired":
        sources, targets = epochs[0][0]
        assert not np.allclose(sources, box_downscale(targets, 4)), "read unpaired, the sides are drawn apart"


def test_preset_epochs_yield_pairs_for_a_paired_preset():
    preset = ganzoo.resolve_preset(
        "dcgan-mnist",
        {"data": {"source": "sr4-mnist", "pairing": "paired", "limit": 40}, "train": {"epochs": 2, "batch_size": 8}},
    )
    dataset, steps = ganzoo.data.preset_epochs(preset, 0)
    assert steps == 5
    batches = [_numpy(element) for element in dataset]
    assert len(batches) == 10 and all(len(batch) == 2 for batch in batches)
    assert batches[0][0].shape == (8, 7, 7, 1) and batches[0][1].shape == (8, 28, 28, 1)
    resumed, _ = ganzoo.data.preset_epochs(preset, 1)
    _assert_same_batches([_numpy(element) for element in resumed], batches[5:])
    held_out = ganzoo.data.preset_dataset(preset, split="test", shuffle=False, drop_remainder=False, batch_size=64)
    assert sum(len(batch[0]) for batch in held_out) == 40


def test_unpaired_epochs_convert_uint8_images():
    a = np.full((6, 4, 4, 1), 255, "uint8")
    b = np.zeros((3, 4, 4, 1), "uint8")
    dataset, steps = ganzoo.data.unpaired_epochs(a, b, 0, 1, batch_size=2)
    assert steps == 3
    for x, y in dataset:
        assert x.dtype == y.dtype == tf.float32
        assert x.numpy().min() == 1.0 and y.numpy().max() == -1.0
    with pytest.raises(DataError, match="larger than the 3 examples in set B of 'mine'"):
        ganzoo.data.unpaired_epochs(a, b, 0, 1, batch_size=4, source="mine")


def test_translator_data_refuses_what_it_cannot_give():
    with pytest.raises(DataError, match="labels are for evaluation.*load_arrays"):
        ganzoo.data.load("digits-mnist", batch_size=4, labels=True)
    with pytest.raises(DataError, match="Captions are made for the built-in digits sources"):
        ganzoo.data.load("edges-mnist", batch_size=4, captions=True)
    with pytest.raises(DataError, match="gives single images, not unpaired ones"):
        ganzoo.data.load_arrays("digits", pairing="unpaired")
    with pytest.raises(DataError, match="larger than the 10 examples in set A of 'digits-mnist'"):
        ganzoo.data.load("digits-mnist", batch_size=16, limit=10)


# ---------------------------------------------------------------- folders


def _write_png(path, value, size=(6, 6), mode="L"):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value).save(path)


@pytest.fixture
def paired_folder(tmp_path):
    """a/NN.png are grey level 10 * NN, b/NN.png are 10 * NN + 5 and twice as large."""
    folder = tmp_path / "pairs"
    for i in range(8):
        _write_png(folder / "a" / f"{i:02d}.png", 10 * i, size=(4, 4))
        _write_png(folder / "b" / f"{i:02d}.png", 10 * i + 5, size=(8, 8))
    return folder


def test_a_paired_folder_gives_aligned_pairs(paired_folder):
    dataset = ganzoo.data.load(str(paired_folder), batch_size=4, pairing="paired", seed=2)
    batches = [_numpy(element) for element in dataset]
    assert len(batches) == 2
    for sources, targets in batches:
        assert sources.shape == (4, 4, 4, 1) and targets.shape == (4, 8, 8, 1) and sources.dtype == np.float32
        np.testing.assert_allclose(targets[:, 0, 0, 0], sources[:, 0, 0, 0] + 5 / 127.5, atol=1e-6)
    sources, targets, labels = ganzoo.data.load_arrays(str(paired_folder), labels=True, pairing="paired")
    assert labels.tolist() == [0] * 8
    np.testing.assert_allclose((sources[:, 0, 0, 0] + 1) * 127.5, 10 * np.arange(8), atol=1e-4)
    # image_size sizes the targets and keeps the sources' scale.
    sources, targets = ganzoo.data.load_arrays(str(paired_folder), pairing="paired", image_size=16)
    assert sources.shape == (8, 8, 8, 1) and targets.shape == (8, 16, 16, 1)
    with pytest.raises(DataError, match="image_size 15 would make them 7.5 wide"):
        ganzoo.data.load_arrays(str(paired_folder), pairing="paired", image_size=15)


def test_paired_folder_epochs_resume_exactly(paired_folder):
    dataset, steps = ganzoo.data.load_epochs(str(paired_folder), 0, 2, batch_size=2, pairing="paired", seed=1)
    epochs = _epoch_batches(dataset, steps, 2)
    resumed, _ = ganzoo.data.load_epochs(str(paired_folder), 1, 2, batch_size=2, pairing="paired", seed=1)
    _assert_same_batches(_epoch_batches(resumed, steps, 1)[0], epochs[1])


def test_unmatched_paired_files_are_named(paired_folder):
    _write_png(paired_folder / "a" / "extra.png", 0, size=(4, 4))
    (paired_folder / "b" / "03.png").unlink()
    (paired_folder / "b" / "05.png").rename(paired_folder / "b" / "05b.png")
    with pytest.raises(DataError) as error:
        ganzoo.data.load(str(paired_folder), batch_size=2, pairing="paired")
    message = str(error.value)
    assert "same file names in a/ and b/" in message
    assert "3 in a/ without a partner in b/ (03, 05, extra)" in message
    assert "1 in b/ without a partner in a/ (05b)" in message
    assert "data.pairing: unpaired" in message
    # Unpaired, the names do not matter.
    a, b = ganzoo.data.load_arrays(str(paired_folder), pairing="unpaired")
    assert a.shape == (9, 4, 4, 1) and b.shape == (7, 8, 8, 1)


def test_a_paired_folder_matches_names_without_suffixes(tmp_path):
    folder = tmp_path / "mixed"
    for i in range(2):
        _write_png(folder / "a" / "cats" / f"{i}.png", 0)
        _write_png(folder / "b" / "cats" / f"{i}.jpg", 255)
        _write_png(folder / "a" / "dogs" / f"{i}.png", 0)
        _write_png(folder / "b" / "dogs" / f"{i}.jpg", 255)
    *_, labels = ganzoo.data.load_arrays(str(folder), labels=True, pairing="paired")
    assert labels.tolist() == [0, 0, 1, 1], "class sub-folders of a/ give the labels"
    _write_png(folder / "a" / "cats" / "0.jpg", 0)
    with pytest.raises(DataError, match=r"cats/0\.(png|jpg) and .*cats/0\.(png|jpg) have the same name"):
        ganzoo.data.load_arrays(str(folder), pairing="paired")


def test_folders_need_two_sides(tmp_path, paired_folder):
    flat = tmp_path / "flat"
    _write_png(flat / "x" / "1.png", 0)
    with pytest.raises(DataError, match=r"needs the sub-folders a/ and b/ or trainA/ and trainB/.*it has x/"):
        ganzoo.data.load(str(flat), batch_size=1, pairing="paired")
    with pytest.raises(DataError, match="testA/ and testB/.*for held-out data, point the source at another"):
        ganzoo.data.load_arrays(str(paired_folder), pairing="paired", split="test")


def test_a_folder_in_cyclegan_layout_has_both_splits(tmp_path):
    folder = tmp_path / "horse2zebra"
    for split, count in (("train", 6), ("test", 2)):
        for i in range(count):
            _write_png(folder / f"{split}A" / f"h{i}.jpg", (200, 100, 0), mode="RGB")
        for i in range(count + 1):
            _write_png(folder / f"{split}B" / f"z{i}.jpg", (0, 0, 0), mode="RGB")
    a, b = ganzoo.data.load_arrays(str(folder), pairing="unpaired")
    assert a.shape == (6, 6, 6, 3) and b.shape == (7, 6, 6, 3)
    a, b = ganzoo.data.load_arrays(str(folder), pairing="unpaired", split="test")
    assert len(a) == 2 and len(b) == 3
    dataset, steps = ganzoo.data.load_epochs(str(folder), 0, 1, batch_size=2, pairing="unpaired")
    assert steps == 3
    for x, y in dataset:
        assert x.dtype == tf.float32 and tuple(x.shape) == (2, 6, 6, 3)
        np.testing.assert_allclose(x.numpy()[:, 0, 0], [[200 / 127.5 - 1, 100 / 127.5 - 1, -1]] * 2, atol=0.03)


# ---------------------------------------------------------------- tensorflow-datasets cycle_gan


def test_tfds_cycle_gan_is_an_unpaired_source():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=6):
        dataset = ganzoo.data.load("tfds:cycle_gan/horse2zebra", batch_size=2, image_size=16)
        batches = [_numpy(element) for element in dataset]
        assert len(batches) == 3
        for a, b in batches:
            assert a.shape == b.shape == (2, 16, 16, 3) and a.dtype == np.float32
            assert a.min() >= -1 and a.max() <= 1
        epochs, steps = ganzoo.data.load_epochs("tfds:cycle_gan/horse2zebra", 0, 2, batch_size=2, image_size=8)
        assert steps == 3
        resumed, _ = ganzoo.data.load_epochs("tfds:cycle_gan/horse2zebra", 1, 2, batch_size=2, image_size=8)
        _assert_same_batches(_epoch_batches(resumed, 3, 1)[0], _epoch_batches(epochs, 3, 2)[1])
        a, b, a_labels, b_labels = ganzoo.data.load_arrays(
            "tfds:cycle_gan/horse2zebra", labels=True, image_size=8, split="test", limit=4
        )
        assert a.shape == b.shape == (4, 8, 8, 3) and len(a_labels) == len(b_labels) == 4
        with pytest.raises(DataError, match="different sizes.*set data.image_size"):
            ganzoo.data.load("tfds:cycle_gan/horse2zebra", batch_size=2)
        with pytest.raises(DataError, match="not .source, target. pairs"):
            ganzoo.data.load("tfds:cycle_gan/horse2zebra", batch_size=2, pairing="paired")


def test_tfds_cycle_gan_offline_explains_how_to_get_it(tmp_path, no_network):
    start = time.monotonic()
    with pytest.raises(DataError) as error:
        ganzoo.data.load_epochs("tfds:cycle_gan/horse2zebra", 0, 1, batch_size=2, data_dir=str(tmp_path))
    assert time.monotonic() - start < 20 and no_network == []
    message = str(error.value)
    assert "'cycle_gan/horse2zebra' split 'trainA'" in message and str(tmp_path) in message
    assert "tfds build cycle_gan/horse2zebra" in message and "download=True" in message


# ---------------------------------------------------------------- preset checks


def test_preset_checks_accept_translator_data(paired_folder):
    check_preset_data(DataConfig("edges-mnist", pairing="paired"), (28, 28, 1), "paired", source_shape=(28, 28, 1))
    check_preset_data(DataConfig("edges-mnist", pairing="unpaired"), (28, 28, 1), "unpaired")
    check_preset_data(DataConfig("sr4-mnist", pairing="paired", split="test"), (28, 28, 1), "paired", source_shape=(7, 7, 1))
    check_preset_data(DataConfig("sr4-mnist", pairing="paired", image_size=64), (64, 64, 1), "paired", source_shape=(16, 16, 1))
    check_preset_data(DataConfig("digits-mnist", pairing="unpaired"), (28, 28, 1), "unpaired", source_shape=(28, 28, 1))
    check_preset_data(DataConfig("tfds:cycle_gan/horse2zebra", pairing="unpaired", image_size=64), (64, 64, 3), "unpaired")
    check_preset_data(DataConfig(str(paired_folder), pairing="paired"), (8, 8, 1), "paired")
    check_preset_data(DataConfig("tfds:mnist", split="test"), (28, 28, 1), "none")


@pytest.mark.parametrize(
    "data, shape, pairing, source_shape, message",
    [
        (DataConfig("digits", pairing="paired"), (8, 8, 1), "paired", None,
         "'digits' gives single images, not paired ones; paired sources: edges-mnist, sr4-mnist, sr4-shapes, sr4-photos, or a folder"),
        (DataConfig("digits-mnist", pairing="paired"), (28, 28, 1), "paired", None,
         r"gives two unpaired sets of images, not \(source, target\) pairs.*CycleGAN"),
        (DataConfig("edges-mnist"), (28, 28, 1), "none", None,
         r"'edges-mnist' gives \(source, target\) pairs, not single images"),
        (DataConfig("digits-mnist", pairing="labels"), (28, 28, 1), "labels", None,
         "two unpaired sets of images, not single images"),
        (DataConfig("tfds:cycle_gan/maps", pairing="paired"), (28, 28, 1), "paired", None, "not .source, target. pairs"),
        (DataConfig("edges-mnist", pairing="paired"), (32, 32, 1), "paired", None,
         r"gives targets of shape \(28, 28, 1\) but model.data_shape is \[32, 32, 1\]; .* or data.image_size: 32"),
        (DataConfig("sr4-mnist", pairing="paired"), (28, 28, 1), "paired", (28, 28, 1),
         r"gives source images of shape \(7, 7, 1\) but the model translates images of shape \(28, 28, 1\)"),
        (DataConfig("sr4-mnist", pairing="paired", image_size=30), (30, 30, 1), "paired", None,
         "data.image_size must be a multiple of 4; got 30"),
        (DataConfig("digits-mnist", pairing="unpaired"), (28, 28, 3), "unpaired", None,
         r"gives set B images of shape \(28, 28, 1\)"),
        (DataConfig("edges-mnist", pairing="unpaired"), (28, 28, 1), "paired", None,
         "The model trains on data.pairing 'paired' but the preset's data says 'unpaired'"),
    ],
)
def test_preset_checks_say_what_is_wrong(data, shape, pairing, source_shape, message):
    with pytest.raises(DataError, match=message):
        check_preset_data(data, shape, pairing, source_shape=source_shape)


def test_preset_checks_list_folders_before_reading_them(tmp_path, paired_folder):
    (paired_folder / "b" / "00.png").unlink()
    with pytest.raises(DataError, match=r"1 in a/ without a partner in b/ \(00\)"):
        check_preset_data(DataConfig(str(paired_folder), pairing="paired"), (8, 8, 1), "paired")
    check_preset_data(DataConfig(str(paired_folder), pairing="unpaired"), (8, 8, 1), "unpaired")
    with pytest.raises(DataError, match="needs the sub-folders testA/ and testB/"):
        check_preset_data(DataConfig(str(paired_folder), pairing="unpaired", split="test"), (8, 8, 1), "unpaired")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="needs the sub-folders a/ and b/"):
        check_preset_data(DataConfig(str(tmp_path / "empty"), pairing="unpaired"), (8, 8, 1), "unpaired")


def test_the_split_is_a_checked_preset_key():
    assert DataConfig("edges-mnist").split == "train"
    with pytest.raises(ConfigError, match="data.split must be one of train, test; got 'val'"):
        DataConfig("edges-mnist", split="val")
    preset = ganzoo.resolve_preset("dcgan-mnist", {"data": {"source": "edges-mnist", "pairing": "paired", "split": "test"}})
    assert preset.data.split == "test" and preset.to_dict()["data"]["split"] == "test"
