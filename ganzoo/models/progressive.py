"""Progressive growing of GANs (Karras et al. 2018): training starts at 4x4 and fades in one
resolution after another, driven by the number of real images shown.

The networks are built once at full resolution (`ganzoo.networks.pggan`) and take the level of
detail as a second input, so nothing is rebuilt while they grow. The level is derived in the
train step from `images_shown`, a model variable, as the official code derives it from the
images shown (`TrainingSchedule`): `stable_images` at the start resolution, then, per doubling,
`fade_images` while the new resolution fades in and `stable_images` at it. Checkpoints and
`.keras` files carry `images_shown`, so a run stopped in the middle of a fade resumes at the same
level and alpha, bit for bit.
"""
from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganzoo.config import ConfigError
from ganzoo.layers.progressive import images_at_level
from ganzoo.models.core import Step
from ganzoo.models.latent import LatentGAN
from ganzoo.networks.pggan import growth_stages
from ganzoo.registry import register_model


@keras.saving.register_keras_serializable(package="ganzoo")
class Latest(keras.metrics.Metric):
    """The last value given, not an average: what `fit` logs for the growth (resolution, alpha)."""

    def __init__(self, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.value = self.add_variable(shape=(), initializer="zeros", name="value", aggregation="mean")

    def update_state(self, value):
        self.value.assign(ops.cast(value, self.dtype))

    def result(self):
        return ops.convert_to_tensor(self.value)


def growth_level(images_shown, stable_images: int, fade_images: int, start_stage: int, stages: int):
    """The level of detail after `images_shown` real images (float32; see ganzoo.layers.progressive):
    `start_stage` for the first `stable_images`, then up by one over each `fade_images`, with
    `stable_images` between fades, up to `stages` (the full resolution)."""
    shown = ops.cast(images_shown, "int64")
    period = stable_images + fade_images
    phase = shown // period
    fading = ops.cast(ops.maximum(shown - phase * period - stable_images, 0), "float64") / fade_images
    level = ops.minimum(start_stage + ops.cast(phase, "float64") + fading, float(stages))
    return ops.cast(level, "float32")


def stage_and_alpha(level):
    """(the stage being trained, its fade-in alpha) at `level`: alpha is 1 once it has grown in."""
    stage = ops.ceil(level)
    return stage, level - stage + 1.0


@register_model("progressive")
@keras.saving.register_keras_serializable(package="ganzoo")
class ProgressiveGAN(LatentGAN):
    """A latent GAN whose networks grow from `start_resolution` to the image size (PGGAN).

    Args:
        stable_images: real images shown at each resolution once it has faded in (and at the start).
        fade_images: real images shown while each new resolution fades in.
        start_resolution: the resolution training starts at (a power of 2, from 4 up).
        (the rest: `LatentGAN`'s settings. The paper trains with `loss: wasserstein` and
        `penalties: {gp: 10, drift: 0.001}`; the presets use `non_saturating` with lazy R1, which
        learnt faster on a CPU's budget)

    Networks: a family whose generator takes [z, level] and whose discriminator takes
    [image, level] (`network: pggan`). Real images are low-passed to the current level before the
    discriminator sees them, as the generator's images are. `generate`, `preview` and the sample
    grids draw at the current level; `level`, `resolution` and `alpha` report it, and `fit` logs
    `resolution` and `alpha`.
    """

    def __init__(self, generator, discriminator, stable_images: int = 60_000, fade_images: int = 60_000,
                 start_resolution: int = 4, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        settings = dict(stable_images=stable_images, fade_images=fade_images, start_resolution=start_resolution, pack=self.pack)
        ProgressiveGAN.check_settings(settings, tuple(generator.output_shape[1:]))
        self.stable_images = int(stable_images)
        self.fade_images = int(fade_images)
        self.start_resolution = int(start_resolution)
        self.stages = growth_stages(tuple(generator.output_shape[1:]))
        # Summed over replicas by each step's global batch: every replica adds the same count.
        self.images_shown = keras.Variable(0, dtype="int64", trainable=False, name="images_shown",
                                           aggregation="only_first_replica")
        self.trackers["resolution"] = Latest(name="resolution")
        self.trackers["alpha"] = Latest(name="alpha")

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        for name, least in (("stable_images", 0), ("fade_images", 1)):
            value = settings.get(name, least)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ConfigError(f"model.{name} is a number of real images, at least {least}; got {value!r}.")
        start = settings.get("start_resolution", 4)
        if isinstance(start, bool) or not isinstance(start, int) or start < 4 or start & (start - 1):
            raise ConfigError(f"model.start_resolution must be a power of 2 from 4 up (4, 8, 16...); got {start!r}.")
        if data_shape is not None:
            growth_stages(data_shape)
            if start > data_shape[0]:
                raise ConfigError(f"model.start_resolution {start} is above the image size {data_shape[0]}.")
        if settings.get("pack", 1) != 1:
            raise ConfigError("model.pack is not supported by progressive growing: its discriminator takes the level beside the images.")

    # ------------------------------------------------------------------ the level of detail

    def level_at(self, images_shown):
        """The level of detail (float32) after `images_shown` real images."""
        start_stage = int(math.log2(self.start_resolution)) - 2
        return growth_level(images_shown, self.stable_images, self.fade_images, start_stage, self.stages)

    def current_level(self):
        """The level this step trains at (a tensor)."""
        return self.level_at(self.images_shown)

    @property
    def level(self) -> float:
        """The current level of detail: 0 at 4x4, s - 1 + alpha while 4 * 2**s fades in."""
        return float(ops.convert_to_numpy(self.current_level()))

    @property
    def resolution(self) -> int:
        """The resolution being trained (during a fade, the one fading in)."""
        stage, _ = stage_and_alpha(self.current_level())
        return 4 * 2 ** int(ops.convert_to_numpy(stage))

    @property
    def alpha(self) -> float:
        """How far `resolution` has faded in: in (0, 1) during its fade, 1 after it."""
        return float(ops.convert_to_numpy(stage_and_alpha(self.current_level())[1]))

    # ------------------------------------------------------------------ training hooks

    def unpack_batch(self, data) -> dict:
        """The batch, with its real images low-passed to the current level."""
        batch = super().unpack_batch(data)
        return {**batch, "real": images_at_level(batch["real"], self.current_level())}

    def draw(self, step: Step) -> dict:
        level = ops.broadcast_to(ops.reshape(self.current_level(), (1, 1)), (step.size, 1))
        return {**super().draw(step), "level": level}

    def generator_inputs(self, draws: dict):
        return [draws["latents"], draws["level"]]

    def conditioning(self, step: Step):
        """The discriminator sees the level beside every sample."""
        return step.draws["level"]

    def discriminator_inputs(self, samples, conditioning):
        return [samples, conditioning]

    def train_step(self, data):
        stage, alpha = stage_and_alpha(self.current_level())
        self.trackers["resolution"].update_state(4.0 * 2.0**stage)
        self.trackers["alpha"].update_state(alpha)
        logs = super().train_step(data)
        replicas = tf.distribute.get_replica_context().num_replicas_in_sync
        examples = ops.shape(tf.nest.flatten(data)[0])[0]
        self.images_shown.assign_add(ops.cast(examples * replicas, "int64"))
        return logs

    # ------------------------------------------------------------------ sampling

    def sampling_draws(self, n: int, labels=None, seed=None) -> dict:
        """Latents, and the current level for every sample: grids show what the model draws now."""
        draws = super().sampling_draws(n, labels, seed)
        return {**draws, "level": np.full((n, 1), self.level, dtype="float32")}
