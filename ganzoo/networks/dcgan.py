"""DCGAN networks (Radford et al. 2016): strided (transposed) convolutions, batch norm, no pooling."""
from __future__ import annotations

import keras
from keras import layers

from ganzoo.layers import MinibatchDiscrimination, MinibatchStdDev
from ganzoo.networks.blocks import spectral_normalized


def _upsampling_plan(data_shape) -> tuple[int, int]:
    """Start size and number of 2x steps that reach the image size: halve while even and above 7,
    e.g. 28 = 7 * 2**2, 32 = 4 * 2**3, 30 = 15 * 2."""
    height, width = data_shape[0], data_shape[1]
    if len(data_shape) != 3 or height != width:
        raise ValueError(f"DCGAN networks need square images (H, W, C); got data_shape {list(data_shape)}.")
    start, steps = height, 0
    while start > 7 and start % 2 == 0:
        start, steps = start // 2, steps + 1
    if steps == 0:
        raise ValueError(
            f"DCGAN needs an even image size above 7 (such as 8, 16, 28, 32 or 64); got {height}. "
            "Resize the data with data.image_size."
        )
    return start, steps


def dcgan_generator(
    latent_dim: int,
    data_shape: tuple,
    base_filters: int = 64,
    kernel_size: int = 4,
) -> keras.Model:
    """z -> dense seed at s x s -> transposed convolutions doubling the size -> tanh image."""
    z = keras.Input((latent_dim,), name="z")
    return keras.Model(z, dcgan_upsampling(z, data_shape, base_filters, kernel_size), name="generator")


def dcgan_upsampling(code, data_shape: tuple, base_filters: int, kernel_size: int, normalize=None):
    """The DCGAN generator's body on a code vector, shared by the conditional families:
    `normalize(h)` follows every layer but the last (batch normalization unless given, such as a
    class-conditional one)."""
    normalize = normalize or (lambda h: layers.BatchNormalization()(h))
    start, steps = _upsampling_plan(data_shape)
    filters = base_filters * 2 ** (steps - 1)
    h = layers.Dense(start * start * filters * 2, use_bias=False)(code)
    h = normalize(h)
    h = layers.ReLU()(h)
    h = layers.Reshape((start, start, filters * 2))(h)
    for _ in range(steps - 1):
        h = layers.Conv2DTranspose(filters, kernel_size, strides=2, padding="same", use_bias=False)(h)
        h = normalize(h)
        h = layers.ReLU()(h)
        filters //= 2
    return layers.Conv2DTranspose(
        data_shape[-1], kernel_size, strides=2, padding="same", activation="tanh", name="image", dtype="float32"
    )(h)


def dcgan_discriminator(
    data_shape: tuple,
    base_filters: int = 64,
    kernel_size: int = 4,
    dropout: float = 0.0,
    batch_norm: bool = True,
    spectral_norm: bool = False,
    minibatch_std: bool = False,
    minibatch_discrimination: int = 0,
) -> keras.Model:
    """image -> strided convolutions halving the size (LeakyReLU 0.2) -> one logit.

    Stabilizers: `spectral_norm` wraps every convolution and the logit layer in Keras'
    `SpectralNormalization` (SNGAN drops batch norm: set `batch_norm: false`); `minibatch_std`
    appends the minibatch standard deviation as a feature map before the logit; and
    `minibatch_discrimination: K` adds K minibatch-discrimination kernels on the flat features.
    """
    x = keras.Input(tuple(data_shape), name="x")
    h = dcgan_features(
        x, data_shape, base_filters, kernel_size, dropout, batch_norm, spectral_norm, minibatch_std, minibatch_discrimination
    )
    logit = spectral_normalized(layers.Dense(1, name="logit", dtype="float32"), spectral_norm)(h)
    return keras.Model(x, logit, name="discriminator")


def dcgan_features(x, data_shape: tuple, base_filters: int = 64, kernel_size: int = 4, dropout: float = 0.0,
                   batch_norm: bool = True, spectral_norm: bool = False, minibatch_std: bool = False,
                   minibatch_discrimination: int = 0):
    """The DCGAN discriminator's body on an image-sized input `x` (which may carry extra channels):
    its flat features, shared by the conditional families' discriminators."""
    _, steps = _upsampling_plan(data_shape)
    h = x
    filters = base_filters
    for step in range(steps):
        h = spectral_normalized(layers.Conv2D(filters, kernel_size, strides=2, padding="same"), spectral_norm)(h)
        if step > 0 and batch_norm:
            h = layers.BatchNormalization()(h)
        h = layers.LeakyReLU(0.2)(h)
        if dropout:
            h = layers.Dropout(dropout)(h)
        filters *= 2
    if minibatch_std:
        h = MinibatchStdDev()(h)
    h = layers.Flatten()(h)
    if minibatch_discrimination:
        h = MinibatchDiscrimination(minibatch_discrimination)(h)
    return h


def classifying_dcgan_discriminator(
    data_shape: tuple,
    num_classes: int,
    base_filters: int = 64,
    kernel_size: int = 4,
    dropout: float = 0.0,
    batch_norm: bool = False,
    input_noise: float = 0.0,
) -> keras.Model:
    """image -> the DCGAN body -> [K class logits, its flat features]: a semi-supervised
    discriminator (Salimans et al. 2016 used such a convolutional one, with dropout, on CIFAR-10).
    Batch norm is off by default: its batch statistics would differ between the labelled, the
    unlabelled and the generated batches, which this discriminator sees separately."""
    x = keras.Input(tuple(data_shape), name="x")
    h = layers.GaussianNoise(input_noise)(x) if input_noise else x
    features = dcgan_features(h, data_shape, base_filters, kernel_size, dropout, batch_norm)
    logits = layers.Dense(num_classes, name="class_logits", dtype="float32")(features)
    return keras.Model(x, [logits, layers.Activation("linear", name="features", dtype="float32")(features)],
                       name="discriminator")
