"""Sweeps: the search space and objective checked up front, trials trained and scored, the table,
HParams and best preset written, resuming after a kill, and keras-tuner's distributed mode."""
import json
import os
import signal
import subprocess
import sys
import time

import keras_tuner
import numpy as np
import pytest
import yaml

import ganzoo
from ganzoo.callbacks import BackupAndRestore
from ganzoo.cli import main
from ganzoo.config import ConfigError
from ganzoo.runs import RunError
from ganzoo.tuning import PresetHyperModel, make_oracle, parse_space, tune
from ganzoo.tuning.space import Dimension
from ganzoo.tuning.tuner import average
from tiny_runs import ROOT

SWEEP = {
    "base": "gan-ring",
    "description": "A tiny sweep on the grid, for the tests.",
    "model": {"generator": {"units": [8]}, "discriminator": {"units": [8]}},
    "train": {"epochs": 1, "batch_size": 64},
    "data": {"source": "grid", "limit": 256},
    "tune": {
        "objective": ["modes_captured", "high_quality_fraction"],
        "max_trials": 2,
        "space": {
            "train.g_optimizer.learning_rate": {"float": [1.0e-4, 1.0e-2], "sampling": "log"},
            "model.d_steps": {"choice": [1, 2]},
        },
    },
}
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


def write_preset(folder, **changes):
    """The tiny sweep preset as a file in `folder`, with sections replaced by `changes`."""
    path = folder / "tiny-sweep.yaml"
    path.write_text(yaml.safe_dump({**SWEEP, **changes}))
    return path


def oracle_state(out):
    return json.loads((out / "trials" / "oracle.json").read_text())


def trial_states(out):
    return {path.parent.name: json.loads(path.read_text()) for path in sorted((out / "trials").glob("trial_*/trial.json"))}


def test_a_sweep_writes_its_table_hparams_and_best_preset(tmp_path, capsys):
    preset, out = write_preset(tmp_path), tmp_path / "sweep"
    assert main(["tune", str(preset), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("trial ") >= 2 and "modes_captured" in printed and "overhead" in printed

    report = json.loads((out / "results.json").read_text())
    assert report["completed"] == 2 and len(report["trials"]) == 2
    scores = {trial["trial"]: trial["metrics"]["modes_captured"] + trial["metrics"]["high_quality_fraction"]
              for trial in report["trials"]}
    assert report["best_trial"] == max(scores, key=scores.get)
    for trial in report["trials"]:
        assert set(trial["values"]) == {"train.g_optimizer.learning_rate", "model.d_steps"}
        assert trial["seconds"] > 0

    best = next(trial for trial in report["trials"] if trial["trial"] == report["best_trial"])
    model = ganzoo.load(str(out / "best.yaml"))
    assert model.d_steps == best["values"]["model.d_steps"]
    assert np.isclose(float(model.g_optimizer.learning_rate), best["values"]["train.g_optimizer.learning_rate"])
    assert "tune" not in yaml.safe_load((out / "best.yaml").read_text())
    assert main(["train", str(out / "best.yaml"), "--out", str(tmp_path / "again")]) == 0

    events = list((out / "logs").glob(f"trial_{report['best_trial']}/events.*"))
    assert events and b"_hparams_/session_start_info" in events[0].read_bytes()
    assert b"_hparams_/experiment" in next((out / "logs").glob("events.*")).read_bytes()


def test_each_trial_runs_once_per_seed_and_reports_mean_and_spread(tmp_path):
    preset, out = write_preset(tmp_path), tmp_path / "sweep"
    report = tune(preset, out, max_trials=1, executions_per_trial=2, progress=lambda line: None)  # a Path works too
    assert sorted(p.name for p in (out / "trials").glob("trial_*/seed*")) == ["seed0", "seed1"]
    assert {"modes_captured_std", "high_quality_fraction_std"} <= set(report["trials"][0]["metrics"])

    scores = average([{"fid": 1.0, "train_seconds": 2.0}, {"fid": 3.0, "train_seconds": 5.0}])
    assert scores == {"fid": 2.0, "fid_std": pytest.approx(np.sqrt(2.0)), "train_seconds": 7.0}


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"floatt": [1, 2]}, "must be a mapping with one of float, int, choice"),
        ({"float": [2, 1]}, "min 2 must be below max 1"),
        ({"float": [0, 1], "sampling": "log"}, "log sampling needs a positive min"),
        ({"int": [1, 2.5]}, "takes \\[min, max\\] as two integers"),
        ({"choice": []}, "non-empty list"),
        ({"choice": [1, 1]}, "lists a value twice"),
        ({"choice": [1, 2], "sampling": "log"}, "unknown option"),
        ({"choice": [1, 2], "when": {"model.loss": ["hinge"]}}, "must be a choice key of the same space"),
    ],
)
def test_a_malformed_space_entry_is_refused_by_name(entry, message):
    with pytest.raises(ConfigError, match=message):
        parse_space({"model.d_steps": entry})


