"""Class-conditional DCGAN networks: CGAN's (Mirza & Osindero 2014), whose generator and
discriminator both take the label, and ACGAN's (Odena et al. 2017), whose discriminator takes the
image alone and names its class beside judging it.

A label enters as a learned embedding (`label_encoding: embedding`) or as a one-hot vector
(`one_hot`, as in the CGAN paper): concatenated to the latent in the generator, and as extra
input channels in the discriminator (the embedding as one learned map, the one-hot code as one
constant map per class).
"""
from __future__ import annotations

import keras
from keras import layers

from ganzoo.config import ConfigError
from ganzoo.networks.blocks import spectral_normalized
from ganzoo.networks.dcgan import dcgan_features, dcgan_upsampling

LABEL_ENCODINGS = ("embedding", "one_hot")


def _check_encoding(label_encoding: str, role: str) -> None:
    if label_encoding not in LABEL_ENCODINGS:
        raise ConfigError(
            f"model.{role}.label_encoding must be one of {', '.join(LABEL_ENCODINGS)}; got {label_encoding!r}."
        )


def label_input() -> keras.KerasTensor:
    """One integer class per example."""
    return keras.Input((), dtype="int32", name="label")


def one_hot(label, num_classes: int):
    return layers.CategoryEncoding(num_classes, output_mode="one_hot")(label)


def label_vector(label, num_classes: int, label_encoding: str, embedding_dim: int):
    """The label as a vector to concatenate to the latent."""
    if label_encoding == "one_hot":
        return one_hot(label, num_classes)
    return layers.Embedding(num_classes, embedding_dim)(label)


def label_maps(label, num_classes: int, data_shape: tuple, label_encoding: str):
    """The label as image-sized channels to concatenate to the discriminator's input."""
    height, width = data_shape[0], data_shape[1]
    if label_encoding == "one_hot":
        code = layers.Reshape((1, 1, num_classes))(one_hot(label, num_classes))
        return layers.UpSampling2D((height, width))(code)
    return layers.Reshape((height, width, 1))(layers.Embedding(num_classes, height * width)(label))


def conditional_dcgan_generator(
    latent_dim: int,
    data_shape: tuple,
    num_classes: int,
    base_filters: int = 64,
    kernel_size: int = 4,
    label_encoding: str = "embedding",
    embedding_dim: int = 16,
) -> keras.Model:
    """[z, label] -> the DCGAN generator on z concatenated with the label's code."""
    _check_encoding(label_encoding, "generator")
    z, label = keras.Input((latent_dim,), name="z"), label_input()
    code = layers.Concatenate()([z, label_vector(label, num_classes, label_encoding, embedding_dim)])
    image = dcgan_upsampling(code, data_shape, base_filters, kernel_size)
    return keras.Model([z, label], image, name="generator")


def conditional_dcgan_discriminator(
    data_shape: tuple,
    num_classes: int,
    base_filters: int = 64,
    kernel_size: int = 4,
    dropout: float = 0.0,
    batch_norm: bool = True,
    spectral_norm: bool = False,
    label_encoding: str = "embedding",
) -> keras.Model:
    """[image, label] -> the DCGAN discriminator on the image with the label's channels -> one logit."""
    _check_encoding(label_encoding, "discriminator")
    x, label = keras.Input(tuple(data_shape), name="x"), label_input()
    h = layers.Concatenate()([x, label_maps(label, num_classes, data_shape, label_encoding)])
    h = dcgan_features(h, data_shape, base_filters, kernel_size, dropout, batch_norm, spectral_norm)
    logit = spectral_normalized(layers.Dense(1, name="logit", dtype="float32"), spectral_norm)(h)
    return keras.Model([x, label], logit, name="discriminator")


def auxiliary_dcgan_discriminator(
    data_shape: tuple,
    num_classes: int,
    base_filters: int = 64,
    kernel_size: int = 4,
    dropout: float = 0.0,
    batch_norm: bool = True,
    spectral_norm: bool = False,
) -> keras.Model:
    """image -> [real/fake logit, class logits]: the DCGAN discriminator with a second head that
    classifies the image (ACGAN)."""
    x = keras.Input(tuple(data_shape), name="x")
    h = dcgan_features(x, data_shape, base_filters, kernel_size, dropout, batch_norm, spectral_norm)
    logit = spectral_normalized(layers.Dense(1, name="logit", dtype="float32"), spectral_norm)(h)
    classes = spectral_normalized(layers.Dense(num_classes, name="classes", dtype="float32"), spectral_norm)(h)
    return keras.Model(x, [logit, classes], name="discriminator")
