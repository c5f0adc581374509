"""Training never loses more than the work since the last checkpoint, and says clearly what happened."""
import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest
from PIL import Image

import ganzoo
from ganzoo.callbacks import BackupAndRestore, DivergenceGuard, TrainingDiverged
from ganzoo.cli import main
from ganzoo.runs import RunFolder, run_lock
from tiny_runs import ROOT, AtStep, tiny_args
from tiny_runs import train as tiny_train


def train(run, *extra):
    return tiny_train(run, *extra, limit=128)  # 8 steps per epoch


def saved_weights(run):
    model = keras.models.load_model(Path(run) / "model.keras")
    return [keras.ops.convert_to_numpy(v) for v in model.weights] + [
        keras.ops.convert_to_numpy(v) for v in model.g_optimizer.variables + model.d_optimizer.variables
    ]


def assert_same(first, second):
    assert len(first) == len(second)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    assert train(tmp_path / "whole", "--epochs", "3", "--deterministic") == 0
    assert train(tmp_path / "split", "--epochs", "1", "--deterministic") == 0
    assert train(tmp_path / "split", "--epochs", "3", "--deterministic", "--resume") == 0
    assert_same(saved_weights(tmp_path / "whole"), saved_weights(tmp_path / "split"))


def test_same_seed_same_weights_other_seed_other_weights(tmp_path):
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        assert train(tmp_path / name, "--epochs", "1", "--seed", seed, "--deterministic") == 0
    assert_same(saved_weights(tmp_path / "a"), saved_weights(tmp_path / "b"))
    assert not np.array_equal(saved_weights(tmp_path / "a")[0], saved_weights(tmp_path / "c")[0])


def test_sample_grids_carry_their_provenance(tmp_path):
    assert train(tmp_path / "run", "--epochs", "1", "--seed", "7") == 0
    with Image.open(tmp_path / "run" / "samples" / "epoch_0001.png") as image:
        text = image.text
    assert text["ganzoo:epoch"] == "1" and text["ganzoo:latent_seed"] == "7"
    assert "seed: 7" in text["ganzoo:config"] and "source: digits" in text["ganzoo:config"]


def test_a_second_writer_is_refused(tmp_path, capsys):
    run = tmp_path / "run"
    with run_lock(RunFolder(run)):
        assert train(run, "--epochs", "1") == 2
    err = capsys.readouterr().err
    assert f"pid {os.getpid()}" in err and "is training in" in err
    assert train(run, "--epochs", "1") == 0  # the lock is released with its holder


def test_unwritable_run_folder_names_the_path(tmp_path, capsys):
    # A file where a folder should be cannot be written into, even by root (a read-only folder can).
    locked = tmp_path / "not-a-folder"
    locked.write_text("")
    assert train(locked / "run", "--epochs", "1") == 2
    assert str(locked / "run") in capsys.readouterr().err


def test_full_disk_names_the_run_folder(tmp_path, capsys, monkeypatch):
    def full_disk(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ganzoo.runs, "write_text_atomic", full_disk)
    assert train(tmp_path / "run", "--epochs", "1") == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "run") in err and "No space left on device" in err


def test_finished_run_asks_for_more_epochs(tmp_path, capsys):
    assert train(tmp_path / "run", "--epochs", "1") == 0
    assert train(tmp_path / "run", "--epochs", "1", "--resume") == 2
    assert "already trained for 1 epochs" in capsys.readouterr().err


def poison(model):
    """Turns a discriminator weight into NaN."""
    kernel = model.discriminator.weights[0]
    kernel.assign(np.full(kernel.shape, np.nan, "float32"))


def test_divergence_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    backup = tmp_path / "backup"
    model = ganzoo.load("gan-ring", model={"generator": {"units": [8]}, "discriminator": {"units": [8]}})
    data = ganzoo.data.load("ring", batch_size=32, limit=128)  # 4 steps per epoch
    callbacks = [DivergenceGuard(backup), AtStep(6, poison), BackupAndRestore(backup)]
    with pytest.raises(TrainingDiverged, match=r"epoch 2.*(d_loss|g_loss|d_real|d_fake) = nan.*after epoch 1"):
        model.fit(data, epochs=3, callbacks=callbacks, verbose=0)
    state = BackupAndRestore.read_metadata(backup)
    assert state["epoch"] == 1
    with h5py.File(backup / state["weights"]) as weights:
        values = []
        weights.visititems(lambda name, item: values.append(item[()]) if isinstance(item, h5py.Dataset) else None)
    assert values and all(np.all(np.isfinite(v)) for v in values if np.issubdtype(np.asarray(v).dtype, np.floating))


