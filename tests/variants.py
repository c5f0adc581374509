"""Two small variants written the way the README's "Adding a variant" says: a conditional latent GAN
and a paired translator. Each is a class, a network family and a preset; neither touches a tape.

They live in the tests because they exist to prove that the core serves both kinds of model; the
zoo's own conditional and image-to-image models come with their presets.
"""
import math

import keras
from keras import layers, ops

from ganzoo.models import LatentGAN, Translator
from ganzoo.registry import register_model, register_network


@register_model("test-label-concat")
@keras.saving.register_keras_serializable(package="ganzoo_tests")
class LabelConcatGAN(LatentGAN):
    """CGAN-style: the class label goes to the generator with the latent and to the discriminator
    with the sample; the generator is trained on the real batch's labels."""

    batch_structure = ("real", "labels")
    pairing = "labels"
    conditional = True

    def __init__(self, generator, discriminator, num_classes: int = 10, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self.num_classes = num_classes

    @classmethod
    def network_arguments(cls, settings, data_shape):
        arguments = super().network_arguments(settings, data_shape)
        for network in arguments.values():
            network["num_classes"] = settings.get("num_classes", 10)
        return arguments

    def draw(self, step):
        return {**super().draw(step), "labels": step.batch["labels"]}

    def generator_inputs(self, draws):
        return [draws["latents"], draws["labels"]]

    def discriminator_inputs(self, samples, labels):
        return [samples, labels]


@register_model("test-l1-translator")
@keras.saving.register_keras_serializable(package="ganzoo_tests")
class L1Translator(Translator):
    """Pix2Pix-style: adversarial loss plus `lambda_l1` times the L1 distance to the target."""

    loss_terms = {"discriminator": ("adversarial",), "generator": ("adversarial", "l1")}

    def __init__(self, generator, discriminator, lambda_l1: float = 100.0, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self.lambda_l1 = lambda_l1
        self.loss_weights = {"g_l1": lambda_l1}

    def generator_terms(self, step):
        distance = ops.abs(step.fakes["fake"] - step.batch["real"])
        return {**super().generator_terms(step), "l1": ops.mean(ops.reshape(distance, (step.size, -1)), axis=-1)}


def conditional_generator(latent_dim, data_shape, num_classes, units: int = 16):
    z, label = keras.Input((latent_dim,)), keras.Input((), dtype="int32")
    h = layers.Concatenate()([z, layers.Embedding(num_classes, 4)(label)])
    h = layers.Dense(units, activation="relu")(h)
    h = layers.Dense(math.prod(data_shape), activation="tanh")(h)
    return keras.Model([z, label], layers.Reshape(tuple(data_shape))(h), name="generator")


def conditional_discriminator(data_shape, num_classes, units: int = 16):
    x, label = keras.Input(tuple(data_shape)), keras.Input((), dtype="int32")
    h = layers.Concatenate()([layers.Flatten()(x), layers.Embedding(num_classes, 4)(label)])
    h = layers.Dense(units, activation="relu")(h)
    return keras.Model([x, label], layers.Dense(1)(h), name="discriminator")


def translator_generator(data_shape, filters: int = 4):
    source = keras.Input(tuple(data_shape))
    h = layers.Conv2D(filters, 3, padding="same", activation="relu")(source)
    return keras.Model(source, layers.Conv2D(data_shape[-1], 3, padding="same", activation="tanh")(h), name="generator")


def patch_discriminator(data_shape, filters: int = 4):
    image = keras.Input(tuple(data_shape))
    h = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu")(image)
    return keras.Model(image, layers.Conv2D(1, 3, padding="same")(h), name="discriminator")


register_network("test-conditional-mlp", generator=conditional_generator, discriminator=conditional_discriminator)
register_network("test-patch", generator=translator_generator, discriminator=patch_discriminator)

CONDITIONAL_PRESET = """
description: A label-concatenating conditional GAN on the 8x8 digits (test variant).
model:
  arch: test-label-concat
  network: test-conditional-mlp
  data_shape: [8, 8, 1]
  latent_dim: 8
  num_classes: 10
  generator: {units: 16}
train: {batch_size: 16}
data: {source: digits, pairing: labels, limit: 64}
"""

TRANSLATOR_PRESET = """
description: An L1 translator (test variant).
model:
  arch: test-l1-translator
  network: test-patch
  data_shape: [8, 8, 1]
  lambda_l1: 10.0
train: {batch_size: 16}
data: {source: digits, pairing: paired}
"""
