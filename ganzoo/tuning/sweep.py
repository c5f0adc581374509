"""A sweep on disk: what `ganzoo tune` asked, keras-tuner's state, each trial's runs, the results
table and the best trial as a preset.

    <sweep>/sweep.yaml           the preset, its overrides and the resolved `tune` settings
    <sweep>/trials/              keras-tuner's oracle and trial files; trial_<id>/seed<k>/ run folders
    <sweep>/logs/                TensorBoard HParams: one run per trial
    <sweep>/results.json         every trial's values, scores and seconds, and the sweep's overhead
    <sweep>/best.yaml            the best trial as a preset (`ganzoo.load(path)`, `ganzoo train path`)

Everything asked is checked before the folder is touched. `resume` continues a sweep killed at
any moment: finished trials are kept as they are, the trial that was running runs again (from its
runs' last checkpoints), and `max_trials` may be raised; anything else that would change the
search is refused. In keras-tuner's distributed mode (KERASTUNER_TUNER_ID, KERASTUNER_ORACLE_IP,
KERASTUNER_ORACLE_PORT) the chief holds the oracle and writes the folder's files; each worker runs
trials into the same folder, which must therefore be shared between machines.
"""
from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import keras_tuner
import yaml
from keras_tuner.engine.trial import TrialStatus
from keras_tuner.src.distribute import utils as distribute_utils

from ganzoo.config import ConfigError, TuneConfig, read_yaml
from ganzoo.files import write_text_atomic
from ganzoo.registry import resolve_preset
from ganzoo.runs import RunError, RunFolder, run_lock
from ganzoo.tuning.hypermodel import PresetHyperModel
from ganzoo.tuning.objectives import keras_objective, make_evaluator, objective_names
from ganzoo.tuning.oracles import make_oracle
from ganzoo.tuning.tuner import SweepTuner, describe, format_value, last_line

SWEEP_FILE, RESULTS_FILE, BEST_FILE = "sweep.yaml", "results.json", "best.yaml"
RESUMABLE = ("max_trials",)  # what a resume may change


def sweep_settings(preset_name: str, overrides: dict, **asked) -> TuneConfig:
    """The preset's `tune` section with the command's values (those not None) over it."""
    preset = resolve_preset(preset_name, overrides)
    if preset.tune is None:
        raise ConfigError(f"Preset {preset.name!r} has no tune: section to sweep. Add one with a space, an objective "
                          "and a budget (see the README's Sweeps section).")
    chosen = {key: value for key, value in asked.items() if value is not None}
    settings = dataclasses.replace(preset.tune, **chosen)
    settings.objective = objective_names(settings.objective)
    for name in settings.objective:  # each applies to this preset's data and model
        make_evaluator(preset, [name], settings.n)
    if settings.tuner == "hyperband" and settings.max_epochs is None:
        settings.max_epochs = preset.train.epochs
    return settings


def saved_sweep(out: Path) -> dict:
    """What the sweep in `out` was asked (its sweep.yaml)."""
    if not (out / SWEEP_FILE).exists():
        raise RunError(f"Nothing to resume in {out}: it holds no {SWEEP_FILE}. Run the same command without --resume "
                       "to start the sweep.")
    return read_yaml(out / SWEEP_FILE)


def check_folder(out: Path, asked: dict, resume: bool) -> None:
    """A new sweep needs a folder without one; a resumed sweep the same search as the saved one."""
    if not resume:
        if (out / SWEEP_FILE).exists():  # not trials/: a distributed sweep's workers may set it up first
            raise RunError(f"{out} already holds a sweep. Pass --resume to continue it, or --out for another folder.")
        return
    saved = saved_sweep(out)
    changed = sorted(key for key in {**saved, **asked} if key != "tune" and saved.get(key) != asked.get(key))
    changed += sorted(f"tune.{key}" for key in {**saved.get("tune", {}), **asked["tune"]}
                      if key not in RESUMABLE and saved.get("tune", {}).get(key) != asked["tune"].get(key))
    if changed:
        raise RunError(f"{out} holds a different sweep: {', '.join(changed)} differ from {out / SWEEP_FILE}. A resume "
                       f"may change only {', '.join(f'tune.{key}' for key in RESUMABLE)}; use --out for a new sweep.")


def tune(preset_name: str, out, overrides: dict | None = None, resume: bool = False, progress=print, **asked) -> dict:
    """Sweep preset `preset_name` (a name or a YAML file) into folder `out` and return the report
    (its wall time covers the whole call but writing the report).

    `asked` sets `tune` values over the preset's: tuner, max_trials, objective, executions_per_trial,
    max_epochs, n. A resume takes those not given (None) from the saved sweep; the space is always
    the preset's, so a changed space is refused as a different sweep. In keras-tuner's
    distributed mode, a worker runs trials and returns an empty report; the chief serves the
    oracle, then writes and returns the report.
    """
    start = time.perf_counter()
    preset_name, out, overrides = str(preset_name), Path(out), overrides or {}
    if resume:
        saved = saved_sweep(out)
        overrides = overrides or saved.get("overrides") or {}
        asked = {key: value for key, value in saved.get("tune", {}).items() if key != "space"} | {
            key: value for key, value in asked.items() if value is not None
        }
    settings = sweep_settings(preset_name, overrides, **asked)
    hypermodel = PresetHyperModel(preset_name, overrides)  # checks every value of the space
    record = {"preset": preset_name, "overrides": overrides, "tune": dataclasses.asdict(settings)}
    is_worker = distribute_utils.has_chief_oracle() and not distribute_utils.is_chief_oracle()
    if is_worker:
        make_tuner(hypermodel, settings, out, progress).search(verbose=0)
        return {}
    check_folder(out, record, resume)
    with run_lock(RunFolder(out)):
        if not resume:
            write_text_atomic(out / SWEEP_FILE, yaml.safe_dump(record, sort_keys=False))
        tuner = make_tuner(hypermodel, settings, out, progress)
        tuner.write_hparams_config()
        try:
            tuner.search(verbose=0)
        except RuntimeError as error:  # keras-tuner stops after several failed trials in a row
            reason, *_ = str(error).splitlines() or ["no message"]
            raise RunError(f"The sweep stopped: {reason} The last one failed with: {last_line(str(error))} Each failed "
                           f"trial's error is in {out / 'trials'}/trial_<id>/trial.json; fix the preset or narrow the "
                           "space, then continue with --resume.") from None
        wall = time.perf_counter() - start
        report = sweep_report(tuner, settings, wall)
        write_text_atomic(out / RESULTS_FILE, json.dumps(report, indent=2) + "\n")
        if report["best_trial"] is not None:
            write_best_preset(out / BEST_FILE, tuner, report)
    return report


