"""Sub-pixel upsampling (Shi et al. 2016), as SRGAN's generator upsamples: a convolution makes
factor^2 times the channels at low resolution, and this layer rearranges them into a factor-times
larger image. It learns its own interpolation, without the checkerboard of transposed convolutions."""
from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class PixelShuffle(keras.layers.Layer):
    """(N, H, W, C * factor^2) -> (N, H * factor, W * factor, C), channels-last (depth to space)."""

    def __init__(self, factor: int = 2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(factor, bool) or not isinstance(factor, int) or factor < 2:
            raise ValueError(f"factor must be a whole number of 2 or more; got {factor!r}.")
        self.factor = factor

    def build(self, input_shape):
        channels = input_shape[-1]
        if len(input_shape) != 4 or channels is None or channels % self.factor**2:
            raise ValueError(
                f"PixelShuffle({self.factor}) takes (N, H, W, C) inputs whose channels divide by {self.factor ** 2}; "
                f"got shape {input_shape}."
            )

    def call(self, inputs):
        return ops.depth_to_space(inputs, self.factor, data_format="channels_last")

    def compute_output_shape(self, input_shape):
        n, height, width, channels = input_shape
        grown = [None if side is None else side * self.factor for side in (height, width)]
        return (n, *grown, channels // self.factor**2)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
