"""A mistaken command never costs a run: each kind of mistake or failure gets one clear line, and
the run folder stays byte for byte as it was wherever nothing should change."""
import errno
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import yaml
from PIL import Image

import ganzoo
from ganzoo.callbacks import BackupAndRestore
from ganzoo.cli import main
from ganzoo.data import DataError
from ganzoo.runs import RunFolder
from tiny_runs import ROOT, tiny_args, train


def snapshot(folder) -> dict:
    """Every file's bytes but the lock's (which holds the pid of the last process to take it)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A one-epoch tiny run, copied afresh for each test that may change it."""
    run = tmp_path_factory.mktemp("trained") / "run"
    assert train(run, "--epochs", "1") == 0
    return run


@pytest.fixture
def run(trained, tmp_path):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    return copy


def one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.startswith("ganzoo:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--set", "data.source=digitz"], "Unknown data source 'digitz'"),
        (["--checkpoint-every", "0"], "--checkpoint-every must be a positive number"),
        (["--sample-every", "0"], "--sample-every must be at least 1"),
        (["--epochs", "0"], "train.epochs must be positive"),
        (["--set", "model.latent_dims=3"], "Unknown key 'latent_dims'"),
    ],
)
def test_overwrite_checks_everything_before_touching_the_old_run(run, capsys, extra, message):
    before = snapshot(run)
    assert main(["train", "dcgan-digits", "--out", str(run), "--overwrite", *tiny_args(), *extra]) == 2
    assert message in one_line(capsys.readouterr().err)
    assert snapshot(run) == before


