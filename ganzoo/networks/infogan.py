"""InfoGAN's DCGAN networks (Chen et al. 2016): a generator that takes latent codes beside its
noise, and a discriminator whose body also feeds a Q head that reads those codes back.

The codes reach the generator as one vector: a one-hot block per categorical code, then the
continuous codes. The Q head gives the same layout: logits per categorical code, then the mean
of each continuous code.
"""
from __future__ import annotations

import keras
from keras import layers

from ganzoo.config import ConfigError
from ganzoo.networks.blocks import spectral_normalized
from ganzoo.networks.dcgan import dcgan_features, dcgan_upsampling


def code_size(categorical_codes, continuous_codes: int) -> int:
    """Width of the code vector the generator takes and of the parameters the Q head gives."""
    return sum(categorical_codes) + continuous_codes


def info_dcgan_generator(
    latent_dim: int,
    data_shape: tuple,
    categorical_codes: list,
    continuous_codes: int,
    base_filters: int = 64,
    kernel_size: int = 4,
    dense_units: int = 0,
) -> keras.Model:
    """[z, codes] -> the DCGAN generator on z concatenated with the code vector, first through a
    dense layer of `dense_units` (batch norm, ReLU) when it is not 0, as in the paper's MNIST
    generator (1024), so the codes act on the whole image rather than add one fixed map each."""
    _check_units(dense_units, "generator.dense_units")
    z = keras.Input((latent_dim,), name="z")
    codes = keras.Input((code_size(categorical_codes, continuous_codes),), name="codes")
    h = layers.Concatenate()([z, codes])
    if dense_units:
        h = layers.ReLU()(layers.BatchNormalization()(layers.Dense(dense_units, use_bias=False, name="code_dense")(h)))
    image = dcgan_upsampling(h, data_shape, base_filters, kernel_size)
    return keras.Model([z, codes], image, name="generator")


def info_dcgan_discriminator(
    data_shape: tuple,
    categorical_codes: list,
    continuous_codes: int,
    base_filters: int = 64,
    kernel_size: int = 4,
    dropout: float = 0.0,
    batch_norm: bool = True,
    spectral_norm: bool = False,
    q_units: int = 128,
    dense_units: int = 0,
) -> keras.Model:
    """image -> [real/fake logit, Q parameters]: the DCGAN discriminator's body, then a shared
    dense layer of `dense_units` (batch norm, LeakyReLU) when it is not 0 (the paper's 1024), feeds
    both heads; the Q head has one hidden layer of `q_units` (batch norm, LeakyReLU) as in the
    paper, or none with `q_units: 0`."""
    _check_units(q_units, "discriminator.q_units")
    _check_units(dense_units, "discriminator.dense_units")
    x = keras.Input(tuple(data_shape), name="x")
    h = dcgan_features(x, data_shape, base_filters, kernel_size, dropout, batch_norm, spectral_norm)
    if dense_units:
        h = spectral_normalized(layers.Dense(dense_units, name="shared_dense"), spectral_norm)(h)
        if batch_norm:
            h = layers.BatchNormalization()(h)
        h = layers.LeakyReLU(0.2)(h)
    logit = spectral_normalized(layers.Dense(1, name="logit", dtype="float32"), spectral_norm)(h)
    q = h
    if q_units:
        q = spectral_normalized(layers.Dense(q_units, name="q_hidden"), spectral_norm)(q)
        if batch_norm:
            q = layers.BatchNormalization()(q)
        q = layers.LeakyReLU(0.2)(q)
    size = code_size(categorical_codes, continuous_codes)
    q_params = spectral_normalized(layers.Dense(size, name="q_params", dtype="float32"), spectral_norm)(q)
    return keras.Model(x, [logit, q_params], name="discriminator")


def _check_units(units, setting: str) -> None:
    if isinstance(units, bool) or not isinstance(units, int) or units < 0:
        raise ConfigError(f"model.{setting} must be an integer of 0 or more, got {units!r}.")
