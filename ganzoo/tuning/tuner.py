"""The tuner of `ganzoo tune`: each trial is a training run of the preset, scored by the Evaluator.

A trial trains `executions_per_trial` runs (`ganzoo.runs.train`, seeds `train.seed`, +1, ...)
into `<sweep>/trials/trial_<id>/seed<k>/`, scores each final model on the objective's metrics and
reports their mean, with `<metric>_std` their spread over seeds and the seconds spent training and
scoring. A trial killed midway resumes its runs from their last checkpoints when the sweep is
resumed. A Hyperband trial that continues an earlier one resumes a copy of that trial's runs for
more epochs, so Hyperband scores a model at each of its rounds.
"""
from __future__ import annotations

import json
import shutil
import statistics
import time
from pathlib import Path

import tensorflow as tf
from keras_tuner.src.engine import tuner_utils
from keras_tuner.engine.base_tuner import BaseTuner
from keras_tuner.src import config as keras_tuner_config
from tensorboard.plugins.hparams import api as hparams_api

from ganzoo.config import deep_merge
from ganzoo.files import write_text_atomic
from ganzoo.runs import RunFolder, load_run_model, train
from ganzoo.tuning.objectives import OBJECTIVES
from ganzoo.tuning.space import yaml_text


class SweepTuner(BaseTuner):
    """A keras-tuner tuner whose trials are ganzoo training runs.

    Args:
        oracle: a keras-tuner oracle (see `ganzoo.tuning.oracles.make_oracle`).
        hypermodel: the `PresetHyperModel` of the swept preset.
        directory: the sweep folder; keras-tuner's state and the runs go under `trials/`,
            TensorBoard HParams under `logs/`.
        evaluator: the `ganzoo.metrics.Evaluator` that scores each run.
        executions_per_trial: runs per trial, from consecutive seeds.
        progress: called with a line of text after each trial.
    """

    def __init__(self, oracle, hypermodel, directory, evaluator, executions_per_trial=1, progress=print):
        self.evaluator, self.executions_per_trial, self.progress = evaluator, executions_per_trial, progress
        self.seconds_in_trials = 0.0  # training and scoring, in this process
        self.results: dict = {}
        super().__init__(oracle, hypermodel, directory=str(directory), project_name="trials")
        self.logs = Path(directory) / "logs"

    def _populate_initial_space(self):
        """The space is declared, not discovered: no model is built to find it."""
        hp = self.oracle.get_space()
        self.hypermodel.declare_hyperparameters(hp)
        self.oracle.update_space(hp)

    def search(self, *args, **kwargs):
        """keras-tuner's search, with a failed trial's traceback kept in its trial.json instead of
        printed: the trial's line says what went wrong."""
        printing, keras_tuner_config.DEBUG = keras_tuner_config.DEBUG, False
        try:
            super().search(*args, **kwargs)
        finally:
            keras_tuner_config.DEBUG = printing

    def save(self):
        """Like keras-tuner's, with the tuner's own file written atomically too."""
        if not self._is_worker():
            self.oracle.save()
        write_text_atomic(Path(self._get_tuner_fname()), json.dumps(self.get_state()))

    # ------------------------------------------------------------------ one trial

    def trial_folder(self, trial_id: str) -> Path:
        return Path(self.project_dir) / f"trial_{trial_id}"

    def run_trial(self, trial, *_, **__) -> dict:
        hp = trial.hyperparameters
        overrides = self.hypermodel.overrides(hp)
        epochs = int(hp.values.get("tuner/epochs") or self.hypermodel.preset(hp).train.epochs)
        scores = []
        for execution in range(self.executions_per_trial):
            seed = self.hypermodel.seed + execution
            folder = self.trial_folder(trial.trial_id) / f"seed{seed}"
            earlier = hp.values.get("tuner/trial_id")
            if earlier is not None:
                copy_once(self.trial_folder(earlier) / f"seed{seed}", folder)
            run_overrides = deep_merge(overrides, {"train": {"epochs": epochs, "seed": seed}})
            scores.append(self.train_and_score(folder, run_overrides))
        results = average(scores)
        objective = self.oracle.objective
        if objective.name not in OBJECTIVES:  # keras-tuner's sum of several objectives
            results[objective.name] = objective.get_value(results)
        self.results[trial.trial_id] = results
        return results

    def train_and_score(self, folder: Path, overrides: dict) -> dict:
        """Train (or finish training) one run and score its model."""
        start = time.perf_counter()
        run = RunFolder(folder)
        epochs = overrides["train"]["epochs"]
        committed = run.committed_epoch()
        if committed is not None and committed >= epochs:
            model = load_run_model(folder)  # trained before a kill that came before its scoring
        else:
            _, history = train(self.hypermodel.preset_name, folder, overrides, resume=committed is not None,
                               overwrite=committed is None, verbose=0, sample_every=epochs)
            model = history.model
        trained = time.perf_counter()
        scores = self.evaluator(model)
        scored = time.perf_counter()
        self.seconds_in_trials += scored - start
        return {**scores, "train_seconds": trained - start, "score_seconds": scored - trained}

    # ------------------------------------------------------------------ reporting

    def on_trial_end(self, trial):
        super().on_trial_end(trial)
        results = self.results.pop(trial.trial_id, None)
        if results is None:  # the trial failed: keras-tuner keeps its traceback
            self.progress(f"trial {trial.trial_id} failed ({trial.status}): {last_line(trial.message)}")
            return
        self.write_hparams(trial, results)
        best = self.oracle.get_best_trials(1)
        best_note = f"; best so far: trial {best[0].trial_id}" if best else ""
        self.progress(f"trial {trial.trial_id}: {describe(results, self.objective_names)} in "
                      f"{results['train_seconds'] + results['score_seconds']:.0f} s{best_note}  "
                      f"[{describe_values(self.hypermodel.values(trial.hyperparameters))}]")

    @property
    def objective_names(self) -> list[str]:
        objective = self.oracle.objective
        return list(getattr(objective, "name_to_direction", {objective.name: None}))

    def write_hparams(self, trial, results: dict) -> None:
        """The trial's values and scores for TensorBoard's HParams dashboard (logs/trial_<id>)."""
        hparams = tuner_utils.convert_hyperparams_to_hparams(trial.hyperparameters, hparams_api)
        with tf.summary.create_file_writer(str(self.logs / f"trial_{trial.trial_id}")).as_default():
            hparams_api.hparams(hparams, trial_id=trial.trial_id)
            for name, value in results.items():
                tf.summary.scalar(name, value, step=0)

    def write_hparams_config(self) -> None:
        """The dashboard's columns: every searched key and the objective's metrics."""
        hparams = list(tuner_utils.convert_hyperparams_to_hparams(self.oracle.get_space(), hparams_api))
        metrics = [hparams_api.Metric(name) for name in self.objective_names]
        with tf.summary.create_file_writer(str(self.logs)).as_default():
            hparams_api.hparams_config(hparams=hparams, metrics=metrics)


