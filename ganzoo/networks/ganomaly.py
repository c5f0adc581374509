"""GANomaly's networks (Akcay et al. 2018): an encoder-decoder-encoder generator, image ->
[reconstruction, its code, the reconstruction's code], and a DCGAN discriminator that also returns
the features its adversarial loss matches. Built from the DCGAN bodies."""
from __future__ import annotations

import keras
from keras import layers

from ganzoo.networks.dcgan import dcgan_features, dcgan_upsampling


def _encoder(data_shape, latent_dim, base_filters, kernel_size, name):
    x = keras.Input(tuple(data_shape))
    code = layers.Dense(latent_dim, dtype="float32")(dcgan_features(x, data_shape, base_filters, kernel_size))
    return keras.Model(x, code, name=name)


def ganomaly_generator(latent_dim: int, data_shape: tuple, base_filters: int = 32, kernel_size: int = 4) -> keras.Model:
    """x -> encoder -> z -> decoder -> x_hat -> a second encoder -> z_hat; outputs [x_hat, z, z_hat].
    The two encoders share the architecture, not the weights."""
    x = keras.Input(tuple(data_shape), name="x")
    code = _encoder(data_shape, latent_dim, base_filters, kernel_size, "encoder")(x)
    decoder_input = keras.Input((latent_dim,))
    decoder = keras.Model(decoder_input, dcgan_upsampling(decoder_input, data_shape, base_filters, kernel_size), name="decoder")
    reconstruction = decoder(code)
    code_again = _encoder(data_shape, latent_dim, base_filters, kernel_size, "encoder_again")(reconstruction)
    return keras.Model(x, [reconstruction, code, code_again], name="generator")


def ganomaly_discriminator(data_shape: tuple, base_filters: int = 32, kernel_size: int = 4) -> keras.Model:
    """x -> DCGAN body -> [real/fake logit, the body's flat features]."""
    x = keras.Input(tuple(data_shape), name="x")
    features = dcgan_features(x, data_shape, base_filters, kernel_size)
    logit = layers.Dense(1, name="logit", dtype="float32")(features)
    return keras.Model(x, [logit, layers.Activation("linear", name="features", dtype="float32")(features)], name="discriminator")
