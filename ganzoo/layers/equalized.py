"""Equalized learning rate and pixel norm (Karras et al. 2018, ProGAN, sec. 4).

Adam normalises each weight's step by its own gradient scale, so a weight stored large learns
slowly relative to its size. Storing every weight as N(0, 1) and multiplying by He's constant
gain / sqrt(fan_in) at run time gives all layers the same effective learning speed. A
`lr_multiplier` below 1 (StyleGAN's mapping network: 0.01) stores weights `1 / lr_multiplier`
larger and scales them down by as much at run time, which slows that layer's learning by the
same factor under Adam without a second optimizer.
"""
from __future__ import annotations

import math

import keras
from keras import ops

LEAKY_GAIN = math.sqrt(2.0)  # He's gain, for layers followed by a (leaky) ReLU


class _Equalized(keras.layers.Layer):
    """Shared weight handling: N(0, 1 / lr_multiplier) storage, gain / sqrt(fan_in) * lr_multiplier at run time."""

    def __init__(self, gain=LEAKY_GAIN, lr_multiplier=1.0, use_bias=True, bias_init=0.0, **kwargs):
        super().__init__(**kwargs)
        if not lr_multiplier > 0:
            raise ValueError(f"lr_multiplier must be positive, got {lr_multiplier}.")
        self.gain, self.lr_multiplier = float(gain), float(lr_multiplier)
        self.use_bias, self.bias_init = bool(use_bias), float(bias_init)

    def _make_weights(self, kernel_shape, fan_in: int, units: int):
        self.kernel = self.add_weight(
            name="kernel", shape=kernel_shape,
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
        )
        self.runtime_scale = self.gain / math.sqrt(fan_in) * self.lr_multiplier
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(units,),
                initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier),
            )

    def scaled_kernel(self):
        return ops.cast(self.kernel, self.compute_dtype) * self.runtime_scale

    def _add_bias(self, outputs):
        if self.bias is None:
            return outputs
        return outputs + ops.cast(self.bias, self.compute_dtype) * self.lr_multiplier

    def get_config(self):
        return {**super().get_config(), "gain": self.gain, "lr_multiplier": self.lr_multiplier,
                "use_bias": self.use_bias, "bias_init": self.bias_init}


@keras.saving.register_keras_serializable(package="ganzoo")
class EqualizedDense(_Equalized):
    """A Dense layer with equalized learning rate (see the module docstring)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)

    def build(self, input_shape):
        self._make_weights((input_shape[-1], self.units), input_shape[-1], self.units)

    def call(self, inputs):
        return self._add_bias(ops.matmul(inputs, self.scaled_kernel()))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def flops_per_example(self, input_shape) -> int:
        return 2 * math.prod(input_shape[1:-1]) * input_shape[-1] * self.units

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="ganzoo")
class EqualizedConv2D(_Equalized):
    """A stride-1 "same" Conv2D (NHWC) with equalized learning rate (see the module docstring)."""

    def __init__(self, filters, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size = int(filters), int(kernel_size)

    def build(self, input_shape):
        channels = input_shape[-1]
        shape = (self.kernel_size, self.kernel_size, channels, self.filters)
        self._make_weights(shape, self.kernel_size * self.kernel_size * channels, self.filters)

    def call(self, inputs):
        return self._add_bias(ops.conv(inputs, self.scaled_kernel(), padding="same"))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def flops_per_example(self, input_shape) -> int:
        return 2 * math.prod(input_shape[1:-1]) * self.kernel_size**2 * input_shape[-1] * self.filters

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size}


@keras.saving.register_keras_serializable(package="ganzoo")
class PixelNorm(keras.layers.Layer):
    """Scale each position's feature vector to unit mean square (ProGAN's generator normalisation;
    StyleGAN normalises its latents with it): x / sqrt(mean(x^2 over channels) + 1e-8)."""

    def call(self, inputs):
        return inputs * ops.rsqrt(ops.mean(ops.square(inputs), axis=-1, keepdims=True) + 1e-8)

    def compute_output_shape(self, input_shape):
        return input_shape
