"""Fully connected generator and discriminator, as in the original GAN paper."""
from __future__ import annotations

import math
from typing import Optional

import keras
from keras import layers

from ganzoo.layers import MinibatchDiscrimination, MinibatchStdDev
from ganzoo.networks.blocks import spectral_normalized


def mlp_generator(
    latent_dim: int,
    data_shape: tuple,
    units: list[int] = (256, 256),
    activation: str = "relu",
    output_activation: Optional[str] = "tanh",
    batch_norm: bool = False,
) -> keras.Model:
    """z -> hidden layers (batch-normalised before their activation if `batch_norm`, as in Salimans
    et al.'s MNIST generator) -> data_shape; `tanh` keeps images in [-1, 1], use null for 2-D points."""
    z = keras.Input((latent_dim,), name="z")
    h = z
    for width in units:
        if batch_norm:
            h = layers.Activation(activation)(layers.BatchNormalization()(layers.Dense(width, use_bias=False)(h)))
        else:
            h = layers.Dense(width, activation=activation)(h)
    h = layers.Dense(math.prod(data_shape), activation=output_activation, dtype="float32")(h)
    return keras.Model(z, layers.Reshape(tuple(data_shape), dtype="float32")(h), name="generator")


def mlp_discriminator(
    data_shape: tuple,
    units: list[int] = (256, 256),
    activation: str = "leaky_relu",
    dropout: float = 0.0,
    spectral_norm: bool = False,
    minibatch_std: bool = False,
    minibatch_discrimination: int = 0,
) -> keras.Model:
    """data -> hidden layers -> one logit per example.

    Stabilizers as in `dcgan_discriminator`: spectral normalization of every Dense layer, the
    minibatch standard deviation and K minibatch-discrimination kernels before the logit.
    """
    x = keras.Input(tuple(data_shape), name="x")
    h = layers.Flatten()(x)
    for width in units:
        h = spectral_normalized(layers.Dense(width, activation=activation), spectral_norm)(h)
        if dropout:
            h = layers.Dropout(dropout)(h)
    if minibatch_std:
        h = MinibatchStdDev()(h)
    if minibatch_discrimination:
        h = MinibatchDiscrimination(minibatch_discrimination)(h)
    logit = spectral_normalized(layers.Dense(1, name="logit", dtype="float32"), spectral_norm)(h)
    return keras.Model(x, logit, name="discriminator")



def classifying_mlp_discriminator(
    data_shape: tuple,
    num_classes: int,
    units: list[int] = (1000, 500, 250, 250, 250),
    activation: str = "relu",
    input_noise: float = 0.3,
    hidden_noise: float = 0.5,
) -> keras.Model:
    """data -> hidden layers -> [K class logits, the last hidden layer's features]: the semi-supervised
    discriminator of Salimans et al. (2016) for MNIST, Gaussian noise (training only) on its input
    and after every hidden layer. The features are what feature matching compares."""
    if not units:
        raise ValueError("model.discriminator.units needs at least one hidden layer, whose features feature matching compares.")
    x = keras.Input(tuple(data_shape), name="x")
    h = layers.GaussianNoise(input_noise)(layers.Flatten()(x)) if input_noise else layers.Flatten()(x)
    for width in units:
        h = layers.Dense(width, activation=activation)(h)
        features = h
        if hidden_noise:
            h = layers.GaussianNoise(hidden_noise)(h)
    logits = layers.Dense(num_classes, name="class_logits", dtype="float32")(h)
    features = layers.Activation("linear", name="features", dtype="float32")(features)
    return keras.Model(x, [logits, features], name="discriminator")
