"""BaseGAN: the adversarial training loop every ganzoo variant shares.

The loop is fixed here (`d_steps` discriminator updates, then one generator update);
variants change behaviour through small hooks: how a batch unpacks, how latents are
sampled, what the networks receive, and the two losses. Loss families are named in
`ganzoo.losses.LOSSES` and chosen at compile time, so DCGAN, LSGAN, WGAN... are presets
of one class rather than subclasses.
"""
from __future__ import annotations

import warnings

import numpy as np
import keras
import tensorflow as tf
from keras import ops

from ganzoo.data.checks import check_training_data, example_batch
from ganzoo.distribute import spans_several_workers
from ganzoo.files import atomic_path
from ganzoo.losses import get_loss_family
from ganzoo.precision import uses_float16
from ganzoo.xla import xla_unsupported


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
    """

    uses_labels = False  # conditional variants set True: their batches must carry labels

    def __init__(self, generator, discriminator, latent_dim, d_steps=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if int(d_steps) < 1:
            raise ValueError(f"d_steps must be a positive integer, got {d_steps}.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.d_steps = int(d_steps)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Tracked as a model variable so checkpoints save it and a resumed run draws the same latents.
        self.seed_state = self.seed_generator.state
        self.trackers = {
            name: keras.metrics.Mean(name=name) for name in ("d_loss", "g_loss", "d_real", "d_fake")
        }
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

    def discriminator_loss(self, real_logits, fake_logits):
        return self.loss_family.discriminator(real_logits, fake_logits)

    def generator_loss(self, fake_logits):
        return self.loss_family.generator(fake_logits)

    # ------------------------------------------------------------------ the loop

    def call(self, latents, training=False):
        return self.generator(latents, training=training)

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
            return self.discriminator_gradients(real, labels)[0], self.generator_gradients(ops.shape(real)[0], labels)[0]

        reason = xla_unsupported(gradients, batch)
        if reason is not None:
            warnings.warn(
                f"XLA cannot compile {self.name}'s train step ({reason}); training without jit_compile. "
                "Set train.jit_compile: false (or leave out --jit-compile) to skip this check.",
                stacklevel=3,
            )
            self.jit_compile = False
            self.make_train_function(force=True)

    def discriminator_gradients(self, real, labels):
        """Gradients of the discriminator loss on one batch, the loss, and the real and fake logits."""
        fake = self.generator(
            self.generator_inputs(self.sample_latents(ops.shape(real)[0]), labels), training=True
        )
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(self.discriminator_inputs(real, labels), training=True)
            fake_logits = self.discriminator(self.discriminator_inputs(fake, labels), training=True)
            loss, mean_loss = self.reduce_loss(self.discriminator_loss(real_logits, fake_logits))
            scaled_loss = self.d_optimizer.scale_loss(loss)
        grads = tape.gradient(scaled_loss, self.discriminator.trainable_variables)
        return grads, mean_loss, real_logits, fake_logits

    def generator_gradients(self, batch_size, labels):
        """Gradients of the generator loss through a fixed discriminator, and the loss."""
        with tf.GradientTape() as tape:
            fake = self.generator(
                self.generator_inputs(self.sample_latents(batch_size), labels), training=True
            )
            fake_logits = self.discriminator(self.discriminator_inputs(fake, labels), training=True)
            loss, mean_loss = self.reduce_loss(self.generator_loss(fake_logits))
            scaled_loss = self.g_optimizer.scale_loss(loss)
        return tape.gradient(scaled_loss, self.generator.trainable_variables), mean_loss

    def discriminator_step(self, real, labels):
        """One discriminator update; the generator's weights are not touched."""
        grads, mean_loss, real_logits, fake_logits = self.discriminator_gradients(real, labels)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_variables))
        self.trackers["d_real"].update_state(ops.mean(self.loss_family.d_output(real_logits)))
        self.trackers["d_fake"].update_state(ops.mean(self.loss_family.d_output(fake_logits)))
        return mean_loss

    def generator_step(self, batch_size, labels):
        """One generator update through a fixed discriminator."""
        grads, mean_loss = self.generator_gradients(batch_size, labels)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
        return mean_loss

    def train_step(self, data):
        real, labels = self.unpack_batch(data)
        for _ in range(self.d_steps):
            d_loss = self.discriminator_step(real, labels)
        g_loss = self.generator_step(ops.shape(real)[0], labels)
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
            self._sampler = tf.function(lambda inputs: self.generator(inputs, training=False), reduce_retracing=True)
        latents = self.latents_for(int(n), seed)
        chunks = []
        for start in range(0, len(latents), batch_size):
            part = None if labels is None else labels[start : start + batch_size]
            inputs = self.generator_inputs(latents[start : start + batch_size], part)
            chunks.append(ops.convert_to_numpy(self._sampler(inputs)))
        return np.concatenate(chunks).astype("float32")
