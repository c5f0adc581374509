"""Mixed precision and XLA: policies from the preset, float32 outputs and losses, loss scaling, fall-back."""
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import precision
from ganzoo.config import ConfigError, read_yaml
from ganzoo.models import GAN
from ganzoo.networks import build_networks
from ganzoo.registry import resolve_preset
from ganzoo.xla import xla_unsupported
from tiny_runs import train

TINY_DIGITS = {"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}}
TINY_RING = {"generator": {"units": [8]}, "discriminator": {"units": [8]}}


def test_unknown_precision_is_refused():
    with pytest.raises(ConfigError, match="mixed_bfloat16"):
        ganzoo.load("dcgan-digits", train={"precision": "bfloat16"})


def test_float16_without_a_gpu_is_refused_with_the_cpu_alternative():
    with pytest.raises(ConfigError, match="needs a GPU.*mixed_bfloat16"):
        ganzoo.load("dcgan-digits", train={"precision": "mixed_float16"})


def test_bfloat16_on_a_cpu_without_bfloat16_instructions_warns(monkeypatch):
    monkeypatch.setattr(precision, "cpu_flags", lambda: frozenset({"avx2", "fma"}))
    with pytest.warns(UserWarning, match="emulated"):
        precision.check_precision("mixed_bfloat16")
    monkeypatch.setattr(precision, "cpu_flags", lambda: frozenset({"avx2", "avx512_bf16"}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        precision.check_precision("mixed_bfloat16")


def test_mixed_bfloat16_computes_in_bfloat16_with_float32_outputs_and_losses():
    model = ganzoo.load("dcgan-digits", model=TINY_DIGITS, train={"precision": "mixed_bfloat16"})
    assert keras.config.dtype_policy().name == "float32", "building must not change the global policy"
    convs = [layer for layer in model.generator.layers + model.discriminator.layers if "conv" in layer.name]
    assert convs and all(layer.compute_dtype == "bfloat16" for layer in convs[:-1])
    assert all(v.dtype == "float32" for v in model.trainable_variables)
    images = model.generator(np.zeros((2, model.latent_dim), "float32"))
    assert images.dtype == "float32" and model.discriminator(images).dtype == "float32"
    logs = model.fit(ganzoo.data.load("digits", batch_size=16, image_size=16, limit=32), epochs=1, verbose=0).history
    assert all(np.isfinite(values[0]) for values in logs.values())
    assert model.generate(3, seed=0).dtype == np.float32


def test_mixed_float16_scales_losses_and_survives_saving(tmp_path):
    preset = resolve_preset("gan-ring", {"model": TINY_RING})
    with precision.precision_scope("mixed_float16"):  # built directly: load() refuses float16 without a GPU
        networks = build_networks(preset.model)
    assert networks["generator"].layers[1].compute_dtype == "float16"
    model = GAN(**networks, latent_dim=preset.model.settings["latent_dim"], seed=0)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    before = [np.array(v) for v in model.generator.trainable_variables]
    model.fit(ganzoo.data.load("ring", batch_size=16, limit=64), epochs=1, verbose=0)
    assert any(not np.array_equal(a, np.array(b)) for a, b in zip(before, model.generator.trainable_variables))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert not isinstance(loaded.g_optimizer.inner_optimizer, keras.optimizers.LossScaleOptimizer)


def test_precision_is_saved_with_the_model(tmp_path):
    model = ganzoo.load("dcgan-digits", model=TINY_DIGITS, train={"precision": "mixed_bfloat16"})
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.generator.layers[1].compute_dtype == "bfloat16"
    np.testing.assert_array_equal(loaded.generate(4, seed=3), model.generate(4, seed=3))


def test_xla_compiles_a_preset_and_keeps_jit_on():
    model = ganzoo.load("gan-ring", model=TINY_RING, train={"jit_compile": True})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.fit(ganzoo.data.load("ring", batch_size=16, limit=64), epochs=1, verbose=0)
    assert model.jit_compile is True


@tf.custom_gradient
def host_identity(x):
    y = tf.numpy_function(lambda a: a, [x], tf.float32, stateful=False)
    return tf.ensure_shape(y, x.shape), lambda upstream: upstream


class HostRoundTrip(keras.layers.Layer):
    """Identity through a NumPy call: an operation XLA cannot compile."""

    def call(self, x):
        return host_identity(x)


def test_xla_falls_back_with_a_message_naming_the_operation():
    nets = ganzoo.load("gan-ring", compile=False, model=TINY_RING)
    inputs = keras.Input((2,))
    discriminator = keras.Model(inputs, nets.discriminator(HostRoundTrip()(inputs)))
    model = GAN(nets.generator, discriminator, latent_dim=nets.latent_dim, seed=0)
    model.compile(jit_compile=True)
    with pytest.warns(UserWarning, match="XLA cannot compile.*PyFunc"):
        logs = model.fit(ganzoo.data.load("ring", batch_size=16, limit=64), epochs=1, verbose=0).history
    assert model.jit_compile is False
    assert np.isfinite(logs["d_loss"][0])


def test_xla_unsupported_is_none_for_plain_maths():
    assert xla_unsupported(lambda x: tf.reduce_sum(x * 2.0), tf.ones((3,))) is None


def test_cli_precision_and_xla_reach_the_run(tmp_path):
    assert train(tmp_path / "run", "--epochs", "1", "--precision", "mixed_bfloat16", "--jit-compile") == 0
    config = read_yaml(tmp_path / "run" / "config.yaml")
    assert config["train"]["precision"] == "mixed_bfloat16" and config["train"]["jit_compile"] is True
    model = keras.models.load_model(tmp_path / "run" / "model.keras")
    assert model.generator.layers[1].compute_dtype == "bfloat16" and model.jit_compile is True
