"""Layers that let a discriminator see batch statistics, so a collapsed generator is easy to spot.

A generator that maps every latent to the same few samples produces batches with too little
variety; both layers turn that variety into features the discriminator can penalise.
"""
from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class MinibatchStdDev(keras.layers.Layer):
    """Append the batch's average standard deviation as one extra channel (Karras et al. 2018, ProGAN, sec. 3).

    Groups are formed as in the official code, by reshaping the batch to (groups, N / groups, ...):
    with G = min(group_size, N) examples per group, example i belongs to group i mod (N / G).
    Each group's per-feature std is averaged over features and positions into one number that is
    appended to every example of the group (channels-last: (N, H, W, C) -> (N, H, W, C + 1),
    (N, F) -> (N, F + 1)). When N is not divisible by G the whole batch forms one group; the
    choice is made on the batch size at run time, so it works with a `None` batch dimension.
    """

    def __init__(self, group_size=4, **kwargs):
        super().__init__(**kwargs)
        if int(group_size) < 1:
            raise ValueError(f"group_size must be a positive integer, got {group_size}.")
        self.group_size = int(group_size)

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(f"MinibatchStdDev needs (N, ..., channels) inputs; got shape {input_shape}.")

    def call(self, inputs):
        shape = ops.shape(inputs)
        batch = shape[0]
        group = ops.minimum(self.group_size, batch)
        group = ops.where(ops.equal(batch % group, 0), group, batch)
        grouped = ops.reshape(ops.cast(inputs, "float32"), (group, -1, *shape[1:]))  # float32 even under mixed precision
        std = ops.sqrt(ops.var(grouped, axis=0) + 1e-8)  # (N / G, ...): per-feature std over each group
        per_group = ops.mean(std, axis=tuple(range(1, len(inputs.shape))), keepdims=True)  # (N / G, 1, ..., 1)
        feature = ops.broadcast_to(per_group, (group, batch // group, *shape[1:-1], 1))
        feature = ops.reshape(ops.cast(feature, inputs.dtype), (batch, *shape[1:-1], 1))
        return ops.concatenate([inputs, feature], axis=-1)

    def compute_output_shape(self, input_shape):
        channels = None if input_shape[-1] is None else input_shape[-1] + 1
        return (*input_shape[:-1], channels)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}


@keras.saving.register_keras_serializable(package="ganzoo")
class MinibatchDiscrimination(keras.layers.Layer):
    """Append closeness-to-the-rest-of-the-batch features (Salimans et al. 2016, "Improved Techniques
    for Training GANs", sec. 3.2).

    For (N, F) inputs (flatten images first): M = x @ T reshaped to (N, num_kernels, kernel_dim),
    c(i, j) = exp(-||M_i - M_j||_1) per kernel, o(x_i) = sum_{j != i} c(i, j); the output is
    concat([x, o]) of shape (N, F + num_kernels). The self term exp(0) = 1 is subtracted (the
    official code masks the diagonal instead; the value is the same).

    The default LeCun-normal T (std 1/sqrt(F)) keeps M on the scale of x whatever F, so distinct
    examples give small c and near-duplicates give c near 1. The official code instead normalises T
    with a data-dependent initialisation, which a Keras initializer cannot do.
    """

    def __init__(self, num_kernels=100, kernel_dim=5, kernel_initializer="lecun_normal", **kwargs):
        super().__init__(**kwargs)
        if int(num_kernels) < 1 or int(kernel_dim) < 1:
            raise ValueError(f"num_kernels and kernel_dim must be positive; got {num_kernels} and {kernel_dim}.")
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"MinibatchDiscrimination needs (N, F) inputs with known F; got shape {input_shape}. "
                "Flatten first."
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=self.kernel_initializer,
        )

    def call(self, inputs):
        m = ops.reshape(ops.matmul(inputs, self.kernel), (-1, self.num_kernels, self.kernel_dim))
        distances = ops.sum(ops.abs(m[:, None] - m[None, :]), axis=-1)  # (N, N, num_kernels), L1
        closeness = ops.sum(ops.exp(-distances), axis=1) - 1.0  # drop the j = i term, exp(0) = 1
        return ops.concatenate([inputs, closeness], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1] + self.num_kernels)

    def get_config(self):
        return {
            **super().get_config(),
            "num_kernels": self.num_kernels,
            "kernel_dim": self.kernel_dim,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
