"""StyleGAN (Karras et al. 2019, 2020) as hooks on the latent base: style mixing regularisation and
fresh noise inputs in training; truncation, style mixing, truncation sweeps and W-space
interpolation for sampling. The loss (non-saturating), lazy R1 (`penalties: {r1: ...}`,
`penalty_every`), the generator average (`ema`) and DiffAugment (`augment`) are core settings."""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from ganzoo.config import ConfigError
from ganzoo.images import image_grid
from ganzoo.models.core import Step
from ganzoo.models.latent import LatentGAN
from ganzoo.networks.stylegan import STYLE_GROUPS, StyleGenerator, style_groups
from ganzoo.registry import register_model


@register_model("stylegan")
@keras.saving.register_keras_serializable(package="ganzoo")
class StyleGAN(LatentGAN):
    """A StyleGAN2 generator (mapping + synthesis) against a residual discriminator.

    Args:
        mixing_probability: share of training examples whose styles switch, at a random row, from
            one latent's w to another's (style mixing regularisation; 0.9 in StyleGAN).
        (the rest: `LatentGAN`'s and `AdversarialCore`'s settings)
    """

    sampling_options = ("truncation",)

    def __init__(self, generator, discriminator, mixing_probability: float = 0.9, **kwargs):
        if not isinstance(generator, StyleGenerator):
            raise ConfigError(
                "model.arch stylegan needs the stylegan generator: model.network: stylegan, or "
                "{generator: stylegan, discriminator: <family>}."
            )
        super().__init__(generator, discriminator, **kwargs)
        StyleGAN.check_settings({"mixing_probability": mixing_probability})
        self.mixing_probability = float(mixing_probability)

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        probability = settings.get("mixing_probability", 0.0)
        if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
            raise ConfigError(f"model.mixing_probability is a probability in [0, 1], got {probability!r}.")

    # ------------------------------------------------------------------ training hooks

    def draw(self, step: Step) -> dict:
        """Two latents per example, the style row where the second takes over (num_ws: never, for
        1 - mixing_probability of the examples), and fresh noise maps."""
        draws = super().draw(step)
        size, num_ws = step.size, self.generator.num_ws
        draws["mixing_latents"] = self.draw_random(keras.random.normal, (size, self.latent_dim))
        crossover = self.draw_random(keras.random.randint, (size,), minval=1, maxval=num_ws)
        mixes = self.draw_random(keras.random.uniform, (size,)) < self.mixing_probability
        draws["crossover"] = ops.where(mixes, crossover, num_ws)
        draws["noise"] = [self.draw_random(keras.random.normal, (size, *shape)) for shape in self.generator.noise_shapes]
        return draws

    def generate_fakes(self, step: Step, training=True) -> dict:
        draws, generator = step.draws, self.generator
        first = generator.map(draws["latents"], training=training)
        second = generator.map(draws["mixing_latents"], training=False)
        rows = ops.arange(generator.num_ws)[None, :, None]
        styles = ops.where(rows < draws["crossover"][:, None, None], first[:, None, :], second[:, None, :])
        return {"fake": generator.synthesize(styles, noise=draws["noise"], training=training)}

    # ------------------------------------------------------------------ sampling in W space

    def check_sampling_options(self, options: dict) -> None:
        super().check_sampling_options(options)
        psi = options.get("truncation")
        if psi is not None and (isinstance(psi, bool) or not isinstance(psi, (int, float, np.floating))):
            raise ValueError(f"truncation is a number psi such as 0.7 (1: none, 0: the average image); got {psi!r}.")

    def _w(self, seeds, truncation=None) -> np.ndarray:
        """w of one latent per seed (the latent `generate(1, seed=s)` uses), truncated."""
        latents = np.concatenate([self.latents_for(1, seed) for seed in seeds])
        generator = self.sampling_generator
        return generator.truncate(generator.map(latents), truncation)

    def _synthesize(self, styles) -> np.ndarray:
        return ops.convert_to_numpy(self.sampling_generator.synthesize(ops.convert_to_tensor(styles)))

    def mix_styles(self, seeds_a, seeds_b, group="coarse", truncation=None) -> np.ndarray:
        """Images of the latents of `seeds_a`, with the style rows of `group` (coarse, middle, fine
        or a list of them) taken from the latents of `seeds_b`, pairwise."""
        groups = [group] if isinstance(group, str) else list(group)
        unknown = sorted(set(groups) - set(STYLE_GROUPS))
        if unknown:
            raise ValueError(f"Unknown style group(s) {unknown}; use {', '.join(STYLE_GROUPS)}.")
        if len(seeds_a) != len(seeds_b):
            raise ValueError(f"Give as many B seeds as A seeds; got {len(seeds_a)} and {len(seeds_b)}.")
        rows = style_groups(self.sampling_generator.output_shape[1:])
        from_b = np.zeros(self.generator.num_ws, bool)
        from_b[[index for name in groups for index in rows[name]]] = True
        generator = self.sampling_generator
        styles_a = generator.broadcast(self._w(seeds_a, truncation))
        styles_b = generator.broadcast(self._w(seeds_b, truncation))
        return self._synthesize(ops.where(from_b[None, :, None], styles_b, styles_a))

    def style_mixing_grid(self, seeds_a=range(4), seeds_b=range(100, 105), truncation=None) -> np.ndarray:
        """StyleGAN's figure as one uint8 picture: sources B across the top, sources A down the left,
        and each cell A with B's coarse styles (first block of rows), middle (second) or fine (third)."""
        seeds_a, seeds_b = list(seeds_a), list(seeds_b)
        blank = np.ones((1, *self.generator.output_shape[1:]), "float32")
        images = [blank, *[self.generate(1, seed=seed, truncation=truncation) for seed in seeds_b]]
        for group in STYLE_GROUPS:
            for seed_a in seeds_a:
                images.append(self.generate(1, seed=seed_a, truncation=truncation))
                images.append(self.mix_styles([seed_a] * len(seeds_b), seeds_b, group, truncation))
        return image_grid(np.concatenate(images), columns=len(seeds_b) + 1)

    def truncation_sweep(self, seeds=range(8), psis=(0.0, 0.25, 0.5, 0.7, 0.85, 1.0)) -> np.ndarray:
        """One row per seed, one column per truncation psi (0: the average image)."""
        images = [self.generate(1, seed=seed, truncation=float(psi)) for seed in seeds for psi in psis]
        return image_grid(np.concatenate(images), columns=len(psis))

    def interpolate(self, seed_a=0, seed_b=1, steps=8, truncation=None) -> np.ndarray:
        """A strip of `steps` images along the straight line in W from seed_a's w to seed_b's."""
        w = self._w([seed_a, seed_b], truncation)
        t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
        path = ops.convert_to_numpy(w[0])[None] * (1 - t) + ops.convert_to_numpy(w[1])[None] * t
        return image_grid(self._synthesize(self.sampling_generator.broadcast(path)), columns=steps)

