"""The adversarial core every ganzoo model shares: the loop, the tapes and everything around them.

The core owns the loop (`d_steps` discriminator updates, then one generator update), the two
gradient tapes, loss scaling (`optimizer.scale_loss`, for mixed_float16), the reduction to the
global batch (for tf.distribute), the penalties, the trackers, the generator's moving average,
compile and save. A variant only says what its batch holds, what it draws at random, what its
generator side produces and which per-example loss terms each player minimises; the task bases
above it (`LatentGAN`, `Translator`) add sampling. So no variant copies a tape, and none can drop
the loss scaling or the per-replica reduction.
"""
from __future__ import annotations

import functools
import warnings
from typing import Optional

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganzoo.augment import AUGMENTATIONS, diff_augment
from ganzoo.config import ConfigError, constructor_parameters
from ganzoo.data.checks import check_training_data, example_batch
from ganzoo.distribute import spans_several_workers
from ganzoo.files import atomic_path
from ganzoo.interrupts import CtrlCGuard
from ganzoo.losses import PENALTIES, clip_weights, get_loss_family
from ganzoo.precision import uses_float16
from ganzoo.xla import xla_unsupported

SIDES = ("discriminator", "generator")
PREFIX = {"discriminator": "d", "generator": "g"}


class Step:
    """One update's context: the batch's named parts, the generator side's random draws, its
    outputs, and the discriminator scores to monitor (`real`, `fake`). Built afresh for every
    update; it exists only while TensorFlow traces the step."""

    def __init__(self, batch: dict):
        self.batch = batch
        self.draws: dict = {}
        self.fakes: dict = {}
        self.scores: dict = {}

    @property
    def size(self):
        """Examples in this replica's batch (a tensor)."""
        return ops.shape(next(iter(self.batch.values())))[0]


def pack_samples(samples, pack: int):
    """PacGAN (Lin et al. 2018): stack each run of `pack` consecutive samples along the last axis,
    so the discriminator judges them jointly; (N, ..., C) -> (N // pack, ..., pack * C). A batch that
    is not a multiple of `pack` loses its last N mod pack samples."""
    shape = ops.shape(samples)
    groups = shape[0] // pack
    grouped = ops.reshape(samples[: groups * pack], (groups, pack, *samples.shape[1:]))
    grouped = ops.moveaxis(grouped, 1, -2)  # (groups, ..., pack, C)
    return ops.reshape(grouped, (groups, *samples.shape[1:-1], pack * samples.shape[-1]))


def _loss_scaled(optimizer):
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):  # e.g. restored from a saved model
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)


def _inference(network, inputs, **options):
    return network(inputs, training=False, **options)


def _variables(networks, attribute="trainable_variables") -> list:
    return [variable for network in networks for variable in getattr(network, attribute)]


