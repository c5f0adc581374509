"""InfoGAN (Chen et al. 2016) as hooks on the latent base: the generator takes latent codes beside
its noise, and a Q head on the discriminator's body reads them back from the fakes. Both players
minimise the Q head's negative log-likelihood of the codes (a lower bound on the mutual information
between codes and samples, up to a constant), so the codes come to steer factors of the data the
model finds on its own, such as the digit class, without labels.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from ganzoo.config import ConfigError, check_weight_setting
from ganzoo.images import image_grid
from ganzoo.models.conditional import RealFakeHeadPenalties
from ganzoo.models.core import Step
from ganzoo.models.latent import LatentGAN, sample_count
from ganzoo.networks.infogan import code_size
from ganzoo.registry import register_model

CATEGORICAL_CODES = (10,)
CONTINUOUS_CODES = 2
CODE_STREAM = 1  # sampling draws the codes from seed `[seed, CODE_STREAM]`, apart from the latents'


@register_model("infogan")
@keras.saving.register_keras_serializable(package="ganzoo")
class InfoGAN(RealFakeHeadPenalties, LatentGAN):
    """Generator [latents, codes] -> samples; discriminator samples -> [logit, Q parameters].

    Every step draws, per sample, one category for each categorical code (uniform) and a value in
    [-1, 1] for each continuous code (uniform). The information term, per fake, is the
    cross-entropy of the Q head's logits for each categorical code plus half the squared error of
    its mean for each continuous code (a Gaussian of unit variance) times `continuous_weight`; both
    players add it, weighted by `info_weight` and logged as `d_info` and `g_info`. The Q head is
    part of the discriminator network, so the discriminator optimizer trains it with the body.

    Args:
        categorical_codes: the number of categories of each categorical code, e.g. [10].
        continuous_codes: how many continuous codes.
        info_weight: weight of the information term on both sides (the paper's lambda).
        continuous_weight: weight of the continuous codes within that term; the paper advises a
            smaller lambda for them than for categories, so their term stays on the GAN's scale.
        (the rest: `LatentGAN`'s and `AdversarialCore`'s settings)
    """

    loss_terms = {"discriminator": ("adversarial", "info"), "generator": ("adversarial", "info")}

    def __init__(self, generator, discriminator, categorical_codes: list[int] = CATEGORICAL_CODES,
                 continuous_codes: int = CONTINUOUS_CODES, info_weight: float = 1.0, continuous_weight: float = 1.0,
                 **kwargs):
        InfoGAN.check_settings(
            {"categorical_codes": categorical_codes, "continuous_codes": continuous_codes,
             "info_weight": info_weight, "continuous_weight": continuous_weight, "pack": kwargs.get("pack", 1)}
        )
        super().__init__(generator, discriminator, **kwargs)
        self.categorical_codes = tuple(int(count) for count in categorical_codes)
        self.continuous_codes = int(continuous_codes)
        self.info_weight = float(info_weight)
        self.continuous_weight = float(continuous_weight)
        self.loss_weights = {"d_info": self.info_weight, "g_info": self.info_weight}
        self._check_networks()

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        categorical = settings.get("categorical_codes", CATEGORICAL_CODES)
        if (not isinstance(categorical, (list, tuple)) or not categorical
                or any(isinstance(count, bool) or not isinstance(count, int) or count < 2 for count in categorical)):
            raise ConfigError(
                "model.categorical_codes lists the number of categories of each categorical code, each at "
                f"least 2, such as [10]; got {categorical!r}."
            )
        continuous = settings.get("continuous_codes", CONTINUOUS_CODES)
        if isinstance(continuous, bool) or not isinstance(continuous, int) or continuous < 0:
            raise ConfigError(f"model.continuous_codes must be an integer of 0 or more, got {continuous!r}.")
        check_weight_setting(settings, "info_weight")
        check_weight_setting(settings, "continuous_weight")
        if settings.get("pack", 1) != 1:
            raise ConfigError(
                "model.pack (PacGAN) judges samples in groups, but InfoGAN's Q head reads the codes of each "
                "sample; remove it for an InfoGAN."
            )

    @classmethod
    def network_arguments(cls, settings: dict, data_shape: tuple) -> dict:
        arguments = super().network_arguments(settings, data_shape)
        for network in arguments.values():
            network["categorical_codes"] = list(settings.get("categorical_codes", CATEGORICAL_CODES))
            network["continuous_codes"] = settings.get("continuous_codes", CONTINUOUS_CODES)
        return arguments

    def _check_networks(self) -> None:
        """Refuse networks without the code input or the Q head these codes need."""
        size = code_size(self.categorical_codes, self.continuous_codes)
        generator_inputs = [tuple(tensor.shape) for tensor in self.generator.inputs]
        discriminator_outputs = [tuple(tensor.shape) for tensor in self.discriminator.outputs]
        if (len(generator_inputs) != 2 or generator_inputs[1][-1] != size
                or len(discriminator_outputs) != 2 or discriminator_outputs[1][-1] != size):
            raise ValueError(
                f"InfoGAN with categorical_codes {list(self.categorical_codes)} and continuous_codes "
                f"{self.continuous_codes} needs a generator taking [latents, {size} code values] and a "
                f"discriminator returning [logit, {size} Q parameters] (the info-dcgan networks); got generator "
                f"inputs {generator_inputs} and discriminator outputs {discriminator_outputs}."
            )

    # ------------------------------------------------------------------ training hooks

    def draw(self, step: Step) -> dict:
        categories = [
            self.draw_random(keras.random.randint, (step.size,), minval=0, maxval=count, dtype="int32")
            for count in self.categorical_codes
        ]
        continuous = self.draw_random(keras.random.uniform, (step.size, self.continuous_codes), minval=-1.0, maxval=1.0)
        return {**super().draw(step), "categorical": ops.stack(categories, axis=1), "continuous": continuous}

    def code_vector(self, draws: dict):
        """The codes as the generator takes them: one-hot blocks, then the continuous values."""
        one_hots = [
            ops.one_hot(draws["categorical"][:, index], count) for index, count in enumerate(self.categorical_codes)
        ]
        return ops.concatenate([*one_hots, ops.cast(draws["continuous"], "float32")], axis=1)

    def generator_inputs(self, draws: dict):
        return [draws["latents"], self.code_vector(draws)]

    def information_loss(self, draws: dict, q_params):
        """Per example, -log Q(codes | fake) up to a constant: each categorical code's cross-entropy
        plus half the squared error of each continuous code's mean, times `continuous_weight`."""
        loss, start = 0.0, 0
        for index, count in enumerate(self.categorical_codes):
            logits = q_params[:, start : start + count]
            loss += ops.sparse_categorical_crossentropy(draws["categorical"][:, index], logits, from_logits=True)
            start += count
        squared_error = ops.sum(ops.square(draws["continuous"] - q_params[:, start:]), axis=1)
        return loss + 0.5 * self.continuous_weight * squared_error

    def discriminator_terms(self, step: Step) -> dict:
        step.scores["real"], _ = self.critic(step.batch["real"])
        step.scores["fake"], q_params = self.critic(step.fakes["fake"])
        return {
            "adversarial": self.loss_family.discriminator(step.scores["real"], step.scores["fake"]),
            "info": self.information_loss(step.draws, q_params),
        }

    def generator_terms(self, step: Step) -> dict:
        fake_logits, q_params = self.critic(step.fakes["fake"])
        return {"adversarial": self.loss_family.generator(fake_logits), "info": self.information_loss(step.draws, q_params)}


    # ------------------------------------------------------------------ sampling

    def sampling_draws(self, n: int, labels=None, seed=None, categorical=None, continuous=None) -> dict:
        """Latents and codes for `n` samples, reproducible from `seed`; `categorical` and
        `continuous`, when given, replace the drawn codes (see `generate`)."""
        draws = super().sampling_draws(n, labels, seed)
        rng = np.random.default_rng(None if seed is None else [seed, CODE_STREAM])
        drawn_categorical = rng.integers(0, self.categorical_codes, (n, len(self.categorical_codes))).astype("int32")
        drawn_continuous = rng.uniform(-1.0, 1.0, (n, self.continuous_codes)).astype("float32")
        draws["categorical"] = drawn_categorical if categorical is None else self._categorical_array(categorical, n)
        draws["continuous"] = drawn_continuous if continuous is None else self._continuous_array(continuous, n)
        return draws

    def _categorical_array(self, categorical, n: int) -> np.ndarray:
        """Given categories as int32 (n, codes), checked; a plain list when there is one code."""
        array = np.asarray(categorical)
        codes = len(self.categorical_codes)
        if codes == 1 and array.ndim == 1:
            array = array[:, None]
        if array.shape != (n, codes) or not np.issubdtype(array.dtype, np.integer):
            raise ValueError(
                f"Give categorical= as integers, one row of {codes} categor{'y' if codes == 1 else 'ies'} per sample: "
                f"{n} samples asked for, got {array.dtype} of shape {array.shape}."
            )
        bad = (array < 0) | (array >= np.asarray(self.categorical_codes))
        if bad.any():
            raise ValueError(
                f"categorical= holds categories outside {self.name}'s codes, which take "
                f"{', '.join(f'0..{count - 1}' for count in self.categorical_codes)}; got {array[bad][0]}."
            )
        return array.astype("int32")

    def _continuous_array(self, continuous, n: int) -> np.ndarray:
        """Given continuous codes as float32 (n, codes), checked; a plain list when there is one code."""
        array = np.asarray(continuous, dtype="float32")
        if self.continuous_codes == 1 and array.ndim == 1:
            array = array[:, None]
        if array.shape != (n, self.continuous_codes) or not np.isfinite(array).all():
            raise ValueError(
                f"Give continuous= as finite numbers, one row of {self.continuous_codes} values per sample: "
                f"{n} samples asked for, got shape {array.shape}."
            )
        return array

    def generate(self, n, labels=None, seed=None, batch_size=1024, categorical=None, continuous=None, **options):
        """`LatentGAN.generate`, with codes fixed where given: `categorical`, one row of categories
        per sample (a plain list when there is one categorical code), and `continuous`, one row of
        values per sample (trained on [-1, 1]; values beyond it extrapolate). What is not given is
        drawn from `seed`, as is every latent."""
        draws = self.sampling_draws(sample_count(n), labels, seed, categorical, continuous)
        return self.generate_from_draws(draws, batch_size, **options)

    def code_grid(self, columns: int = 8, seed: int = 0, sweep: int = 0, extent: float = 1.0, **options) -> np.ndarray:
        """A uint8 grid with one row per category of the first categorical code and continuous code
        `sweep` going from -extent to extent along each row; the latents and the other codes are
        those `seed` draws for one sample, so only the two codes change. Without continuous codes,
        each column takes its own latents instead."""
        if isinstance(columns, bool) or not isinstance(columns, (int, np.integer)) or columns < 1:
            raise ValueError(f"code_grid needs a positive number of columns, got {columns!r}.")
        rows = self.categorical_codes[0]
        if self.continuous_codes:
            if not 0 <= sweep < self.continuous_codes:
                raise ValueError(f"sweep names a continuous code, 0 to {self.continuous_codes - 1}; got {sweep}.")
            draws = {name: np.repeat(value, rows * columns, axis=0) for name, value in self.sampling_draws(1, seed=seed).items()}
            draws["continuous"][:, sweep] = np.tile(np.linspace(-extent, extent, columns), rows)
        else:
            draws = {name: np.tile(value, (rows, 1)) for name, value in self.sampling_draws(columns, seed=seed).items()}
        draws["categorical"][:, 0] = np.repeat(np.arange(rows), columns)
        return image_grid(self.generate_from_draws(draws, **options), columns=columns)

    def preview(self, n: int = 64, seed: int = 0, examples=None, **options):
        """`code_grid` with about `n` samples: one row per category of the first code."""
        if examples is not None:
            raise ValueError(f"{self.name} draws from latents and codes; preview takes no examples.")
        return self.code_grid(columns=max(1, n // self.categorical_codes[0]), seed=seed, **options)

    def coded_samples(self, n: int, seed: int = 0):
        """(`n` samples, the category of the first categorical code each was drawn with): the codes
        cycle through the categories, so each gets n / categories samples; the rest comes from
        `seed`. What the `code_accuracy` metric reads."""
        n = sample_count(n)
        draws = self.sampling_draws(n, seed=seed)
        draws["categorical"][:, 0] = np.arange(n) % self.categorical_codes[0]
        return self.generate_from_draws(draws), draws["categorical"][:, 0].copy()
