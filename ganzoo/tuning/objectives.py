"""What a sweep optimises: metrics of `ganzoo.metrics`, each with its direction.

An objective is one metric, or a list of them that keras-tuner sums with their directions (its
MultiObjective). Listing `modes_captured` then `high_quality_fraction` ranks by modes first: modes
are whole numbers and the fraction lies in [0, 1].
"""
from __future__ import annotations

import keras_tuner

from ganzoo.config import ConfigError, Preset
from ganzoo.metrics import Evaluator
from ganzoo.metrics.evaluate import MIXTURES
from ganzoo.registry import model_class

# objective -> (the Evaluator metric that computes it, direction)
OBJECTIVES = {
    "fid": ("fid", "min"),
    "kid": ("kid", "min"),
    "precision": ("pr", "max"),
    "recall": ("pr", "max"),
    "density": ("dc", "max"),
    "coverage": ("dc", "max"),
    "is": ("is", "max"),
    "modes_captured": ("modes", "max"),  # on stacked MNIST: the stacked metric's
    "high_quality_fraction": ("modes", "max"),
    "reverse_kl": ("modes", "min"),
    "combinations_captured": ("factors", "max"),
    "factor_kl": ("factors", "min"),
    "class_accuracy": ("class_accuracy", "max"),
    "intra_fid": ("intra_fid", "min"),
    "cas": ("cas", "max"),
    "code_accuracy": ("code_accuracy", "max"),
}


def objective_names(objective) -> list[str]:
    """`tune.objective` (a name, a comma-separated string or a list) as a list of names."""
    names = objective.split(",") if isinstance(objective, str) else list(objective)
    names = [name.strip() for name in names if name.strip()]
    if not names:
        raise ConfigError(f"tune.objective names no metric; choose from {', '.join(OBJECTIVES)}.")
    return names


def evaluator_metric(name: str, preset: Preset) -> str:
    """The Evaluator metric that computes objective `name` for `preset`, checked to apply to its
    data and model."""
    if name not in OBJECTIVES:
        raise ConfigError(f"Unknown tune.objective {name!r}; choose from {', '.join(OBJECTIVES)}.")
    metric = OBJECTIVES[name][0]
    source = preset.data.source
    if metric == "modes" and source not in MIXTURES:
        if name == "high_quality_fraction" or source != "stacked-mnist":
            raise ConfigError(f"The objective {name} scores 2-D mixtures ({', '.join(MIXTURES)})"
                              f"{'' if name == 'high_quality_fraction' else ' or stacked-mnist'}; {preset.name} trains on {source}.")
        metric = "stacked"
    if metric == "factors" and not source.startswith("shapes"):
        raise ConfigError(f"The objective {name} counts the shapes data's factors; {preset.name} trains on {source}.")
    cls = model_class(preset.model.arch)
    if metric in ("class_accuracy", "intra_fid", "cas") and cls.pairing not in ("labels", "captions"):
        raise ConfigError(f"The objective {name} scores a conditional model; {preset.name}'s {preset.model.arch} is not one.")
    if metric == "code_accuracy" and not hasattr(cls, "coded_samples"):
        raise ConfigError(f"The objective {name} reads an InfoGAN's codes; {preset.name}'s {preset.model.arch} has none.")
    return metric


def keras_objective(names: list[str]):
    """The keras-tuner objective: one `Objective`, or a list of them (summed by keras-tuner)."""
    objectives = [keras_tuner.Objective(name, direction=OBJECTIVES[name][1]) for name in names]
    return objectives[0] if len(objectives) == 1 else objectives


def make_evaluator(preset: Preset, names: list[str], n: int) -> Evaluator:
    """The Evaluator that scores every trial of a sweep of `preset` on objectives `names`."""
    metrics = list(dict.fromkeys(evaluator_metric(name, preset) for name in names))
    return Evaluator(preset.data.source, metrics=metrics, n=n, image_size=preset.data.image_size,
                     seed=preset.train.seed, verbose=0)
