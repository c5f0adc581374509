"""The translator task base: an image in, an image out (Pix2Pix, CycleGAN, super-resolution)."""
from __future__ import annotations

import functools

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganzoo.config import ConfigError
from ganzoo.images import comparison_grid
from ganzoo.models.core import AdversarialCore, Step
from ganzoo.networks.blocks import any_size_copy


def check_loss_weights(settings: dict, names) -> None:
    """Refuse a negative weight among the settings `names` (the extra loss terms of a translator)."""
    for name in names:
        weight = settings.get(name, 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise ConfigError(f"model.{name} is a weight of 0 or more; got {settings[name]}.")


def per_example_mean(values, size):
    """The mean of `values` over everything but the batch axis, in float32: a loss term per example."""
    return ops.mean(ops.reshape(ops.cast(values, "float32"), (size, -1)), axis=-1)


class Untracked:
    """Networks held out of the model's tracked layers, so they are neither trained nor saved."""

    def __init__(self, network=None):
        self.network = network
        self.networks: dict = {}


@keras.saving.register_keras_serializable(package="ganzoo")
class Translator(AdversarialCore):
    """Trains on (source, real) pairs: the generator maps a source image to its target.

    No latent: the generator's input is the source. The default discriminator judges the image
    alone; a variant whose discriminator sees the pair (Pix2Pix) overrides `discriminator_inputs`,
    and one with terms beyond the adversarial loss (an L1 or content loss) adds them to
    `loss_terms` and returns them from `generator_terms`.
    """

    batch_structure = ("source", "real")
    pairing = "paired"
    takes_examples = True

    def __init__(self, generator, discriminator, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self._any_size = Untracked()  # size-free copies of the generators, never saved

    @classmethod
    def source_shape(cls, settings: dict, data_shape: tuple) -> tuple:
        """The shape of a source image for a preset's settings and target shape (checked against
        the data before anything is built): the target's, unless a variant says otherwise."""
        return tuple(data_shape)

    def batch_spec(self) -> dict:
        return {"source": tuple(self.generator.input_shape[1:]), "real": tuple(self.generator.output_shape[1:])}

    # ------------------------------------------------------------------ training hooks

    def generate_fakes(self, step: Step, training=True) -> dict:
        return {"fake": self.generator(step.batch["source"], training=training)}

    def conditioning(self, step: Step):
        """The source image: a variant whose discriminator judges (source, image) pairs (Pix2Pix)
        uses it in `discriminator_inputs`; the default discriminator ignores it."""
        return step.batch["source"]

    # ------------------------------------------------------------------ using it

    def call(self, images, training=False):
        return (self.generator if training else self.sampling_generator)(images, training=training)

    def translate(self, images, batch_size=256, network: str = "generator") -> np.ndarray:
        """The generator's output for each source image (or that of the generator attribute named
        `network`), as float32 NumPy. Images of another size than the training sources go through
        a copy of the network built without a fixed size, when its layers allow that size."""
        images = np.asarray(images, dtype="float32")
        expected = tuple(getattr(self, network).input_shape[1:])
        if images.ndim != 4 or images.shape[-1] != expected[-1]:
            raise ValueError(f"{self.name} translates images shaped (n, height, width, {expected[-1]}); "
                             f"got a batch of shape {images.shape}.")
        if images.shape[1:] == expected:
            chosen = None if network == "generator" else network  # the generator samples through its average, if any
            forward = functools.partial(self.sample_forward, network=chosen)
        else:
            forward = self._any_size_forward(network, images.shape[1:])
        chunks = [forward(images[start : start + batch_size]) for start in range(0, len(images), batch_size)]
        return np.concatenate(chunks).astype("float32")

    def _any_size_forward(self, network: str, shape: tuple):
        """A forward pass of `network` (the sampling generator for "generator") through a copy
        without a fixed input size, holding the network's current weights."""
        live = self.sampling_generator if network == "generator" else getattr(self, network)
        twins = self._any_size.networks
        if network in twins:
            twins[network].set_weights(live.get_weights())
        else:
            try:
                twins[network] = any_size_copy(live, shape[-1])
            except Exception as error:  # Keras raises assorted types for layers that need a fixed size
                raise ValueError(f"{self.name}'s {network} only takes images of {live.input_shape[1:]}: {error}") from None
        twin = twins[network]

        def forward(batch):
            try:
                return ops.convert_to_numpy(twin(batch, training=False))
            except (ValueError, tf.errors.InvalidArgumentError) as error:
                reason = str(error).strip().splitlines()[0][:200]
                raise ValueError(
                    f"{self.name}'s {network} cannot take images of {shape[0]}x{shape[1]} ({reason}); it was trained on "
                    f"{live.input_shape[1]}x{live.input_shape[2]}. Resize or crop the images to a size its layers accept "
                    "(networks that halve the image k times need sides that divide by 2^k)."
                ) from None

        return forward

    def preview(self, n: int = 8, seed: int = 0, examples=None):
        """Rows of source | output | target for the first `n` of `examples` (a (sources, targets) pair)."""
        if examples is None:
            raise ValueError(f"{self.name} translates images: give preview the (sources, targets) to show.")
        sources, targets = (np.asarray(part, dtype="float32")[:n] for part in examples)
        return comparison_grid([sources, self.translate(sources), targets])

    def evaluation_samples(self, n: int, seed: int = 0, data=None):
        """The translations of the first `n` sources of `data` (a (sources, targets) pair)."""
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(f"{self.name} is scored on its translations: give the (sources, targets) data.")
        return self.translate(np.asarray(data[0])[:n])
