"""GAN losses as pure functions of discriminator outputs (logits), in `keras.ops`.

Each function returns one loss per example, so the caller decides how to reduce it
(BaseGAN reduces against the global batch size to stay correct under tf.distribute).
A `LossFamily` pairs the discriminator and generator halves of one objective; presets
choose a family by its name in `LOSSES`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from keras import ops


def _per_example(values):
    """Average every axis but the batch axis (patch discriminators give maps, not scalars)."""
    values = ops.convert_to_tensor(values)
    if len(values.shape) > 1:
        values = ops.mean(ops.reshape(values, (ops.shape(values)[0], -1)), axis=-1)
    return values


def minimax_discriminator_loss(real_logits, fake_logits):
    """-log D(x) - log(1 - D(G(z))), written with softplus for stability (Goodfellow et al. 2014)."""
    return _per_example(ops.softplus(-real_logits) + ops.softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """log(1 - D(G(z))): the original zero-sum objective; its gradient vanishes when D wins."""
    return _per_example(-ops.softplus(fake_logits))


def non_saturating_generator_loss(fake_logits):
    """-log D(G(z)): same fixed point as minimax but strong gradients early in training."""
    return _per_example(ops.softplus(-fake_logits))


@dataclass(frozen=True)
class LossFamily:
    """The two halves of one GAN objective, plus how to read D's output as a monitoring figure."""

    discriminator: Callable
    generator: Callable
    d_output: Callable = ops.sigmoid


LOSSES: dict[str, LossFamily] = {
    "minimax": LossFamily(minimax_discriminator_loss, minimax_generator_loss),
    "non_saturating": LossFamily(minimax_discriminator_loss, non_saturating_generator_loss),
}


def get_loss_family(name: str) -> LossFamily:
    if name not in LOSSES:
        raise ValueError(f"Unknown GAN loss {name!r}. Available losses: {', '.join(sorted(LOSSES))}.")
    return LOSSES[name]
