"""Class-conditional GANs as hooks on the latent base: CGAN (Mirza & Osindero 2014), whose
discriminator judges (sample, label) pairs, and ACGAN (Odena et al. 2017), whose discriminator
also names the class of what it sees. A projection discriminator (Miyato & Koyama 2018) is a CGAN
with the `projection` networks.

During training the generator is given labels drawn uniformly over the classes, not the real
batch's: the discriminator then scores the real batch with its own labels and the fakes with the
labels they were made from (`fake_conditioning`), so it learns whether an image fits its label.
"""
from __future__ import annotations

import keras
from keras import ops

from ganzoo.config import ConfigError, check_integer_setting, check_weight_setting
from ganzoo.models.core import Step
from ganzoo.models.latent import LatentGAN
from ganzoo.models.matching import MATCHING_TERMS, MATCHING_WEIGHTS, MatchingAware
from ganzoo.registry import register_model


@register_model("cgan")
@keras.saving.register_keras_serializable(package="ganzoo")
class ConditionalGAN(MatchingAware, LatentGAN):
    """Generator [latents, labels] -> samples; discriminator [samples, labels] -> logit.

    Args:
        num_classes: how many classes the labels take (0 .. num_classes - 1); the data's labels
            must lie among them.
        mismatch: whether the discriminator is matching-aware (`ganzoo.models.matching`): a real
            sample given another class's label counts as fake too, which teaches the
            discriminator the classes from the real data itself.
        (the rest: `LatentGAN`'s and `AdversarialCore`'s settings)
    """

    batch_structure = ("real", "labels")
    pairing = "labels"
    conditional = True

    def __init__(self, generator, discriminator, num_classes: int = 10, mismatch: bool = False, **kwargs):
        ConditionalGAN.check_settings({"num_classes": num_classes, "pack": kwargs.get("pack", 1)})
        self.mismatch = bool(mismatch)  # before the core's constructor, which reads loss_terms
        super().__init__(generator, discriminator, **kwargs)
        self.num_classes = int(num_classes)
        if self.mismatch:
            self.loss_weights = dict(MATCHING_WEIGHTS)

    @property
    def loss_terms(self) -> dict:
        return {"discriminator": MATCHING_TERMS if self.mismatch else ("adversarial",), "generator": ("adversarial",)}

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        check_integer_setting(settings, "num_classes", 10, minimum=2)
        if settings.get("pack", 1) != 1:
            raise ConfigError(
                "model.pack (PacGAN) stacks samples on the channel axis, which a discriminator that judges "
                "each sample with its label cannot take; remove it for a conditional model."
            )

    @classmethod
    def network_arguments(cls, settings: dict, data_shape: tuple) -> dict:
        arguments = super().network_arguments(settings, data_shape)
        for network in arguments.values():
            network["num_classes"] = settings.get("num_classes", 10)
        return arguments

    def draw(self, step: Step) -> dict:
        labels = self.draw_random(keras.random.randint, (step.size,), minval=0, maxval=self.num_classes, dtype="int32")
        return {**super().draw(step), "labels": labels}

    def generator_inputs(self, draws: dict):
        return [draws["latents"], draws["labels"]]

    def discriminator_inputs(self, samples, labels):
        return [samples, labels]

    def mismatched_conditioning(self, labels):
        """Each real sample's label shifted to another class, drawn uniformly: always a mismatch."""
        shift = self.draw_random(keras.random.randint, ops.shape(labels), minval=1, maxval=self.num_classes,
                                 dtype="int32")
        return (ops.cast(labels, "int32") + shift) % self.num_classes, ops.ones(ops.shape(labels), "float32")

    def discriminator_terms(self, step: Step) -> dict:
        return self.matching_terms(step) if self.mismatch else super().discriminator_terms(step)


class RealFakeHeadPenalties:
    """For discriminators with a second head (ACGAN's classes, InfoGAN's Q): the gradient
    penalties see only the real/fake head, the first output, of the image alone."""

    def adversarial_critic(self, samples):
        """The real/fake head alone, for the gradient penalties."""
        return self.critic(samples)[0]

    def penalty_critic(self, step: Step):
        return self.adversarial_critic, step.batch["real"], step.fakes["fake"]


@register_model("acgan")
@keras.saving.register_keras_serializable(package="ganzoo")
class ACGAN(RealFakeHeadPenalties, ConditionalGAN):
    """Generator [latents, labels] -> samples; discriminator samples -> [logit, class logits].

    Both players add the cross-entropy of the class head: the discriminator on the real batch
    with its labels and on the fakes with the labels they were drawn from, the generator on its
    fakes; each weighted by `classification_weight` and logged as `d_classification` and
    `g_classification`.

    With `classify_fakes: false` the discriminator's class head learns from real images only.
    Taught the fakes' drawn labels too (the paper's way), the head learns to read a class into
    whatever the generator draws for it, so a poorly drawn digit still scores as its class; taught
    on real digits alone, it rewards the generator only for digits that look like real ones of
    that class.

    Args:
        classification_weight: weight of the auxiliary classification term on both sides.
        classify_fakes: whether the discriminator's class head also learns the fakes' labels.
        (the rest: `ConditionalGAN`'s settings)
    """

    loss_terms = {"discriminator": ("adversarial", "classification"), "generator": ("adversarial", "classification")}

    def __init__(self, generator, discriminator, classification_weight: float = 1.0, classify_fakes: bool = True,
                 **kwargs):
        ACGAN.check_settings({"classification_weight": classification_weight, "mismatch": kwargs.get("mismatch")})
        super().__init__(generator, discriminator, **kwargs)
        self.classification_weight = float(classification_weight)
        self.classify_fakes = bool(classify_fakes)
        self.loss_weights = {"d_classification": self.classification_weight, "g_classification": self.classification_weight}

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        check_weight_setting(settings, "classification_weight")
        if settings.get("mismatch"):
            raise ConfigError(
                "model.mismatch needs a discriminator that takes the label; ACGAN's sees the sample alone and "
                "names its class instead. Remove it, or use arch: cgan."
            )

    def discriminator_inputs(self, samples, labels):
        """ACGAN's discriminator sees the sample alone; its class head says which class it is."""
        return samples

    @staticmethod
    def _cross_entropy(labels, class_logits):
        return ops.sparse_categorical_crossentropy(labels, class_logits, from_logits=True)

    def discriminator_terms(self, step: Step) -> dict:
        step.scores["real"], real_classes = self.critic(step.batch["real"])
        step.scores["fake"], fake_classes = self.critic(step.fakes["fake"])
        classification = self._cross_entropy(self.conditioning(step), real_classes)
        if self.classify_fakes:
            classification += self._cross_entropy(self.fake_conditioning(step), fake_classes)
        return {
            "adversarial": self.loss_family.discriminator(step.scores["real"], step.scores["fake"]),
            "classification": classification,
        }

    def generator_terms(self, step: Step) -> dict:
        fake_logits, fake_classes = self.critic(step.fakes["fake"])
        return {
            "adversarial": self.loss_family.generator(fake_logits),
            "classification": self._cross_entropy(self.fake_conditioning(step), fake_classes),
        }