@keras.saving.register_keras_serializable(package="ganzoo")
class AdversarialCore(keras.Model):
    """A generator side and a discriminator side trained by `fit` with one custom `train_step`.

    Args (the model settings every variant shares; a preset sets them under `model:`):
        generator, discriminator: the Keras networks of the two players.
        d_steps: discriminator updates per generator update (same real batch, new draws).
        seed: seed of the random draws made during training.
        penalties: gradient penalties on the discriminator and their weights, named in
            `ganzoo.losses.PENALTIES`: `{"gp": 10}` (WGAN-GP) or `{"r1": 10}`.
        penalty_every: lazy regularisation (StyleGAN2): the penalties are applied on every k-th
            discriminator update only, weighted k times.
        clip_weights: clip every discriminator weight to [-c, c] after each update (original WGAN).
        pack: PacGAN degree; the discriminator must take `pack` times the data's channels.
        unrolled_steps: look-ahead discriminator updates for the generator (unrolled GAN).
        ema: decay of a moving average of the generator's weights, which sampling then uses.
        augment: DiffAugment policy applied to real and fake images, e.g. "color,translation,cutout".

    What a variant declares (class attributes) and overrides (hooks):
        batch_structure: the names of what one batch holds, in order: ("real",), ("real", "labels"),
            ("source", "real"), ("a", "b").
        pairing: the `data.pairing` its presets need: none, labels, paired or unpaired.
        network_names: constructor arguments that hold Keras networks (saved with the model);
            `network_roles` maps a name to the family's builder role when they differ.
        loss_terms: the per-example terms each side returns; `loss_weights` weighs them.
        draw(step), generate_fakes(step), conditioning(step), fake_conditioning(step),
        discriminator_terms(step), generator_terms(step), penalty_critic(step), generator_networks(),
        discriminator_networks().
    """

    batch_structure: tuple = ("real",)
    pairing = "none"
    num_classes = None  # how many classes the labels of its data take (conditional and semi-supervised variants)
    conditional = False  # whether it generates samples of the classes it is asked for
    takes_examples = False  # whether its preview and evaluation samples are made from given real examples
    network_names: tuple = ("generator", "discriminator")
    network_roles: dict = {}  # network name -> builder role, when they differ (CycleGAN's "generator_ba")
    loss_terms = {"discriminator": ("adversarial",), "generator": ("adversarial",)}

    def __init__(self, generator, discriminator, d_steps: int = 1, seed: Optional[int] = None,
                 penalties: Optional[dict] = None, penalty_every: int = 1, clip_weights: Optional[float] = None,
                 pack: int = 1, unrolled_steps: int = 0, ema: Optional[float] = None,
                 augment: Optional[str] = None, **kwargs):
        super().__init__(**kwargs)
        AdversarialCore.check_settings(
            dict(d_steps=d_steps, penalties=penalties or {}, penalty_every=penalty_every, clip_weights=clip_weights,
                 pack=pack, unrolled_steps=unrolled_steps, ema=ema, augment=augment)
        )
        self.generator = generator
        self.discriminator = discriminator
        self.d_steps = int(d_steps)
        self.seed = seed
        self.penalties = dict(penalties or {})
        self.penalty_every = int(penalty_every)
        self.clip_weights = clip_weights
        self.pack = int(pack)
        self.unrolled_steps = int(unrolled_steps)
        self.ema = ema
        self.augment = augment
        self.loss_weights: dict = {}  # "<side>_<term>" -> weight; unnamed terms weigh 1
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Tracked as a model variable so checkpoints save it and a resumed run draws the same numbers.
        self.seed_state = self.seed_generator.state
        self.penalty_phase = None
        if self.penalty_every > 1:  # lazy penalties: updates so far, saved so a resume keeps the phase
            self.penalty_phase = keras.Variable(0, dtype="int64", trainable=False, name="penalty_phase")
        self.generator_ema = None
        if ema is not None:  # starts as a copy of the generator; saved with the model
            self.generator_ema = keras.models.clone_model(generator)
            self.generator_ema.set_weights(generator.get_weights())
            self.generator_ema.trainable = False
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.tracked_names()}
        self._samplers: dict = {}  # compiled forward passes of sampling, one per set of options
        self.built = True

    # ------------------------------------------------------------------ settings

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        """Refuse impossible settings by name, before anything is built. Variants extend this with
        their own settings (call super()); `data_shape` is the preset's, when known."""
        for name in ("d_steps", "pack", "penalty_every"):
            value = settings.get(name, 1)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"model.{name} must be a positive integer, got {value!r}.")
        if settings.get("clip_weights") is not None and not settings["clip_weights"] > 0:
            raise ConfigError(f"model.clip_weights must be positive, got {settings['clip_weights']}.")
        if settings.get("unrolled_steps", 0) < 0:
            raise ConfigError(f"model.unrolled_steps must be 0 or more, got {settings['unrolled_steps']}.")
        ema = settings.get("ema")
        if ema is not None and not 0 < ema < 1:
            raise ConfigError(f"model.ema is a decay rate in (0, 1), such as 0.999; got {ema}.")
        penalties = settings.get("penalties") or {}
        unknown = sorted(set(penalties) - set(PENALTIES))
        if unknown:
            raise ConfigError(f"Unknown model.penalties {unknown}. Available: {', '.join(PENALTIES)}.")
        for name, weight in penalties.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
                raise ConfigError(f"model.penalties.{name} is a positive weight, such as 10; got {weight!r}.")
        augment = settings.get("augment")
        if augment is not None:
            if data_shape is not None and len(data_shape) != 3:
                raise ConfigError("model.augment (DiffAugment) is for images; remove it for this data.")
            unknown = sorted({name.strip() for name in augment.split(",")} - set(AUGMENTATIONS))
            if unknown:
                raise ConfigError(f"Unknown model.augment {unknown}. Available: {', '.join(AUGMENTATIONS)}.")

    @classmethod
    def network_arguments(cls, settings: dict, data_shape: tuple) -> dict:
        """What each network builder receives from the model settings, by network name; the keys
        named here cannot also be set under `model.<network>:`."""
        packed = (*data_shape[:-1], data_shape[-1] * settings.get("pack", 1))
        return {"generator": {"data_shape": data_shape}, "discriminator": {"data_shape": packed}}

    def tracked_names(self) -> list:
        """The figures `fit` logs: each side's total loss, its named terms, the discriminator's mean
        scores on real and fake data, and the penalty."""
        names = ["d_loss", "g_loss", "d_real", "d_fake"]
        for side in SIDES:
            names += [f"{PREFIX[side]}_{term}" for term in self.loss_terms[side] if term != "adversarial"]
        return names + (["d_penalty"] if self.penalties else [])

    # ------------------------------------------------------------------ players

    def generator_networks(self) -> list:
        """The networks the generator optimizer updates (CycleGAN: both generators)."""
        return [self.generator]

    def discriminator_networks(self) -> list:
        """The networks the discriminator optimizer updates (InfoGAN: with its Q head)."""
        return [self.discriminator]

    def player_variables(self, side: str) -> list:
        networks = self.generator_networks() if side == "generator" else self.discriminator_networks()
        return _variables(networks)

    # ------------------------------------------------------------------ compile & serialization

    def compile(self, g_optimizer="adam", d_optimizer="adam", loss="non_saturating", **kwargs):
        """Give each player its own optimizer and choose the loss family by name.

        `jit_compile=True` compiles the train step with XLA; `fit` falls back to plain TensorFlow,
        with a warning naming the operations, when XLA cannot compile it.
        """
        super().compile(optimizer=None, **kwargs)
        self.g_optimizer = keras.optimizers.get(g_optimizer)
        self.d_optimizer = keras.optimizers.get(d_optimizer)
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("Give the generator and the discriminator separate optimizer instances.")
        if uses_float16(*self.generator_networks(), *self.discriminator_networks()):  # mixed_float16
            self.g_optimizer, self.d_optimizer = map(_loss_scaled, (self.g_optimizer, self.d_optimizer))
        self.loss_name = loss
        self.loss_family = get_loss_family(loss)
        # Build optimizer slots now so checkpoints can be restored into them before the first step.
        self.g_optimizer.build(self.player_variables("generator"))
        self.d_optimizer.build(self.player_variables("discriminator"))
        self._gan_compile_kwargs = kwargs

    @property
    def metrics(self):
        """Only the model's own trackers: Keras' single `loss` tracker means nothing for two players."""
        return list(self.trackers.values())

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
        """Every constructor argument, read from the attribute of the same name; networks serialized."""
        config = {"name": self.name, "trainable": self.trainable}
        for name in constructor_parameters(type(self)):
            value = getattr(self, name)
            config[name] = keras.saving.serialize_keras_object(value) if name in self.network_names else value
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in cls.network_names:
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def save(self, filepath, overwrite=True, **kwargs):
        """`keras.Model.save`, written to a temporary file and renamed, so a kill never corrupts it."""
        with atomic_path(filepath) as temporary:
            super().save(str(temporary), overwrite=True, **kwargs)

    # ------------------------------------------------------------------ batches and draws

    def batch_spec(self) -> dict:
        """The per-example shape of each named batch part (None: an integer label), for checking
        data before training and for making test batches."""
        raise NotImplementedError(f"{type(self).__name__} must say what its batches hold (batch_spec).")

    def unpack_batch(self, data) -> dict:
        """Name the parts of what the data set yields, in `batch_structure` order."""
        parts = tuple(data) if isinstance(data, (tuple, list)) else (data,)
        if len(parts) != len(self.batch_structure):
            raise ValueError(
                f"{type(self).__name__} trains on batches of ({', '.join(self.batch_structure)}); "
                f"got {len(parts)} part(s)."
            )
        return dict(zip(self.batch_structure, parts))

    def draw_random(self, sample, shape, **options):
        """One random draw of the training step from `sample` (a `keras.random` function such as
        `normal`, `uniform` or `randint`), replica-safe: under tf.distribute the SeedGenerator gives
        every replica the same numbers, so each replica takes its own slice of one draw made for
        the global batch. Every random input of a variant (latents, labels, codes, noise, mixing
        points, penalty interpolation, DiffAugment) goes through here."""
        replica = tf.distribute.get_replica_context()  # None outside a replica, e.g. in `generate`
        if replica is None or replica.num_replicas_in_sync == 1:
            return sample(shape, seed=self.seed_generator, **options)
        draws = sample((replica.num_replicas_in_sync, *shape), seed=self.seed_generator, **options)
        return tf.gather(draws, replica.replica_id_in_sync_group)

    # ------------------------------------------------------------------ hooks for variants

    def draw(self, step: Step) -> dict:
        """The random inputs the generator side needs for this batch (latents, labels, codes...)."""
        return {}

    def generate_fakes(self, step: Step, training=True) -> dict:
        """The generator side's outputs for this step's batch and draws, by name (at least `fake`)."""
        raise NotImplementedError(f"{type(self).__name__} must define generate_fakes.")

    def conditioning(self, step: Step):
        """What the discriminator sees beside a sample: a conditional variant's labels, a
        translator's source; None for an unconditional model."""
        return None

    def fake_conditioning(self, step: Step):
        """What the discriminator sees beside a generated sample: what it sees beside a real one (a
        translator's source) unless the generator was given something else (a conditional latent
        model's drawn labels)."""
        return self.conditioning(step)

    def discriminator_terms(self, step: Step) -> dict:
        """Per-example loss terms of the discriminator side, named as in `loss_terms`: by default the
        loss family's, on the real batch and the generator's `fake`."""
        step.scores["real"] = self.critic(step.batch["real"], self.conditioning(step))
        step.scores["fake"] = self.critic(step.fakes["fake"], self.fake_conditioning(step))
        return {"adversarial": self.loss_family.discriminator(step.scores["real"], step.scores["fake"])}

    def generator_terms(self, step: Step) -> dict:
        """Per-example loss terms of the generator side, named as in `loss_terms`."""
        fake_logits = self.critic(step.fakes["fake"], self.fake_conditioning(step))
        return {"adversarial": self.loss_family.generator(fake_logits)}

    def penalty_critic(self, step: Step):
        """(critic function of one tensor, real, fake) for the gradient penalties."""
        critic = functools.partial(self.critic, conditioning=self.conditioning(step))
        return critic, step.batch["real"], step.fakes["fake"]

    def critic(self, samples, conditioning=None, training=True, discriminator=None):
        """A discriminator's logits for `samples`: augmented (DiffAugment), given the variant's
        inputs, and packed (PacGAN) as configured. Real and fake samples both pass through here."""
        if self.augment:
            samples = diff_augment(samples, self.augment, self.draw_random)
        inputs = self.discriminator_inputs(samples, conditioning)
        if self.pack > 1:
            inputs = pack_samples(inputs, self.pack)
        return (discriminator or self.discriminator)(inputs, training=training)

    def discriminator_inputs(self, samples, conditioning):
        """What the discriminator receives for samples and their conditioning (labels, a source)."""
        return samples

    # ------------------------------------------------------------------ the loop

    def reduce_loss(self, per_example):
        """Mean over this replica's batch, scaled so summing replicas gives the global-batch mean;
        returns (that, the plain mean for logging)."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        return ops.mean(per_example) / replicas, ops.mean(per_example)

    def _weighed(self, side: str, terms: dict):
        """The weighted, reduced sum of one side's terms, and each term's mean for logging."""
        expected = set(self.loss_terms[side])
        if set(terms) != expected:
            raise ValueError(
                f"{type(self).__name__}.{side}_terms returned {sorted(terms)}; loss_terms declares {sorted(expected)}."
            )
        total, logged = None, {}
        for name in self.loss_terms[side]:
            scaled, mean = self.reduce_loss(terms[name])
            weight = self.loss_weights.get(f"{PREFIX[side]}_{name}", 1.0)
            scaled = scaled if weight == 1.0 else weight * scaled
            total = scaled if total is None else total + scaled
            logged[name] = mean if weight == 1.0 else weight * mean
        return total, logged

    def _penalty(self, step: Step):
        """The configured penalties, weighted and reduced like the losses: (the sum to add to this
        replica's loss, its mean for logging). Lazy ones (`penalty_every` k) are computed on every
        k-th discriminator update, weighted k times, and are 0 otherwise."""

        def penalties():
            critic, real, fake = self.penalty_critic(step)
            total, mean = 0.0, 0.0
            for name, weight in self.penalties.items():
                penalty = PENALTIES[name]
                per_example = (penalty.scale * weight * self.penalty_every) * penalty.per_example(
                    critic, real, fake, self.draw_random
                )
                scaled, value = self.reduce_loss(per_example)
                total, mean = total + scaled, mean + value
            return total, mean

        if self.penalty_every == 1:
            return penalties()
        due = ops.equal(self.penalty_phase % self.penalty_every, 0)
        zero = ops.zeros((), "float32")
        return tf.cond(due, lambda: tuple(map(ops.convert_to_tensor, penalties())), lambda: (zero, zero))

    def discriminator_gradients(self, batch: dict):
        """Gradients of the discriminator side's loss (penalties included) on one batch, and what to log."""
        step = Step(batch)
        step.draws = self.draw(step)
        step.fakes = self.generate_fakes(step)
        variables = self.player_variables("discriminator")
        with tf.GradientTape() as tape:
            loss, logged = self._weighed("discriminator", self.discriminator_terms(step))
            penalty, logged_penalty = self._penalty(step) if self.penalties else (0.0, 0.0)
            scaled_loss = self.d_optimizer.scale_loss(loss + penalty)
        grads = tape.gradient(scaled_loss, variables)
        return grads, variables, logged, logged_penalty, step.scores

    def generator_gradients(self, batch: dict):
        """Gradients of the generator side's loss through fixed discriminators, and what to log."""
        step = Step(batch)
        variables = self.player_variables("generator")
        with tf.GradientTape() as tape:
            step.draws = self.draw(step)
            step.fakes = self.generate_fakes(step)
            loss, logged = self._weighed("generator", self.generator_terms(step))
            scaled_loss = self.g_optimizer.scale_loss(loss)
        return tape.gradient(scaled_loss, variables), variables, logged

    def discriminator_step(self, batch: dict, track=True) -> dict:
        """One discriminator-side update (then weight clipping, if set); the generator is not touched."""
        grads, variables, logged, penalty, scores = self.discriminator_gradients(batch)
        self.d_optimizer.apply_gradients(zip(grads, variables))
        if self.penalty_phase is not None:
            self.penalty_phase.assign_add(1)
        if self.clip_weights:
            clip_weights(variables, self.clip_weights)
        if track:
            for name in ("real", "fake"):
                if name in scores:
                    self.trackers[f"d_{name}"].update_state(ops.mean(self.loss_family.d_output(scores[name])))
            if self.penalties:
                self.trackers["d_penalty"].update_state(penalty)
        return logged

    def generator_step(self, batch: dict) -> dict:
        """One generator-side update through fixed discriminators."""
        grads, variables, logged = self.generator_gradients(batch)
        self.g_optimizer.apply_gradients(zip(grads, variables))
        return logged

    def unrolled_generator_step(self, batch: dict) -> dict:
        """Unrolled GAN (Metz et al. 2016): the generator is updated against the discriminator as it
        will be after `unrolled_steps` more updates on this batch; then the discriminator side and its
        optimizer are put back, so its real trajectory is that of a plain step. The generator's
        gradient is taken at the unrolled weights, treating them as constants: the term through the
        discriminator's own updates is dropped (the first-order variant), which keeps the cost at
        k extra discriminator steps."""
        variables = _variables(self.discriminator_networks(), "weights") + self.d_optimizer.variables
        if self.penalty_phase is not None:
            variables.append(self.penalty_phase)
        saved = [ops.copy(variable.value) for variable in variables]
        for _ in range(self.unrolled_steps):
            self.discriminator_step(batch, track=False)
        logged = self.generator_step(batch)
        for variable, value in zip(variables, saved):
            variable.assign(value)
        return logged

    def update_ema(self):
        """Move the generator's average toward its live weights: avg <- ema * avg + (1 - ema) * w.
        Non-trainable weights (batch-norm statistics) are copied from the live generator."""
        for average, live in zip(self.generator_ema.weights, self.generator.weights):
            average.assign(self.ema * average + (1.0 - self.ema) * live if live.trainable else live)

    def _track(self, side: str, logged: dict) -> None:
        total = None
        for name, value in logged.items():
            total = value if total is None else total + value
            if name != "adversarial":
                self.trackers[f"{PREFIX[side]}_{name}"].update_state(value)
        self.trackers[f"{PREFIX[side]}_loss"].update_state(total)

    def train_step(self, data):
        batch = self.unpack_batch(data)
        for _ in range(self.d_steps):
            d_logged = self.discriminator_step(batch)
        g_logged = self.unrolled_generator_step(batch) if self.unrolled_steps else self.generator_step(batch)
        if self.generator_ema is not None:
            self.update_ema()
        self._track("discriminator", d_logged)
        self._track("generator", g_logged)
        return self.tracker_logs()

    def tracker_logs(self) -> dict:
        """What a train step returns: every tracker's current value."""
        logs = {name: tracker.result() for name, tracker in self.trackers.items()}
        if spans_several_workers(tf.distribute.get_strategy()):
            # Keras 3 averages multi-worker logs along axis 0, which scalars lack (tensorflow#72388).
            logs = {name: ops.reshape(value, (1,)) for name, value in logs.items()}
        return logs

    def fit(self, x=None, y=None, callbacks=None, **kwargs):
        """`keras.Model.fit`, after checking that the data matches what the model trains on, with a
        `CtrlCGuard`, so that Ctrl-C stops training even when it lands in a TensorFlow finalizer."""
        check_training_data(x, self.batch_spec(), y)
        # A multi-replica step cannot be lowered on its own; there Keras reports XLA errors itself.
        if self.jit_compile is True and self.distribute_strategy.num_replicas_in_sync == 1:
            self._fall_back_unless_xla_compiles(example_batch(x, y))
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)  # a Dataset shuffles itself; avoids Keras' warning
        guard = CtrlCGuard()
        if not isinstance(callbacks, keras.callbacks.CallbackList):  # a built CallbackList is the caller's own
            callbacks = [*(callbacks or []), guard]
        with guard:
            return super().fit(x, y, callbacks=callbacks, **kwargs)

    def _fall_back_unless_xla_compiles(self, data):
        def gradients(data):
            batch = self.unpack_batch(data)
            return self.discriminator_gradients(batch)[0], self.generator_gradients(batch)[0]

        reason = xla_unsupported(gradients, data)
        if reason is not None:
            warnings.warn(
                f"XLA cannot compile {self.name}'s train step ({reason}); training without jit_compile. "
                "Set train.jit_compile: false (or leave out --jit-compile) to skip this check.",
                stacklevel=3,
            )
            self.jit_compile = False
            self.make_train_function(force=True)

    # ------------------------------------------------------------------ sampling, shared by both task bases

    @property
    def sampling_generator(self):
        """The network that sampling uses: the generator's moving average when `ema` is set."""
        return self.generator if self.generator_ema is None else self.generator_ema

    def sample_forward(self, inputs, network: Optional[str] = None, **options) -> np.ndarray:
        """The sampling network (or the network attribute named `network`, such as CycleGAN's
        `generator_ba`) on `inputs` in inference mode, compiled once and reused; `options` (such as
        a truncation) reach its call."""
        key = (network, *sorted(options.items()))
        if key not in self._samplers:
            # A partial, not a lambda: TensorFlow counts retracing per function code, so the samplers
            # of many models built in one process would set off its excessive-retracing warning.
            chosen = self.sampling_generator if network is None else getattr(self, network)
            forward = functools.partial(_inference, chosen, **options)
            self._samplers[key] = tf.function(forward, reduce_retracing=True)
        return tf.nest.map_structure(ops.convert_to_numpy, self._samplers[key](inputs))  # NumPy, or a list of them

    def preview(self, n: int = 64, seed: int = 0, examples=None) -> np.ndarray:
        """One uint8 picture that shows what the model does now (SampleGrid, `ganzoo sample`, tutorials)."""
        raise NotImplementedError(f"{type(self).__name__} must define preview (LatentGAN and Translator do).")

    def evaluation_samples(self, n: int, seed: int = 0, data=None):
        """`n` generated samples for the Evaluator to compare with real data; `data` is the real data
        in the model's batch structure, for variants that need it (labels, sources)."""
        raise NotImplementedError(f"{type(self).__name__} must define evaluation_samples (LatentGAN and Translator do).")
