"""Hyperparameter sweeps with keras-tuner: a preset's `tune:` section searched against a metric.

    report = ganzoo.tuning.tune("gan-grid", "sweeps/gan-grid", tuner="random", max_trials=16)

or `ganzoo tune gan-grid`. See `ganzoo.tuning.space` for the search space's form,
`ganzoo.tuning.objectives` for what a sweep can optimise, and `ganzoo.tuning.sweep` for the
sweep folder, resuming and distributed sweeps.
"""
from ganzoo.tuning.hypermodel import PresetHyperModel, check_space
from ganzoo.tuning.objectives import OBJECTIVES
from ganzoo.tuning.oracles import DurableOracle, make_oracle
from ganzoo.tuning.space import parse_space
from ganzoo.tuning.sweep import BEST_FILE, RESULTS_FILE, format_report, tune
from ganzoo.tuning.tuner import SweepTuner

__all__ = [
    "BEST_FILE", "DurableOracle", "OBJECTIVES", "PresetHyperModel", "RESULTS_FILE", "SweepTuner", "check_space",
    "format_report", "make_oracle", "parse_space", "tune",
]
