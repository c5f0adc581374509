"""A StyleGAN2 reduced to what a CPU trains in minutes (Karras et al. 2019, 2020).

Generator: a mapping network z -> w (pixel norm, equalized dense layers with a learning-rate
multiplier), and a synthesis network that starts from a learned constant and, at every
resolution, doubles the size with an upsampling (stride-2 transposed, 4x4 kernel) modulated
convolution and applies a second one, each with noise inputs; a modulated 1x1 "toRGB" at every
resolution is summed, bilinearly upsampled, into the output (the skip architecture; the official
code's FIR low-pass filters are left out). Each layer reads its own row of a (batch, num_ws, w_dim)
styles tensor, which is what style mixing and truncation act on. Discriminator: residual blocks of equalized convolutions, minibatch standard deviation,
then dense layers (StyleGAN2's "resnet" discriminator). On the shapes this generator collapses
against that discriminator, so `stylegan-lite` pairs it with DCGAN's (see the README).
"""
from __future__ import annotations

import math

import keras
from keras import layers, ops

from ganzoo.layers import EqualizedConv2D, EqualizedDense, MinibatchStdDev, PixelNorm
from ganzoo.layers.style import ConstantInput, ModulatedConv2D, NoiseInput

LEAK = 0.2
STYLE_GROUPS = ("coarse", "middle", "fine")
ACTIVATION_GAIN = math.sqrt(2.0)
# A 4x4 kernel at stride 2 gives every output pixel 4 taps; a 3x3 one gives 1, 2 or 4 by the pixel's
# phase, a checkerboard the generator must then unlearn (the official code blurs it away instead).
UP_KERNEL_SIZE = 4


def _resolutions(data_shape) -> list[int]:
    """4, 8, ..., the image size, which must be a power of two of at least 8."""
    size = data_shape[0]
    if len(data_shape) != 3 or data_shape[0] != data_shape[1] or size < 8 or size & (size - 1):
        raise ValueError(
            f"StyleGAN networks need square images whose size is a power of two of at least 8 (8, 16, 32, 64); "
            f"got data_shape {list(data_shape)}. Resize the data with data.image_size."
        )
    return [4 * 2**level for level in range(int(math.log2(size)) - 1)]


def num_styles(data_shape) -> int:
    """Rows of w the synthesis network reads: one per convolution and one for the last toRGB
    (each other toRGB shares its row with the next block's first convolution, as in StyleGAN2)."""
    return 2 * len(_resolutions(data_shape))


