"""Projection-discriminator networks (Miyato & Koyama 2018): the discriminator scores an image
against its class by an inner product, D(x, y) = linear(phi(x)) + <embed(y), phi(x)>, instead of
reading the label as an input channel; the generator hears the class only through conditional
batch normalization. Both are DCGAN-shaped, to train on a CPU.
"""
from __future__ import annotations

import keras
from keras import layers

from ganzoo.layers import ConditionalBatchNormalization
from ganzoo.networks.blocks import spectral_normalized
from ganzoo.networks.conditional import label_input, one_hot
from ganzoo.networks.dcgan import dcgan_features, dcgan_upsampling


def projection_generator(
    latent_dim: int,
    data_shape: tuple,
    num_classes: int,
    base_filters: int = 64,
    kernel_size: int = 4,
) -> keras.Model:
    """[z, label] -> the DCGAN generator with every batch normalization conditional on the label."""
    z, label = keras.Input((latent_dim,), name="z"), label_input()

    def normalize(h):
        return ConditionalBatchNormalization(num_classes)([h, label])

    image = dcgan_upsampling(z, data_shape, base_filters, kernel_size, normalize=normalize)
    return keras.Model([z, label], image, name="generator")


def projection_discriminator(
    data_shape: tuple,
    num_classes: int,
    base_filters: int = 64,
    kernel_size: int = 4,
    spectral_norm: bool = True,
) -> keras.Model:
    """[image, label] -> linear(phi(x)) + <embed(label), phi(x)>, phi the DCGAN discriminator's flat
    features (no batch normalization, as in the paper). The class embedding is a bias-free Dense
    layer on the one-hot label, the same matrix as an Embedding lookup, because Keras'
    SpectralNormalization casts its output to its input's dtype, which for an Embedding is int."""
    x, label = keras.Input(tuple(data_shape), name="x"), label_input()
    phi = dcgan_features(x, data_shape, base_filters, kernel_size, batch_norm=False, spectral_norm=spectral_norm)
    linear = spectral_normalized(layers.Dense(1, name="linear"), spectral_norm)(phi)
    embedding = layers.Dense(phi.shape[-1], use_bias=False, name="class_embedding")
    embedded = spectral_normalized(embedding, spectral_norm)(one_hot(label, num_classes))
    projection = layers.Dot(axes=1, name="projection")([embedded, phi])
    logit = layers.Add(name="logit", dtype="float32")([linear, projection])
    return keras.Model([x, label], logit, name="discriminator")
