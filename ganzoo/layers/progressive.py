"""Progressive growing's level of detail (Karras et al. 2018, ProGAN, sec. 2).

The networks are built once at full resolution; a *level* says how far they have grown. Level 0
is the 4x4 stage, level s the stage at 4 * 2**s pixels, and a fractional level s - 1 + alpha is
the fade of stage s in: its image is weighed by alpha against the stage below it, upsampled.
Stages above the level get weight 0, so their images only pass the lower stage's upsampled
image on, and the output keeps the full resolution whatever the level.

The same blend serves a generator's images (one per stage, from its toRGB layers), a
discriminator's features (fromRGB of the image, downsampled, against its blocks' output) and the
real images, low-passed to the level as the official code does (`images_at_level`).
"""
from __future__ import annotations

import keras
from keras import ops


def fade_weight(level, stage: int):
    """The weight of stage `stage` (>= 1) against the stage below it, at `level`: 0 before its
    fade starts, alpha during it, 1 once it has grown in."""
    return ops.clip(ops.convert_to_tensor(level) - (stage - 1), 0.0, 1.0)


def lerp(low, high, weight):
    """(1 - weight) low + weight high, written so that weight 0 gives `low` and weight 1 gives
    `high` exactly (low + (high - low) weight does not)."""
    return (1.0 - weight) * low + weight * high


def upsample(images, factor: int = 2):
    """Nearest-neighbour upsampling of NHWC images by an integer factor."""
    return ops.repeat(ops.repeat(images, factor, axis=1), factor, axis=2)


def downsample(images):
    """2x2 box filter (average pooling) of NHWC images."""
    return ops.average_pool(images, 2, strides=2, padding="valid")


def images_at_level(images, level):
    """Full-size images as a generator at `level` (a scalar) would draw them: box-filtered down to
    the current stage's size, faded against the stage below during a fade, then upsampled back
    (nearest) to full size. Square NHWC images whose side is 4 * 2**stages."""
    pyramid = [images]
    while pyramid[-1].shape[1] > 4:
        pyramid.append(downsample(pyramid[-1]))
    pyramid.reverse()  # 4x4 first
    blended = pyramid[0]
    for stage, image in enumerate(pyramid[1:], start=1):
        blended = lerp(upsample(blended), image, fade_weight(level, stage))
    return blended


@keras.saving.register_keras_serializable(package="ganzoo")
class Fade(keras.layers.Layer):
    """[low, high, level] -> lerp(low, high, fade_weight(level, stage)), per example: `level` has
    shape (N, 1); `low` and `high` have the same shape (upsample or downsample before)."""

    def __init__(self, stage: int, **kwargs):
        super().__init__(**kwargs)
        if int(stage) < 1:
            raise ValueError(f"Fade blends stage 1 (8x8) and up into the stage below; got stage {stage}.")
        self.stage = int(stage)

    def call(self, inputs):
        low, high, level = inputs
        weight = fade_weight(ops.cast(level, self.compute_dtype), self.stage)
        weight = ops.reshape(weight, (-1,) + (1,) * (len(low.shape) - 1))
        return lerp(low, high, weight)

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]

    def get_config(self):
        return {**super().get_config(), "stage": self.stage}
