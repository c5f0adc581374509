"""Network builders produce the shapes presets ask for, and refuse shapes they cannot build."""
import pytest

import ganzoo  # noqa: F401  (registers the network families)
from ganzoo.registry import _NETWORK_FAMILIES, network_family
from ganzoo.networks.dcgan import dcgan_discriminator, dcgan_generator
from ganzoo.networks.mlp import mlp_discriminator, mlp_generator


@pytest.mark.parametrize("size, channels", [(8, 1), (16, 3), (28, 1), (30, 1), (32, 3), (64, 1)])
def test_dcgan_networks_reach_the_image_size(size, channels):
    generator = dcgan_generator(latent_dim=5, data_shape=(size, size, channels), base_filters=4)
    discriminator = dcgan_discriminator(data_shape=(size, size, channels), base_filters=4)
    assert generator.output_shape == (None, size, size, channels)
    assert discriminator.input_shape == (None, size, size, channels)
    assert discriminator.output_shape == (None, 1)
    assert generator.layers[-1].activation.__name__ == "tanh"


@pytest.mark.parametrize("shape", [(7, 7, 1), (9, 9, 1), (16, 8, 1), (16, 16)])
def test_dcgan_refuses_sizes_it_cannot_reach(shape):
    with pytest.raises(ValueError, match="DCGAN"):
        dcgan_generator(latent_dim=5, data_shape=shape)


def test_mlp_networks_for_points_and_images():
    assert mlp_generator(3, (2,), units=[4], output_activation=None).output_shape == (None, 2)
    assert mlp_generator(3, (28, 28, 1), units=[4]).output_shape == (None, 28, 28, 1)
    assert mlp_discriminator((2,), units=[4], dropout=0.5).output_shape == (None, 1)


def test_every_family_has_both_builders():
    for name in ("mlp", "dcgan"):
        family = network_family(name)
        assert callable(family["generator"]) and callable(family["discriminator"])
    assert set(_NETWORK_FAMILIES) >= {"mlp", "dcgan"}
