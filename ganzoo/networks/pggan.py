"""Progressive GAN networks (Karras et al. 2018, "Progressive Growing of GANs"), built once at full
resolution and blended by a level of detail, as the official code's "linear" structure does.

Both networks take a second input, `level` of shape (1,) per example (see `ganzoo.layers.progressive`):

- Generator [z, level] -> image: pixel-normalised z, a 4x4 block (equalized dense + 3x3 conv), then
  per doubling a nearest upsampling and two 3x3 convolutions, every convolution followed by
  LeakyReLU(0.2) and pixel norm; a 1x1 toRGB (gain 1, tanh) at every resolution. The image of each
  stage is faded in over the upsampled image of the stage below, so the full-size output shows the
  current stage's image upsampled (and, mid-fade, blended with the stage below).
- Discriminator [image, level] -> logit: a 1x1 fromRGB at every resolution; per halving two 3x3
  convolutions and a 2x2 average pooling, faded in over the fromRGB of the image downsampled; at
  4x4 the minibatch standard deviation, a 3x3 convolution and two equalized dense layers.

Every weight has an equalized learning rate. The widest layers are at 4x4: a stage has
`base_filters` at full resolution and twice as many per halving, up to `max_filters`.
"""
from __future__ import annotations

import math

import keras
from keras import layers

from ganzoo.config import ConfigError
from ganzoo.layers import EqualizedConv2D, EqualizedDense, MinibatchStdDev, PixelNorm
from ganzoo.layers.progressive import Fade

LEAK = 0.2


def growth_stages(data_shape) -> int:
    """Stages above 4x4 that reach the image size: 3 for 32x32. The side must be a power of 2 >= 8."""
    size = data_shape[0] if len(data_shape) else 0
    if len(data_shape) != 3 or data_shape[0] != data_shape[1] or size < 8 or size & (size - 1):
        raise ConfigError(
            f"Progressive growing needs square images whose side is a power of 2 of at least 8 (8, 16, 32, 64); "
            f"got model.data_shape {list(data_shape)}. Resize the data with data.image_size (such as "
            "data.image_size: 32) and set model.data_shape to match."
        )
    return int(math.log2(size)) - 2


def _filters(stage: int, stages: int, base_filters: int, max_filters: int) -> int:
    return min(max_filters, base_filters * 2 ** (stages - stage))


def _check_filters(base_filters: int, max_filters: int) -> None:
    if base_filters < 1 or max_filters < base_filters:
        raise ConfigError(
            f"PGGAN networks need 1 <= base_filters <= max_filters; got base_filters {base_filters}, "
            f"max_filters {max_filters}."
        )


def _conv(h, filters, kernel_size=3, normalize=False, name=None):
    h = EqualizedConv2D(filters, kernel_size, name=name)(h)
    h = layers.LeakyReLU(LEAK)(h)
    return PixelNorm()(h) if normalize else h


def pggan_generator(latent_dim: int, data_shape: tuple, base_filters: int = 16, max_filters: int = 64) -> keras.Model:
    """[z (latent_dim,), level (1,)] -> full-size image in [-1, 1] at that level of detail."""
    stages = growth_stages(data_shape)
    _check_filters(base_filters, max_filters)
    channels = data_shape[-1]
    z = keras.Input((latent_dim,), name="z")
    level = keras.Input((1,), name="level")
    filters = _filters(0, stages, base_filters, max_filters)
    h = PixelNorm()(z)
    # The official code's gain for this layer (sqrt(2) / 4), which matches its Theano original.
    h = EqualizedDense(16 * filters, gain=math.sqrt(2) / 4, name="dense_4x4")(h)
    h = layers.Reshape((4, 4, filters))(h)
    h = PixelNorm()(layers.LeakyReLU(LEAK)(h))
    h = _conv(h, filters, normalize=True, name="conv_4x4")
    image = layers.Activation("tanh")(EqualizedConv2D(channels, 1, gain=1.0, name="to_rgb_4x4")(h))
    for stage in range(1, stages + 1):
        size = 4 * 2**stage
        filters = _filters(stage, stages, base_filters, max_filters)
        h = layers.UpSampling2D(2, interpolation="nearest")(h)
        h = _conv(h, filters, normalize=True, name=f"conv0_{size}x{size}")
        h = _conv(h, filters, normalize=True, name=f"conv1_{size}x{size}")
        rgb = layers.Activation("tanh")(EqualizedConv2D(channels, 1, gain=1.0, name=f"to_rgb_{size}x{size}")(h))
        previous = layers.UpSampling2D(2, interpolation="nearest")(image)
        last = stage == stages
        image = Fade(stage, name="image" if last else f"fade_{size}x{size}", dtype="float32" if last else None)(
            [previous, rgb, level]
        )
    return keras.Model([z, level], image, name="generator")


def pggan_discriminator(data_shape: tuple, base_filters: int = 16, max_filters: int = 64, group_size: int = 4) -> keras.Model:
    """[image, level (1,)] -> one logit; `group_size` is the minibatch standard deviation's group."""
    stages = growth_stages(data_shape)
    _check_filters(base_filters, max_filters)
    x = keras.Input(tuple(data_shape), name="x")
    level = keras.Input((1,), name="level")
    size = data_shape[0]
    h = _conv(x, _filters(stages, stages, base_filters, max_filters), 1, name=f"from_rgb_{size}x{size}")
    image = x
    for stage in range(stages, 0, -1):
        size = 4 * 2**stage
        h = _conv(h, _filters(stage, stages, base_filters, max_filters), name=f"conv0_{size}x{size}")
        h = _conv(h, _filters(stage - 1, stages, base_filters, max_filters), name=f"conv1_{size}x{size}")
        h = layers.AveragePooling2D(2)(h)
        image = layers.AveragePooling2D(2)(image)
        lower = _conv(image, _filters(stage - 1, stages, base_filters, max_filters), 1, name=f"from_rgb_{size // 2}x{size // 2}")
        h = Fade(stage, name=f"fade_{size}x{size}")([lower, h, level])
    filters = _filters(0, stages, base_filters, max_filters)
    h = MinibatchStdDev(group_size)(h)
    h = _conv(h, filters, name="conv_4x4")
    h = layers.Flatten()(h)
    h = layers.LeakyReLU(LEAK)(EqualizedDense(filters, name="dense_4x4")(h))
    logit = EqualizedDense(1, gain=1.0, name="logit", dtype="float32")(h)
    return keras.Model([x, level], logit, name="discriminator")