def copy_once(source: Path, target: Path) -> None:
    """Copy run folder `source` to `target` unless it is there; a copy cut short by a kill is
    never mistaken for a run."""
    if target.exists():
        return
    partial = target.with_name(target.name + ".copying")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(source, partial)
    partial.rename(target)


def average(scores: list[dict]) -> dict:
    """Each metric's mean over runs, and its spread (`<metric>_std`, the sample standard deviation;
    0 for one run); seconds are summed."""
    results = {}
    for key in scores[0]:
        values = [score[key] for score in scores]
        if key.endswith("_seconds"):
            results[key] = float(sum(values))
            continue
        results[key] = float(statistics.fmean(values))
        results[f"{key}_std"] = float(statistics.stdev(values)) if len(values) > 1 else 0.0
    return results


def describe(results: dict, names) -> str:
    """'modes_captured 24 ± 0.58, high_quality_fraction 0.91 ± 0.02' for the objective's metrics."""
    return ", ".join(f"{name} {results[name]:.4g} ± {results.get(f'{name}_std', 0.0):.2g}" for name in names)


def describe_values(values: dict) -> str:
    """Searched values as 'train.batch_size=128, model.d_steps=2'."""
    return ", ".join(f"{key}={format_value(value)}" for key, value in values.items())


def format_value(value) -> str:
    """A searched value for a table: floats to 3 digits, the rest as YAML writes them."""
    if isinstance(value, float):
        return f"{value:.3g}"
    return yaml_text(value)


def last_line(text) -> str:
    lines = [line for line in str(text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
