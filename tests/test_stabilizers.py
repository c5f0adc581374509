"""Stabilizers as configuration: EMA, weight clipping, packing, unrolling, penalties, spectral norm."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo.config import ConfigError
from ganzoo.models.core import pack_samples

TINY_RING = {"generator": {"units": [8]}, "discriminator": {"units": [8]}}


def ring_batches(batch_size=16, limit=64):
    return ganzoo.data.load("ring", batch_size=batch_size, limit=limit)


def weights(variables):
    return [np.array(v) for v in variables]


def test_ema_moves_toward_the_live_weights_at_its_rate_and_is_what_generate_uses():
    model = ganzoo.load("gan-ring", model={**TINY_RING, "ema": 0.9})
    before = weights(model.generator_ema.weights)
    model.fit(ring_batches().take(1), epochs=1, verbose=0)
    live = weights(model.generator.weights)
    for average, old, new in zip(model.generator_ema.weights, before, live):
        np.testing.assert_allclose(np.array(average), 0.9 * old + 0.1 * new, rtol=1e-5, atol=1e-7)
    assert any(not np.allclose(a, b) for a, b in zip(weights(model.generator_ema.weights), live))
    latents = model.latents_for(5, seed=0)
    np.testing.assert_allclose(model.generate(5, seed=0), np.array(model.generator_ema(latents)), rtol=1e-6)


def test_ema_survives_saving(tmp_path):
    model = ganzoo.load("gan-ring", model={**TINY_RING, "ema": 0.5})
    model.fit(ring_batches(), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.generate(7, seed=1), model.generate(7, seed=1))


def test_weight_clipping_keeps_every_discriminator_weight_in_range():
    model = ganzoo.load("wgan-ring", model=TINY_RING, train={"d_optimizer": {"name": "sgd", "learning_rate": 10.0}})
    model.fit(ring_batches(), epochs=1, verbose=0)
    values = np.concatenate([np.abs(w).ravel() for w in weights(model.discriminator.trainable_variables)])
    assert values.max() <= 0.01 + 1e-7
    assert np.isclose(values.max(), 0.01), "the large steps should have pushed weights to the limit"


def test_packing_stacks_consecutive_samples_along_the_last_axis():
    points = np.arange(10 * 2, dtype="float32").reshape(10, 2)
    packed = np.array(pack_samples(points, 4))  # 10 samples: the last 2 are dropped
    assert packed.shape == (2, 8)
    np.testing.assert_array_equal(packed[0], points[:4].ravel())
    images = np.random.default_rng(0).standard_normal((6, 5, 5, 3)).astype("float32")
    packed = np.array(pack_samples(images, 2))
    assert packed.shape == (3, 5, 5, 6)
    np.testing.assert_array_equal(packed[1, ..., :3], images[2])
    np.testing.assert_array_equal(packed[1, ..., 3:], images[3])


def test_a_packed_discriminator_judges_groups():
    model = ganzoo.load("pacgan-ring", model=TINY_RING)
    assert model.discriminator.input_shape == (None, 8)
    assert np.array(model.critic(np.zeros((12, 2), "float32"), None)).shape == (3, 1)
    assert np.isfinite(model.fit(ring_batches(), epochs=1, verbose=0).history["d_loss"][0])


def test_unrolling_leaves_the_real_discriminator_as_a_plain_step_would():
    def build(unrolled_steps):
        keras.utils.set_random_seed(3)
        return ganzoo.load("gan-ring", model={**TINY_RING, "unrolled_steps": unrolled_steps})

    plain, unrolled = build(0), build(3)
    for a, b in zip(plain.weights, unrolled.weights):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    batch = next(iter(ring_batches()))
    plain.train_step(batch)
    unrolled.train_step(batch)
    for a, b in zip(plain.discriminator.weights + plain.d_optimizer.variables,
                    unrolled.discriminator.weights + unrolled.d_optimizer.variables):  # fmt: skip
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-6, atol=1e-7)
    differs = [not np.allclose(np.array(a), np.array(b)) for a, b in zip(plain.generator.weights, unrolled.generator.weights)]
    assert any(differs), "the generator should have stepped against the look-ahead discriminator"


@pytest.mark.parametrize("penalties", [{"gp": 1.0}, {"r1": 1.0}])
def test_penalties_are_trained_and_logged(penalties):
    model = ganzoo.load("gan-ring", model={**TINY_RING, "loss": "wasserstein", "penalties": penalties})
    logs = model.fit(ring_batches(), epochs=1, verbose=0).history
    assert logs["d_penalty"][0] > 0 and np.isfinite(logs["d_loss"][0])


def test_a_lazy_penalty_is_applied_every_k_updates_weighted_k_times():
    def build(every):
        keras.utils.set_random_seed(1)
        return ganzoo.load("gan-ring", model={**TINY_RING, "penalties": {"r1": 1.0}, "penalty_every": every})

    lazy, eager = build(2), build(1)
    batch = lazy.unpack_batch(tf.convert_to_tensor(next(iter(ring_batches()))))
    lazy_penalty, eager_penalty = (float(model.discriminator_gradients(batch)[3]) for model in (lazy, eager))
    assert eager_penalty > 0 and lazy_penalty == pytest.approx(2 * eager_penalty, rel=1e-6)
    lazy.penalty_phase.assign(1)  # an odd update: no penalty
    assert float(lazy.discriminator_gradients(batch)[3]) == 0.0
    lazy.fit(ring_batches(), epochs=1, verbose=0)
    assert int(lazy.penalty_phase) == 1 + int(lazy.d_optimizer.iterations)


def test_spectral_normalization_wraps_the_discriminator_layers():
    model = ganzoo.load("sngan-mnist", model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}})
    wrapped = [layer for layer in model.discriminator.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrapped) == 3  # two convolutions and the logit
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.discriminator.layers)


def test_diffaugment_preset_trains():
    model = ganzoo.load("diffaugment-mnist", model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}})
    data = ganzoo.data.load("mnist-5k", batch_size=8, limit=16)
    assert np.isfinite(model.fit(data, epochs=1, verbose=0).history["d_loss"][0])


@pytest.mark.parametrize(
    "model, message",
    [
        ({"penalties": {"gradient": 10}}, "Unknown model.penalties.*gp, r1"),
        ({"penalties": {"gp": -1}}, "positive weight"),
        ({"augment": "color"}, "for images"),
        ({"ema": 1.5}, "decay rate"),
        ({"unrolled_steps": -1}, "0 or more"),
        ({"pack": 0}, "pack must be a positive integer"),
    ],
)
def test_bad_stabilizer_settings_are_refused(model, message):
    with pytest.raises(ConfigError, match=message):
        ganzoo.load("gan-ring", model=model)


def test_unknown_augmentation_is_refused():
    with pytest.raises(ConfigError, match="Unknown model.augment.*translation"):
        ganzoo.load("dcgan-digits", model={"augment": "color,rotate"})
