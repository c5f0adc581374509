"""StyleGAN: its layers compute what the papers define, style mixing and truncation act on the rows
of w they claim, sampling is reproducible, and the CLI and path length reach them."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo.cli import main
from ganzoo.config import ConfigError
from ganzoo.flops import gan_training_flops, network_flops
from ganzoo.layers import EqualizedDense
from ganzoo.layers.style import ModulatedConv2D
from ganzoo.metrics import get_extractor
from ganzoo.metrics.checks import MetricInputError
from ganzoo.metrics.path_length import perceptual_path_length, slerp
from ganzoo.models.core import Step
from ganzoo.models.stylegan import StyleGAN
from ganzoo.networks.stylegan import num_styles, style_groups

TINY = dict(
    model={
        "latent_dim": 8,
        "generator": {"w_dim": 8, "mapping_layers": 2, "base_filters": 4, "max_filters": 8},
        "discriminator": {"base_filters": 4},
    },
    train={"batch_size": 8},
)


@pytest.fixture(scope="module")
def model():
    return ganzoo.load("stylegan-lite-mnist", **TINY)


@pytest.mark.parametrize("up", [False, True])
def test_a_modulated_convolution_equals_convolving_with_each_examples_demodulated_weights(up):
    x = np.random.default_rng(0).standard_normal((3, 6, 6, 4)).astype("float32")
    styles = np.random.default_rng(1).standard_normal((3, 2, 5)).astype("float32")
    layer = ModulatedConv2D(7, 3, style_index=1, up=up)
    y = keras.ops.convert_to_numpy(layer([x, styles]))
    s = keras.ops.convert_to_numpy(layer.affine(styles[:, 1]))
    kernel = keras.ops.convert_to_numpy(layer.kernel) / math.sqrt(3 * 3 * 4)
    for i in range(3):  # StyleGAN2's formulation: modulate, then demodulate, the weights themselves
        weights = kernel * s[i][None, None, :, None]
        weights = weights / np.sqrt(np.sum(weights**2, axis=(0, 1, 2), keepdims=True) + 1e-8)
        if up:  # StyleGAN2's upsampling convolution: transposed, stride 2, with the up-filter's gain 2
            transposed = np.transpose(weights, (0, 1, 3, 2))
            expected = 2 * tf.nn.conv2d_transpose(x[i : i + 1], transposed, (1, 12, 12, 7), 2, "SAME").numpy()[0]
        else:
            expected = tf.nn.conv2d(x[i : i + 1], weights, 1, "SAME").numpy()[0]
        np.testing.assert_allclose(y[i], expected, rtol=1e-4, atol=1e-4)


def test_a_learning_rate_multiplier_stores_weights_larger_and_scales_them_down():
    layer = EqualizedDense(300, lr_multiplier=0.01, gain=1.0)
    layer.build((None, 400))
    stored = keras.ops.convert_to_numpy(layer.kernel)
    assert abs(stored.std() - 100.0) < 2.0  # N(0, 1 / lr_multiplier)
    x = np.ones((1, 400), "float32")
    expected = x @ stored * (0.01 / math.sqrt(400))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), expected, atol=1e-5)


def test_every_resolution_reaches_the_image_at_initialisation():
    """Demodulation keeps a convolution's output at its input's scale, so the activation gain must
    make up for the leaky ReLU; without it the 32x32 layers' part of the image is ~7% of the 4x4's."""
    generator = ganzoo.load("stylegan-lite", compile=False).generator
    synthesis = generator.synthesis
    to_rgb = [layer for layer in synthesis.layers if layer.name.startswith("to_rgb_")]
    probe = keras.Model(synthesis.inputs, [layer.output for layer in to_rgb])
    styles = generator.styles(np.random.default_rng(0).standard_normal((64, 64)).astype("float32"))
    noise = [tf.random.normal((64, *shape), seed=1) for shape in generator.noise_shapes]
    spread = {layer.name: float(np.std(out)) for layer, out in zip(to_rgb, probe([tf.convert_to_tensor(styles), *noise]))}
    assert spread["to_rgb_32"] > 0.3 * spread["to_rgb_4"], spread


def test_stylegan2s_residual_discriminator_still_trains_the_generator():
    model = ganzoo.load("stylegan-lite-mnist", **{**TINY, "model": {
        **TINY["model"], "network": "stylegan", "discriminator": {"base_filters": 4, "max_filters": 8}}})
    assert any(isinstance(layer, keras.layers.Add) for layer in model.discriminator.layers)  # its shortcuts
    before = keras.ops.convert_to_numpy(model.generator.trainable_weights[-1]).copy()
    model.fit(np.zeros((8, 32, 32, 1), "float32"), batch_size=8, epochs=1, verbose=0)
    assert not np.allclose(before, keras.ops.convert_to_numpy(model.generator.trainable_weights[-1]))


def test_a_stylegan_model_refuses_a_generator_without_styles():
    generator = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4)])
    discriminator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    with pytest.raises(ConfigError, match=r"needs the stylegan generator.*\{generator: stylegan"):
        StyleGAN(generator, discriminator, latent_dim=8)


def test_style_groups_split_every_row_once_by_resolution():
    shape = (32, 32, 3)
    groups = style_groups(shape)
    assert sorted(sum(groups.values(), [])) == list(range(num_styles(shape))) and num_styles(shape) == 8
    assert groups == {"coarse": [0, 1, 2], "middle": [3, 4], "fine": [5, 6, 7]}


def test_training_draws_mix_styles_at_a_row_and_fresh_noise(model):
    step = Step({"real": np.zeros((64, 32, 32, 1), "float32")})
    draws = model.draw(step)
    crossover = keras.ops.convert_to_numpy(draws["crossover"])
    assert crossover.min() >= 1 and crossover.max() == model.generator.num_ws
    assert 0.75 < np.mean(crossover < model.generator.num_ws) <= 1.0  # mixing_probability 0.9
    assert [tuple(n.shape[1:]) for n in draws["noise"]] == model.generator.noise_shapes
    model.mixing_probability = 0.0
    try:
        assert np.all(keras.ops.convert_to_numpy(model.draw(step)["crossover"]) == model.generator.num_ws)
    finally:
        model.mixing_probability = 0.9


def test_truncation_pulls_every_sample_to_the_average_image(model):
    model.generator.w_avg.assign(np.linspace(-1, 1, 8).astype("float32"))
    average = model.generate(3, seed=0, truncation=0.0)
    np.testing.assert_allclose(average[0], average[2], atol=1e-6)
    w = model.sampling_generator.map(model.latents_for(3, 0))
    assert model.sampling_generator.truncate(w, 1.0) is w  # psi 1 is no truncation at all
    assert not np.allclose(model.generate(3, seed=0, truncation=0.5), model.generate(3, seed=0))
    np.testing.assert_array_equal(model.generate(3, seed=0, truncation=np.float32(0.5)), model.generate(3, seed=0, truncation=0.5))
    with pytest.raises(ValueError, match="truncation is a number"):
        model.generate(2, truncation="high")
    dcgan = ganzoo.load("dcgan-digits")
    with pytest.raises(ValueError, match="no sampling option truncation; it takes none"):
        dcgan.generate(2, truncation=0.7)


def test_mixing_takes_only_the_chosen_rows_from_b(model):
    a, b = [0, 1], [5, 6]
    own = np.concatenate([model.generate(1, seed=s) for s in a])
    np.testing.assert_allclose(model.mix_styles(a, a, "fine"), own, atol=1e-5)
    all_of_b = model.mix_styles(a, b, ["coarse", "middle", "fine"])
    np.testing.assert_allclose(all_of_b, np.concatenate([model.generate(1, seed=s) for s in b]), atol=1e-5)
    assert not np.allclose(model.mix_styles(a, b, "coarse"), all_of_b, atol=1e-4)
    with pytest.raises(ValueError, match="Unknown style group"):
        model.mix_styles(a, b, "colour")


def test_pictures_have_their_layout_and_repeat(model):
    grid = model.style_mixing_grid([0, 1], [5, 6, 7])  # 1 header row + 3 groups x 2 sources; 4 columns
    assert grid.shape == (7 * 34 + 2, 4 * 34 + 2, 1)
    np.testing.assert_array_equal(grid, model.style_mixing_grid([0, 1], [5, 6, 7]))
    assert model.interpolate(0, 1, steps=5).shape == (34 + 2, 5 * 34 + 2, 1)
    assert model.truncation_sweep(seeds=[0, 1], psis=(0.5, 1.0)).shape == (2 * 34 + 2, 2 * 34 + 2, 1)


def test_the_average_w_is_tracked_in_training_and_saved(model, tmp_path):
    before = keras.ops.convert_to_numpy(model.generator.w_avg).copy()
    model.fit(np.random.default_rng(0).uniform(-1, 1, (16, 32, 32, 1)).astype("float32"), batch_size=8, verbose=0)
    after = keras.ops.convert_to_numpy(model.generator.w_avg)
    assert not np.allclose(before, after)
    model.save(tmp_path / "m.keras")
    restored = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(restored.generator.w_avg), after)
    np.testing.assert_array_equal(restored.generate(2, seed=3, truncation=0.7), model.generate(2, seed=3, truncation=0.7))


def test_path_length_is_zero_for_a_generator_that_ignores_its_latent_and_positive_otherwise(model):
    extractor = get_extractor("digits", verbose=False)
    assert perceptual_path_length(model, extractor, n=100, sampling="full") > 0
    assert perceptual_path_length(model, extractor, n=100, space="z") > 0
    mapping_kernel = model.sampling_generator.mapping.layers[-2].kernel
    saved = keras.ops.convert_to_numpy(mapping_kernel)
    mapping_kernel.assign(np.zeros_like(saved))  # every latent maps to the same w
    try:
        assert perceptual_path_length(model, extractor, n=100) == 0.0
    finally:
        mapping_kernel.assign(saved)
    with pytest.raises(MetricInputError, match="no W space"):
        perceptual_path_length(ganzoo.load("dcgan-digits"), extractor, n=100)


def test_slerp_stays_on_the_sphere_and_hits_its_ends():
    a, b = np.random.default_rng(0).standard_normal((2, 4, 6))
    for t in (0.0, 0.3, 1.0):
        point = slerp(a, b, np.full((4, 1), t))
        np.testing.assert_allclose(np.linalg.norm(point, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(slerp(a, b, np.ones((4, 1))), b / np.linalg.norm(b, axis=1, keepdims=True), atol=1e-6)


def test_the_cli_draws_truncated_mixed_and_interpolated_pictures(model, tmp_path, capsys):
    model.save(tmp_path / "model.keras")
    for extra, name in [(["--truncation", "0.7"], "sample_seed0_psi0.7.png"), (["--style-mix"], "style_mix_seed0.png"),
                        (["--interpolate", "-n", "6"], "interpolation_seed0.png")]:
        assert main(["sample", str(tmp_path), *extra]) == 0
        assert (tmp_path / name).is_file()
    ganzoo.load("dcgan-digits").save(tmp_path / "dcgan.keras")
    assert main(["sample", str(tmp_path / "dcgan.keras"), "--style-mix"]) == 2
    assert "--style-mix works in a StyleGAN's W space" in capsys.readouterr().err
    assert main(["sample", str(tmp_path / "dcgan.keras"), "--truncation", "0.5"]) == 2
    assert "no sampling option truncation" in capsys.readouterr().err


def test_flops_count_the_modulated_convolutions(model):
    flops = dict(network_flops(model.generator).layers)
    conv = model.generator.synthesis.get_layer("conv_0")  # 4x4, 8 -> 8 channels, 3x3, w_dim 8
    assert flops["synthesis/conv_0"] == 2 * 4 * 4 * 9 * 8 * 8 + 2 * 8 * 8 + 2 * 8 * 8 == conv.flops_per_example(
        [(None, 4, 4, 8), (None, 8, 8)])
    assert flops["mapping/dense_0"] == 2 * 8 * 8
    with pytest.raises(NotImplementedError, match="gradient penalties"):
        gan_training_flops(model)
    counted = gan_training_flops(model, exclude_penalties=True)
    assert counted["penalties_excluded"] == ["r1"] and counted["generator_forward"] == sum(flops.values())


def test_the_evaluator_measures_path_length_in_w_for_a_stylegan_and_in_z_otherwise(model):
    scores = ganzoo.metrics.evaluate(model, "mnist-5k", metrics=["ppl"], n=100, image_size=32, verbose=0)
    assert set(scores) == {"ppl_w_end", "ppl_w_full"} and all(value > 0 for value in scores.values())
    # A progressive GAN's generator also takes its level: Z-space walks go through generator_inputs.
    progressive = ganzoo.metrics.evaluate(ganzoo.load("pggan-mnist"), "mnist-5k", metrics=["ppl"], n=100,
                                          image_size=32, verbose=0)
    assert set(progressive) == {"ppl_z_end", "ppl_z_full"}
    with pytest.raises(MetricInputError, match="give the model, not samples"):
        ganzoo.metrics.evaluate(model.generate(100, seed=0), "mnist-5k", metrics=["ppl"], n=100)
