"""Generator/discriminator builders, one module per family; presets pick one by `model.network`,
or one per network role (`model.network: {generator: stylegan, discriminator: dcgan}`).

Every builder gives its last layer `dtype="float32"`, so under mixed precision the samples and
logits (and so the losses) stay float32. A family registers its builders by network role with
`ganzoo.registry.register_network`, like a model class registers with `register_model`.
"""
from __future__ import annotations

from ganzoo.config import ConfigError, ModelConfig, check_kwargs
from ganzoo.networks.conditional import (
    auxiliary_dcgan_discriminator, conditional_dcgan_discriminator, conditional_dcgan_generator,
)
from ganzoo.networks.cyclegan import image_patchgan_discriminator, resnet_generator
from ganzoo.networks.dcgan import classifying_dcgan_discriminator, dcgan_discriminator, dcgan_generator
from ganzoo.networks.ganomaly import ganomaly_discriminator, ganomaly_generator
from ganzoo.networks.infogan import info_dcgan_discriminator, info_dcgan_generator
from ganzoo.networks.mlp import classifying_mlp_discriminator, mlp_discriminator, mlp_generator
from ganzoo.networks.pggan import pggan_discriminator, pggan_generator
from ganzoo.networks.pix2pix import patchgan_discriminator, unet_generator
from ganzoo.networks.projection import projection_discriminator, projection_generator
from ganzoo.networks.srgan import srgan_discriminator, srresnet_generator
from ganzoo.networks.stylegan import stylegan_discriminator, stylegan_generator
from ganzoo.networks.text import text_dcgan_discriminator, text_dcgan_generator
from ganzoo.registry import model_class, network_family, register_network

register_network("mlp", generator=mlp_generator, discriminator=mlp_discriminator)
register_network("classifying-dcgan", generator=dcgan_generator, discriminator=classifying_dcgan_discriminator)
register_network("classifying-mlp", generator=mlp_generator, discriminator=classifying_mlp_discriminator)
register_network("dcgan", generator=dcgan_generator, discriminator=dcgan_discriminator)
register_network("pggan", generator=pggan_generator, discriminator=pggan_discriminator)
register_network("stylegan", generator=stylegan_generator, discriminator=stylegan_discriminator)
register_network("conditional-dcgan", generator=conditional_dcgan_generator, discriminator=conditional_dcgan_discriminator)
register_network("auxiliary-dcgan", generator=conditional_dcgan_generator, discriminator=auxiliary_dcgan_discriminator)
register_network("projection", generator=projection_generator, discriminator=projection_discriminator)
register_network("info-dcgan", generator=info_dcgan_generator, discriminator=info_dcgan_discriminator)
register_network("text-dcgan", generator=text_dcgan_generator, discriminator=text_dcgan_discriminator)
register_network("unet-patchgan", generator=unet_generator, discriminator=patchgan_discriminator)
register_network("resnet-patchgan", generator=resnet_generator, discriminator=image_patchgan_discriminator)
register_network("ganomaly", generator=ganomaly_generator, discriminator=ganomaly_discriminator)
register_network("srresnet", generator=srresnet_generator, discriminator=srgan_discriminator)


def _plan(config: ModelConfig):
    """(builder, options section, arguments from the model) for each network the model class builds."""
    cls = model_class(config.arch)
    arguments = cls.network_arguments(config.settings, tuple(config.data_shape))
    roles = {name: cls.network_roles.get(name, name) for name in cls.network_names}
    families = _families(config, sorted(set(roles.values())))
    plan = {}
    for name, role in roles.items():
        family = network_family(families[role])
        if role not in family:
            raise ConfigError(
                f"model.network {families[role]!r} has no {role} builder, which model.arch {config.arch!r} needs."
            )
        plan[name] = (family[role], role, arguments[name])
    return plan


def _families(config: ModelConfig, roles: list) -> dict:
    """The family name of each network role: `model.network` names one for all, or maps each role
    the model class needs to its own."""
    if isinstance(config.network, str):
        return dict.fromkeys(roles, config.network)
    unknown = sorted(set(config.network) - set(roles))
    missing = [role for role in roles if role not in config.network]
    if unknown or missing:
        raise ConfigError(
            f"model.network maps network roles to families; model.arch {config.arch!r} has the roles "
            f"{', '.join(roles)}, got {', '.join(map(str, config.network)) or 'none'}. "
            f"Give each one a family, e.g. {{{', '.join(f'{role}: dcgan' for role in roles)}}}."
        )
    for role, family in config.network.items():
        if not isinstance(family, str):
            raise ConfigError(f"model.network.{role} names a network family, got {family!r}.")
    return dict(config.network)


def network_options(config: ModelConfig) -> dict:
    """Validated options of each network, by network name; unknown or mistyped keys are refused, and
    so are keys the model sets itself (such as latent_dim and data_shape)."""
    options = {}
    for name, (builder, role, from_model) in _plan(config).items():
        given = getattr(config, role)
        for key in from_model:
            if key in given:
                raise ConfigError(f"Set {key} once under model:, not under model.{role}.")
        options[name] = check_kwargs(builder, given, f"model.{role}", exclude=tuple(from_model))
    return options


def build_networks(config: ModelConfig) -> dict:
    """Build the networks a model config describes, by the model class's network names."""
    options = network_options(config)
    return {name: builder(**from_model, **options[name]) for name, (builder, _, from_model) in _plan(config).items()}
