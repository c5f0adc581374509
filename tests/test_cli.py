"""The `ganzoo` command end to end: list, train, resume, sample, and its error messages."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import yaml
from PIL import Image

import ganzoo
from ganzoo.cli import main
from tiny_runs import ROOT, tiny_args, train


def pixels(path):
    with Image.open(path) as image:
        return np.asarray(image)


def test_list_prints_every_preset_with_a_description(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == ganzoo.list_models()
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)


def test_train_resume_and_sample(tmp_path, capsys):
    run = tmp_path / "run"
    assert train(run, "--epochs", "1") == 0
    assert (run / "samples" / "epoch_0001.png").is_file()
    assert (run / "model.keras").is_file()
    assert list((run / "logs" / "train").glob("events.out.tfevents.*"))
    assert list((run / "logs" / "samples").glob("events.out.tfevents.*"))
    config = (run / "config.yaml").read_text()
    assert "limit: 64" in config and "seed: 0" in config
    assert json.loads((run / "backup" / "training_metadata.json").read_text())["epoch"] == 1

    assert train(run, "--epochs", "1") == 2
    assert "--resume" in capsys.readouterr().err

    assert main(["train", "dcgan-digits", "--out", str(run), "--epochs", "2", "--resume"]) == 0
    assert json.loads((run / "backup" / "training_metadata.json").read_text())["epoch"] == 2
    assert (run / "samples" / "epoch_0002.png").is_file()
    resumed = ganzoo.runs.load_run_model(run)
    assert int(resumed.g_optimizer.iterations) == 2 * 4  # 64 examples / 16 per batch, two epochs

    first, again, other = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "c.png"
    assert main(["sample", str(run), "-n", "16", "--seed", "3", "-o", str(first)]) == 0
    assert main(["sample", str(run / "model.keras"), "-n", "16", "--seed", "3", "-o", str(again)]) == 0
    assert main(["sample", str(run), "-n", "16", "--seed", "4", "-o", str(other)]) == 0
    np.testing.assert_array_equal(pixels(first), pixels(again))
    assert not np.array_equal(pixels(first), pixels(other))
    assert pixels(first).shape == (4 * 18 + 2, 4 * 18 + 2)

    assert train(run, "--epochs", "1", "--overwrite") == 0
    assert json.loads((run / "backup" / "training_metadata.json").read_text())["epoch"] == 1
    assert not (run / "samples" / "epoch_0002.png").exists()


def test_resume_with_nothing_to_resume(tmp_path, capsys):
    assert train(tmp_path / "empty", "--resume") == 2
    err = capsys.readouterr().err
    assert "Nothing to resume" in err and "without --resume" in err
    assert not (tmp_path / "empty" / "model.keras").exists()


def test_sample_without_checkpoint(tmp_path, capsys):
    assert main(["sample", str(tmp_path)]) == 2
    assert "No saved model" in capsys.readouterr().err


def test_bad_preset_and_bad_override_give_one_line_errors(tmp_path, capsys):
    assert main(["train", "dcgan-mnst", "--out", str(tmp_path)]) == 2
    assert "Closest names: dcgan-mnist" in capsys.readouterr().err
    assert main(["train", "gan-ring", "--out", str(tmp_path), "--set", "model.latent=3"]) == 2
    assert "Unknown key 'latent'" in capsys.readouterr().err
    assert main(["train", "gan-ring", "--out", str(tmp_path), "--epochs", "0"]) == 2
    assert "train.epochs must be positive" in capsys.readouterr().err


def test_data_that_does_not_match_the_model_fails_before_training(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "dcgan-digits", "--out", str(run), "--set", "data.image_size=8", *tiny_args()]) == 2
    # Caught from the preset, before any data is loaded or model built.
    assert "'digits' gives samples of shape (8, 8, 1) but model.data_shape is [16, 16, 1]" in capsys.readouterr().err
    assert not (run / "model.keras").exists()


@pytest.mark.skipif(shutil.which("ganzoo") is None, reason="console script not installed (pip install -e .)")
def test_console_script_help():
    out = subprocess.run(["ganzoo", "train", "--help"], capture_output=True, text=True, check=True).stdout
    assert "--resume" in out and "--set KEY=VALUE" in out


def test_module_entry_point_help():
    out = subprocess.run([sys.executable, "-m", "ganzoo.cli", "--help"], capture_output=True, text=True, check=True)
    assert "ganzoo train dcgan-mnist" in out.stdout


def test_another_keras_backend_is_refused_at_import():
    env = dict(os.environ, KERAS_BACKEND="numpy", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", "import ganzoo"], capture_output=True, text=True, env=env)
    assert done.returncode != 0
    assert "Set KERAS_BACKEND=tensorflow" in done.stderr


def test_a_run_stopped_before_its_first_checkpoint_starts_clean(tmp_path):
    run = tmp_path / "run"
    (run / "logs" / "train").mkdir(parents=True)
    (run / "logs" / "train" / "events.out.tfevents.stale").write_text("old")
    (run / "samples").mkdir()
    (run / "samples" / "epoch_0007.png").write_text("old")
    assert train(run, "--epochs", "1") == 0
    assert not (run / "samples" / "epoch_0007.png").exists()
    assert not (run / "logs" / "train" / "events.out.tfevents.stale").exists()
    assert (run / "samples" / "epoch_0001.png").exists()


def test_a_run_recorded_before_data_pairing_still_resumes(tmp_path):
    """Runs written before `data.pairing` existed record `data.labels: false` in config.yaml."""
    run = tmp_path / "run"
    assert train(run, "--epochs", "1") == 0
    config = yaml.safe_load((run / "config.yaml").read_text())
    config["data"].pop("pairing")
    config["data"]["labels"] = False
    (run / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    assert train(run, "--epochs", "2", "--resume") == 0
    assert (run / "samples" / "epoch_0002.png").exists()
