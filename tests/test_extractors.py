"""ganzoo.metrics.extractors: the shipped digits classifier, InceptionV3 offline, and any Keras model."""
import socket

import keras
import numpy as np
import pytest

from ganzoo.metrics.checks import MetricInputError
from ganzoo.metrics.digits_classifier import WEIGHTS_PATH
from ganzoo.metrics.extractors import (
    INCEPTION_NO_TOP,
    INCEPTION_RELEASE,
    INCEPTION_TOP,
    FeatureExtractor,
    get_extractor,
)
from ganzoo.metrics.train_digits_classifier import HELD_OUT, held_out_split


@pytest.fixture(scope="module")
def digits():
    return get_extractor("digits", verbose=False)


@pytest.fixture(scope="module")
def held_out():
    _, (images, labels) = held_out_split()
    return images, labels


# ---------------------------------------------------------------- digits


def test_shipped_weights_are_small_and_reach_97_percent_on_the_held_out_digits(digits, held_out):
    assert WEIGHTS_PATH.stat().st_size < 1_000_000
    images, labels = held_out
    assert len(images) == HELD_OUT
    accuracy = np.mean(digits.probabilities(images).argmax(axis=1) == labels)
    assert accuracy >= 0.97


def test_held_out_digits_are_never_trained_on():
    (train, _), (held, _) = held_out_split()
    assert len(train) + len(held) == 5000
    assert not {image.tobytes() for image in held} & {image.tobytes() for image in train}


def test_digits_features_and_probabilities_have_the_documented_shapes(digits, held_out):
    images = held_out[0][:10]
    features, probabilities = digits.features(images), digits.probabilities(images)
    assert features.shape == (10, 128) and features.dtype == np.float32
    assert probabilities.shape == (10, 10) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_batches_give_the_same_features_as_one_pass(held_out):
    images = held_out[0][:20]
    one_pass = get_extractor("digits", verbose=False).features(images)
    batched = get_extractor("digits", batch_size=7, verbose=False).features(images)
    np.testing.assert_allclose(batched, one_pass, rtol=1e-4, atol=1e-5)


def test_progress_bar_only_when_verbose(held_out, capsys):
    get_extractor("digits", batch_size=5).features(held_out[0][:10])
    assert "10/10" in capsys.readouterr().out
    get_extractor("digits", verbose=False).features(held_out[0][:10])
    assert capsys.readouterr().out == ""


def test_uint8_digits_are_scaled_like_float_ones(digits, held_out):
    images = held_out[0][:8]
    as_uint8 = np.round((images + 1) * 127.5).astype("uint8")
    np.testing.assert_allclose(digits.features(as_uint8), digits.features(images), atol=1e-4)


def test_other_sizes_are_resized_to_28(digits, held_out):
    import tensorflow as tf

    images, labels = held_out[0][:50], held_out[1][:50]
    larger = np.clip(tf.image.resize(images, (56, 56)).numpy(), -1, 1)
    assert digits.features(larger).shape == (50, 128)
    assert np.mean(digits.probabilities(larger).argmax(axis=1) == labels) >= 0.9


@pytest.mark.parametrize(
    "shape, message",
    [
        ((4, 28, 28), r"images\[..., None\]"),
        ((4, 28, 28, 2), r"\(n, height, width, channels\) with 1 channel"),
        ((4, 28, 28, 3), "stacked_mnist_modes"),
    ],
)
def test_digits_rejects_wrong_shapes(digits, shape, message):
    with pytest.raises(MetricInputError, match=message):
        digits.features(np.zeros(shape, "float32"))


def test_digits_rejects_values_outside_the_image_range(digits):
    with pytest.raises(ValueError, match=r"outside \[-1, 1\]"):
        digits.features(np.full((2, 28, 28, 1), 2.0, "float32"))


def test_unknown_extractor_names_the_known_ones():
    with pytest.raises(ValueError, match="digits, inception"):
        get_extractor("vgg")


def test_an_extractor_passes_through(digits):
    assert get_extractor(digits) is digits