def make_tuner(hypermodel: PresetHyperModel, settings: TuneConfig, out: Path, progress) -> SweepTuner:
    preset = resolve_preset(hypermodel.preset_name, hypermodel.base_overrides)
    hyperparameters = hypermodel_space(hypermodel)
    oracle = make_oracle(settings.tuner, keras_objective(settings.objective), hyperparameters, settings.max_trials,
                         settings.max_epochs, seed=preset.train.seed)
    evaluator = make_evaluator(preset, settings.objective, settings.n)
    return SweepTuner(oracle, hypermodel, out, evaluator, settings.executions_per_trial, progress)


def hypermodel_space(hypermodel: PresetHyperModel) -> keras_tuner.HyperParameters:
    hyperparameters = keras_tuner.HyperParameters()
    hypermodel.declare_hyperparameters(hyperparameters)
    return hyperparameters


def sweep_report(tuner: SweepTuner, settings: TuneConfig, wall_seconds: float) -> dict:
    """Every trial (values, the objective's metrics with their spread, seconds, status), the best
    trial, and how much of this invocation's wall time went to anything but trials."""
    oracle = tuner.oracle
    trials = []
    for trial_id in sorted(oracle.trials):
        trial = oracle.trials[trial_id]
        metrics = {name: trial.metrics.get_last_value(name) for name in trial.metrics.metrics}
        trials.append({
            "trial": trial_id, "status": trial.status, "score": trial.score,
            "values": tuner.hypermodel.values(trial.hyperparameters),
            "epochs": trial.hyperparameters.values.get("tuner/epochs"),
            "metrics": metrics,
            "seconds": metrics.get("train_seconds", 0.0) + metrics.get("score_seconds", 0.0),
        })
    best = oracle.get_best_trials(1)
    in_trials = tuner.seconds_in_trials
    return {
        "settings": dataclasses.asdict(settings), "trials": trials,
        "best_trial": best[0].trial_id if best else None,
        "completed": sum(trial["status"] == TrialStatus.COMPLETED for trial in trials),
        "wall_seconds": wall_seconds, "seconds_in_trials": in_trials,
        "overhead_fraction": (wall_seconds - in_trials) / wall_seconds if in_trials else None,
    }


def format_report(report: dict) -> str:
    """The results table: a row per trial (the best marked with *), its searched values (headed by
    their keys without the section), the objective's mean ± spread over seeds, and seconds."""
    names = report["settings"]["objective"]
    keys = list(dict.fromkeys(key for trial in report["trials"] for key in trial["values"]))

    def cells(trial) -> list[str]:
        mark = "*" if trial["trial"] == report["best_trial"] else ""
        metrics = trial["metrics"]
        scores = [f"{metrics[n]:.4g} ± {metrics.get(f'{n}_std', 0.0):.2g}" if n in metrics else "-" for n in names]
        values = [format_value(trial["values"][key]) if key in trial["values"] else "-" for key in keys]
        return [mark + trial["trial"], trial["status"].lower(), *scores, f"{trial['seconds']:.0f}", *values]

    headings = ["trial", "status", *names, "seconds", *(key.partition(".")[2] for key in keys)]
    rows = [headings, *(cells(trial) for trial in report["trials"])]
    widths = [max(len(row[column]) for row in rows) for column in range(len(headings))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths)) for row in rows]
    if report["overhead_fraction"] is not None:
        lines.append(f"wall {report['wall_seconds']:.0f} s, of which {report['seconds_in_trials']:.0f} s training and "
                     f"scoring trials: overhead {100 * report['overhead_fraction']:.1f}%")
    return "\n".join(lines)


def write_best_preset(path: Path, tuner: SweepTuner, report: dict) -> None:
    """The best trial as a self-contained preset (no `base:`, no `tune:`)."""
    trial = tuner.oracle.trials[report["best_trial"]]
    preset = tuner.hypermodel.preset(trial.hyperparameters)
    mapping = preset.to_dict()
    mapping.pop("name")
    mapping.pop("tune", None)
    epochs = trial.hyperparameters.values.get("tuner/epochs")
    if epochs is not None:
        mapping["train"]["epochs"] = int(epochs)
    metrics = {name: trial.metrics.get_last_value(name) for name in trial.metrics.metrics}
    names = report["settings"]["objective"]
    mapping["description"] = (f"{tuner.hypermodel.name} tuned by `ganzoo tune`: trial {trial.trial_id} of "
                              f"{len(report['trials'])} ({report['settings']['tuner']} search), "
                              f"{describe(metrics, names)}.")
    header = "# Written by `ganzoo tune`; train it with `ganzoo train <this file>` or ganzoo.load(\"<this file>\").\n"
    write_text_atomic(path, header + yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True))

