"""BaseGAN: the adversarial training loop every ganzoo variant shares.

The loop is fixed here (`d_steps` discriminator updates, then one generator update);
variants change behaviour through small hooks: how a batch unpacks, how latents are
sampled, what the networks receive, and the two losses. Loss families are named in
`ganzoo.losses.LOSSES` and chosen at compile time, so DCGAN, LSGAN, WGAN... are presets
of one class rather than subclasses.
"""
from __future__ import annotations

import functools
import warnings
from typing import NamedTuple

import numpy as np
import keras
import tensorflow as tf
from keras import ops

from ganzoo.data.checks import check_training_data, example_batch
from ganzoo.distribute import spans_several_workers
from ganzoo.files import atomic_path
from ganzoo.augment import diff_augment
from ganzoo.losses import clip_weights, get_loss_family, gradient_penalty, r1_penalty
from ganzoo.precision import uses_float16
from ganzoo.xla import xla_unsupported


class DiscriminatorStep(NamedTuple):
    """What one discriminator gradient computation gives: gradients, mean loss and penalty, logits."""

    grads: list
    loss: object
    penalty: object
    real_logits: object
    fake_logits: object


def pack_samples(samples, pack: int):
    """PacGAN (Lin et al. 2018): stack each run of `pack` consecutive samples along the last axis,
    so the discriminator judges them jointly; (N, ..., C) -> (N // pack, ..., pack * C). A batch that
    is not a multiple of `pack` loses its last N mod pack samples."""
    shape = ops.shape(samples)
    groups = shape[0] // pack
    grouped = ops.reshape(samples[: groups * pack], (groups, pack, *samples.shape[1:]))
    grouped = ops.moveaxis(grouped, 1, -2)  # (groups, ..., pack, C)
    return ops.reshape(grouped, (groups, *samples.shape[1:-1], pack * samples.shape[-1]))


def _inference(network, inputs):
    return network(inputs, training=False)


def _loss_scaled(optimizer):
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):  # e.g. restored from a saved model
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)


