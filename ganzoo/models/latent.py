"""The latent task base: random latents (and, for conditional variants, labels) in, samples out."""
from __future__ import annotations

import keras
import numpy as np

from ganzoo.config import check_integer_setting
from ganzoo.images import image_grid, samples_to_picture
from ganzoo.models.core import AdversarialCore, Step


def _label_array(labels, n: int, num_classes: int) -> np.ndarray:
    """`labels` as int32, checked against the number of samples and of classes."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"Give one label per sample: {n} samples asked for, labels of shape {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"Labels must be integers in [0, {num_classes - 1}]; got values from {labels.min()} to {labels.max()}.")
    return labels.astype("int32")


def sample_count(n) -> int:
    """`n`, the number of samples asked of `generate`, as a positive int."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"generate needs a positive number of samples, got n={n!r}.")
    return int(n)


@keras.saving.register_keras_serializable(package="ganzoo")
class LatentGAN(AdversarialCore):
    """Gaussian latents in, samples out: DCGAN, WGAN, SNGAN... and every conditional variant.

    Args:
        latent_dim: size of the Gaussian latent vector.
        (the rest: `AdversarialCore`'s settings)

    A conditional variant sets `batch_structure = ("real", "labels")`, `pairing = "labels"`,
    `conditional = True` and a `num_classes` attribute, puts the labels into its draws (`draw`) and feeds them to the
    generator (`generator_inputs`) and the discriminator (`discriminator_inputs`); `generate`,
    `preview` and `evaluation_samples` then handle labels for it.
    """

    sampling_options: tuple = ()  # keyword options of the generator's call that `generate` accepts

    def __init__(self, generator, discriminator, latent_dim: int = 100, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        LatentGAN.check_settings({"latent_dim": latent_dim})
        self.latent_dim = int(latent_dim)

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        check_integer_setting(settings, "latent_dim", 1)

    @classmethod
    def network_arguments(cls, settings: dict, data_shape: tuple) -> dict:
        arguments = super().network_arguments(settings, data_shape)
        arguments["generator"]["latent_dim"] = settings.get("latent_dim", 100)
        return arguments

    def batch_spec(self) -> dict:
        spec = {"real": tuple(self.generator.output_shape[1:])}
        return {**spec, "labels": None} if "labels" in self.batch_structure else spec

    # ------------------------------------------------------------------ training hooks

    def draw(self, step: Step) -> dict:
        return {"latents": self.draw_random(keras.random.normal, (step.size, self.latent_dim))}

    def generator_inputs(self, draws: dict):
        """What the generator is called with, from the draws (training) or `generate`'s inputs."""
        return draws["latents"]

    def generate_fakes(self, step: Step, training=True) -> dict:
        return {"fake": self.generator(self.generator_inputs(step.draws), training=training)}

    def conditioning(self, step: Step):
        """A conditional variant's labels, when its batches carry them."""
        return step.batch.get("labels")

    def fake_conditioning(self, step: Step):
        """The labels the generator was given, when it draws its own; else as for real samples."""
        return step.draws["labels"] if "labels" in step.draws else self.conditioning(step)

    # ------------------------------------------------------------------ sampling

    def call(self, inputs, training=False):
        """The generator's forward pass on its own inputs, so `predict` and `generate` agree."""
        return (self.generator if training else self.sampling_generator)(inputs, training=training)

    def latents_for(self, n, seed=None):
        """Latent vectors for `generate`: reproducible NumPy draws when `seed` is given."""
        if seed is None:
            return keras.ops.convert_to_numpy(self.draw_random(keras.random.normal, (n, self.latent_dim)))
        return np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")

    def sampling_draws(self, n: int, labels=None, seed=None) -> dict:
        """The draws `generate` feeds through `generator_inputs`: latents, and labels if conditional."""
        draws = {"latents": self.latents_for(n, seed)}
        if self.conditional:
            if labels is None:
                labels = np.random.default_rng(seed).integers(0, self.num_classes, n)
            draws["labels"] = _label_array(labels, n, self.num_classes)
        elif labels is not None:
            raise ValueError(f"labels= was given, but {self.name} is unconditional: it draws no classes.")
        return draws

    def generate(self, n, labels=None, seed=None, batch_size=1024, **options):
        """Draw `n` samples as float32 NumPy (images: NHWC in [-1, 1]); same seed, same samples.

        `labels` (conditional variants) gives each sample's class; `options` (such as a truncation)
        reach the generator's call.
        """
        return self.generate_from_draws(self.sampling_draws(sample_count(n), labels, seed), batch_size, **options)

    def generate_from_draws(self, draws: dict, batch_size=1024, **options):
        """Samples for `draws` as `sampling_draws` makes them (one row per sample), `batch_size` at a
        time: for variants and grids that set some draws themselves (InfoGAN's codes)."""
        self.check_sampling_options(options)
        # NumPy scalars as Python numbers: one compiled sampler per value, and plain tests on them.
        options = {name: value.item() if isinstance(value, np.generic) else value for name, value in options.items()}
        chunks = []
        for start in range(0, len(draws["latents"]), batch_size):
            part = {name: value[start : start + batch_size] for name, value in draws.items()}
            chunks.append(self.sample_forward(self.generator_inputs(part), **options))
        return np.concatenate(chunks).astype("float32")

    def check_sampling_options(self, options: dict) -> None:
        """Refuse options the generator does not take (`sampling_options` lists those it does)."""
        unknown = sorted(set(options) - set(self.sampling_options))
        if unknown:
            takes = f"it takes {', '.join(self.sampling_options)}" if self.sampling_options else "it takes none"
            raise ValueError(f"{self.name} has no sampling option {', '.join(unknown)}; {takes}.")

    def preview(self, n: int = 64, seed: int = 0, examples=None, **options):
        """A grid of `n` samples from `seed` (a scatter plot for 2-D points); conditional variants
        draw one row per class. `options` (such as a truncation) go to `generate`."""
        if examples is not None:
            raise ValueError(f"{self.name} draws from latents; preview takes no examples.")
        if not self.conditional:
            return samples_to_picture(self.generate(n, seed=seed, **options))
        return self.class_grid(max(1, n // self.num_classes), seed=seed, **options)

    def class_grid(self, per_class: int = 8, seed: int = 0, **options) -> np.ndarray:
        """A conditional variant's uint8 grid with one row per class, `per_class` samples each; with
        one sample per class, the classes in order on a square grid (the shapes' 120 would make
        one tall column)."""
        if not self.conditional:
            raise ValueError(f"{self.name} is unconditional: it has no classes to draw one row each of.")
        labels = np.repeat(np.arange(self.num_classes), per_class)
        samples = self.generate(len(labels), labels=labels, seed=seed, **options)
        return image_grid(samples, columns=per_class if per_class > 1 else None)

    def evaluation_labels(self, n: int, seed: int = 0, data=None):
        """The labels `evaluation_samples` asks for (None for an unconditional model): drawn with the
        class frequencies of the real labels in `data` (a (samples, labels) pair), uniform without them."""
        if not self.conditional:
            return None
        if isinstance(data, (tuple, list)) and len(data) > 1:
            return np.random.default_rng(seed).choice(np.asarray(data[1]), n)
        return np.random.default_rng(seed).integers(0, self.num_classes, n)

    def evaluation_samples(self, n: int, seed: int = 0, data=None):
        """`n` samples for the Evaluator, of the classes `evaluation_labels` gives."""
        return self.generate(n, labels=self.evaluation_labels(n, seed, data), seed=seed)
