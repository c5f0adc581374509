"""Training algorithms (one module each) and `build_model`, which turns a preset into a model."""
from __future__ import annotations

import keras

from ganzoo.config import ConfigError, Preset, check_kwargs
from ganzoo.data import check_preset_data
from ganzoo.losses import LOSSES
from ganzoo.models.conditional import ACGAN, ConditionalGAN
from ganzoo.models.core import AdversarialCore, Step
from ganzoo.models.cyclegan import CycleGAN
from ganzoo.models.gan import GAN
from ganzoo.models.ganomaly import GANomaly
from ganzoo.models.infogan import InfoGAN
from ganzoo.models.latent import LatentGAN
from ganzoo.models.pix2pix import Pix2Pix
from ganzoo.models.progressive import ProgressiveGAN
from ganzoo.models.semi_supervised import SemiSupervisedGAN
from ganzoo.models.stylegan import StyleGAN
from ganzoo.models.super_resolution import SRGAN
from ganzoo.models.text_to_image import TextToImageGAN
from ganzoo.models.translator import Translator
from ganzoo.networks import build_networks, network_options
from ganzoo.precision import check_precision, precision_scope
from ganzoo.registry import check_model_settings, model_class

__all__ = ["ACGAN", "AdversarialCore", "ConditionalGAN", "CycleGAN", "GAN", "GANomaly", "InfoGAN", "LatentGAN", "Pix2Pix", "ProgressiveGAN", "SRGAN", "SemiSupervisedGAN", "Step", "StyleGAN", "TextToImageGAN", "Translator", "build_model", "make_optimizer", "validate_preset"]


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
    """Check everything a preset names (model class and settings, networks, loss, optimizers,
    precision, and that its data fits the model) without building or loading anything."""
    check_model_settings(preset)
    cls = model_class(preset.model.arch)
    network_options(preset.model)
    if preset.model.loss not in LOSSES:
        raise ConfigError(f"Unknown model.loss {preset.model.loss!r}. Available: {', '.join(sorted(LOSSES))}.")
    make_optimizer(preset.train.g_optimizer, "train.g_optimizer")
    make_optimizer(preset.train.d_optimizer, "train.d_optimizer")
    check_precision(preset.train.precision)
    settings, data_shape = preset.model.settings, tuple(preset.model.data_shape)
    source_shape = cls.source_shape(settings, data_shape) if hasattr(cls, "source_shape") else None
    check_preset_data(preset.data, data_shape, cls.pairing, settings.get("num_classes"), source_shape)


def build_model(preset: Preset, compile: bool = True) -> AdversarialCore:
    """Build (and by default compile) the model a validated preset describes: the class named by
    `model.arch`, its networks from `model.network`, and its settings, the rest of `model:`."""
    validate_preset(preset)
    with precision_scope(preset.train.precision):
        networks = build_networks(preset.model)
    cls = model_class(preset.model.arch)
    model = cls(**networks, **preset.model.settings, seed=preset.train.seed, name=preset.name.replace("-", "_"))
    if compile:
        model.compile(
            g_optimizer=make_optimizer(preset.train.g_optimizer, "train.g_optimizer"),
            d_optimizer=make_optimizer(preset.train.d_optimizer, "train.d_optimizer"),
            loss=preset.model.loss,
            jit_compile=preset.train.jit_compile,
        )
    return model
