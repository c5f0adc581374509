"""Pix2Pix: the U-Net and PatchGAN shapes, a discriminator that judges the pair, the L1 term and
its weights, and the settings' checks. The presets are covered by tests/test_presets.py."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo.config import ConfigError
from ganzoo.data import DataError
from ganzoo.models import Pix2Pix, validate_preset
from ganzoo.networks.pix2pix import halvings, patchgan_discriminator, unet_generator


def tiny_pix2pix(**settings):
    keras.utils.set_random_seed(0)  # the same weights and dropout masks for every model built here
    generator = unet_generator((16, 16, 1), source_channels=2, base_filters=4)
    discriminator = patchgan_discriminator((16, 16, 1), source_channels=2, base_filters=4)
    model = Pix2Pix(generator, discriminator, source_channels=2, seed=0, **settings)
    model.compile()
    return model


def batch(seed=0, size=4):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (size, 16, 16, 2)).astype("float32"), rng.uniform(-1, 1, (size, 16, 16, 1)).astype("float32")


def test_the_unet_halves_while_the_size_stays_even_and_joins_each_level():
    assert [halvings(size) for size in (28, 32, 256, 7, 30)] == [2, 4, 7, 0, 1]
    generator = unet_generator((28, 28, 1), base_filters=8)
    assert generator.output_shape == (None, 28, 28, 1)
    assert sum(type(layer).__name__ == "Concatenate" for layer in generator.layers) == 1  # two levels, one join
    deep = unet_generator((32, 32, 3), base_filters=4, max_filters=16)
    assert sum(type(layer).__name__ == "Concatenate" for layer in deep.layers) == 3
    assert max(layer.filters for layer in deep.layers if hasattr(layer, "filters") and layer.name != "image") == 16


@pytest.mark.parametrize("shape, depth, message", [((29, 29, 1), None, "cannot be halved"),
                                                    ((28, 28, 1), 3, "choose 1 to 2"),
                                                    ((28, 32, 1), None, "square images")])
def test_impossible_network_shapes_are_refused_by_name(shape, depth, message):
    with pytest.raises(ValueError, match=message):
        unet_generator(shape, depth=depth)


def test_the_patchgan_gives_one_logit_per_patch_of_the_pair():
    discriminator = patchgan_discriminator((28, 28, 1), base_filters=8)
    assert discriminator.output_shape == (None, 7, 7, 1)
    assert patchgan_discriminator((32, 32, 3), base_filters=4).output_shape == (None, 4, 4, 1)  # at most 3 strides
    source, image = batch()
    d = patchgan_discriminator((16, 16, 1), source_channels=2, base_filters=4)
    other_source = source.copy()
    other_source[:, :8] = 0.0
    assert not np.allclose(d([source, image]), d([other_source, image]))


def train_logs(model):
    tensors = tuple(tf.convert_to_tensor(part) for part in batch())
    return {key: float(value) for key, value in model.train_step(tensors).items()}


def test_the_generator_adds_the_weighted_l1_to_its_adversarial_term():
    """Logged terms are weighted: g_loss is their sum, and g_l1 scales with l1_weight."""
    once, tenfold = train_logs(tiny_pix2pix(l1_weight=1.0)), train_logs(tiny_pix2pix(l1_weight=10.0))
    assert tenfold["g_l1"] == pytest.approx(10.0 * once["g_l1"], rel=1e-4)
    assert once["g_loss"] > once["g_l1"] > 0  # plus the positive non-saturating term
    alone = train_logs(tiny_pix2pix(adversarial_weight=0.0, l1_weight=10.0))
    assert alone["g_loss"] == pytest.approx(alone["g_l1"], rel=1e-6)
    assert alone["g_l1"] == pytest.approx(tenfold["g_l1"], rel=1e-4)


@pytest.mark.parametrize("settings, message", [({"l1_weight": -1.0}, "l1_weight is a weight of 0 or more"),
                                               ({"l1_weight": 0.0, "adversarial_weight": 0.0}, "both 0"),
                                               ({"source_channels": 0}, "source_channels must be positive")])
def test_impossible_settings_are_refused_before_building(settings, message):
    with pytest.raises(ConfigError, match=message):
        Pix2Pix.check_settings(settings, (16, 16, 1))


def test_the_source_images_are_checked_against_the_data_before_building():
    preset = ganzoo.resolve_preset("pix2pix-edges", {"model": {"source_channels": 3}})
    with pytest.raises(DataError, match=r"'edges-mnist' gives source images of shape \(28, 28, 1\).*\(28, 28, 3\)"):
        validate_preset(preset)
