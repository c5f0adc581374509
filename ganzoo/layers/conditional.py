"""Conditional batch normalization (de Vries et al. 2017; Miyato & Koyama 2018's generator).

A class-conditional generator can tell every layer which class it draws by the scale and shift
that follow normalization: each class gets its own gamma and beta, so no label channel has to be
concatenated into the feature maps.
"""
from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class ConditionalBatchNormalization(keras.layers.Layer):
    """Batch normalization whose scale and shift are looked up by class: called on
    `[features, labels]` (features (N, ..., C), int labels (N,)), it returns
    `normalized * gamma[labels] + beta[labels]`, broadcast over the spatial axes.

    gamma starts at 1 and beta at 0 for every class, so the layer begins as plain batch
    normalization without a learned affine part. The statistics are those of Keras'
    `BatchNormalization` (batch statistics while training, moving averages otherwise).
    """

    def __init__(self, num_classes: int, momentum: float = 0.99, epsilon: float = 1e-3, **kwargs):
        super().__init__(**kwargs)
        if isinstance(num_classes, bool) or int(num_classes) < 1:
            raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}.")
        self.num_classes, self.momentum, self.epsilon = int(num_classes), float(momentum), float(epsilon)
        self.normalization = keras.layers.BatchNormalization(
            momentum=self.momentum, epsilon=self.epsilon, center=False, scale=False, dtype=self.dtype_policy
        )

    def build(self, input_shape):
        features_shape, labels_shape = input_shape
        if len(labels_shape) != 1:
            raise ValueError(f"ConditionalBatchNormalization takes labels of shape (N,); got {labels_shape}.")
        channels = features_shape[-1]
        self.normalization.build(features_shape)
        self.gamma = self.add_weight(name="gamma", shape=(self.num_classes, channels), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(self.num_classes, channels), initializer="zeros")

    def call(self, inputs, training=None):
        features, labels = inputs
        normalized = self.normalization(features, training=training)
        broadcast = (-1,) + (1,) * (len(features.shape) - 2) + (features.shape[-1],)
        gamma = ops.reshape(ops.take(self.gamma, labels, axis=0), broadcast)
        beta = ops.reshape(ops.take(self.beta, labels, axis=0), broadcast)
        return normalized * ops.cast(gamma, normalized.dtype) + ops.cast(beta, normalized.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "momentum": self.momentum, "epsilon": self.epsilon}
