"""The layers of a StyleGAN2 synthesis network (Karras et al. 2020, "Analyzing and Improving the
Image Quality of StyleGAN"): a learned constant input, modulated convolutions and noise inputs.

Each style-driven layer takes the whole (batch, num_ws, w_dim) tensor of per-layer styles and reads
its own row (`style_index`), so style mixing is just a choice of rows.
"""
from __future__ import annotations

import math

import keras
from keras import ops

from ganzoo.layers.equalized import EqualizedDense


@keras.saving.register_keras_serializable(package="ganzoo")
class ConstantInput(keras.layers.Layer):
    """The synthesis network's learned starting block (size x size x channels), repeated for every
    example of the styles batch it is given."""

    def __init__(self, size, channels, **kwargs):
        super().__init__(**kwargs)
        self.size, self.channels = int(size), int(channels)

    def build(self, input_shape):
        self.constant = self.add_weight(
            name="constant", shape=(1, self.size, self.size, self.channels),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )

    def call(self, styles):
        batch = ops.shape(styles)[0]
        return ops.tile(ops.cast(self.constant, self.compute_dtype), (batch, 1, 1, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "channels": self.channels}


@keras.saving.register_keras_serializable(package="ganzoo")
class ModulatedConv2D(keras.layers.Layer):
    """A stride-1 "same" convolution whose input channels are scaled by a style (an affine map of one
    row of w, bias 1) and, with `demodulate`, whose outputs are rescaled to unit expected variance.

    Modulating the weights (StyleGAN2's formulation) equals scaling the input channels by the style
    s, convolving with the shared kernel and multiplying each output channel by
    d = 1 / sqrt(sum over kernel taps and inputs of (s * w)^2); the latter form is computed here
    because it is one ordinary convolution for the whole batch (fast on a CPU). Inputs: [x, styles].

    `up=True` makes it StyleGAN2's upsampling convolution: a stride-2 transposed convolution that
    doubles the size. Its kernel taps differ by output phase, so it can draw patterns a few pixels
    wide at fixed positions (stripes, checks) that a smooth upsampling followed by a convolution
    cannot.
    """

    def __init__(self, filters, kernel_size=3, style_index=0, demodulate=True, use_bias=True, up=False, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size = int(filters), int(kernel_size)
        self.style_index, self.demodulate, self.use_bias = int(style_index), bool(demodulate), bool(use_bias)
        self.up = bool(up)

    def build(self, input_shape):
        x_shape, styles_shape = input_shape
        channels = x_shape[-1]
        self.affine = EqualizedDense(channels, gain=1.0, bias_init=1.0, name="affine")
        self.affine.build((None, styles_shape[-1]))
        self.kernel = self.add_weight(
            name="kernel", shape=(self.kernel_size, self.kernel_size, channels, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )
        self.runtime_scale = 1.0 / math.sqrt(self.kernel_size * self.kernel_size * channels)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") if self.use_bias else None

    def call(self, inputs):
        x, styles = inputs
        style = self.affine(styles[:, self.style_index])  # (batch, in channels)
        kernel = ops.cast(self.kernel, self.compute_dtype) * self.runtime_scale
        x = x * style[:, None, None, :]
        if self.up:  # conv_transpose takes its kernel as (height, width, out, in)
            # Each output pixel meets a quarter of the kernel's taps on average, a quarter of the
            # variance that demodulation assumes; x2 restores it (the gain of the official up-filter).
            y = 2.0 * ops.conv_transpose(x, ops.transpose(kernel, (0, 1, 3, 2)), strides=2, padding="same")
        else:
            y = ops.conv(x, kernel, padding="same")
        if self.demodulate:
            energy = ops.matmul(ops.square(style), ops.sum(ops.square(kernel), axis=(0, 1)))  # (batch, filters)
            y = y * ops.rsqrt(energy + 1e-8)[:, None, None, :]
        if self.bias is not None:
            y = y + ops.cast(self.bias, self.compute_dtype)
        return y

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape[0]
        if self.up:
            height, width = (None if size is None else 2 * size for size in (height, width))
        return (batch, height, width, self.filters)

    def flops_per_example(self, input_shape) -> int:
        """The convolution (for `up`, every input pixel's kernel product), the style's affine map and,
        with demodulation, the (in x out) energy product."""
        x_shape, styles_shape = input_shape
        channels = x_shape[-1]
        conv = 2 * x_shape[1] * x_shape[2] * self.kernel_size * self.kernel_size * channels * self.filters
        affine = 2 * styles_shape[-1] * channels
        return conv + affine + (2 * channels * self.filters if self.demodulate else 0)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "style_index": self.style_index, "demodulate": self.demodulate, "use_bias": self.use_bias,
                "up": self.up}


@keras.saving.register_keras_serializable(package="ganzoo")
class NoiseInput(keras.layers.Layer):
    """Add per-pixel noise (batch, H, W, 1) times a learned strength (starting at 0): the stochastic
    detail of StyleGAN. Inputs: [x, noise]; the caller supplies the noise, so training draws it
    replica-safely and sampling can hold it fixed."""

    def build(self, input_shape):
        self.strength = self.add_weight(name="strength", shape=(), initializer="zeros")

    def call(self, inputs):
        x, noise = inputs
        return x + ops.cast(self.strength, self.compute_dtype) * ops.cast(noise, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]
