"""CycleGAN (Zhu et al. 2017) on unpaired sets A and B, as hooks on the translator base.

Two generators (`generator` A -> B, `generator_ba` B -> A) are one player; two discriminators
(`discriminator` judges B images, `discriminator_a` A images) are the other. The generators add a
cycle-consistency term (A -> B -> A and B -> A -> B return to where they started, L1) and an
identity term (an image already of the target set passes unchanged) and, optionally, CyCADA's
semantic consistency term (a classifier of set A reads the same class in a source and its
translation; `ganzoo.semantic`). The discriminators judge fakes drawn from a history of 50 earlier
fakes half of the time (Shrivastava et al. 2017), which keeps them from forgetting what the
generators drew before; the histories are model variables, so they are saved with checkpoints
and resumed.
"""
from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from ganzoo.config import ConfigError
from ganzoo.images import comparison_grid
from ganzoo.models.core import Step
from ganzoo.models.translator import Translator, Untracked, check_loss_weights, per_example_mean
from ganzoo.registry import register_model
from ganzoo.semantic import check_semantic_classifier, load_semantic_classifier, semantic_loss


@register_model("cyclegan")
@keras.saving.register_keras_serializable(package="ganzoo")
class CycleGAN(Translator):
    """Unpaired translation between sets A and B; `translate` maps A to B, `translate_back` B to A.

    Args:
        cycle_weight: weight of each cycle-consistency L1 term (the paper's lambda, 10).
        identity_weight: weight of the identity terms, as a share of `cycle_weight` (0.5; 0 drops them).
        pool_size: fakes kept per set for the discriminators (50; 0: always the newest).
        semantic_weight: weight of the semantic consistency term from A to B (0: none).
        semantic_classifier: the classifier of set A it reads with: `digits-8x8` or a .keras file.
        Others: `AdversarialCore`'s settings.
    """

    batch_structure = ("a", "b")
    pairing = "unpaired"
    network_names = ("generator", "generator_ba", "discriminator", "discriminator_a")
    network_roles = {"generator_ba": "generator", "discriminator_a": "discriminator"}
    loss_terms = {"discriminator": ("adversarial", "adversarial_a"),
                  "generator": ("adversarial", "adversarial_a", "cycle", "identity", "semantic")}

    def __init__(self, generator, generator_ba, discriminator, discriminator_a, cycle_weight: float = 10.0,
                 identity_weight: float = 0.5, pool_size: int = 50, semantic_weight: float = 0.0,
                 semantic_classifier: str | None = None, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        CycleGAN.check_settings({"semantic_weight": semantic_weight, "semantic_classifier": semantic_classifier})
        self.generator_ba, self.discriminator_a = generator_ba, discriminator_a
        self.cycle_weight, self.identity_weight, self.pool_size = cycle_weight, identity_weight, pool_size
        self.semantic_weight, self.semantic_classifier = semantic_weight, semantic_classifier
        self.loss_weights = {"d_adversarial": 0.5, "d_adversarial_a": 0.5,  # the paper halves D's loss
                             "g_cycle": cycle_weight, "g_identity": identity_weight * cycle_weight,
                             "g_semantic": semantic_weight}
        self._semantic = Untracked(None)
        if semantic_weight > 0:  # loaded now, so a wrong classifier stops before training
            self._semantic = Untracked(load_semantic_classifier(semantic_classifier, generator.input_shape[1:]))
        for name, network in (("b", generator), ("a", generator_ba)):
            shape = (max(pool_size, 1), *network.output_shape[1:])
            setattr(self, f"pool_{name}", keras.Variable(ops.zeros(shape), trainable=False, name=f"pool_{name}"))
            setattr(self, f"pool_{name}_filled", keras.Variable(0, dtype="int32", trainable=False,
                                                               name=f"pool_{name}_filled"))

    @classmethod
    def check_settings(cls, settings: dict, data_shape=None) -> None:
        super().check_settings(settings, data_shape)
        check_loss_weights(settings, ("cycle_weight", "identity_weight", "semantic_weight"))
        if settings.get("semantic_weight", 0.0) > 0:
            if settings.get("semantic_classifier") is None:
                raise ConfigError("model.semantic_weight needs model.semantic_classifier: digits-8x8, or the path of "
                                  "a .keras classifier of set A.")
            check_semantic_classifier(settings["semantic_classifier"])
        pool_size = settings.get("pool_size", 50)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ConfigError(f"model.pool_size is a number of images, 0 or more; got {pool_size!r}.")
        for name in ("penalties", "pack"):
            if settings.get(name, 1 if name == "pack" else None) not in (None, 1):
                raise ConfigError(f"model.{name} is not supported by cyclegan's two discriminators; remove it.")

    @classmethod
    def network_arguments(cls, settings: dict, data_shape: tuple) -> dict:
        arguments = super().network_arguments(settings, data_shape)
        return {**arguments, "generator_ba": dict(arguments["generator"]),
                "discriminator_a": dict(arguments["discriminator"])}

    def batch_spec(self) -> dict:
        return {"a": tuple(self.generator.input_shape[1:]), "b": tuple(self.generator.output_shape[1:])}

    def generator_networks(self) -> list:
        return [self.generator, self.generator_ba]

    def discriminator_networks(self) -> list:
        return [self.discriminator, self.discriminator_a]

    # ------------------------------------------------------------------ training hooks

    def generate_fakes(self, step: Step, training=True) -> dict:
        return {"fake": self.generator(step.batch["a"], training=training),
                "fake_a": self.generator_ba(step.batch["b"], training=training)}

    def conditioning(self, step: Step):
        return None

    def from_pool(self, name: str, images):
        """The discriminator's fakes of set `name`: while the history fills, the new fakes (and each
        is kept); then each is swapped, with probability one half, for a random earlier fake, which
        the new one replaces in the history."""
        if self.pool_size == 0:
            return images
        history, filled = getattr(self, f"pool_{name}"), getattr(self, f"pool_{name}_filled")
        size = ops.shape(images)[0]
        slot = filled + ops.arange(size, dtype="int32")
        filling = slot < self.pool_size
        swap = ops.logical_and(ops.logical_not(filling), self.draw_random(keras.random.uniform, (size,)) < 0.5)
        index = self.draw_random(keras.random.randint, (size,), minval=0, maxval=self.pool_size, dtype="int32")
        returned = ops.where(swap[:, None, None, None], ops.take(history, index, axis=0), images)
        written = ops.logical_or(filling, swap)
        target = tf.boolean_mask(ops.where(filling, slot, index), written)
        history.assign(tf.tensor_scatter_nd_update(history, target[:, None], tf.boolean_mask(images, written)))
        filled.assign(ops.minimum(filled + size, self.pool_size))
        return returned

    def discriminator_terms(self, step: Step) -> dict:
        family = self.loss_family
        step.scores["real"] = self.critic(step.batch["b"])
        step.scores["fake"] = self.critic(self.from_pool("b", step.fakes["fake"]))
        real_a = self.critic(step.batch["a"], discriminator=self.discriminator_a)
        fake_a = self.critic(self.from_pool("a", step.fakes["fake_a"]), discriminator=self.discriminator_a)
        return {"adversarial": family.discriminator(step.scores["real"], step.scores["fake"]),
                "adversarial_a": family.discriminator(real_a, fake_a)}

    def generator_terms(self, step: Step) -> dict:
        a, b, size = step.batch["a"], step.batch["b"], step.size
        fake_b, fake_a = step.fakes["fake"], step.fakes["fake_a"]
        terms = {
            "adversarial": self.loss_family.generator(self.critic(fake_b)),
            "adversarial_a": self.loss_family.generator(self.critic(fake_a, discriminator=self.discriminator_a)),
            "cycle": per_example_mean(ops.abs(self.generator_ba(fake_b, training=True) - a), size)
            + per_example_mean(ops.abs(self.generator(fake_a, training=True) - b), size),
        }
        if self.identity_weight > 0:  # the two extra passes only when they count
            terms["identity"] = (per_example_mean(ops.abs(self.generator(b, training=True) - b), size)
                                 + per_example_mean(ops.abs(self.generator_ba(a, training=True) - a), size))
        else:
            terms["identity"] = ops.zeros((size,))
        if self.semantic_weight > 0:
            terms["semantic"] = semantic_loss(self._semantic.network, a, fake_b)
        else:
            terms["semantic"] = ops.zeros((size,))
        return terms

    # ------------------------------------------------------------------ using it

    def translate_back(self, images, batch_size=256):
        """`generator_ba`'s output for each B image, as float32 NumPy."""
        return self.translate(images, batch_size=batch_size, network="generator_ba")

    def preview(self, n: int = 8, seed: int = 0, examples=None):
        """Rows of a | A->B | back to A | b | B->A | back to B for the first `n` of `examples` (an
        (a, b) pair of batches)."""
        if examples is None:
            raise ValueError(f"{self.name} translates images: give preview the (a, b) images to show.")
        a, b = (ops.convert_to_numpy(part)[:n].astype("float32") for part in examples[:2])
        fake_b, fake_a = self.translate(a), self.translate_back(b)
        return comparison_grid([a, fake_b, self.translate_back(fake_b), b, fake_a, self.translate(fake_a)])