@keras.saving.register_keras_serializable(package="ganzoo")
class BaseGAN(keras.Model):
    """A generator/discriminator pair trained by `fit` with a custom `train_step`.

    Args:
        generator: Keras model mapping generator inputs to samples.
        discriminator: Keras model mapping samples to logits (any shape per example).
        latent_dim: size of the Gaussian latent vector.
        d_steps: discriminator updates per generator update (same real batch, new latents).
        seed: seed of the latent sampler used during training.
        penalties: gradient penalties and their weights, `{"gp": 10}` (WGAN-GP) or `{"r1": 10}`.
        clip_weights: clip every discriminator weight to [-c, c] after each update (original WGAN).
        pack: PacGAN degree; the discriminator must take `pack` times the data's channels.
        unrolled_steps: look-ahead discriminator updates for the generator (unrolled GAN).
        ema: decay of a moving average of the generator's weights, which `generate` then uses.
        augment: DiffAugment policy applied to real and fake images, e.g. "color,translation,cutout".
    """

    uses_labels = False  # conditional variants set True: their batches must carry labels

    def __init__(self, generator, discriminator, latent_dim, d_steps=1, seed=None, penalties=None,
                 clip_weights=None, pack=1, unrolled_steps=0, ema=None, augment=None, **kwargs):
        super().__init__(**kwargs)
        if int(d_steps) < 1:
            raise ValueError(f"d_steps must be a positive integer, got {d_steps}.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.d_steps = int(d_steps)
        self.seed = seed
        self.penalties = dict(penalties or {})
        self.clip_weights = clip_weights
        self.pack = int(pack)
        self.unrolled_steps = int(unrolled_steps)
        self.ema = ema
        self.augment = augment
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Tracked as a model variable so checkpoints save it and a resumed run draws the same latents.
        self.seed_state = self.seed_generator.state
        self.generator_ema = None
        if ema is not None:  # starts as a copy of the generator; saved with the model
            self.generator_ema = keras.models.clone_model(generator)
            self.generator_ema.set_weights(generator.get_weights())
            self.generator_ema.trainable = False
        names = ("d_loss", "g_loss", "d_real", "d_fake") + (("d_penalty",) if self.penalties else ())
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}
        self._sampler = None  # `generate`'s compiled forward pass, made on first use
        self.built = True

    # ------------------------------------------------------------------ compile & serialization

    def compile(self, g_optimizer="adam", d_optimizer="adam", loss="non_saturating", **kwargs):
        """Give each network its own optimizer and choose the loss family by name.

        `jit_compile=True` compiles the train step with XLA; `fit` falls back to plain TensorFlow,
        with a warning naming the operations, when XLA cannot compile it.
        """
        super().compile(optimizer=None, **kwargs)
        self._loss_tracker = None  # the trackers below replace Keras' single `loss`
        self.g_optimizer = keras.optimizers.get(g_optimizer)
        self.d_optimizer = keras.optimizers.get(d_optimizer)
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("Give the generator and the discriminator separate optimizer instances.")
        if uses_float16(self.generator, self.discriminator):  # mixed_float16: scale losses
            self.g_optimizer, self.d_optimizer = map(_loss_scaled, (self.g_optimizer, self.d_optimizer))
        self.loss_name = loss
        self.loss_family = get_loss_family(loss)
        # Build optimizer slots now so checkpoints can be restored into them before the first step.
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self._gan_compile_kwargs = kwargs

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "loss": self.loss_name,
            **self._gan_compile_kwargs,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "d_steps": self.d_steps,
            "seed": self.seed,
            "penalties": self.penalties,
            "clip_weights": self.clip_weights,
            "pack": self.pack,
            "unrolled_steps": self.unrolled_steps,
            "ema": self.ema,
            "augment": self.augment,
        }

    def save(self, filepath, overwrite=True, **kwargs):
        """`keras.Model.save`, written to a temporary file and renamed, so a kill never corrupts it."""
        with atomic_path(filepath) as temporary:
            super().save(str(temporary), overwrite=True, **kwargs)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    # ------------------------------------------------------------------ hooks for variants

    def unpack_batch(self, data):
        """Split what the data set yields into (real samples, labels or None)."""
        real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        return real, labels

    def sample_latents(self, batch_size):
        """Gaussian latents. Under tf.distribute a SeedGenerator gives every replica the same
        numbers, so each replica takes its own slice of one draw for the global batch."""
        replica = tf.distribute.get_replica_context()  # None outside a replica, e.g. in `generate`
        if replica is None or replica.num_replicas_in_sync == 1:
            return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        shape = (replica.num_replicas_in_sync, batch_size, self.latent_dim)
        return tf.gather(keras.random.normal(shape, seed=self.seed_generator), replica.replica_id_in_sync_group)

    def generator_inputs(self, latents, labels):
        return latents

    def discriminator_inputs(self, samples, labels):
        return samples

    def critic(self, samples, labels, training=True):
        """The discriminator's logits for `samples`: augmented (DiffAugment), given the variant's
        inputs, and packed (PacGAN) as configured. Real and fake samples both pass through here."""
        if self.augment:
            samples = diff_augment(samples, self.augment, self.seed_generator)
        inputs = self.discriminator_inputs(samples, labels)
        if self.pack > 1:
            inputs = pack_samples(inputs, self.pack)
        return self.discriminator(inputs, training=training)

    def discriminator_loss(self, real_logits, fake_logits):
        return self.loss_family.discriminator(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        return self.loss_family.generator(fake_logits)

    # ------------------------------------------------------------------ the loop

    @property
    def sampling_generator(self):
        """The network that `generate` and `call` use: the generator's moving average when `ema` is set."""
        return self.generator if self.generator_ema is None else self.generator_ema

    def call(self, latents, training=False):
        return (self.generator if training else self.sampling_generator)(latents, training=training)

    def fit(self, x=None, y=None, **kwargs):
        """`keras.Model.fit`, after checking that the data matches the generator's output."""
        check_training_data(x, self.generator.output_shape[1:], y, self.uses_labels)
        # A multi-replica step cannot be lowered on its own; there Keras reports XLA errors itself.
        if self.jit_compile is True and self.distribute_strategy.num_replicas_in_sync == 1:
            self._fall_back_unless_xla_compiles(example_batch(x, y))
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)  # a Dataset shuffles itself; avoids Keras' warning
        return super().fit(x, y, **kwargs)

    def reduce_loss(self, per_example):
        """Mean over this replica's batch, scaled so summing replicas gives the global-batch mean."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        return ops.mean(per_example) / replicas, ops.mean(per_example)

    def _fall_back_unless_xla_compiles(self, batch):
        def gradients(data):
            real, labels = self.unpack_batch(data)
            return self.discriminator_gradients(real, labels).grads, self.generator_gradients(ops.shape(real)[0], labels)[0]

        reason = xla_unsupported(gradients, batch)
        if reason is not None:
            warnings.warn(
                f"XLA cannot compile {self.name}'s train step ({reason}); training without jit_compile. "
                "Set train.jit_compile: false (or leave out --jit-compile) to skip this check.",
                stacklevel=3,
            )
            self.jit_compile = False
            self.make_train_function(force=True)

    def penalty(self, real, fake, labels):
        """The configured gradient penalties, weighted and reduced like the losses: returns (the sum
        to add to this replica's loss, its mean for logging). WGAN-GP draws one interpolation point
        per example; R1 is weighted gamma / 2 as in Mescheder et al. 2018."""

        def critic(samples):
            return self.critic(samples, labels)

        total, mean = 0.0, 0.0
        for name, weight in self.penalties.items():
            if name == "gp":
                shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
                epsilon = keras.random.uniform(shape, seed=self.seed_generator)
                per_example = weight * gradient_penalty(critic, real, fake, epsilon)
            else:
                per_example = 0.5 * weight * r1_penalty(critic, real)
            scaled, value = self.reduce_loss(per_example)
            total, mean = total + scaled, mean + value
        return total, mean

    def discriminator_gradients(self, real, labels) -> DiscriminatorStep:
        """Gradients of the discriminator loss (penalties included) on one batch, and what to log."""
        fake = self.generator(
            self.generator_inputs(self.sample_latents(ops.shape(real)[0]), labels), training=True
        )
        with tf.GradientTape() as tape:
            real_logits = self.critic(real, labels)
            fake_logits = self.critic(fake, labels)
            loss, mean_loss = self.reduce_loss(self.discriminator_loss(real_logits, fake_logits))
            penalty, mean_penalty = self.penalty(real, fake, labels) if self.penalties else (0.0, 0.0)
            scaled_loss = self.d_optimizer.scale_loss(loss + penalty)
        grads = tape.gradient(scaled_loss, self.discriminator.trainable_variables)
        return DiscriminatorStep(grads, mean_loss, mean_penalty, real_logits, fake_logits)

    def generator_gradients(self, batch_size, labels):
        """Gradients of the generator loss through a fixed discriminator, and the loss."""
        with tf.GradientTape() as tape:
            fake = self.generator(
                self.generator_inputs(self.sample_latents(batch_size), labels), training=True
            )
            loss, mean_loss = self.reduce_loss(self.generator_loss(self.critic(fake, labels)))
            scaled_loss = self.g_optimizer.scale_loss(loss)
        return tape.gradient(scaled_loss, self.generator.trainable_variables), mean_loss

    def discriminator_step(self, real, labels, track=True):
        """One discriminator update (then weight clipping, if set); the generator is not touched."""
        step = self.discriminator_gradients(real, labels)
        self.d_optimizer.apply_gradients(zip(step.grads, self.discriminator.trainable_variables))
        if self.clip_weights:
            clip_weights(self.discriminator.trainable_variables, self.clip_weights)
        if track:
            self.trackers["d_real"].update_state(ops.mean(self.loss_family.d_output(step.real_logits)))
            self.trackers["d_fake"].update_state(ops.mean(self.loss_family.d_output(step.fake_logits)))
            if self.penalties:
                self.trackers["d_penalty"].update_state(step.penalty)
        return step.loss

    def generator_step(self, batch_size, labels):
        """One generator update through a fixed discriminator."""
        grads, mean_loss = self.generator_gradients(batch_size, labels)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
        return mean_loss

    def unrolled_generator_step(self, real, labels):
        """Unrolled GAN (Metz et al. 2016): the generator is updated against the discriminator as it
        will be after `unrolled_steps` more updates on this batch; then the discriminator and its
        optimizer are put back, so its real trajectory is that of a plain step. The generator's
        gradient is taken at the unrolled weights, treating them as constants: the term through the
        discriminator's own updates is dropped (the first-order variant), which keeps the cost at
        k extra discriminator steps."""
        variables = self.discriminator.weights + self.d_optimizer.variables
        saved = [ops.copy(variable.value) for variable in variables]
        for _ in range(self.unrolled_steps):
            self.discriminator_step(real, labels, track=False)
        g_loss = self.generator_step(ops.shape(real)[0], labels)
        for variable, value in zip(variables, saved):
            variable.assign(value)
        return g_loss

    def update_ema(self):
        """Move the generator's average toward its live weights: avg <- ema * avg + (1 - ema) * w.
        Non-trainable weights (batch-norm statistics) are copied from the live generator."""
        for average, live in zip(self.generator_ema.weights, self.generator.weights):
            average.assign(self.ema * average + (1.0 - self.ema) * live if live.trainable else live)

    def train_step(self, data):
        real, labels = self.unpack_batch(data)
        for _ in range(self.d_steps):
            d_loss = self.discriminator_step(real, labels)
        if self.unrolled_steps:
            g_loss = self.unrolled_generator_step(real, labels)
        else:
            g_loss = self.generator_step(ops.shape(real)[0], labels)
        if self.generator_ema is not None:
            self.update_ema()
        self.trackers["d_loss"].update_state(d_loss)
        self.trackers["g_loss"].update_state(g_loss)
        logs = {name: tracker.result() for name, tracker in self.trackers.items()}
        if spans_several_workers(tf.distribute.get_strategy()):
            # Keras 3 averages multi-worker logs along axis 0, which scalars lack (tensorflow#72388).
            logs = {name: ops.reshape(value, (1,)) for name, value in logs.items()}
        return logs

    # ------------------------------------------------------------------ sampling

    def latents_for(self, n, seed=None):
        """Latent vectors for `generate`: reproducible NumPy draws when `seed` is given."""
        if seed is None:
            return ops.convert_to_numpy(self.sample_latents(n))
        return np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")

    def generate(self, n, labels=None, seed=None, batch_size=1024):
        """Draw `n` samples as float32 NumPy (images: NHWC in [-1, 1]); same seed, same samples."""
        if self._sampler is None:  # one compiled forward pass, reused by every call
            # A partial, not a lambda: TensorFlow counts retracing per function code, so the samplers
            # of many models built in one process would set off its excessive-retracing warning.
            self._sampler = tf.function(functools.partial(_inference, self.sampling_generator), reduce_retracing=True)
        latents = self.latents_for(int(n), seed)
        chunks = []
        for start in range(0, len(latents), batch_size):
            part = None if labels is None else labels[start : start + batch_size]
            inputs = self.generator_inputs(latents[start : start + batch_size], part)
            chunks.append(ops.convert_to_numpy(self._sampler(inputs)))
        return np.concatenate(chunks).astype("float32")
