"""A small text-to-image GAN in the spirit of Reed et al. 2016 (GAN-CLS), as hooks on the latent base.

Batches are (real images, their captions), made in the data pipeline (`data.pairing: captions`,
see `ganzoo.data.captions`). The generator is given the real batch's captions, so it learns the
captions' own distribution. The discriminator is matching-aware (`ganzoo.models.matching`): a
real image with the caption of the batch rolled by one counts as fake too.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganzoo.config import ConfigError
from ganzoo.data.captions import PREVIEW_CAPTIONS, caption, caption_digit, random_captions, unknown_words
from ganzoo.images import image_grid
from ganzoo.models.core import Step
from ganzoo.models.latent import LatentGAN, sample_count
from ganzoo.models.matching import MATCHING_TERMS, MATCHING_WEIGHTS, MatchingAware
from ganzoo.registry import register_model


@register_model("text-gan")
@keras.saving.register_keras_serializable(package="ganzoo")
class TextToImageGAN(MatchingAware, LatentGAN):
    """Generator [latents, captions] -> images; discriminator [images, captions] -> logit.

    The discriminator's terms are `adversarial` (real vs fake) and `mismatch` (real images with a
    wrong caption as fake), logged as `d_mismatch`. Captions name digits, so `generate(labels=...)`
    and the class metrics work too: a label asks for "a <digit>".

    Args: `LatentGAN`'s and `AdversarialCore`'s settings.
    """

    batch_structure = ("real", "captions")
    pairing = "captions"
    conditional = True
    num_classes = 10  # the digits the captions name
    loss_terms = {"discriminator": MATCHING_TERMS, "generator": ("adversarial",)}

    def __init__(self, generator, discriminator, **kwargs):
        TextToImageGAN.check_settings({"pack": kwargs.get("pack", 1)})
        super().__init__(generator, discriminator, **kwargs)
        self.loss_weights = dict(MATCHING_WEIGHTS)

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        if settings.get("pack", 1) != 1:
            raise ConfigError(
                "model.pack (PacGAN) stacks samples on the channel axis, which a discriminator that judges "
                "each image with its caption cannot take; remove it for text-gan."
            )

    def batch_spec(self) -> dict:
        return {"real": tuple(self.generator.output_shape[1:]), "captions": "text"}

    @property
    def vocabulary(self) -> list[str]:
        """The words the generator's text encoder knows (saved with it)."""
        words = self.generator.get_layer("words").get_vocabulary(include_special_tokens=False)
        return [str(word) for word in words]

    # ------------------------------------------------------------------ training hooks

    def draw(self, step: Step) -> dict:
        """Latents, and the captions to draw for: the real batch's (not random, so the generator
        sees the captions' own distribution)."""
        return {**super().draw(step), "captions": step.batch["captions"]}

    def generator_inputs(self, draws: dict):
        return [draws["latents"], draws["captions"]]

    def conditioning(self, step: Step):
        return step.batch["captions"]

    def fake_conditioning(self, step: Step):
        return step.draws["captions"]

    def discriminator_inputs(self, samples, captions):
        return [samples, captions]

    def mismatched_conditioning(self, captions):
        """The batch's captions rolled by one; where a rolled caption equals the image's own, that
        pair is no mismatch."""
        wrong = tf.roll(captions, shift=1, axis=0)
        return wrong, ops.cast(tf.not_equal(wrong, captions), "float32")

    def discriminator_terms(self, step: Step) -> dict:
        return self.matching_terms(step)

    # ------------------------------------------------------------------ sampling

    def checked_texts(self, texts, n: int) -> np.ndarray:
        """`texts` as a string array, one per sample, every word known to the text encoder."""
        if isinstance(texts, (str, bytes)):
            raise ValueError(f"texts= takes a list of captions, one per sample; got the single string {texts!r}.")
        texts = [str(text) for text in texts]
        if len(texts) != n:
            raise ValueError(f"Give one text per sample: {n} samples asked for, {len(texts)} texts given.")
        vocabulary = self.vocabulary
        for text in texts:
            unknown = unknown_words(text, vocabulary)
            if unknown or not text.split():
                what = f"has words the model does not know ({', '.join(unknown)})" if unknown else "is empty"
                raise ValueError(f"The text {text!r} {what}. It knows: {' '.join(vocabulary)}.")
        return np.array(texts)

    def sampling_draws(self, n: int, labels=None, seed=None, texts=None) -> dict:
        """Latents and captions: the given texts, "a <digit>" for given labels, else random captions."""
        if texts is not None and labels is not None:
            raise ValueError("Give texts= or labels=, not both.")
        if texts is not None:
            return {"latents": self.latents_for(n, seed), "captions": self.checked_texts(texts, n)}
        draws = super().sampling_draws(n, labels, seed)  # checks the labels
        asked = draws.pop("labels")
        draws["captions"] = random_captions(n, seed) if labels is None else np.array([caption(digit) for digit in asked])
        return draws

    def generate(self, n, labels=None, seed=None, batch_size=1024, texts=None, **options):
        """Draw `n` images (float32 NHWC in [-1, 1]) for `texts` (one caption per image, such as
        "a thin four"), for `labels` (digits), or for random captions; same seed, same images."""
        draws = self.sampling_draws(sample_count(n), labels, seed, texts)
        return self.generate_from_draws(draws, batch_size, **options)

    def text_grid(self, texts, per_text: int = 8, seed: int = 0, **options) -> np.ndarray:
        """A uint8 grid with one row per text, `per_text` samples each."""
        texts = list(texts)
        samples = self.generate(len(texts) * per_text, texts=np.repeat(texts, per_text), seed=seed, **options)
        return image_grid(samples, columns=per_text)

    def preview(self, n: int = 64, seed: int = 0, examples=None, **options):
        """One row per caption of `PREVIEW_CAPTIONS` (or of the distinct captions of `examples`, a
        batch of (images, captions), up to ten), `n` samples spread over the rows."""
        texts = list(PREVIEW_CAPTIONS)
        if examples is not None:
            given = [part.decode() if isinstance(part, bytes) else str(part) for part in np.asarray(examples[1])]
            texts = list(dict.fromkeys(given))[:10]
        return self.text_grid(texts, max(1, n // len(texts)), seed=seed, **options)

    @staticmethod
    def _captions_of(data):
        """The captions of `data` when it is an (images, captions) batch; None for (images, labels)."""
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            return None
        parts = np.asarray(data[1])
        if parts.dtype.kind not in "OSU":
            return None
        return np.array([part.decode() if isinstance(part, bytes) else str(part) for part in parts])

    def evaluation_texts(self, n: int, seed: int = 0, data=None):
        """The captions `evaluation_samples` draws for, when `data` holds captions: `n` of them."""
        captions = self._captions_of(data)
        return None if captions is None else np.random.default_rng(seed).choice(captions, n)

    def evaluation_labels(self, n: int, seed: int = 0, data=None):
        """The digits asked for: those the evaluation captions name, or as `LatentGAN` draws them."""
        texts = self.evaluation_texts(n, seed, data)
        if texts is None:
            return super().evaluation_labels(n, seed, data)
        return np.array([caption_digit(text) for text in texts])

    def evaluation_samples(self, n: int, seed: int = 0, data=None):
        """`n` samples for the Evaluator: for captions drawn from `data` when it has captions, else
        for "a <digit>" with digits drawn as `LatentGAN` does."""
        texts = self.evaluation_texts(n, seed, data)
        if texts is None:
            return super().evaluation_samples(n, seed, data)
        return self.generate(n, texts=texts, seed=seed)
