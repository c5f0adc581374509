"""Stacked MNIST: the `stacked-mnist` data source and the 1,000-mode coverage metric."""
import math

import keras
import numpy as np
import pytest

import ganzoo.data
from ganzoo.data.sources import mnist_5k
from ganzoo.data.stacked import STACKED_SIZE, stacked_mnist
from ganzoo.metrics.checks import MetricInputError
from ganzoo.metrics.extractors import get_extractor
from ganzoo.metrics.stacked import stacked_mnist_modes


@pytest.fixture(scope="module")
def digits():
    return get_extractor("digits", verbose=False)


# ---------------------------------------------------------------- data source


def test_default_size_shapes_and_dtypes():
    images, modes = stacked_mnist()
    assert images.shape == (STACKED_SIZE, 28, 28, 3) and images.dtype == np.uint8
    assert modes.shape == (STACKED_SIZE,) and modes.dtype == np.int32
    assert modes.min() >= 0 and modes.max() < 1000
    # 25.6 draws per mode on average: every mode appears.
    assert len(np.unique(modes)) == 1000


def test_every_channel_is_an_mnist_digit_and_the_mode_spells_the_three_labels():
    mnist_images, mnist_labels = mnist_5k()
    label_of = {image.tobytes(): int(label) for image, label in zip(mnist_images[..., 0], mnist_labels)}
    images, modes = stacked_mnist(limit=300, seed=3)
    for image, mode in zip(images, modes):
        red, green, blue = (label_of[np.ascontiguousarray(image[..., c]).tobytes()] for c in range(3))
        assert mode == 100 * red + 10 * green + blue


def test_draws_are_seeded():
    first, first_modes = stacked_mnist(limit=50, seed=1)
    again, again_modes = stacked_mnist(limit=50, seed=1)
    other, _ = stacked_mnist(limit=50, seed=2)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first_modes, again_modes)
    assert not np.array_equal(first, other)


def test_registered_as_a_builtin_source():
    assert "stacked-mnist" in ganzoo.data.list_sources()
    images, modes = ganzoo.data.load_arrays("stacked-mnist", labels=True, limit=64)
    assert images.shape == (64, 28, 28, 3) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    batch = next(iter(ganzoo.data.load("stacked-mnist", batch_size=16, limit=64)))
    assert tuple(batch.shape) == (16, 28, 28, 3)


# ---------------------------------------------------------------- mode metric


def test_real_stacked_mnist_captures_nearly_every_mode(digits):
    images, modes = ganzoo.data.load_arrays("stacked-mnist", labels=True, limit=10_000, seed=0)
    result = stacked_mnist_modes(images, extractor=digits)
    assert result["modes_total"] == 1000
    # 10 draws per mode leave the odd mode empty by chance (this seed: 999 of 1,000 present);
    # classifier errors (about 1% a digit) move samples between modes but barely change the count.
    assert len(np.unique(modes)) >= 995 and result["modes_captured"] >= 990
    # Sampling noise alone gives KL ~ (modes - 1) / (2 n) = 0.05 here.
    assert result["reverse_kl"] < 0.1


def test_a_single_repeated_image_is_one_mode_with_the_largest_kl(digits):
    image, _ = ganzoo.data.load_arrays("stacked-mnist", labels=True, limit=1)
    result = stacked_mnist_modes(np.repeat(image, 40, axis=0), extractor=digits)
    assert result["modes_captured"] == 1
    assert result["reverse_kl"] == pytest.approx(math.log(1000))


def test_grey_images_are_rejected_with_the_expected_shape():
    with pytest.raises(MetricInputError, match=r"\(n, 28, 28, 3\)"):
        stacked_mnist_modes(np.zeros((2, 28, 28, 1), "float32"))


def test_a_classifier_with_other_than_ten_classes_is_rejected():
    inputs = keras.Input((28, 28, 1))
    five_way = keras.Model(inputs, keras.layers.Dense(5, activation="softmax")(keras.layers.Flatten()(inputs)))
    with pytest.raises(MetricInputError, match="10-digit classifier"):
        stacked_mnist_modes(np.zeros((2, 28, 28, 3), "float32"), extractor=get_extractor(five_way, verbose=False))
