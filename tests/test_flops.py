"""FLOP counts match hand arithmetic (multiply-add = 2 FLOPs, per example, element-wise layers = 0)."""
import keras
import pytest
from keras import layers

import ganzoo
from ganzoo.flops import gan_training_flops, layer_flops, network_flops
from ganzoo.models import GAN


def test_dense_net():
    x = keras.Input((5,))
    h = layers.Dense(3, activation="relu")(x)
    h = layers.BatchNormalization()(h)
    y = layers.Dense(2)(h)
    flops = network_flops(keras.Model(x, y))
    # Dense 5->3: 5*3 MACs; BatchNormalization: 0; Dense 3->2: 3*2 MACs
    assert [f for _, f in flops.layers] == [0, 2 * 5 * 3, 0, 2 * 3 * 2]
    assert flops.forward == 30 + 12
    assert flops.first_layer == 30


def test_dense_on_a_sequence_counts_every_position():
    x = keras.Input((4, 5))
    dense = layers.Dense(3)
    wrapped = layers.TimeDistributed(layers.Dense(3))
    keras.Model(x, [dense(x), wrapped(x)])
    assert layer_flops(dense) == 2 * 4 * 5 * 3  # 4 positions of a 5->3 matrix
    assert layer_flops(wrapped) == 2 * 4 * 5 * 3


def test_conv2d_net():
    x = keras.Input((8, 8, 3))
    h = layers.Conv2D(4, 3, strides=2, padding="same")(x)  # -> 4x4x4
    h = layers.LeakyReLU(0.2)(h)
    y = layers.Conv2D(5, 2, padding="valid")(h)  # -> 3x3x5
    flops = network_flops(keras.Model(x, y))
    first = 2 * (4 * 4) * (3 * 3 * 3 * 4)  # output positions * kh*kw*in*out = 16*108 MACs
    second = 2 * (3 * 3) * (2 * 2 * 4 * 5)  # 9 * 80 MACs
    assert (first, second) == (3456, 1440)
    assert [f for _, f in flops.layers] == [0, first, 0, second]
    assert flops.first_layer == first


def test_conv2d_transpose_net():
    x = keras.Input((4, 4, 2))
    h = layers.Conv2DTranspose(3, 4, strides=2, padding="same")(x)  # 4x4x2 -> 8x8x3
    y = layers.Conv2DTranspose(1, 3, strides=1, padding="same")(h)  # 8x8x3 -> 8x8x1
    flops = network_flops(keras.Model(x, y))
    first = 2 * (4 * 4) * (4 * 4 * 2 * 3)  # input positions * kh*kw*in*out = 16*96 MACs
    second = 2 * (8 * 8) * (3 * 3 * 3 * 1)  # 64 * 27 MACs
    assert (first, second) == (3072, 3456)
    assert flops.forward == first + second
    assert flops.first_layer == first


def test_wrapped_and_nested_layers():
    normalized = layers.SpectralNormalization(layers.Dense(4))
    inner = keras.Sequential([keras.Input((6,)), normalized])
    x = keras.Input((6,))
    model = keras.Model(x, layers.Dense(2)(inner(x)))
    flops = network_flops(model)
    assert layer_flops(inner) == 2 * 6 * 4
    assert (f"{inner.name}/{normalized.name}", 2 * 6 * 4) in flops.layers
    assert flops.forward == 2 * 6 * 4 + 2 * 4 * 2
    assert flops.first_layer == 2 * 6 * 4


def test_trainable_layer_before_the_first_contraction_needs_its_input_gradient():
    x = keras.Input((5,))
    y = layers.Dense(3)(layers.BatchNormalization()(x))
    assert network_flops(keras.Model(x, y)).first_layer == 0


def test_unknown_contracting_layer_is_refused():
    x = keras.Input((8, 8, 3))
    model = keras.Model(x, layers.DepthwiseConv2D(3)(x))
    with pytest.raises(NotImplementedError, match="DepthwiseConv2D"):
        network_flops(model)


def _tiny_dcgan(**model):
    # shape and latent size pinned too, so the arithmetic below survives edits to the preset
    return ganzoo.load(
        "dcgan-digits",
        model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4},
               "data_shape": [16, 16, 1], "latent_dim": 32, **model},
    )


def test_tiny_dcgan_training_flops():
    model = _tiny_dcgan()
    # dcgan-digits: 16x16x1 images, latent 32, base_filters 4 -> start 4x4, two 2x steps.
    # Generator: Dense 32 -> 4*4*16 (no bias); ConvT 4x4x16 -> 8x8x8 (k4); ConvT 8x8x8 -> 16x16x1 (k4).
    g_dense = 2 * 32 * 256
    g_layers = [g_dense, 2 * (4 * 4) * (4 * 4 * 16 * 8), 2 * (8 * 8) * (4 * 4 * 8 * 1)]
    # Discriminator: Conv 16x16x1 -> 8x8x4 (k4, s2); Conv 8x8x4 -> 4x4x8 (k4, s2); Dense 128 -> 1.
    d_conv = 2 * (8 * 8) * (4 * 4 * 1 * 4)
    d_layers = [d_conv, 2 * (4 * 4) * (4 * 4 * 4 * 8), 2 * 128 * 1]
    assert [f for _, f in network_flops(model.generator).layers if f] == g_layers
    assert [f for _, f in network_flops(model.discriminator).layers if f] == d_layers
    gf, df = sum(g_layers), sum(d_layers)  # 98304, 24832
    assert (gf, df) == (98_304, 24_832)
    d_step = gf + 2 * df + 2 * df + 2 * (df - d_conv)
    g_step = gf + df + df + gf + (gf - g_dense)
    flops = gan_training_flops(model)
    assert flops["generator_first_layer"] == g_dense and flops["discriminator_first_layer"] == d_conv
    assert (flops["d_step"], flops["g_step"]) == (d_step, g_step)
    assert flops["total"] == d_step + g_step == 559_104
    assert flops["generate_flops"] == gf


def test_discriminator_steps_multiply_the_discriminator_step():
    one, two = gan_training_flops(_tiny_dcgan()), gan_training_flops(_tiny_dcgan(d_steps=2))
    assert two["d_steps"] == 2
    assert two["total"] == one["total"] + one["d_step"]


def test_packing_divides_the_discriminator_share_and_unrolling_adds_steps():
    plain = gan_training_flops(_tiny_dcgan())
    unrolled = _tiny_dcgan()
    unrolled.unrolled_steps = 3
    assert gan_training_flops(unrolled)["total"] == plain["total"] + 3 * plain["d_step"]
    packed = ganzoo.load("pacgan-mnist", model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}})
    flops = gan_training_flops(packed)
    gf, g1, df, d1 = (flops[key] for key in ("generator_forward", "generator_first_layer",
                                             "discriminator_forward", "discriminator_first_layer"))
    assert flops["pack"] == 2
    assert flops["d_step"] == gf + (6 * df - 2 * d1) / 2
    assert flops["g_step"] == 3 * gf - g1 + 2 * df / 2


def test_penalised_and_other_models_are_refused_not_guessed():
    penalised = ganzoo.load("wgan-gp-mnist", model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}})
    with pytest.raises(NotImplementedError, match="gradient penalties"):
        gan_training_flops(penalised)
    conditional = type("Conditional", (GAN,), {"loss_terms": {"discriminator": ("adversarial", "aux"),
                                                              "generator": ("adversarial",)}})
    model = conditional(penalised.generator, penalised.discriminator, latent_dim=penalised.latent_dim)
    with pytest.raises(NotImplementedError, match="other networks or loss terms"):
        gan_training_flops(model)