def test_overwrite_keeps_the_old_run_until_the_new_one_commits(run, monkeypatch):
    before = snapshot(run)

    class StopAtFirstStep(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise KeyboardInterrupt

    real_train_run = ganzoo.runs.train_run
    monkeypatch.setattr(ganzoo.runs, "train_run", lambda *a, **k: real_train_run(*a, **k, extra_callbacks=[StopAtFirstStep()]))
    with pytest.raises(KeyboardInterrupt):
        ganzoo.runs.train("dcgan-digits", run, {"train": {"epochs": 1}}, overwrite=True, verbose=0)
    assert snapshot(run) == before, "a new run stopped before its first checkpoint must give the old one back"
    monkeypatch.undo()
    assert train(run, "--epochs", "1", "--overwrite", "--seed", "5") == 0
    assert not RunFolder(run).replaced.exists()
    assert yaml.safe_load((run / "config.yaml").read_text())["train"]["seed"] == 5


def test_a_kill_during_an_overwrite_gives_the_old_run_back_on_the_next_command(run):
    folder = RunFolder(run)
    before = snapshot(run)
    folder.set_aside()  # what --overwrite does before training; then a SIGKILL, before any checkpoint
    (run / "config.yaml").write_text("half a new run")
    assert train(run, "--epochs", "2", "--resume") == 0  # settles first: the old run is back, and resumes
    assert BackupAndRestore.read_metadata(run / "backup")["epoch"] == 2
    assert not folder.replaced.exists()
    assert (run / "samples" / "epoch_0001.png").read_bytes() == before["samples/epoch_0001.png"]


def test_resume_refuses_a_changed_model_setting_by_name_and_writes_nothing(run, capsys):
    before = snapshot(run)
    assert main(["train", "dcgan-digits", "--out", str(run), "--resume", "--epochs", "2",
                 "--set", "model.latent_dim=64"]) == 2  # fmt: skip
    line = one_line(capsys.readouterr().err)
    assert "--resume cannot change model.latent_dim (32 in the saved run, 64 asked: it shapes the saved weights)" in line
    for key in (["--batch-size", "8"], ["--set", "data.limit=32"], ["--set", "train.g_optimizer.name=rmsprop"]):
        assert main(["train", "dcgan-digits", "--out", str(run), "--resume", "--epochs", "2", *key]) == 2
        assert "--resume cannot change" in one_line(capsys.readouterr().err)
    assert snapshot(run) == before
    assert train(run, "--epochs", "2", "--resume") == 0  # a plain resume still works


def test_resume_applies_a_new_learning_rate_and_records_it(run):
    assert train(run, "--epochs", "2", "--resume", "--set", "train.g_optimizer.learning_rate=1e-5") == 0
    model = keras.models.load_model(run / "model.keras")
    assert float(model.g_optimizer.learning_rate) == pytest.approx(1e-5)
    assert float(model.d_optimizer.learning_rate) == pytest.approx(2e-4)  # unchanged, restored
    lines = (run / "changes.log").read_text().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [
        "resumed after epoch 1: train.epochs 1 -> 2",
        "resumed after epoch 1: train.g_optimizer.learning_rate 0.0002 -> 1e-05",
    ]


def test_a_full_disk_while_checkpointing_is_one_line_and_the_last_checkpoint_survives(run, capsys, monkeypatch):
    real_save = keras.Model.save_weights

    def full_disk(self, filepath, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(filepath))

    monkeypatch.setattr(keras.Model, "save_weights", full_disk)
    assert main(["train", "dcgan-digits", "--out", str(run), "--resume", "--epochs", "2"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "No space left on device. Free some disk space first." in line and ".weights.h5" in line
    assert f"The last good checkpoint (after epoch 1) is in {run / 'backup'}" in line
    assert f"ganzoo train dcgan-digits --out {run} --resume" in line
    monkeypatch.setattr(keras.Model, "save_weights", real_save)
    assert train(run, "--epochs", "2", "--resume") == 0


def test_an_output_path_under_a_file_is_one_line(run, capsys):
    (run / "file").write_text("not a folder")
    assert main(["sample", str(run), "-o", str(run / "file" / "grid.png")]) == 2
    line = one_line(capsys.readouterr().err)
    assert str(run / "file") in line and ("Not a directory" in line or "File exists" in line)


def test_a_corrupt_image_in_a_folder_names_the_file(tmp_path, capsys):
    folder = tmp_path / "images"
    folder.mkdir()
    for index in range(3):
        Image.fromarray(np.zeros((8, 8), "uint8")).save(folder / f"{index}.png")
    (folder / "3.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(DataError, match=r"3.png is not a readable image .*remove or replace it"):
        ganzoo.data.load(str(folder), batch_size=2)
    assert main(["train", "dcgan-digits", "--out", str(tmp_path / "run"), *tiny_args(),
                 "--set", f"data.source={folder}", "--set", "data.limit=null"]) == 2  # fmt: skip
    assert "3.png is not a readable image" in one_line(capsys.readouterr().err)


def test_ctrl_c_prints_one_line_with_the_last_checkpoint_and_the_resume_command(tmp_path):
    run = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    command = [sys.executable, "-m", "ganzoo.cli", "train", "dcgan-digits", "--out", str(run), "--epochs", "200",
               *tiny_args()]  # fmt: skip
    # A background shell starts its jobs with SIGINT ignored, and Python then installs no Ctrl-C handler.
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while (RunFolder(run).committed_epoch() or 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    line = one_line(err)
    assert line.startswith("ganzoo: training interrupted. The last good checkpoint (after epoch ")
    assert line.endswith(f"ganzoo train dcgan-digits --out {run} --resume")


class CtrlCWhileLoading:
    """An import finder that is interrupted while the command's modules load."""

    def find_spec(self, name, path=None, target=None):
        if name == "ganzoo.cli":
            raise KeyboardInterrupt


def test_ctrl_c_while_the_command_loads_is_one_line(monkeypatch, capsys):
    import ganzoo_command  # the console script's entry point

    monkeypatch.delitem(sys.modules, "ganzoo.cli")
    monkeypatch.setattr(sys, "meta_path", [CtrlCWhileLoading(), *sys.meta_path])
    with pytest.raises(SystemExit) as stopped:
        ganzoo_command.run()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "ganzoo: interrupted.\n"


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--metrics", " , "], "--metrics names no metric"),
        (["-n", "2000"], "n=2000 is more than the 1797 examples in 'digits'; use n=1797 or fewer"),
        (["--data", "ring", "--metrics", "fid"], "'ring' holds samples of shape (2,) but the model makes (16, 16, 1)"),
    ],
)
def test_eval_mistakes_are_one_line(trained, capsys, extra, message):
    before = snapshot(trained)
    assert main(["eval", str(trained), *extra]) == 2
    assert message in one_line(capsys.readouterr().err)
    assert snapshot(trained) == before


@pytest.mark.parametrize("args", [["train", "dcgan-mnst"], ["train", "dcgan-digits", "--epochs", "0"]])
def test_a_rejected_train_leaves_no_folder(tmp_path, args):
    out = tmp_path / "never"
    assert main([*args, "--out", str(out)]) == 2
    assert not out.exists()


def test_hdf5_s_multi_line_write_errors_become_one_line():
    from ganzoo.cli import _io_failure

    error = OSError("Can't synchronously write data (file write failed: time = Fri Dec  4 11:22:34 2026\n"
                    ", filename = '/runs/x/backup/.tmp-1-epoch00056.weights.h5', file descriptor = 6, errno = 28, "
                    "error message = 'No space left on device', buf = 0x5, total write size = 4096)")
    assert _io_failure(error) == ("/runs/x/backup/.tmp-1-epoch00056.weights.h5: No space left on device. "
                                  "Free some disk space first.")


def test_a_checkpoint_the_disk_cannot_hold_is_refused_before_hdf5_starts_it(run, capsys, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 1000, 1000))
    assert main(["train", "dcgan-digits", "--out", str(run), "--resume", "--epochs", "2"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "No space left on device for a" in line and "MiB checkpoint" in line
    assert not list((run / "backup").glob(".tmp-*")), "no half-written checkpoint is left behind"
    assert BackupAndRestore.read_metadata(run / "backup")["epoch"] == 1