def test_extractor_without_classifier_head_says_so():
    class Pixels(FeatureExtractor):
        name = "pixels"

        def _features(self, batch):
            return batch

    pixels = Pixels(verbose=False)
    assert pixels.features(np.zeros((3, 2, 2, 1))).shape == (3, 4)
    with pytest.raises(MetricInputError, match="no classifier head"):
        pixels.probabilities(np.zeros((3, 2, 2, 1)))


# ---------------------------------------------------------------- any Keras model


def _tiny_model(activation):
    inputs = keras.Input((8, 8, 1))
    outputs = keras.layers.Dense(5, activation=activation)(keras.layers.Flatten()(inputs))
    return keras.Model(inputs, outputs, name=f"tiny_{activation}")


def test_keras_model_output_is_the_feature_vector_and_softmax_gives_probabilities():
    extractor = get_extractor(_tiny_model("softmax"), verbose=False)
    images = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 1)).astype("float32")
    assert extractor.name == "tiny_softmax"
    assert extractor.features(images).shape == (6, 5)
    np.testing.assert_allclose(extractor.probabilities(images).sum(axis=1), 1.0, atol=1e-5)


def test_keras_model_without_softmax_gives_no_probabilities():
    extractor = get_extractor(_tiny_model(None), verbose=False)
    with pytest.raises(MetricInputError, match="softmax"):
        extractor.probabilities(np.ones((3, 8, 8, 1), "float32"))


def test_keras_model_checks_the_input_shape_and_the_number_of_outputs():
    with pytest.raises(MetricInputError, match=r"takes inputs shaped \(None, 8, 8, 1\)"):
        get_extractor(_tiny_model("softmax"), verbose=False).features(np.zeros((2, 9, 9, 1)))
    inputs = keras.Input((3,))
    two_outputs = keras.Model(inputs, [keras.layers.Dense(2)(inputs), keras.layers.Dense(2)(inputs)])
    with pytest.raises(MetricInputError, match="2 outputs"):
        get_extractor(two_outputs)


# ---------------------------------------------------------------- inception, offline


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="module")
def keras_home(tmp_path_factory):
    """A Keras cache holding a no-top InceptionV3 weights file (random weights, legacy .h5 format)."""
    home = tmp_path_factory.mktemp("keras_home")
    (home / "models").mkdir()
    model = keras.applications.InceptionV3(weights=None, include_top=False, pooling="avg")
    model.save(home / "models" / INCEPTION_NO_TOP)  # .h5: the format of Keras' release files
    return home


def _tiny_images(channels):
    return np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, channels)).astype("float32")


def test_inception_loads_weights_from_the_keras_cache(keras_home, monkeypatch, no_network):
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    extractor = get_extractor("inception", verbose=False)
    grey = _tiny_images(1)
    features = extractor.features(grey)
    assert features.shape == (2, 2048) and features.dtype == np.float32
    # Grey images are tiled to RGB.
    np.testing.assert_allclose(extractor.features(np.repeat(grey, 3, axis=-1)), features, rtol=1e-4, atol=1e-5)


def test_inception_probabilities_need_the_with_top_file(keras_home, monkeypatch, no_network):
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    extractor = get_extractor("inception", weights=keras_home / "models" / INCEPTION_NO_TOP, verbose=False)
    with pytest.raises(FileNotFoundError, match=INCEPTION_TOP):
        extractor.probabilities(_tiny_images(3))


def test_inception_without_weights_names_the_file_the_folder_and_the_url(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as error:
        get_extractor("inception")
    message = str(error.value)
    assert INCEPTION_NO_TOP in message
    assert str(tmp_path / "models") in message
    assert INCEPTION_RELEASE + INCEPTION_NO_TOP in message


def test_inception_rejects_a_missing_weights_path(tmp_path, no_network):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        get_extractor("inception", weights=tmp_path / "nothing.h5")


def test_inception_probabilities_come_from_the_with_top_file(keras_home, tmp_path, no_network):
    top = tmp_path / INCEPTION_TOP
    keras.applications.InceptionV3(weights=None, include_top=True).save(top)
    extractor = get_extractor(
        "inception", weights=keras_home / "models" / INCEPTION_NO_TOP, top_weights=top, verbose=False
    )
    probabilities = extractor.probabilities(_tiny_images(3))
    assert probabilities.shape == (2, 1000)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
