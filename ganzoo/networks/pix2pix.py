"""Pix2Pix networks (Isola et al. 2017): a U-Net generator and a PatchGAN discriminator that judges
(source, image) pairs patch by patch.

The paper's networks are for 256x256 images (eight 2x steps down to 1x1). These go down as many
2x steps as the image size allows while it stays even (28 -> 14 -> 7: two), or `depth` steps,
with the paper's layer pattern: 4x4 convolutions of stride 2, leaky ReLU (0.2) on the way down,
ReLU on the way up, batch norm everywhere but the first and last layers (the paper also leaves
out its 1x1 innermost one, which these small networks do not reach), dropout (0.5) in the
innermost up-steps while training, and each up-step joined to the down-step of the same size.
"""
from __future__ import annotations

from typing import Optional

import keras
from keras import layers


def halvings(size: int, limit: int = 8) -> int:
    """How many 2x steps take `size` down while it stays even and at least 2 (at most `limit`)."""
    steps = 0
    while size % 2 == 0 and size // 2 >= 2 and steps < limit:
        size, steps = size // 2, steps + 1
    return steps


def _check_depth(data_shape, depth: Optional[int]) -> int:
    if len(data_shape) != 3 or data_shape[0] != data_shape[1]:
        raise ValueError(f"Pix2Pix networks need square images (H, W, C); got data_shape {list(data_shape)}.")
    most = halvings(data_shape[0])
    if most == 0:
        raise ValueError(f"Pix2Pix networks halve the image; {data_shape[0]} px cannot be halved to an even size. "
                         "Resize the data with data.image_size (such as 32).")
    if depth is None:
        return most
    if not 1 <= depth <= most:
        raise ValueError(f"depth {depth} is not possible for {data_shape[0]} px images: choose 1 to {most}.")
    return depth


def unet_generator(data_shape: tuple, source_channels: Optional[int] = None, base_filters: int = 64,
                   max_filters: int = 512, depth: Optional[int] = None, dropout_steps: int = 3) -> keras.Model:
    """source image -> image of `data_shape`: `depth` down-steps doubling the filters from
    `base_filters` (at most `max_filters`), as many up-steps with skip connections, tanh output."""
    depth = _check_depth(data_shape, depth)
    source = keras.Input((*data_shape[:2], source_channels or data_shape[-1]), name="source")
    h, skips = source, []
    for step in range(depth):
        filters = min(base_filters * 2**step, max_filters)
        h = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=step == 0)(h)
        if step > 0:
            h = layers.BatchNormalization()(h)
        h = layers.LeakyReLU(0.2)(h)
        skips.append(h)
    skips.pop()  # the innermost feeds the first up-step directly
    for step in reversed(range(depth - 1)):
        filters = min(base_filters * 2**step, max_filters)
        h = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        if depth - 2 - step < dropout_steps:
            h = layers.Dropout(0.5)(h)
        h = layers.ReLU()(h)
        h = layers.Concatenate()([h, skips.pop()])
    image = layers.Conv2DTranspose(data_shape[-1], 4, strides=2, padding="same", activation="tanh", name="image",
                                   dtype="float32")(h)
    return keras.Model(source, image, name="generator")


def patch_logits(h, data_shape: tuple, base_filters: int, max_filters: int, strided_layers: Optional[int],
                 normalize=layers.BatchNormalization):
    """The PatchGAN body on `h`: `strided_layers` 4x4 stride-2 convolutions (as many as the size
    allows, at most 3, as the paper's 70x70 PatchGAN), one of stride 1, each but the first
    normalised, then a 1-channel stride-1 convolution: one logit per patch."""
    strided = min(_check_depth(data_shape, None), 3) if strided_layers is None else _check_depth(data_shape, strided_layers)
    for step in range(strided + 1):
        filters = min(base_filters * 2**step, max_filters)
        h = layers.Conv2D(filters, 4, strides=2 if step < strided else 1, padding="same", use_bias=step == 0)(h)
        if step > 0:
            h = normalize()(h)
        h = layers.LeakyReLU(0.2)(h)
    return layers.Conv2D(1, 4, padding="same", name="patch_logits", dtype="float32")(h)


def patchgan_discriminator(data_shape: tuple, source_channels: Optional[int] = None, base_filters: int = 64,
                           max_filters: int = 512, strided_layers: Optional[int] = None) -> keras.Model:
    """[source, image] -> a map of patch logits (`patch_logits`) on the pair stacked on the channel axis."""
    source = keras.Input((*data_shape[:2], source_channels or data_shape[-1]), name="source")
    image = keras.Input(tuple(data_shape), name="image")
    pair = layers.Concatenate()([source, image])
    logits = patch_logits(pair, data_shape, base_filters, max_filters, strided_layers)
    return keras.Model([source, image], logits, name="discriminator")