def test_a_nan_evaluation_metric_is_not_divergence():
    model = ganzoo.load("gan-ring", model={"generator": {"units": [8]}, "discriminator": {"units": [8]}})

    class NanMetric(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["reverse_kl"] = float("nan")  # e.g. mode coverage when no sample is near a mode

    data = ganzoo.data.load("ring", batch_size=32, limit=64)
    history = model.fit(data, epochs=2, callbacks=[NanMetric(), DivergenceGuard()], verbose=0)
    assert len(history.history["g_loss"]) == 2


def test_divergence_is_reported_by_the_cli(tmp_path, capsys):
    code = train(tmp_path / "run", "--epochs", "2", "--set", "train.d_optimizer.learning_rate=1e30",
                 "--set", "train.g_optimizer.learning_rate=1e30")  # fmt: skip
    assert code == 3
    assert "Training diverged at epoch 1" in capsys.readouterr().err


def test_corrupted_newest_checkpoint_falls_back_to_the_previous_one(tmp_path):
    run = tmp_path / "run"
    assert train(run, "--epochs", "2") == 0
    state = BackupAndRestore.read_metadata(run / "backup")
    assert state["older"][0]["epoch"] == 1
    newest = run / "backup" / state["weights"]
    newest.write_bytes(newest.read_bytes()[:1000])  # truncated, as by a full disk
    with pytest.warns(UserWarning, match="unreadable; resumed from epoch00001"):
        assert train(run, "--epochs", "3", "--resume") == 0
    assert BackupAndRestore.read_metadata(run / "backup")["epoch"] == 3


def test_sigkill_at_random_moments_then_resume_matches_an_uninterrupted_run(tmp_path):
    epochs = 6
    command = [sys.executable, "-m", "ganzoo.cli", "train", "dcgan-digits", *tiny_args(128), "--epochs", str(epochs), "--deterministic"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    subprocess.run([*command, "--out", str(tmp_path / "whole")], check=True, env=env, capture_output=True)

    run = tmp_path / "killed"
    rng = np.random.default_rng(0)
    kills = 0

    def committed():
        state = BackupAndRestore.read_metadata(run / "backup")
        return 0 if state is None else state["epoch"]

    while kills < 2 and committed() < epochs - 1:
        flags = ["--resume"] if committed() else ["--overwrite"]
        process = subprocess.Popen([*command, "--out", str(run), *flags], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        start, deadline = committed(), time.monotonic() + 120
        while committed() == start and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # wait for the next checkpoint, so the kill lands mid-training
        time.sleep(rng.uniform(0.0, 0.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
    assert kills >= 1
    if committed() < epochs:
        subprocess.run([*command, "--out", str(run), "--resume"], check=True, env=env, capture_output=True)
    assert_same(saved_weights(tmp_path / "whole"), saved_weights(run))


def test_step_level_checkpoints_from_the_cli(tmp_path, capsys):
    run = tmp_path / "run"
    assert train(run, "--epochs", "1", "--checkpoint-every", "3") == 0
    assert BackupAndRestore.read_metadata(run / "backup")["epoch"] == 1
    assert train(tmp_path / "other", "--epochs", "1", "--checkpoint-every", "0") == 2
    assert "--checkpoint-every must be a positive number of steps" in capsys.readouterr().err


def test_keep_checkpoints_from_the_cli(tmp_path):
    run = tmp_path / "run"
    assert train(run, "--epochs", "3", "--keep-checkpoints", "1") == 0
    assert [p.name for p in (run / "backup").glob("*.weights.h5")] == ["epoch00003-batch000000.weights.h5"]


def test_a_damaged_model_file_gives_a_clear_error(tmp_path, capsys):
    run = tmp_path / "run"
    assert train(run, "--epochs", "1") == 0
    model_file = run / "model.keras"
    model_file.write_bytes(model_file.read_bytes()[:500])
    assert main(["sample", str(run)]) == 2
    err = capsys.readouterr().err
    assert f"{model_file} is damaged: it is not a readable .keras archive" in err
    hint = f"ganzoo train dcgan-digits --out {run} --resume --epochs 2"
    assert hint in err and len(err.strip().splitlines()) == 1
    assert main(hint.split()[1:]) == 0  # the way out it names works
    assert main(["sample", str(run)]) == 0
