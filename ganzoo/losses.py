"""GAN losses as pure functions of discriminator outputs (logits), in `keras.ops`.

Each function returns one loss per example, so the caller decides how to reduce it
(the adversarial core reduces against the global batch size to stay correct under tf.distribute).
A `LossFamily` pairs the discriminator and generator halves of one objective; presets
choose a family by its name in `LOSSES`. Penalties on the critic's input gradients
(WGAN-GP, R1), ProGAN's drift term on real scores and WGAN's weight clipping are here too, for the
training loops that add them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import keras
import tensorflow as tf
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


def wasserstein_critic_loss(real_logits, fake_logits):
    """f(G(z)) - f(x): the critic maximises the Kantorovich-Rubinstein dual (Arjovsky et al. 2017).

    Only an estimate of the Wasserstein distance while f is kept Lipschitz (clipping or a penalty).
    """
    return _per_example(ops.convert_to_tensor(fake_logits) - real_logits)


def wasserstein_generator_loss(fake_logits):
    """-f(G(z)): the generator raises the critic's score of its samples (Arjovsky et al. 2017)."""
    return _per_example(-ops.convert_to_tensor(fake_logits))


def hinge_discriminator_loss(real_logits, fake_logits):
    """relu(1 - D(x)) + relu(1 + D(G(z))): a margin, so D stops pushing examples it already
    separates (Lim & Ye 2017; Miyato et al. 2018, SNGAN)."""
    return _per_example(ops.relu(1.0 - real_logits) + ops.relu(1.0 + fake_logits))


def least_squares_discriminator_loss(real_logits, fake_logits):
    """0.5 (D(x) - 1)^2 + 0.5 D(G(z))^2: LSGAN's a=0, b=1 coding (Mao et al. 2017); the quadratic
    keeps penalising fakes on the right side of the boundary, so gradients do not vanish."""
    return _per_example(0.5 * (ops.square(ops.convert_to_tensor(real_logits) - 1.0) + ops.square(fake_logits)))


def least_squares_generator_loss(fake_logits):
    """0.5 (D(G(z)) - 1)^2: LSGAN's generator aims at c=1, the value D gives real data (Mao et al. 2017)."""
    return _per_example(0.5 * ops.square(ops.convert_to_tensor(fake_logits) - 1.0))


def _raw_score(logits):
    """Critics and least-squares discriminators output scores, not logits: there is no probability to show."""
    return ops.convert_to_tensor(logits)


@dataclass(frozen=True)
class LossFamily:
    """The two halves of one GAN objective, plus how to read D's output as a monitoring figure."""

    discriminator: Callable
    generator: Callable
    d_output: Callable = ops.sigmoid


LOSSES: dict[str, LossFamily] = {
    "minimax": LossFamily(minimax_discriminator_loss, minimax_generator_loss),
    "non_saturating": LossFamily(minimax_discriminator_loss, non_saturating_generator_loss),
    "wasserstein": LossFamily(wasserstein_critic_loss, wasserstein_generator_loss, _raw_score),
    # SNGAN's generator raises the raw score exactly as WGAN's does.
    "hinge": LossFamily(hinge_discriminator_loss, wasserstein_generator_loss, _raw_score),
    "least_squares": LossFamily(least_squares_discriminator_loss, least_squares_generator_loss, _raw_score),
}


def get_loss_family(name: str) -> LossFamily:
    if name not in LOSSES:
        raise ValueError(f"Unknown GAN loss {name!r}. Available losses: {', '.join(sorted(LOSSES))}.")
    return LOSSES[name]


# ---------------------------------------------------------------------- regularisers of the critic

def _squared_input_gradient_norms(critic, samples):
    """||d critic(x) / dx||^2 per example, differentiable again (an outer tape can take its gradient).

    The gradient is of each example's mean score, as the losses reduce patch outputs; it is per
    example only if examples do not interact inside the critic (no batch normalization).
    """
    samples = ops.convert_to_tensor(samples)
    with tf.GradientTape() as tape:
        tape.watch(samples)
        scores = ops.sum(_per_example(critic(samples)))
    grads = tape.gradient(scores, samples, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return ops.sum(ops.reshape(ops.square(grads), (ops.shape(grads)[0], -1)), axis=-1)


def gradient_penalty(critic, real, fake, epsilon):
    """(||grad f(x_hat)||_2 - 1)^2 per example at x_hat = epsilon real + (1 - epsilon) fake: WGAN-GP's
    soft 1-Lipschitz constraint on the critic f (Gulrajani et al. 2017; the paper weights it by 10).

    `epsilon` (shape (N, 1, ..., 1), uniform in [0, 1]) comes from the caller, so this stays pure and seeded.
    1e-12 inside the square root keeps the penalty's gradient finite where the input gradient is
    exactly zero (e.g. a critic whose ReLUs are all off): d sqrt(s)/ds is infinite at s = 0.
    """
    real = ops.convert_to_tensor(real)
    epsilon = ops.cast(epsilon, real.dtype)
    interpolates = epsilon * real + (1.0 - epsilon) * fake
    norms = ops.sqrt(_squared_input_gradient_norms(critic, interpolates) + 1e-12)
    return ops.square(norms - 1.0)


def r1_penalty(critic, real):
    """||grad f(x)||^2 per example on real data only: R1 (Mescheder et al. 2018) makes the
    discriminator flat on the data manifold, which makes training converge locally.

    Unweighted: the caller multiplies by gamma / 2 as in the paper.
    """
    return _squared_input_gradient_norms(critic, real)


def interpolate_gradient_penalty(critic, real, fake, draw):
    """WGAN-GP as configured: one interpolation point per example, drawn with `draw(sample, shape)`."""
    shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
    return gradient_penalty(critic, real, fake, draw(keras.random.uniform, shape))


def real_data_r1_penalty(critic, real, fake, draw):
    """R1 as configured: on the real batch only; the fake batch and `draw` are not used."""
    return r1_penalty(critic, real)


def real_score_drift(critic, real, fake, draw):
    """D(x)^2 per example on real data: ProGAN's drift term (Karras et al. 2018, appendix A.1, weight
    epsilon = 0.001), which keeps a Wasserstein critic's scores from drifting far from zero."""
    return ops.square(_per_example(critic(real)))


@dataclass(frozen=True)
class Penalty:
    """A regulariser of the critic as configuration names it: per-example values of
    `per_example(critic, real, fake, draw)`, multiplied by `scale` times the configured weight."""

    per_example: Callable
    scale: float = 1.0


PENALTIES: dict[str, Penalty] = {
    "gp": Penalty(interpolate_gradient_penalty),
    "r1": Penalty(real_data_r1_penalty, scale=0.5),  # weight gamma, applied as gamma / 2 (Mescheder et al.)
    "drift": Penalty(real_score_drift),  # weight epsilon, 0.001 in ProGAN
}


def clip_weights(variables, limit: float) -> None:
    """Clip each variable to [-limit, limit] in place: the original WGAN's crude Lipschitz bound
    (Arjovsky et al. 2017 use 0.01). Call right after each critic optimizer step."""
    if not limit > 0:
        raise ValueError(f"The weight clipping limit must be positive, got {limit}.")
    for variable in variables:
        variable.assign(ops.clip(variable, -limit, limit))
