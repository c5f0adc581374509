"""Semi-supervised GAN (Salimans et al. 2016, "Improved Techniques for Training GANs", section 5):
a discriminator that classifies, trained on every image but only a few labels.

The discriminator has K class logits l(x) and no separate real/fake output: with the fake class's
logit fixed at 0 (which a K+1-way softmax allows, its logits being defined up to a constant), the
probability that x is real is Z / (Z + 1), Z = sum_k exp(l_k(x)), so its real/fake logit is
logsumexp(l(x)). The discriminator minimises the loss family's real/fake loss on that logit (over
all real images and the fakes) plus the cross-entropy of the labelled few; the generator matches
the mean of the discriminator's last hidden features on real and generated images (feature
matching), which the paper found best for classification.
"""
from __future__ import annotations

import keras
from keras import layers, ops

from ganzoo.config import ConfigError, check_integer_setting, check_weight_setting
from ganzoo.models.conditional import RealFakeHeadPenalties
from ganzoo.models.core import Step
from ganzoo.models.latent import LatentGAN
from ganzoo.registry import register_model

PROBABILITY_LOSSES = ("non_saturating", "minimax")


@register_model("sgan")
@keras.saving.register_keras_serializable(package="ganzoo")
class SemiSupervisedGAN(RealFakeHeadPenalties, LatentGAN):
    """Generator latents -> samples; discriminator samples -> [K class logits, features].

    Batches are (images, labelled images, their labels), as `data.pairing: semi` loads them.

    Args:
        num_classes: K, how many classes the labels take.
        classification_weight: weight of the labelled few's cross-entropy, logged as `d_classification`.
        (the rest: `LatentGAN`'s settings)
    """

    batch_structure = ("real", "labelled", "labels")
    pairing = "semi"
    loss_terms = {"discriminator": ("adversarial", "classification"), "generator": ("feature_matching",)}

    def __init__(self, generator, discriminator, num_classes: int = 10, classification_weight: float = 1.0, **kwargs):
        SemiSupervisedGAN.check_settings({"num_classes": num_classes, "classification_weight": classification_weight,
                                          "pack": kwargs.get("pack", 1)})
        super().__init__(generator, discriminator, **kwargs)
        self.num_classes = int(num_classes)
        self.classification_weight = float(classification_weight)
        self.loss_weights = {"d_classification": self.classification_weight}

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        check_integer_setting(settings, "num_classes", 10, minimum=2)
        check_weight_setting(settings, "classification_weight")
        if settings.get("pack", 1) != 1:
            raise ConfigError("model.pack (PacGAN) would classify packs, not images; remove it for a semi-supervised GAN.")

    @classmethod
    def network_arguments(cls, settings: dict, data_shape: tuple) -> dict:
        arguments = super().network_arguments(settings, data_shape)
        arguments["discriminator"]["num_classes"] = settings.get("num_classes", 10)
        return arguments

    def compile(self, *args, loss="non_saturating", **kwargs):
        """As the core's; the loss must be one on probabilities, which logsumexp's logit is one of."""
        if loss not in PROBABILITY_LOSSES:
            raise ConfigError(f"model.loss {loss!r} does not fit a semi-supervised GAN: logsumexp of the class logits is "
                              f"the logit of a probability of being real. Use {' or '.join(PROBABILITY_LOSSES)}.")
        super().compile(*args, loss=loss, **kwargs)

    def batch_spec(self) -> dict:
        shape = tuple(self.generator.output_shape[1:])
        return {"real": shape, "labelled": shape, "labels": None}

    # ------------------------------------------------------------------ training hooks

    def adversarial_critic(self, samples):
        """The real/fake logit: logsumexp of the class logits (the fake class's logit is 0)."""
        return ops.logsumexp(self.critic(samples)[0], axis=-1)

    def discriminator_terms(self, step: Step) -> dict:
        step.scores["real"] = self.adversarial_critic(step.batch["real"])
        step.scores["fake"] = self.adversarial_critic(step.fakes["fake"])
        class_logits = self.critic(step.batch["labelled"])[0]
        return {
            "adversarial": self.loss_family.discriminator(step.scores["real"], step.scores["fake"]),
            "classification": ops.sparse_categorical_crossentropy(step.batch["labels"], class_logits, from_logits=True),
        }

    def generator_terms(self, step: Step) -> dict:
        """Feature matching: the squared distance between the batch means of the discriminator's
        features on real and generated images, the same value for every example."""
        real_features = ops.stop_gradient(self.critic(step.batch["real"])[1])
        fake_features = self.critic(step.fakes["fake"])[1]
        distance = ops.mean(ops.square(ops.mean(real_features, axis=0) - ops.mean(fake_features, axis=0)))
        return {"feature_matching": ops.broadcast_to(distance, (step.size,))}

    # ------------------------------------------------------------------ the classifier

    def classifier(self) -> keras.Model:
        """A plain Keras classifier, images in [-1, 1] -> class probabilities, holding a copy of the
        discriminator's current weights; compiled with the sparse cross-entropy and accuracy, so
        `predict`, `evaluate`, `fit` and `save` work as on any Keras model."""
        network = keras.models.clone_model(self.discriminator)
        network.set_weights(self.discriminator.get_weights())
        probabilities = layers.Softmax(name="probabilities", dtype="float32")(network.outputs[0])
        model = keras.Model(network.inputs, probabilities, name=f"{self.name}_classifier")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.optimizer.build(model.trainable_variables)  # saved with its slots, so loading it matches them
        return model
