"""Text-conditional DCGAN networks (in the spirit of Reed et al. 2016): each takes a caption string.

Each network owns its text encoder: a `TextVectorization` layer with a fixed vocabulary (the
captions' grammar, so every run reads text the same way and the vocabulary is saved in the
network's config) that counts each word, and the sum of the words' learned embeddings (a bias-free
Dense layer on the counts). The encoders are not shared: each player's optimizer owns its own
variables, and one encoder trained by both losses would be pulled toward opposite goals.
A sum, not a mean: averaged, the digit's one word weighs a sixth of "a seven slanted to the right"
but a third of "a thick seven", so the digit's signal shrank with every attribute named; summed,
it is the same in every caption (in the conditional benchmark, the share of random captions whose
digit the text-mnist samples show went from 43% to 90%). Word order is ignored, which this grammar
does not need (each attribute has its own words) and which keeps the encoder cheap.
"""
from __future__ import annotations

import keras
from keras import layers

from ganzoo.data.captions import VOCABULARY
from ganzoo.networks.blocks import spectral_normalized
from ganzoo.networks.dcgan import dcgan_features, dcgan_upsampling


def caption_input() -> keras.KerasTensor:
    """One caption string per example."""
    return keras.Input((), dtype="string", name="caption")


def text_code(caption, text_dim: int, vocabulary=VOCABULARY):
    """A caption string -> a `text_dim` vector: word counts, sum of word embeddings, dense."""
    counts = layers.TextVectorization(vocabulary=list(vocabulary), output_mode="count", name="words")(caption)
    embedded = layers.Dense(text_dim, use_bias=False, name="word_embeddings_summed")(counts)
    return layers.LeakyReLU(0.2)(layers.Dense(text_dim, name="text_code")(embedded))


def text_dcgan_generator(
    latent_dim: int, data_shape: tuple, base_filters: int = 64, kernel_size: int = 4, text_dim: int = 32
) -> keras.Model:
    """[z, caption] -> the caption's code concatenated to z -> the DCGAN generator."""
    z, caption = keras.Input((latent_dim,), name="z"), caption_input()
    code = layers.Concatenate()([z, text_code(caption, text_dim)])
    return keras.Model([z, caption], dcgan_upsampling(code, data_shape, base_filters, kernel_size), name="generator")


def text_dcgan_discriminator(
    data_shape: tuple,
    base_filters: int = 64,
    kernel_size: int = 4,
    dropout: float = 0.0,
    batch_norm: bool = True,
    spectral_norm: bool = False,
    text_dim: int = 32,
) -> keras.Model:
    """[image, caption] -> the DCGAN discriminator on the image with one learned map of the
    caption's code as an extra channel -> one logit; the convolutions see both, so the logit can
    say whether the image fits the caption."""
    height, width = data_shape[0], data_shape[1]
    x, caption = keras.Input(tuple(data_shape), name="x"), caption_input()
    caption_map = layers.Reshape((height, width, 1))(layers.Dense(height * width)(text_code(caption, text_dim)))
    h = dcgan_features(layers.Concatenate()([x, caption_map]), data_shape, base_filters, kernel_size, dropout,
                       batch_norm, spectral_norm)
    logit = spectral_normalized(layers.Dense(1, name="logit", dtype="float32"), spectral_norm)(h)
    return keras.Model([x, caption], logit, name="discriminator")
