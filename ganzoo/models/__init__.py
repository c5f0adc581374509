"""Training algorithms (one module each) and `build_model`, which turns a preset into a model."""
from __future__ import annotations

import keras

from ganzoo.config import ConfigError, Preset, check_kwargs
from ganzoo.augment import AUGMENTATIONS
from ganzoo.losses import LOSSES, PENALTY_NAMES
from ganzoo.models.base import BaseGAN
from ganzoo.models.gan import GAN
from ganzoo.networks import build_networks, network_options
from ganzoo.precision import check_precision, precision_scope
from ganzoo.registry import model_class

__all__ = ["BaseGAN", "GAN", "build_model", "make_optimizer", "validate_preset"]


def make_optimizer(spec: dict, where: str) -> keras.optimizers.Optimizer:
    """A Keras optimizer from `{name: adam, learning_rate: 2e-4, ...}`, with names and values checked."""
    options = dict(spec)
    name = options.pop("name", None)
    if not isinstance(name, str):
        raise ConfigError(f"{where} needs a `name`, such as adam, rmsprop or sgd.")
    try:
        cls = type(keras.optimizers.get(name))
    except ValueError:
        raise ConfigError(
            f"Unknown optimizer {name!r} in {where}. Use a Keras optimizer name such as "
            "adam, adamw, rmsprop, sgd, nadam or lion."
        ) from None
    check_kwargs(cls.__init__, options, where)
    learning_rate = options.get("learning_rate", 1e-3)
    if isinstance(learning_rate, dict):
        options["learning_rate"] = make_schedule(learning_rate, f"{where}.learning_rate")
    elif isinstance(learning_rate, (int, float)) and learning_rate <= 0:
        raise ConfigError(f"{where}.learning_rate must be positive, got {learning_rate}.")
    try:
        return cls(**options)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"Invalid options in {where}: {error}") from None


SCHEDULES = {
    "cosine_decay": keras.optimizers.schedules.CosineDecay,
    "exponential_decay": keras.optimizers.schedules.ExponentialDecay,
    "inverse_time_decay": keras.optimizers.schedules.InverseTimeDecay,
    "piecewise_constant_decay": keras.optimizers.schedules.PiecewiseConstantDecay,
    "polynomial_decay": keras.optimizers.schedules.PolynomialDecay,
}


def make_schedule(spec: dict, where: str) -> keras.optimizers.schedules.LearningRateSchedule:
    """A Keras learning-rate schedule from `{schedule: cosine_decay, initial_learning_rate: 1e-3,
    decay_steps: 20000}`; steps count the optimizer's own updates (d_steps per step for the
    discriminator)."""
    options = dict(spec)
    name = options.pop("schedule", None)
    if name not in SCHEDULES:
        raise ConfigError(f"{where} needs `schedule:` one of {', '.join(SCHEDULES)}; got {name!r}.")
    check_kwargs(SCHEDULES[name].__init__, options, where)
    try:
        return SCHEDULES[name](**options)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"Invalid options in {where}: {error}") from None


def validate_preset(preset: Preset) -> None:
    """Check everything a preset names (arch, network options, loss, optimizers) without building."""
    model_class(preset.model.arch)
    network_options(preset.model)
    if preset.model.loss not in LOSSES:
        raise ConfigError(f"Unknown model.loss {preset.model.loss!r}. Available: {', '.join(sorted(LOSSES))}.")
    make_optimizer(preset.train.g_optimizer, "train.g_optimizer")
    make_optimizer(preset.train.d_optimizer, "train.d_optimizer")
    check_precision(preset.train.precision)
    _check_stabilizers(preset.model)


def _check_stabilizers(model) -> None:
    unknown = sorted(set(model.penalties) - set(PENALTY_NAMES))
    if unknown:
        raise ConfigError(f"Unknown model.penalties {unknown}. Available: {', '.join(PENALTY_NAMES)}.")
    for name, weight in model.penalties.items():
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            raise ConfigError(f"model.penalties.{name} is a positive weight, such as 10; got {weight!r}.")
    if model.augment is not None:
        if len(model.data_shape) != 3:
            raise ConfigError("model.augment (DiffAugment) is for images; remove it for this data.")
        unknown = sorted({name.strip() for name in model.augment.split(",")} - set(AUGMENTATIONS))
        if unknown:
            raise ConfigError(f"Unknown model.augment {unknown}. Available: {', '.join(AUGMENTATIONS)}.")


def build_model(preset: Preset, compile: bool = True) -> BaseGAN:
    """Build (and by default compile) the model a validated preset describes."""
    validate_preset(preset)
    with precision_scope(preset.train.precision):
        generator, discriminator = build_networks(preset.model)
    config = preset.model
    model = model_class(config.arch)(
        generator=generator,
        discriminator=discriminator,
        latent_dim=config.latent_dim,
        d_steps=config.d_steps,
        penalties=config.penalties,
        clip_weights=config.clip_weights,
        pack=config.pack,
        unrolled_steps=config.unrolled_steps,
        ema=config.ema,
        augment=config.augment,
        seed=preset.train.seed,
        name=preset.name.replace("-", "_"),
    )
    if compile:
        model.compile(
            g_optimizer=make_optimizer(preset.train.g_optimizer, "train.g_optimizer"),
            d_optimizer=make_optimizer(preset.train.d_optimizer, "train.d_optimizer"),
            loss=preset.model.loss,
            jit_compile=preset.train.jit_compile,
        )
    return model
