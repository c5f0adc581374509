"""keras-tuner's oracles (random, Bayesian, Hyperband) made safe to kill at any moment.

keras-tuner keeps a sweep in `oracle.json` and one `trial.json` per trial, written in place, one
after the other. A kill while a file is half written leaves JSON that cannot be read, and a kill
between the two files leaves them disagreeing: a trial that had finished is run again, or one that
had just started is never run. `DurableOracle` writes each file atomically and mends the
disagreement on reload, so a resumed sweep loses at most the trial that was running.
"""
from __future__ import annotations

import json
from pathlib import Path

import keras_tuner
from keras_tuner.engine.trial import TrialStatus

from ganzoo.files import write_text_atomic

FINISHED = (TrialStatus.COMPLETED, TrialStatus.FAILED)


class DurableOracle:
    """Mixin for a keras-tuner oracle: atomic state files, and a reload that neither repeats a
    finished trial nor forgets a started one."""

    def save(self):
        write_text_atomic(Path(self._get_oracle_fname()), json.dumps(self.get_state()))

    def _save_trial(self, trial):
        write_text_atomic(Path(self._get_trial_dir(trial.trial_id)) / "trial.json", json.dumps(trial.get_state()))

    def reload(self):
        super().reload()  # also sends the trials that were running back for a retry
        self.trials = dict(sorted(self.trials.items()))  # as first run: of tied trials, the earliest is best
        for trial_id in list(self._retry_queue):
            if self.trials[trial_id].status in FINISHED:  # killed after its own file, before the oracle's
                self._retry_queue.remove(trial_id)
                if trial_id not in self.end_order:
                    self.end_order.append(trial_id)
        for trial_id, trial in self.trials.items():
            if trial.status == TrialStatus.RUNNING and trial_id not in self._retry_queue:  # killed mid-creation
                self._retry_queue.append(trial_id)
                if trial_id not in self.start_order:
                    self.start_order.append(trial_id)


ORACLES = {
    name: type(f"Durable{cls.__name__}", (DurableOracle, cls), {})
    for name, cls in (
        ("random", keras_tuner.oracles.RandomSearchOracle),
        ("bayesian", keras_tuner.oracles.BayesianOptimizationOracle),
        ("hyperband", keras_tuner.oracles.HyperbandOracle),
    )
}


def initial_random_trials(max_trials: int) -> int:
    """Random trials before Bayesian search models the objective: a third of the budget, at least 2.
    keras-tuner's default, 3 per searched key, would spend a 16-trial budget over 9 keys at random."""
    return max(2, max_trials // 3)


def make_oracle(tuner: str, objective, hyperparameters, max_trials: int, max_epochs: int, seed: int):
    """The durable oracle of search `tuner` over `hyperparameters` (exactly those: no new ones).
    Random and Bayesian search stop after `max_trials`; Hyperband trains models for up to
    `max_epochs` and plans its own number of trials."""
    budget = {"max_epochs": max_epochs} if tuner == "hyperband" else {"max_trials": max_trials}
    if tuner == "bayesian":
        budget["num_initial_points"] = initial_random_trials(max_trials)
    return ORACLES[tuner](objective=objective, hyperparameters=hyperparameters, allow_new_entries=False,
                          tune_new_entries=False, seed=seed, **budget)
