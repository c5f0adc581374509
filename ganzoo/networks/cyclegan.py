"""CycleGAN networks (Zhu et al. 2017): a ResNet generator and a PatchGAN that judges one image.

The paper's generator for 128-256 px: a 7x7 convolution, two stride-2 3x3 down-steps, residual
blocks (6 or 9), two transposed up-steps and a 7x7 convolution to tanh; instance normalisation
throughout (Keras' GroupNormalization with one group per channel). Its discriminator is the 70x70
PatchGAN of Pix2Pix on the image alone. Here the block count and widths are settings, so the same
shape trains on 28x28 digits.
"""
from __future__ import annotations

from typing import Optional

import keras
from keras import layers

from ganzoo.networks.pix2pix import halvings, patch_logits


def instance_norm():
    return layers.GroupNormalization(groups=-1, epsilon=1e-5)


def _residual_block(h, filters: int):
    skip = h
    h = layers.Conv2D(filters, 3, padding="same", use_bias=False)(h)
    h = layers.ReLU()(instance_norm()(h))
    h = layers.Conv2D(filters, 3, padding="same", use_bias=False)(h)
    return layers.Add()([skip, instance_norm()(h)])


def resnet_generator(data_shape: tuple, source_channels: Optional[int] = None, base_filters: int = 64,
                     residual_blocks: int = 6, downsamplings: int = 2) -> keras.Model:
    """image of one set -> image of the other, same size: `downsamplings` 2x steps down (the size
    must allow them), `residual_blocks` at the smallest size, as many steps up."""
    if len(data_shape) != 3 or data_shape[0] != data_shape[1]:
        raise ValueError(f"CycleGAN networks need square images (H, W, C); got data_shape {list(data_shape)}.")
    if not 1 <= downsamplings <= halvings(data_shape[0]):
        raise ValueError(f"{data_shape[0]} px images allow 1 to {halvings(data_shape[0])} down-steps; got {downsamplings}.")
    source = keras.Input((*data_shape[:2], source_channels or data_shape[-1]), name="source")
    h = layers.Conv2D(base_filters, 7, padding="same", use_bias=False)(source)
    h = layers.ReLU()(instance_norm()(h))
    for step in range(1, downsamplings + 1):
        h = layers.Conv2D(base_filters * 2**step, 3, strides=2, padding="same", use_bias=False)(h)
        h = layers.ReLU()(instance_norm()(h))
    for _ in range(residual_blocks):
        h = _residual_block(h, base_filters * 2**downsamplings)
    for step in reversed(range(downsamplings)):
        h = layers.Conv2DTranspose(base_filters * 2**step, 3, strides=2, padding="same", use_bias=False)(h)
        h = layers.ReLU()(instance_norm()(h))
    image = layers.Conv2D(data_shape[-1], 7, padding="same", activation="tanh", name="image", dtype="float32")(h)
    return keras.Model(source, image, name="generator")


def image_patchgan_discriminator(data_shape: tuple, base_filters: int = 64, max_filters: int = 512,
                                 strided_layers: Optional[int] = None) -> keras.Model:
    """image -> a map of logits, one per patch (Pix2Pix's PatchGAN without the source)."""
    image = keras.Input(tuple(data_shape), name="image")
    logits = patch_logits(image, data_shape, base_filters, max_filters, strided_layers, normalize=instance_norm)
    return keras.Model(image, logits, name="discriminator")
