"""CycleGAN: the history of fakes (kept, swapped, saved), the cycle, identity and semantic terms,
both directions, unpaired scoring and the settings' checks. The preset is covered by tests/test_presets.py."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.config import ConfigError
from ganzoo.metrics import Evaluator, MetricInputError
from ganzoo.models import CycleGAN
from ganzoo.networks.cyclegan import image_patchgan_discriminator, resnet_generator

SHAPE = (8, 8, 1)


def tiny_cyclegan(**settings):
    keras.utils.set_random_seed(0)
    networks = [resnet_generator(SHAPE, base_filters=2, residual_blocks=1, downsamplings=1) for _ in range(2)]
    networks += [image_patchgan_discriminator(SHAPE, base_filters=2) for _ in range(2)]
    model = CycleGAN(*networks, seed=0, **settings)
    model.compile(loss="least_squares")
    return model


def images(count, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (count, *SHAPE)).astype("float32")


def test_the_history_keeps_the_first_fakes_then_swaps_about_half():
    model = tiny_cyclegan(pool_size=4)
    first = tf.constant(images(4, seed=1))
    np.testing.assert_array_equal(model.from_pool("b", first), first)  # while it fills, the new fakes
    np.testing.assert_array_equal(model.pool_b.numpy(), first.numpy())
    assert int(model.pool_b_filled.numpy()) == 4
    swapped = 0
    for seed in range(2, 42):
        new = tf.constant(images(4, seed=seed))
        before = model.pool_b.numpy()
        returned = model.from_pool("b", new).numpy()
        after = model.pool_b.numpy()
        changed = [row for row in range(4) if not np.array_equal(returned[row], new[row])]
        for row in changed:
            assert any(np.array_equal(returned[row], kept) for kept in before)  # an earlier fake instead
        for kept in after:  # the history holds earlier fakes and new ones that took their places
            assert any(np.array_equal(kept, image) for image in (*before, *new.numpy()))
        if changed:
            assert any(np.array_equal(image, kept) for image in new.numpy() for kept in after)
        swapped += len(changed)
    assert 0.35 < swapped / 160 < 0.65
    assert int(model.pool_a_filled.numpy()) == 0  # each set has its own history


def test_the_history_is_saved_with_the_model(tmp_path):
    model = tiny_cyclegan(pool_size=4)
    model.fit(tf.data.Dataset.from_tensor_slices((images(8), images(8, seed=1))).batch(4), epochs=1, verbose=0)
    assert int(model.pool_b_filled.numpy()) == 4
    model.save(tmp_path / "cyclegan.keras")
    loaded = keras.models.load_model(tmp_path / "cyclegan.keras")
    np.testing.assert_array_equal(loaded.pool_b.numpy(), model.pool_b.numpy())
    np.testing.assert_array_equal(loaded.pool_a.numpy(), model.pool_a.numpy())
    assert int(loaded.pool_a_filled.numpy()) == 4


def train_logs(model):
    data = (tf.constant(images(4)), tf.constant(images(4, seed=1)))
    return {key: float(value) for key, value in model.train_step(data).items()}


def test_cycle_and_identity_terms_are_logged_with_their_weights():
    logs = train_logs(tiny_cyclegan(cycle_weight=10.0, identity_weight=0.5))
    assert logs["g_cycle"] > 0 and logs["g_identity"] > 0
    doubled = train_logs(tiny_cyclegan(cycle_weight=20.0, identity_weight=0.5))
    assert doubled["g_cycle"] == pytest.approx(2 * logs["g_cycle"], rel=1e-4)
    assert doubled["g_identity"] == pytest.approx(2 * logs["g_identity"], rel=1e-4)
    assert train_logs(tiny_cyclegan(identity_weight=0.0))["g_identity"] == 0.0


def test_with_ema_a_to_b_translates_through_the_average_and_b_to_a_through_the_live_generator(tmp_path):
    model = tiny_cyclegan(ema=0.5)
    model.fit(tf.data.Dataset.from_tensor_slices((images(8), images(8, seed=1))).batch(4), epochs=1, verbose=0)
    a, b = images(4, seed=2), images(4, seed=3)
    averaged = model.generator_ema.predict(a, verbose=0)
    assert not np.allclose(averaged, model.generator.predict(a, verbose=0), atol=1e-6)  # two steps moved them apart
    np.testing.assert_allclose(model.translate(a), averaged, atol=1e-6)
    np.testing.assert_allclose(model.translate_back(b), model.generator_ba.predict(b, verbose=0), atol=1e-6)
    model.save(tmp_path / "cyclegan.keras")
    loaded = keras.models.load_model(tmp_path / "cyclegan.keras")
    np.testing.assert_allclose(loaded.translate(a), averaged, atol=1e-6)


def small_classifier(path, activation="softmax", shape=SHAPE):
    """A saved classifier of 3 classes of `shape` images (random weights)."""
    keras.utils.set_random_seed(1)
    classifier = keras.Sequential([keras.Input(shape), keras.layers.Flatten(), keras.layers.Dense(3, activation=activation)])
    classifier.save(path)
    return classifier


def test_the_semantic_term_is_the_cross_entropy_against_what_the_classifier_reads_in_the_source(tmp_path):
    classifier = small_classifier(tmp_path / "a.keras")
    model = tiny_cyclegan(semantic_weight=1.0, semantic_classifier=str(tmp_path / "a.keras"))
    a = images(4)
    read = np.argmax(classifier.predict(a, verbose=0), axis=-1)
    translated = classifier.predict(model.generator.predict(a, verbose=0), verbose=0)
    expected = -np.mean(np.log(np.clip(translated[np.arange(4), read], 1e-7, 1.0)))
    logs = train_logs(model)
    assert logs["g_semantic"] == pytest.approx(expected, rel=1e-3)
    doubled = train_logs(tiny_cyclegan(semantic_weight=2.0, semantic_classifier=str(tmp_path / "a.keras")))
    assert doubled["g_semantic"] == pytest.approx(2 * expected, rel=1e-3)
    assert train_logs(tiny_cyclegan())["g_semantic"] == 0.0


def test_the_semantic_classifier_is_neither_trained_nor_saved_with_the_model(tmp_path):
    classifier = small_classifier(tmp_path / "a.keras")
    before = [weight.numpy().copy() for weight in classifier.weights]
    model = tiny_cyclegan(semantic_weight=1.0, semantic_classifier=str(tmp_path / "a.keras"))
    assert len(model.weights) == len(tiny_cyclegan().weights)
    model.fit(tf.data.Dataset.from_tensor_slices((images(8), images(8, seed=1))).batch(4), epochs=1, verbose=0)
    for kept, weight in zip(before, model._semantic.network.weights):
        np.testing.assert_array_equal(kept, weight.numpy())
    model.save(tmp_path / "cyclegan.keras")
    loaded = keras.models.load_model(tmp_path / "cyclegan.keras")
    assert loaded.semantic_weight == 1.0 and loaded._semantic.network is not None  # read again from its file


def test_the_shipped_8x8_digits_classifier_reads_the_held_out_8x8_digits():
    from ganzoo.metrics.digits_classifier import DIGITS8X8_WEIGHTS_PATH
    from ganzoo.metrics.train_digits8x8_classifier import set_a
    from ganzoo.semantic import load_semantic_classifier

    assert DIGITS8X8_WEIGHTS_PATH.stat().st_size < 1_000_000
    classifier = load_semantic_classifier("digits-8x8", (28, 28, 1))
    images, labels = set_a("test")
    assert np.mean(np.argmax(classifier.predict(images, verbose=0), axis=-1) == labels) > 0.97
    assert not classifier.trainable


def test_a_semantic_classifier_that_cannot_serve_is_refused_before_training(tmp_path):
    small_classifier(tmp_path / "logits.keras", activation=None)
    small_classifier(tmp_path / "wide.keras", shape=(16, 16, 1))
    with pytest.raises(ConfigError, match="must output class probabilities"):
        tiny_cyclegan(semantic_weight=1.0, semantic_classifier=str(tmp_path / "logits.keras"))
    with pytest.raises(ConfigError, match=r"reads images of shape \(16, 16, 1\), but set A's are \(8, 8, 1\)"):
        tiny_cyclegan(semantic_weight=1.0, semantic_classifier=str(tmp_path / "wide.keras"))
    with pytest.raises(ConfigError, match="missing.keras does not exist"):
        tiny_cyclegan(semantic_weight=1.0, semantic_classifier=str(tmp_path / "missing.keras"))


def test_both_directions_translate_and_the_preview_shows_both_round_trips():
    model = tiny_cyclegan()
    a, b = images(3), images(3, seed=1)
    assert model.translate(a).shape == model.translate_back(b).shape == (3, *SHAPE)
    assert not np.allclose(model.translate(a), model.translate_back(a))  # two generators
    picture = model.preview(3, examples=(a, b))
    assert picture.shape[1] > 5 * SHAPE[1] and picture.shape[0] >= 3 * SHAPE[0]  # six columns, three rows


def test_an_unpaired_translator_is_scored_on_its_translations_without_targets():
    model = tiny_cyclegan()
    rng = np.random.default_rng(0)
    a, b = images(40), images(60, seed=1)
    data = (a, b, rng.integers(0, 10, 40), rng.integers(0, 10, 60))
    scores = Evaluator(data, metrics=("fid",), n=20, features=keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(4)]), verbose=0)(model)
    assert np.isfinite(scores["fid"])
    with pytest.raises(MetricInputError, match="unpaired data .* has none"):
        Evaluator(data, metrics=("psnr",), n=20, verbose=0)(model)


@pytest.mark.parametrize("settings, message", [({"cycle_weight": -1.0}, "cycle_weight is a weight"),
                                               ({"pool_size": -1}, "pool_size is a number of images"),
                                               ({"penalties": {"r1": 1.0}}, "penalties is not supported"),
                                               ({"semantic_weight": -1.0}, "semantic_weight is a weight"),
                                               ({"semantic_weight": 1.0}, "needs model.semantic_classifier: digits-8x8"),
                                               ({"semantic_weight": 1.0, "semantic_classifier": "mnist"},
                                                "semantic_classifier is digits-8x8 or the path of a .keras")])
def test_impossible_settings_are_refused_before_building(settings, message):
    with pytest.raises(ConfigError, match=message):
        CycleGAN.check_settings(settings, SHAPE)