@pytest.mark.parametrize(
    "space, message",
    [
        ({"model.ema": {"choice": [0.99, 1.5]}}, r"tune.space\['model.ema'\] = 1.5 does not make a valid preset.*model.ema"),
        ({"model.d_step": {"choice": [1, 2]}}, r"Unknown key 'd_step'.*Did you mean 'd_steps'"),
        ({"train.g_optimizer.beta1": {"choice": [0.5]}}, "beta1"),
        ({"train.batch_size": {"int": [0, 64]}}, "batch_size must be positive"),
    ],
)
def test_every_value_of_the_space_is_checked_before_the_first_trial(tmp_path, space, message):
    preset = write_preset(tmp_path, tune={**SWEEP["tune"], "space": space})
    with pytest.raises(ConfigError, match=message):
        tune(str(preset), tmp_path / "sweep")
    assert not (tmp_path / "sweep").exists()


def test_objectives_are_checked_against_the_data_and_the_model(tmp_path, capsys):
    preset = write_preset(tmp_path)
    assert main(["tune", str(preset), "--out", str(tmp_path / "a"), "--objective", "recal"]) == 2
    assert "Unknown tune.objective 'recal'" in capsys.readouterr().err
    assert main(["tune", str(preset), "--out", str(tmp_path / "b"), "--objective", "class_accuracy"]) == 2
    assert "scores a conditional model" in capsys.readouterr().err
    assert main(["tune", "dcgan-mnist", "--out", str(tmp_path / "c")]) == 2
    assert "has no tune: section" in capsys.readouterr().err
    assert not any((tmp_path / name).exists() for name in "abc")


def test_the_tune_section_is_checked_like_any_preset_section(tmp_path):
    for tune_section, message in (({**SWEEP["tune"], "max_trial": 3}, "Did you mean 'max_trials'"),
                                  ({**SWEEP["tune"], "tuner": "grid"}, "tune.tuner must be one of"),
                                  ({**SWEEP["tune"], "max_trials": 0}, "max_trials must be positive")):
        with pytest.raises(ConfigError, match=message):
            ganzoo.resolve_preset(str(write_preset(tmp_path, tune=tune_section)))


