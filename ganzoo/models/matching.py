"""The matching-aware discriminator of GAN-CLS (Reed et al. 2016), for models whose discriminator
sees a condition beside each sample (a class label, a caption).

Besides real samples with their own condition (real) and fakes with the condition they were made
for (fake), the discriminator sees real samples with another example's condition and counts them
as fake too, so it must judge whether a sample fits its condition, not only whether it looks
real. As in the paper, the two fake kinds weigh half each: the terms `adversarial` and `mismatch`
(logged as `d_mismatch`), each weighted 0.5.
"""
from __future__ import annotations

from ganzoo.models.core import Step

MATCHING_TERMS = ("adversarial", "mismatch")
MATCHING_WEIGHTS = {"d_adversarial": 0.5, "d_mismatch": 0.5}


class MatchingAware:
    """Mixin for an `AdversarialCore` subclass: `matching_terms(step)` returns the discriminator's
    terms. The subclass says what a wrong condition is: `mismatched_conditioning(conditioning)`
    returns another condition for each real sample, and 1.0 where it truly differs from the
    sample's own, 0.0 where it happens to equal it (that pair is no mismatch; its term is dropped)."""

    def matching_terms(self, step: Step) -> dict:
        conditioning = self.conditioning(step)
        wrong, differs = self.mismatched_conditioning(conditioning)
        step.scores["real"] = self.critic(step.batch["real"], conditioning)
        step.scores["fake"] = self.critic(step.fakes["fake"], self.fake_conditioning(step))
        mismatched = self.critic(step.batch["real"], wrong)
        return {
            "adversarial": self.loss_family.discriminator(step.scores["real"], step.scores["fake"]),
            "mismatch": differs * self.loss_family.discriminator(step.scores["real"], mismatched),
        }
