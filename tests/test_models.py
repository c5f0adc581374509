"""Model behaviour beyond the per-preset checks: input checks, d_steps, sampling, serialization."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo.data import DataError
from ganzoo.models import GAN


@pytest.fixture
def ring_model():
    return ganzoo.load("gan-ring", model={"generator": {"units": [16]}, "discriminator": {"units": [16]}})


@pytest.fixture
def digits_model():
    return ganzoo.load("dcgan-digits", model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}})


def test_generate_is_seeded_float32_in_range(digits_model):
    images = digits_model.generate(10, seed=1)
    assert images.dtype == np.float32 and images.shape == (10, 16, 16, 1)
    assert images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(images, digits_model.generate(10, seed=1))
    assert not np.array_equal(images, digits_model.generate(10, seed=2))
    np.testing.assert_array_equal(digits_model.predict(digits_model.latents_for(10, 1), verbose=0), images)


def test_generate_works_in_chunks(ring_model):
    whole = ring_model.generate(50, seed=0)
    np.testing.assert_allclose(ring_model.generate(50, seed=0, batch_size=7), whole, rtol=1e-6)


def test_d_steps_updates_discriminator_more_often():
    model = ganzoo.load("gan-ring", model={"d_steps": 3, "generator": {"units": [8]}, "discriminator": {"units": [8]}})
    model.fit(ganzoo.data.load("ring", batch_size=32, limit=128), epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations) == 4
    assert int(model.d_optimizer.iterations) == 12


def test_trackers_reset_each_epoch_and_report_d_outputs(ring_model):
    history = ring_model.fit(ganzoo.data.load("ring", batch_size=32, limit=64), epochs=2, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    for name in ("d_real", "d_fake"):
        assert all(0 < value < 1 for value in history.history[name])  # sigmoid of D's logits
    assert [m.name for m in ring_model.metrics] == ["d_loss", "g_loss", "d_real", "d_fake"]


def test_shape_mismatch_is_caught_before_the_first_step(digits_model):
    wrong = np.zeros((8, 28, 28, 1), "float32")
    with pytest.raises(DataError, match=r"\(28, 28, 1\).*generates \(16, 16, 1\)"):
        digits_model.fit(wrong, epochs=1, verbose=0)
    rgb = tf.data.Dataset.from_tensor_slices(np.zeros((8, 16, 16, 3), "float32")).batch(4)
    with pytest.raises(DataError, match=r"\(16, 16, 3\).*generates \(16, 16, 1\)"):
        digits_model.fit(rgb, epochs=1, verbose=0)
    assert int(digits_model.g_optimizer.iterations) == 0


def test_out_of_range_and_empty_data_are_refused(digits_model):
    with pytest.raises(DataError, match=r"outside \[-1, 1\]"):
        digits_model.fit(np.full((8, 16, 16, 1), 255.0, "float32"), epochs=1, verbose=0)
    with pytest.raises(DataError, match="dtype uint8"):
        digits_model.fit(np.zeros((8, 16, 16, 1), "uint8"), epochs=1, verbose=0)
    empty = tf.data.Dataset.from_tensor_slices(np.zeros((0, 16, 16, 1), "float32")).batch(4)
    with pytest.raises(DataError, match="empty"):
        digits_model.fit(empty, epochs=1, verbose=0)


def test_constructor_and_compile_guard_rails(ring_model):
    with pytest.raises(ValueError, match="d_steps must be a positive integer"):
        GAN(ring_model.generator, ring_model.discriminator, latent_dim=16, d_steps=0)
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="separate optimizer instances"):
        ring_model.compile(g_optimizer=shared, d_optimizer=shared)


def test_config_round_trip_keeps_arguments(ring_model):
    config = ring_model.get_config()
    clone = GAN.from_config(config)
    assert (clone.latent_dim, clone.d_steps, clone.seed) == (ring_model.latent_dim, ring_model.d_steps, 0)
    compile_config = ring_model.get_compile_config()
    assert compile_config["loss"] == "non_saturating"
    clone.compile_from_config(compile_config)
    assert float(clone.g_optimizer.learning_rate) == pytest.approx(float(ring_model.g_optimizer.learning_rate))
    assert clone.g_optimizer.beta_1 == pytest.approx(0.5)


def test_minimax_loss_is_selected_by_name():
    model = ganzoo.load("gan-ring", model={"loss": "minimax"})
    assert model.loss_name == "minimax"
    logs = model.fit(ganzoo.data.load("ring", batch_size=64, limit=128), epochs=1, verbose=0).history
    assert logs["g_loss"][0] < 0  # log(1 - D(G(z))) is negative


def test_labels_where_none_are_expected_and_single_example_batches(digits_model):
    images = np.zeros((8, 16, 16, 1), "float32")
    with pytest.raises(DataError, match="unconditional but the data yields labels"):
        digits_model.fit(images, np.zeros(8, "int32"), epochs=1, verbose=0)
    labelled = tf.data.Dataset.from_tensor_slices((images, np.zeros(8, "int32"))).batch(4)
    with pytest.raises(DataError, match="unconditional but the data yields labels"):
        digits_model.fit(labelled, epochs=1, verbose=0)
    with pytest.raises(DataError, match="single example"):
        digits_model.fit(images[:1], epochs=1, verbose=0)


def test_conditional_models_refuse_unlabelled_data(digits_model):
    conditional = type("Conditional", (GAN,), {"batch_structure": ("real", "labels")})(
        digits_model.generator, digits_model.discriminator, latent_dim=digits_model.latent_dim
    )
    conditional.compile()
    with pytest.raises(DataError, match="conditional and needs \\(samples, labels\\)"):
        conditional.fit(np.zeros((8, 16, 16, 1), "float32"), epochs=1, verbose=0)


def test_source_target_batches_are_not_taken_for_labels(digits_model):
    pairs = tf.data.Dataset.from_tensor_slices((np.zeros((8, 16, 16, 1), "float32"),) * 3).batch(4)
    with pytest.raises(DataError, match=r"batches of \(real\) but the data yields 3 part"):
        digits_model.fit(pairs, epochs=1, verbose=0)


def test_generate_refuses_bad_counts_and_labels_on_an_unconditional_model(digits_model):
    for n in (0, -3, 2.5):
        with pytest.raises(ValueError, match="positive number of samples"):
            digits_model.generate(n)
    with pytest.raises(ValueError, match="unconditional"):
        digits_model.generate(3, labels=[1, 2, 3])


class ScaledGenerator(keras.Model):
    """A generator whose call takes an option, as StyleGAN's takes a truncation."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def call(self, latents, training=False, scale=1.0):
        return self.inner(latents, training=training) * scale


def test_generate_options_reach_the_generator_call(ring_model):
    class ScaledGAN(GAN):
        sampling_options = ("scale",)  # the generator's call options that generate accepts

    model = ScaledGAN(ScaledGenerator(ring_model.generator), ring_model.discriminator, latent_dim=ring_model.latent_dim)
    plain = model.generate(3, seed=0)
    np.testing.assert_allclose(model.generate(3, seed=0, scale=2.0), 2 * plain, rtol=1e-6)