def test_a_child_preset_replaces_the_inherited_space_whole(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(yaml.safe_dump({"base": "gan-grid", "tune": {"space": {"model.d_steps": {"choice": [1, 2]}}}}))
    section = ganzoo.resolve_preset(str(child)).tune
    assert list(section.space) == ["model.d_steps"]
    assert section.max_trials == 16 and section.objective == ["modes_captured", "high_quality_fraction"]  # inherited


def test_bayesian_search_keeps_most_of_a_small_budget_for_its_model():
    space = keras_tuner.HyperParameters()
    for name in "abcdefghi":  # gan-grid's nine keys: keras-tuner's default would be 27 random trials
        space.Float(name, 0.0, 1.0)
    oracle = make_oracle("bayesian", keras_tuner.Objective("fid", "min"), space, max_trials=16, max_epochs=None, seed=0)
    assert oracle.num_initial_points == 5


def test_choices_keras_tuner_cannot_hold_travel_as_yaml_text():
    for values in ((None, 0.99, 0.999), ([8], [16, 16]), (1, "two")):
        dimension = Dimension("model.x", "choice", values)
        encoded = [dimension.encode(value) for value in values]
        assert all(isinstance(value, str) for value in encoded)
        assert [dimension.decode(value) for value in encoded] == list(values)
    numbers = Dimension("model.x", "choice", (1, 2.5))
    assert [numbers.encode(value) for value in numbers.values] == [1.0, 2.5]


def test_a_when_condition_is_a_keras_tuner_conditional_scope(tmp_path):
    space = {
        "model.loss": {"choice": ["non_saturating", "hinge"]},
        "model.d_steps": {"choice": [2, 3], "when": {"model.loss": "hinge"}},
    }
    hypermodel = PresetHyperModel(str(write_preset(tmp_path)), space=space)
    hp = keras_tuner.HyperParameters()
    hypermodel.declare_hyperparameters(hp)
    hp.values.update({"model.loss": "non_saturating", "model.d_steps": 3})
    assert hypermodel.values(hp) == {"model.loss": "non_saturating"}
    hp.values["model.loss"] = "hinge"
    assert hypermodel.values(hp) == {"model.loss": "hinge", "model.d_steps": 3}
    assert hypermodel.build(hp).d_steps == 3


def test_the_hypermodel_serves_a_stock_keras_tuner(tmp_path):
    hypermodel = PresetHyperModel(str(write_preset(tmp_path)))
    tuner = keras_tuner.RandomSearch(hypermodel, objective=keras_tuner.Objective("d_loss", "min"), max_trials=1,
                                     directory=str(tmp_path), project_name="stock")
    tuner.search(ganzoo.data.load("grid", batch_size=64, limit=256), epochs=1, verbose=0)
    assert tuner.oracle.get_best_trials(1)[0].status == "COMPLETED"


def test_hyperband_continues_a_promoted_trial_from_a_copy_of_its_runs(tmp_path):
    preset, out = write_preset(tmp_path), tmp_path / "sweep"
    report = tune(str(preset), out, tuner="hyperband", max_epochs=3, progress=lambda line: None)
    promoted = [state for state in trial_states(out).values() if "tuner/trial_id" in state["hyperparameters"]["values"]]
    assert promoted and report["completed"] == len(report["trials"])
    for state in promoted:
        values = state["hyperparameters"]["values"]
        run = out / "trials" / f"trial_{state['trial_id']}" / "seed0"
        earlier = out / "trials" / f"trial_{values['tuner/trial_id']}" / "seed0"
        assert BackupAndRestore.read_metadata(run / "backup")["epoch"] == values["tuner/epochs"]
        assert BackupAndRestore.read_metadata(earlier / "backup")["epoch"] == values["tuner/initial_epoch"]  # untouched
        assert f"resumed after epoch {values['tuner/initial_epoch']}: train.epochs" in (run / "changes.log").read_text()
    best = next(trial for trial in report["trials"] if trial["trial"] == report["best_trial"])
    assert yaml.safe_load((out / "best.yaml").read_text())["train"]["epochs"] == best["epochs"]


def test_folder_rules_a_new_sweep_never_reuses_one_and_a_resume_may_only_raise_max_trials(tmp_path):
    preset, out = write_preset(tmp_path), tmp_path / "sweep"
    tune(str(preset), out, tuner="bayesian", max_trials=1, progress=lambda line: None)
    before = trial_states(out)
    with pytest.raises(RunError, match="already holds a sweep"):
        tune(str(preset), out, max_trials=1)
    with pytest.raises(RunError, match="tune.objective differ"):
        tune(str(preset), out, resume=True, objective="reverse_kl")
    with pytest.raises(RunError, match="Nothing to resume"):
        tune(str(preset), tmp_path / "empty", resume=True)
    narrower = {**SWEEP["tune"], "space": {"model.d_steps": {"choice": [1, 2]}}}
    with pytest.raises(RunError, match="tune.space differ"):
        tune(str(write_preset(tmp_path, tune=narrower)), out, resume=True)
    write_preset(tmp_path)  # the preset as the sweep began
    report = tune(str(preset), out, resume=True, max_trials=2, progress=lambda line: None)  # still Bayesian
    assert report["completed"] == 2 and report["settings"]["tuner"] == "bayesian"
    after = trial_states(out)
    assert after["trial_0"] == before["trial_0"]  # a finished trial is never run again


def test_failing_trials_are_reported_and_stop_the_sweep_with_a_clear_error(tmp_path, capfd):
    diverging = {"train.g_optimizer.learning_rate": {"float": [1.0e30, 1.0e31]}}
    preset = write_preset(tmp_path, tune={**SWEEP["tune"], "max_trials": 4, "space": diverging})
    lines = []
    with pytest.raises(RunError, match="The sweep stopped: Number of consecutive failures.*Training diverged"):
        tune(str(preset), tmp_path / "sweep", progress=lines.append)
    assert lines and all("failed (FAILED): ganzoo.callbacks.TrainingDiverged" in line for line in lines)
    assert "Traceback" not in capfd.readouterr().err  # the traceback is kept in the trial's file
    assert "Traceback" in json.loads((tmp_path / "sweep" / "trials" / "trial_0" / "trial.json").read_text())["message"]


def test_a_resume_neither_repeats_a_finished_trial_nor_forgets_a_started_one(tmp_path):
    """The two moments between keras-tuner's files: a trial's own file says finished but the oracle's
    still lists it as running; a new trial's file exists but the oracle's does not know it."""
    preset, out = write_preset(tmp_path), tmp_path / "sweep"
    tune(str(preset), out, max_trials=2, progress=lambda line: None)
    finished = trial_states(out)["trial_1"]
    state = oracle_state(out)
    state["ongoing_trials"] = {"tuner0": "1"}  # killed after trial 1's file, before the oracle's
    state["end_order"].remove("1")
    (out / "trials" / "oracle.json").write_text(json.dumps(state))
    lines = []
    report = tune(str(preset), out, resume=True, progress=lines.append)
    assert not lines and report["completed"] == 2
    assert trial_states(out)["trial_1"] == finished

    started = {**finished, "trial_id": "2", "status": "RUNNING", "metrics": {"metrics": {}}, "score": None}
    (out / "trials" / "trial_2").mkdir()
    (out / "trials" / "trial_2" / "trial.json").write_text(json.dumps(started))  # killed before the oracle's file
    report = tune(str(preset), out, resume=True, max_trials=3, progress=lines.append)
    assert [line.split(":")[0] for line in lines] == ["trial 2"]
    assert report["completed"] == 3


def test_a_sweep_killed_mid_trial_resumes_without_losing_a_finished_trial(tmp_path):
    preset, out = write_preset(tmp_path), tmp_path / "sweep"
    command = [sys.executable, "-m", "ganzoo.cli", "tune", str(preset), "--out", str(out), "--max-trials", "3",
               "--set", "train.epochs=3"]  # fmt: skip
    process = subprocess.Popen(command, env=ENV, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while not (out / "trials" / "trial_1" / "seed0" / "backup").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # trial 0 has finished and trial 1 is training
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = trial_states(out)
    assert before["trial_0"]["status"] == "COMPLETED" and before["trial_1"]["status"] == "RUNNING"

    done = subprocess.run([*command, "--resume"], env=ENV, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    after = trial_states(out)
    assert sorted(after) == ["trial_0", "trial_1", "trial_2"]
    assert all(state["status"] == "COMPLETED" for state in after.values())
    assert after["trial_0"] == before["trial_0"]
    assert after["trial_1"]["hyperparameters"]["values"] == before["trial_1"]["hyperparameters"]["values"]
    assert "trial 0:" not in done.stdout and "trial 1:" in done.stdout


def test_a_chief_and_two_workers_share_one_oracle(tmp_path):
    """The workers start first and wait for the chief (keras-tuner's client waits for its server):
    a worker that asked for its first trial only after the other had finished them all would find
    the chief gone."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    preset, out = write_preset(tmp_path), tmp_path / "sweep"
    command = [sys.executable, "-m", "ganzoo.cli", "tune", str(preset), "--out", str(out), "--max-trials", "6"]
    processes = {}
    try:
        for tuner_id in ("tuner0", "tuner1", "chief"):
            if tuner_id == "chief":
                time.sleep(5)
            env = dict(ENV, KERASTUNER_TUNER_ID=tuner_id, KERASTUNER_ORACLE_IP="127.0.0.1", KERASTUNER_ORACLE_PORT=port)
            processes[tuner_id] = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                                                   stderr=subprocess.PIPE, text=True)  # fmt: skip
        outputs = {tuner_id: process.communicate(timeout=300) for tuner_id, process in processes.items()}
    finally:
        for process in processes.values():
            process.kill()
    for tuner_id, process in processes.items():
        assert process.returncode == 0, f"{tuner_id}: {outputs[tuner_id][1][-3000:]}"
    report = json.loads((out / "results.json").read_text())
    assert report["completed"] == 6
    ran = {tuner_id: outputs[tuner_id][0].count("trial ") for tuner_id in ("tuner0", "tuner1")}
    assert all(count >= 1 for count in ran.values()), ran  # both workers ran trials
    assert (out / "best.yaml").exists()