def style_resolution(index: int, data_shape) -> int:
    """The resolution whose layers read style row `index`."""
    return min(4 * 2 ** ((index + 1) // 2), data_shape[0])


def style_groups(data_shape) -> dict:
    """Style rows of each group, by the resolution they act at (StyleGAN's coarse 4-8 px, middle
    16-32 px, fine 64 px and up, scaled to small images: coarse up to size/4, middle size/2, fine
    the full size)."""
    size = data_shape[0]
    groups = {name: [] for name in STYLE_GROUPS}
    for index in range(num_styles(data_shape)):
        resolution = style_resolution(index, data_shape)
        group = "fine" if resolution == size else "middle" if resolution == size // 2 else "coarse"
        groups[group].append(index)
    return groups


def _filters(resolution: int, base_filters: int, max_filters: int, size: int) -> int:
    """Channels at a resolution: `base_filters` at the full size, doubling per halving, capped."""
    return min(max_filters, base_filters * size // resolution)


def _activation(h):
    """Leaky ReLU times sqrt(2), StyleGAN2's gain: demodulation keeps each convolution's output at
    its input's scale, so without the gain every layer would shrink the signal (by ~0.6) and the
    fine layers would barely reach the image."""
    return layers.Rescaling(ACTIVATION_GAIN)(layers.LeakyReLU(LEAK)(h))


def stylegan_mapping(latent_dim: int, w_dim: int = 64, mapping_layers: int = 4, mapping_lr_multiplier: float = 0.01):
    """z -> w: pixel norm, then `mapping_layers` equalized dense layers with leaky ReLU, learning
    `mapping_lr_multiplier` times as fast as the synthesis network (0.01 in StyleGAN)."""
    z = keras.Input((latent_dim,), name="z")
    h = PixelNorm()(z)
    for index in range(mapping_layers):
        h = EqualizedDense(w_dim, lr_multiplier=mapping_lr_multiplier, name=f"dense_{index}")(h)
        h = layers.LeakyReLU(LEAK)(h)
    return keras.Model(z, h, name="mapping")


def stylegan_synthesis(data_shape, w_dim: int = 64, base_filters: int = 32, max_filters: int = 128):
    """(styles (num_ws, w_dim), one noise map per convolution) -> image in [-1, 1]."""
    resolutions = _resolutions(data_shape)
    size, channels = data_shape[0], data_shape[-1]
    styles = keras.Input((num_styles(data_shape), w_dim), name="styles")
    noises = []

    def styled_conv(h, filters, index, resolution, up=False):
        noise = keras.Input((resolution, resolution, 1), name=f"noise_{len(noises)}")
        noises.append(noise)
        kernel_size = UP_KERNEL_SIZE if up else 3
        h = ModulatedConv2D(filters, kernel_size, style_index=index, up=up, name=f"conv_{len(noises) - 1}")([h, styles])
        h = NoiseInput(name=f"noise_strength_{len(noises) - 1}")([h, noise])
        return _activation(h)

    def to_rgb(h, index, resolution):
        return ModulatedConv2D(channels, 1, style_index=index, demodulate=False, name=f"to_rgb_{resolution}")([h, styles])

    h = ConstantInput(4, _filters(4, base_filters, max_filters, size), name="constant")(styles)
    h = styled_conv(h, _filters(4, base_filters, max_filters, size), 0, 4)
    rgb = to_rgb(h, 1, 4)
    index = 1
    for resolution in resolutions[1:]:
        filters = _filters(resolution, base_filters, max_filters, size)
        h = styled_conv(h, filters, index, resolution, up=True)
        h = styled_conv(h, filters, index + 1, resolution)
        rgb = layers.Add()([layers.UpSampling2D(interpolation="bilinear")(rgb), to_rgb(h, index + 2, resolution)])
        index += 2
    image = layers.Activation("tanh", name="image", dtype="float32")(rgb)
    return keras.Model([styles, *noises], image, name="synthesis")


@keras.saving.register_keras_serializable(package="ganzoo")
class StyleGenerator(keras.Model):
    """Mapping and synthesis networks with the tracked average w, for the truncation trick.

    `generator(z, truncation=0.7)` draws images; `styles(z)` and `synthesize(styles)` expose w
    space for mixing and interpolation. Sampling uses fixed noise maps (saved with the model), so
    the same latents always give the same picture; training passes fresh noise to `synthesize`.
    """

    def __init__(self, mapping, synthesis, w_avg_beta: float = 0.995, **kwargs):
        super().__init__(**kwargs)
        self.mapping, self.synthesis, self.w_avg_beta = mapping, synthesis, float(w_avg_beta)
        self.num_ws, self.w_dim = synthesis.inputs[0].shape[1:]
        self.noise_shapes = [tuple(noise.shape[1:]) for noise in synthesis.inputs[1:]]
        # float32 statistics; "mean" lets every replica of a tf.distribute run update them.
        self.w_avg = self.add_weight(name="w_avg", shape=(self.w_dim,), initializer="zeros", trainable=False,
                                     dtype="float32", aggregation="mean")
        self.fixed_noise = [
            self.add_weight(name=f"fixed_noise_{index}", shape=(1, *shape), trainable=False, dtype="float32",
                            initializer=keras.initializers.RandomNormal(seed=index))
            for index, shape in enumerate(self.noise_shapes)
        ]
        self.built = True

    @property
    def output_shape(self):
        return self.synthesis.output_shape

    @property
    def input_shape(self):
        return self.mapping.input_shape

    def map(self, latents, training=False):
        """w for each latent; in training it also moves the tracked average w toward the batch's."""
        w = self.mapping(latents, training=training)
        if training:
            batch_mean = ops.mean(ops.cast(w, "float32"), axis=0)
            self.w_avg.assign(batch_mean + self.w_avg_beta * (self.w_avg - batch_mean))
        return w

    def truncate(self, w, truncation=None):
        """The truncation trick: w pulled toward the average w, w_avg + psi (w - w_avg)."""
        if truncation is None or truncation == 1:
            return w
        w_avg = ops.cast(self.w_avg, w.dtype)
        return w_avg + truncation * (w - w_avg)

    def broadcast(self, w):
        """One w for every style row: (batch, w_dim) -> (batch, num_ws, w_dim)."""
        return ops.repeat(w[:, None, :], self.num_ws, axis=1)

    def styles(self, latents, truncation=None, training=False):
        return self.broadcast(self.truncate(self.map(latents, training=training), truncation))

    def synthesize(self, styles, noise=None, training=False):
        """Images from per-row styles; `noise` (one map per convolution) defaults to the fixed maps."""
        if noise is None:
            batch = ops.shape(styles)[0]
            noise = [ops.tile(fixed, (batch, 1, 1, 1)) for fixed in self.fixed_noise]
        return self.synthesis([styles, *noise], training=training)

    def call(self, latents, training=False, truncation=None):
        return self.synthesize(self.styles(latents, truncation, training), training=training)

    def get_config(self):
        return {
            **super().get_config(),
            "mapping": keras.saving.serialize_keras_object(self.mapping),
            "synthesis": keras.saving.serialize_keras_object(self.synthesis),
            "w_avg_beta": self.w_avg_beta,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("mapping", "synthesis"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def stylegan_generator(latent_dim: int, data_shape: tuple, w_dim: int = 64, mapping_layers: int = 4,
                       mapping_lr_multiplier: float = 0.01, base_filters: int = 32, max_filters: int = 128,
                       w_avg_beta: float = 0.995) -> StyleGenerator:
    """The mapping and synthesis networks of a StyleGAN2 generator for `data_shape` images."""
    return StyleGenerator(
        stylegan_mapping(latent_dim, w_dim, mapping_layers, mapping_lr_multiplier),
        stylegan_synthesis(data_shape, w_dim, base_filters, max_filters),
        w_avg_beta=w_avg_beta,
        name="generator",
    )


def stylegan_discriminator(data_shape: tuple, base_filters: int = 32, max_filters: int = 128,
                           minibatch_std_group: int = 4) -> keras.Model:
    """image -> fromRGB -> residual blocks halving the size down to 4x4 -> minibatch std -> conv ->
    dense -> one logit. Each block: two 3x3 convolutions and a 2x average pool, plus a pooled 1x1
    shortcut, summed and scaled by 1/sqrt(2)."""
    resolutions = _resolutions(data_shape)
    size = data_shape[0]
    x = keras.Input(tuple(data_shape), name="x")
    h = layers.LeakyReLU(LEAK)(EqualizedConv2D(_filters(size, base_filters, max_filters, size), 1, name="from_rgb")(x))
    for resolution in reversed(resolutions[1:]):
        filters = _filters(resolution // 2, base_filters, max_filters, size)
        shortcut = EqualizedConv2D(filters, 1, gain=1.0, use_bias=False)(layers.AveragePooling2D(2)(h))
        h = layers.LeakyReLU(LEAK)(EqualizedConv2D(h.shape[-1], 3)(h))
        h = layers.LeakyReLU(LEAK)(EqualizedConv2D(filters, 3)(h))
        h = layers.AveragePooling2D(2)(h)
        h = layers.Rescaling(1.0 / math.sqrt(2.0))(layers.Add()([h, shortcut]))
    h = MinibatchStdDev(minibatch_std_group)(h)
    h = layers.LeakyReLU(LEAK)(EqualizedConv2D(h.shape[-1] - 1, 3)(h))
    h = layers.Flatten()(h)
    h = layers.LeakyReLU(LEAK)(EqualizedDense(_filters(4, base_filters, max_filters, size))(h))
    logit = EqualizedDense(1, gain=1.0, name="logit", dtype="float32")(h)
    return keras.Model(x, logit, name="discriminator")
