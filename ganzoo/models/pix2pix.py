"""Pix2Pix (Isola et al. 2017), as hooks on the translator base: a discriminator that judges the
source and the image together, and an L1 term that pulls each output toward its target.

The adversarial term makes outputs sharp where L1 alone averages the possible targets into a blur;
`adversarial_weight: 0` trains the same generator with L1 alone, the paper's baseline.
"""
from __future__ import annotations

from typing import Optional

import keras
from keras import ops

from ganzoo.config import ConfigError
from ganzoo.models.core import Step
from ganzoo.models.translator import Translator, check_loss_weights, per_example_mean
from ganzoo.registry import register_model


@register_model("pix2pix")
@keras.saving.register_keras_serializable(package="ganzoo")
class Pix2Pix(Translator):
    """Generator source -> image; discriminator [source, image] -> a map of patch logits.

    Args:
        l1_weight: weight of the mean absolute difference to the target (the paper's lambda, 100).
        adversarial_weight: weight of the generator's adversarial term (0: L1 alone).
        source_channels: channels of the source images, when they differ from the target's.
        Others: `AdversarialCore`'s settings.
    """

    loss_terms = {"discriminator": ("adversarial",), "generator": ("adversarial", "l1")}

    def __init__(self, generator, discriminator, l1_weight: float = 100.0, adversarial_weight: float = 1.0,
                 source_channels: Optional[int] = None, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self.l1_weight, self.adversarial_weight, self.source_channels = l1_weight, adversarial_weight, source_channels
        self.loss_weights = {"g_l1": l1_weight, "g_adversarial": adversarial_weight}

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        check_loss_weights(settings, ("l1_weight", "adversarial_weight"))
        if settings.get("l1_weight", 100.0) == 0 and settings.get("adversarial_weight", 1.0) == 0:
            raise ConfigError("model.l1_weight and model.adversarial_weight are both 0: the generator would learn nothing.")
        channels = settings.get("source_channels")
        if channels is not None and channels < 1:
            raise ConfigError(f"model.source_channels must be positive; got {channels}.")

    @classmethod
    def network_arguments(cls, settings: dict, data_shape: tuple) -> dict:
        arguments = super().network_arguments(settings, data_shape)
        for network in arguments.values():
            network["source_channels"] = settings.get("source_channels")
        return arguments

    @classmethod
    def source_shape(cls, settings: dict, data_shape: tuple) -> tuple:
        return (*data_shape[:-1], settings.get("source_channels") or data_shape[-1])

    def discriminator_inputs(self, samples, source):
        return [source, samples]

    def generator_terms(self, step: Step) -> dict:
        distance = ops.abs(step.fakes["fake"] - step.batch["real"])
        return {**super().generator_terms(step), "l1": per_example_mean(distance, step.size)}

