"""SRGAN and SRResNet (Ledig et al. 2017), as hooks on the translator base: a low-resolution image
in, the image `scale` times larger out.

SRResNet is the generator trained alone on the pixel loss (mean squared error): high PSNR, but
the average of every plausible detail, so a blur. SRGAN then adds a discriminator, whose
adversarial term (weighted 1e-3) asks for details a real image would have, and a content loss:
the squared distance between output and target in the feature maps of a fixed classifier (see
`ganzoo.content`), which matters more than pixels. As in the paper, SRGAN starts from SRResNet:
for its first `pretrain_images` real images the generator learns from the pixel loss alone and the
discriminator waits. `adversarial_weight: 0` is SRResNet itself.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganzoo.config import ConfigError
from ganzoo.content import check_content, content_network, default_extractor
from ganzoo.data.pairs import bicubic_upscale
from ganzoo.images import comparison_grid
from ganzoo.models.core import Step
from ganzoo.models.translator import Translator, Untracked, check_loss_weights, per_example_mean
from ganzoo.networks.srgan import upscale_steps
from ganzoo.registry import register_model


@register_model("srgan")
@keras.saving.register_keras_serializable(package="ganzoo")
class SRGAN(Translator):
    """Generator low-resolution source -> image `scale` times larger; discriminator image -> logit.

    Args:
        scale: the upscaling factor, a power of 2 (4).
        pixel_weight: weight of the mean squared error to the target (0 in the paper's SRGAN).
        content_weight: weight of the content loss, the mean squared error of feature maps (1).
        adversarial_weight: weight of the generator's adversarial term (1e-3; 0: SRResNet).
        content_extractor: the feature network of the content loss: `digits`, `shapes` or `vgg19`
            (None: digits for grey images, shapes for colour ones).
        content_layer: its tap (None: the extractor's default; see `ganzoo.content`).
        pretrain_images: real images shown while the generator learns from the pixel loss alone.
        Others: `AdversarialCore`'s settings.
    """

    loss_terms = {"discriminator": ("adversarial",), "generator": ("adversarial", "pixel", "content")}

    def __init__(self, generator, discriminator, scale: int = 4, pixel_weight: float = 0.0,
                 content_weight: float = 1.0, adversarial_weight: float = 1e-3,
                 content_extractor: str | None = None, content_layer: str | None = None,
                 pretrain_images: int = 0, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        channels = generator.output_shape[-1]
        settings = dict(scale=scale, pixel_weight=pixel_weight, content_weight=content_weight,
                        adversarial_weight=adversarial_weight, content_extractor=content_extractor,
                        content_layer=content_layer, pretrain_images=pretrain_images)
        SRGAN.check_settings(settings, tuple(generator.output_shape[1:]))
        if tuple(generator.output_shape[1:3]) != tuple(scale * side for side in generator.input_shape[1:3]):
            raise ValueError(f"The generator maps {generator.input_shape[1:3]} to {generator.output_shape[1:3]}, "
                             f"not a {scale}x upscaling.")
        self.scale, self.pixel_weight, self.content_weight = scale, pixel_weight, content_weight
        self.adversarial_weight, self.pretrain_images = adversarial_weight, int(pretrain_images)
        self.content_extractor, self.content_layer = content_extractor, content_layer
        self.loss_weights = {"g_adversarial": adversarial_weight, "g_pixel": pixel_weight, "g_content": content_weight}
        self._content = Untracked(None)
        if content_weight > 0:  # loaded now, so a missing VGG19 file stops before training
            self._content = Untracked(content_network(content_extractor or default_extractor(channels), content_layer, channels))
        self.images_shown, self._pretraining = None, False
        if self.pretrain_images:
            self.images_shown = keras.Variable(0, dtype="int64", trainable=False, name="images_shown",
                                               aggregation="only_first_replica")

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        check_loss_weights(settings, ("pixel_weight", "content_weight", "adversarial_weight"))
        try:
            upscale_steps(settings.get("scale", 4))
        except ValueError as error:
            raise ConfigError(f"model.{error}") from None
        if settings.get("pixel_weight", 0.0) == 0 and settings.get("content_weight", 1.0) == 0 \
                and settings.get("adversarial_weight", 1e-3) == 0:
            raise ConfigError("model.pixel_weight, content_weight and adversarial_weight are all 0: the generator "
                              "would learn nothing.")
        pretrain = settings.get("pretrain_images", 0)
        if isinstance(pretrain, bool) or not isinstance(pretrain, int) or pretrain < 0:
            raise ConfigError(f"model.pretrain_images is a number of real images, 0 or more; got {pretrain!r}.")
        if data_shape is not None:
            scale = settings.get("scale", 4)
            if len(data_shape) != 3 or data_shape[0] % scale or data_shape[1] % scale:
                raise ConfigError(f"SRGAN's targets must have sides that divide by model.scale {scale}; "
                                  f"got data_shape {list(data_shape)}.")
            if settings.get("content_weight", 1.0) > 0:
                extractor = settings.get("content_extractor") or default_extractor(data_shape[-1])
                check_content(extractor, settings.get("content_layer"), data_shape[-1])

    @classmethod
    def network_arguments(cls, settings: dict, data_shape: tuple) -> dict:
        arguments = super().network_arguments(settings, data_shape)
        arguments["generator"]["scale"] = settings.get("scale", 4)
        return arguments

    @classmethod
    def source_shape(cls, settings: dict, data_shape: tuple) -> tuple:
        scale = settings.get("scale", 4)
        return (data_shape[0] // scale, data_shape[1] // scale, data_shape[-1])

    def discriminator_inputs(self, samples, source):
        return samples

    # ------------------------------------------------------------------ training

    def reconstruction_terms(self, step: Step) -> dict:
        """Per-example pixel and content losses of the generator's output against the target."""
        fake, real = step.fakes["fake"], step.batch["real"]
        terms = {"pixel": per_example_mean(ops.square(fake - real), step.size)}
        if self.content_weight > 0:
            network = self._content.network
            distance = ops.square(ops.cast(network(fake, training=False), "float32")
                                  - ops.cast(network(real, training=False), "float32"))
            terms["content"] = per_example_mean(distance, step.size)
        else:
            terms["content"] = ops.zeros((step.size,))
        return terms

    def generator_terms(self, step: Step) -> dict:
        return {**super().generator_terms(step), **self.reconstruction_terms(step)}

    def generator_alone_step(self, data, weights: dict):
        """One generator update from the reconstruction terms alone (no discriminator), weighted by
        `weights`: SRResNet's step, and SRGAN's while it pretrains."""
        step = Step(self.unpack_batch(data))
        variables = self.player_variables("generator")
        with tf.GradientTape() as tape:
            step.fakes = self.generate_fakes(step)
            terms = self.reconstruction_terms(step)
            total, logged = 0.0, {}
            for name, weight in weights.items():
                scaled, mean = self.reduce_loss(terms[name])
                total, logged[name] = total + weight * scaled, weight * mean
            scaled_loss = self.g_optimizer.scale_loss(total)
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled_loss, variables), variables))
        self._track("generator", logged)
        return self.tracker_logs()

    def train_step(self, data):
        if self.adversarial_weight == 0:  # SRResNet
            return self.generator_alone_step(data, {"pixel": self.pixel_weight, "content": self.content_weight})
        if self._pretraining:
            logs = self.generator_alone_step(data, {"pixel": 1.0})
        else:
            logs = super().train_step(data)
        if self.images_shown is not None:
            replicas = tf.distribute.get_replica_context().num_replicas_in_sync
            examples = ops.shape(tf.nest.flatten(data)[0])[0]
            self.images_shown.assign_add(ops.cast(examples * replicas, "int64"))
        return logs

    def make_train_function(self, force=False):
        """With `pretrain_images`, one compiled step per phase, chosen before each call from the
        images shown so far: each phase traces only its own step (a phase never reached is never
        compiled), instead of one graph holding both behind a condition."""
        if not self.pretrain_images or self.adversarial_weight == 0:
            return super().make_train_function(force)
        if self.train_function is not None and not force:
            return self.train_function
        phases = {}

        def train_function(iterator):
            pretraining = int(ops.convert_to_numpy(self.images_shown)) < self.pretrain_images
            self._pretraining = pretraining  # read when the phase's step is traced (again, for a new batch shape)
            if pretraining not in phases:
                super(SRGAN, self).make_train_function(force=True)
                phases[pretraining] = self.train_function
                self.train_function = train_function
            return phases[pretraining](iterator)

        self.train_function = train_function
        return train_function

    # ------------------------------------------------------------------ using it

    def upscale(self, images, batch_size=64) -> np.ndarray:
        """Each low-resolution image `scale` times larger, as float32 NumPy in [-1, 1]. Any size
        works; `ganzoo upscale` tiles large images to bound memory."""
        return self.translate(images, batch_size=batch_size)

    def preview(self, n: int = 8, seed: int = 0, examples=None):
        """Rows of bicubic | SR output | original for the first `n` of `examples` (a (sources, targets) pair)."""
        if examples is None:
            raise ValueError(f"{self.name} upscales images: give preview the (sources, targets) to show.")
        sources, targets = (np.asarray(part, dtype="float32")[:n] for part in examples)
        return comparison_grid([bicubic_upscale(sources, self.scale), self.upscale(sources), targets])
