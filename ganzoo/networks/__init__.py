"""Generator/discriminator builders, one module per family; presets pick one by `model.network`.

Every builder gives its last layer `dtype="float32"`, so under mixed precision the samples and
logits (and so the losses) stay float32.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ganzoo.config import ConfigError, ModelConfig, check_kwargs
from ganzoo.networks.dcgan import dcgan_discriminator, dcgan_generator
from ganzoo.networks.mlp import mlp_discriminator, mlp_generator


@dataclass(frozen=True)
class NetworkFamily:
    generator: Callable
    discriminator: Callable


NETWORKS: dict[str, NetworkFamily] = {
    "mlp": NetworkFamily(mlp_generator, mlp_discriminator),
    "dcgan": NetworkFamily(dcgan_generator, dcgan_discriminator),
}


def network_family(name: str) -> NetworkFamily:
    if name not in NETWORKS:
        raise ConfigError(f"Unknown model.network {name!r}. Available: {', '.join(sorted(NETWORKS))}.")
    return NETWORKS[name]


_SET_BY_MODEL = ("latent_dim", "data_shape")


def network_options(config: ModelConfig) -> tuple[dict, dict]:
    """Validated generator and discriminator options; unknown or mistyped keys are refused."""
    family = network_family(config.network)
    options = []
    for builder, section in ((family.generator, "generator"), (family.discriminator, "discriminator")):
        given = getattr(config, section)
        for key in _SET_BY_MODEL:
            if key in given:
                raise ConfigError(f"Set {key} once under model:, not under model.{section}.")
        options.append(check_kwargs(builder, given, f"model.{section}", exclude=_SET_BY_MODEL))
    return options[0], options[1]


def build_networks(config: ModelConfig):
    """Build the (generator, discriminator) pair a model config describes."""
    family = network_family(config.network)
    generator_options, discriminator_options = network_options(config)
    shape = tuple(config.data_shape)
    generator = family.generator(latent_dim=config.latent_dim, data_shape=shape, **generator_options)
    # PacGAN: the discriminator sees `pack` samples stacked along the last axis
    packed = (*shape[:-1], shape[-1] * config.pack)
    discriminator = family.discriminator(data_shape=packed, **discriminator_options)
    return generator, discriminator
