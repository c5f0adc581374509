"""GANomaly (Akcay et al. 2018): a model of "normal" images that flags what does not fit.

The generator encodes an image x to z, decodes z to a reconstruction x_hat, and encodes x_hat again
to z_hat; the discriminator tells x from x_hat. Trained on normal images only, the generator learns
to reconstruct them and to give x_hat the code of x; on an anomalous image both fail, so the
anomaly score of x is the latent residual mean((z - z_hat)^2) (squared, as the authors' code
computes it; the paper writes an L1 norm). The generator minimises, with the
paper's weights 1, 50 and 1: the distance between the discriminator's features of x and of x_hat
(`adversarial`), the L1 reconstruction error (`reconstruction`) and the latent residual
(`encoding`); the discriminator, the loss family's real/fake loss on x and x_hat.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from ganzoo.config import ConfigError, check_integer_setting
from ganzoo.images import comparison_grid
from ganzoo.models.conditional import RealFakeHeadPenalties
from ganzoo.models.core import AdversarialCore, Step
from ganzoo.models.translator import check_loss_weights, per_example_mean
from ganzoo.registry import register_model


@register_model("ganomaly")
@keras.saving.register_keras_serializable(package="ganzoo")
class GANomaly(RealFakeHeadPenalties, AdversarialCore):
    """Generator x -> [x_hat, z, z_hat]; discriminator x -> [logit, features].

    Args:
        latent_dim: size of the code z.
        adversarial_weight, reconstruction_weight, encoding_weight: the generator's loss weights.
        (the rest: `AdversarialCore`'s settings)
    """

    batch_structure = ("real",)
    pairing = "none"
    takes_examples = True
    loss_terms = {"discriminator": ("adversarial",), "generator": ("adversarial", "reconstruction", "encoding")}

    def __init__(self, generator, discriminator, latent_dim: int = 100, adversarial_weight: float = 1.0,
                 reconstruction_weight: float = 50.0, encoding_weight: float = 1.0, **kwargs):
        GANomaly.check_settings(dict(latent_dim=latent_dim, adversarial_weight=adversarial_weight,
                                     reconstruction_weight=reconstruction_weight, encoding_weight=encoding_weight,
                                     **kwargs))
        super().__init__(generator, discriminator, **kwargs)
        self.latent_dim = int(latent_dim)
        self.adversarial_weight = float(adversarial_weight)
        self.reconstruction_weight = float(reconstruction_weight)
        self.encoding_weight = float(encoding_weight)
        self.loss_weights = {"g_adversarial": self.adversarial_weight, "g_reconstruction": self.reconstruction_weight,
                             "g_encoding": self.encoding_weight}

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        check_integer_setting(settings, "latent_dim", 1)
        check_loss_weights(settings, ("adversarial_weight", "reconstruction_weight", "encoding_weight"))
        if settings.get("pack", 1) != 1 or settings.get("unrolled_steps", 0) or settings.get("augment"):
            raise ConfigError("model.pack, model.unrolled_steps and model.augment do not apply to GANomaly, whose "
                              "losses compare each image with its own reconstruction; remove them.")

    @classmethod
    def network_arguments(cls, settings: dict, data_shape: tuple) -> dict:
        return {"generator": {"data_shape": data_shape, "latent_dim": settings.get("latent_dim", 100)},
                "discriminator": {"data_shape": data_shape}}

    def batch_spec(self) -> dict:
        return {"real": tuple(self.generator.input_shape[1:])}

    # ------------------------------------------------------------------ training hooks

    def generate_fakes(self, step: Step, training=True) -> dict:
        reconstruction, code, code_again = self.generator(step.batch["real"], training=training)
        return {"fake": reconstruction, "code": code, "code_again": code_again}

    def discriminator_terms(self, step: Step) -> dict:
        step.scores["real"] = self.adversarial_critic(step.batch["real"])
        step.scores["fake"] = self.adversarial_critic(step.fakes["fake"])
        return {"adversarial": self.loss_family.discriminator(step.scores["real"], step.scores["fake"])}

    def generator_terms(self, step: Step) -> dict:
        real_features = ops.stop_gradient(self.critic(step.batch["real"])[1])
        fake_features = self.critic(step.fakes["fake"])[1]
        return {
            "adversarial": per_example_mean(ops.square(real_features - fake_features), step.size),
            "reconstruction": per_example_mean(ops.abs(step.batch["real"] - step.fakes["fake"]), step.size),
            "encoding": per_example_mean(ops.square(step.fakes["code"] - step.fakes["code_again"]), step.size),
        }

    # ------------------------------------------------------------------ using it

    def call(self, images, training=False):
        return (self.generator if training else self.sampling_generator)(images, training=training)

    def _forward(self, images, batch_size=256):
        images = np.asarray(images, dtype="float32")
        expected = tuple(self.generator.input_shape[1:])
        if images.ndim != 4 or images.shape[1:] != expected:
            raise ValueError(f"{self.name} scores images shaped (n, {', '.join(map(str, expected))}); "
                             f"got a batch of shape {images.shape}. Resize them to the training images' size.")
        parts = [self.sample_forward(images[start : start + batch_size]) for start in range(0, len(images), batch_size)]
        return [np.concatenate([part[i] for part in parts]) for i in range(3)]

    def anomaly_scores(self, images, batch_size=256) -> np.ndarray:
        """The latent residual mean((z - z_hat)^2) of each image: higher is more anomalous."""
        _, code, code_again = self._forward(images, batch_size)
        return np.mean(np.square(code - code_again), axis=1).astype("float32")

    def reconstruct(self, images, batch_size=256) -> np.ndarray:
        """x_hat for each image, as float32 NumPy in [-1, 1]."""
        return self._forward(images, batch_size)[0].astype("float32")

    def preview(self, n: int = 8, seed: int = 0, examples=None):
        """Rows of image | reconstruction for the first `n` of `examples`."""
        if examples is None:
            raise ValueError(f"{self.name} reconstructs images: give preview the images to show.")
        images = np.asarray(examples[0] if isinstance(examples, tuple) else examples, dtype="float32")[:n]
        return comparison_grid([images, self.reconstruct(images)])

    def evaluation_samples(self, n: int, seed: int = 0, data=None):
        """The reconstructions of the first `n` images of `data`."""
        if data is None:
            raise ValueError(f"{self.name} is scored on its reconstructions: give the real images.")
        return self.reconstruct(np.asarray(data)[:n])
