"""SRGAN networks (Ledig et al. 2017): the SRResNet generator and the VGG-style discriminator.

The generator works at the low resolution (a 9x9 convolution, residual blocks of two 3x3
convolutions with batch norm and PReLU, a skip over all of them) and upsamples at the end by
sub-pixel convolution, 2x per step. It is fully convolutional: a copy built without a fixed size
upscales images of any size (`Translator.translate`). The discriminator is the paper's: 3x3
convolutions whose filters double every two layers, every second one of stride 2, then a Dense
layer and one logit. The paper's sizes (16 blocks, 64 filters, 512 filters and 1024 units in the
discriminator) are the defaults; the presets use fewer for a CPU's budget.
"""
from __future__ import annotations

import keras
from keras import layers

from ganzoo.layers import PixelShuffle


def upscale_steps(scale: int) -> int:
    """How many 2x sub-pixel steps make `scale` (a power of 2, at least 2)."""
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 2 or scale & (scale - 1):
        raise ValueError(f"scale is the upscaling factor, a power of 2 (2, 4, 8); got {scale!r}.")
    return scale.bit_length() - 1


def _prelu():
    return layers.PReLU(shared_axes=[1, 2])  # one slope per channel, so any image size works


def _normalized(h, batch_norm: bool):
    return layers.BatchNormalization()(h) if batch_norm else h


def _residual_block(h, filters: int, batch_norm: bool):
    skip = h
    h = layers.Conv2D(filters, 3, padding="same")(h)
    h = _prelu()(_normalized(h, batch_norm))
    h = layers.Conv2D(filters, 3, padding="same")(h)
    return layers.Add()([skip, _normalized(h, batch_norm)])


def srresnet_generator(data_shape: tuple, scale: int = 4, filters: int = 64, residual_blocks: int = 16,
                       batch_norm: bool = True, bicubic_skip: bool = False,
                       source_channels: int | None = None) -> keras.Model:
    """source (data_shape / scale) -> image of `data_shape`, tanh output.

    `bicubic_skip` makes the network learn a correction to the bicubic upscaling of its source
    (global residual learning, as VDSR does) instead of the whole image: it starts as good as
    bicubic, which on smooth photographs a short training does not otherwise reach. The output is
    then clipped to [-1, 1] (hard tanh) instead of squashed. `batch_norm: false` drops batch norm
    from the residual blocks, as EDSR (Lim et al. 2017) does for super-resolution: a network that
    computes the same in training and in use.
    """
    if len(data_shape) != 3 or data_shape[0] % scale or data_shape[1] % scale:
        raise ValueError(f"SRResNet makes images whose sides divide by the scale {scale}; got data_shape {list(data_shape)}.")
    steps = upscale_steps(scale)
    if bicubic_skip and source_channels not in (None, data_shape[-1]):
        raise ValueError(f"bicubic_skip adds the upscaled source to the output, so the source needs the output's "
                         f"{data_shape[-1]} channels; got source_channels {source_channels}.")
    source = keras.Input((data_shape[0] // scale, data_shape[1] // scale, source_channels or data_shape[-1]), name="source")
    start = _prelu()(layers.Conv2D(filters, 9, padding="same")(source))
    h = start
    for _ in range(residual_blocks):
        h = _residual_block(h, filters, batch_norm)
    h = _normalized(layers.Conv2D(filters, 3, padding="same")(h), batch_norm)
    h = layers.Add()([start, h])
    for _ in range(steps):
        h = _prelu()(PixelShuffle(2)(layers.Conv2D(filters * 4, 3, padding="same")(h)))
    if not bicubic_skip:
        image = layers.Conv2D(data_shape[-1], 9, padding="same", activation="tanh", name="image", dtype="float32")(h)
        return keras.Model(source, image, name="generator")
    correction = layers.Conv2D(data_shape[-1], 9, padding="same", kernel_initializer="zeros", dtype="float32")(h)
    bicubic = layers.UpSampling2D(scale, interpolation="bicubic", dtype="float32")(source)
    image = layers.Activation("hard_tanh", name="image", dtype="float32")(layers.Add(dtype="float32")([bicubic, correction]))
    return keras.Model(source, image, name="generator")


def srgan_discriminator(data_shape: tuple, base_filters: int = 64, max_filters: int = 512, blocks: int = 4,
                        dense_units: int = 1024) -> keras.Model:
    """image -> one logit: `blocks` pairs of 3x3 convolutions (stride 1, then 2) doubling the
    filters from `base_filters` (at most `max_filters`), batch norm after the first, leaky ReLU (0.2).
    No convolution has a bias (batch norm brings its own shift; the first layer goes without)."""
    if len(data_shape) != 3:
        raise ValueError(f"The SRGAN discriminator judges images (H, W, C); got data_shape {list(data_shape)}.")
    if blocks < 1:
        raise ValueError(f"blocks must be at least 1; got {blocks}.")
    image = keras.Input(tuple(data_shape), name="image")
    h = image
    for block in range(blocks):
        filters = min(base_filters * 2**block, max_filters)
        for strides in (1, 2):
            h = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(h)
            if block or strides == 2:
                h = layers.BatchNormalization()(h)
            h = layers.LeakyReLU(0.2)(h)
    h = layers.LeakyReLU(0.2)(layers.Dense(dense_units)(layers.Flatten()(h)))
    logit = layers.Dense(1, name="logit", dtype="float32")(h)
    return keras.Model(image, logit, name="discriminator")
