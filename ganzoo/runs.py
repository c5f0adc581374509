"""A training run on disk: its folder layout, starting or resuming it, and loading its model.

    runs/<name>/config.yaml      the resolved preset (with its seed) that made everything below
    runs/<name>/model.keras      the latest full model, for `ganzoo sample` and keras.models.load_model
    runs/<name>/backup/          BackupAndRestore state: weights, both optimizers, epoch counter
    runs/<name>/samples/         one grid per epoch from a fixed latent batch
    runs/<name>/logs/            TensorBoard: losses, D outputs and the sample grid
"""
from __future__ import annotations

import shutil
from pathlib import Path

import keras
import yaml

from ganzoo.callbacks import BackupAndRestore, SampleGrid
from ganzoo.data import preset_dataset
from ganzoo.config import Preset, build_preset, deep_merge, read_yaml
from ganzoo.files import write_text_atomic
from ganzoo.models import build_model
from ganzoo.registry import resolve_preset


class RunError(RuntimeError):
    """A run folder cannot be used as asked; the message says why and what to do instead."""


class RunFolder:
    """The paths of one run folder (see the module docstring for the layout)."""

    def __init__(self, root):
        self.root = Path(root)
        self.config = self.root / "config.yaml"
        self.model = self.root / "model.keras"
        self.backup = self.root / "backup"
        self.samples = self.root / "samples"
        self.logs = self.root / "logs"

    def committed_epoch(self) -> int | None:
        """Epochs completed by the last committed backup, or None when there is none."""
        state = BackupAndRestore.read_metadata(self.backup)
        return None if state is None else state["epoch"]

    def clear(self) -> None:
        for path in (self.backup, self.samples, self.logs):
            shutil.rmtree(path, ignore_errors=True)
        for path in (self.model, self.config):
            path.unlink(missing_ok=True)


def prepare_run(run: RunFolder, preset_name: str, overrides: dict, resume=False, overwrite=False) -> Preset:
    """Resolve the preset for a new or resumed run, refusing anything that would lose work."""
    epoch = run.committed_epoch()
    if resume:
        if epoch is None or not run.config.exists():
            raise RunError(
                f"Nothing to resume in {run.root}: it holds no checkpoint. "
                "Run the same command without --resume to start a fresh run."
            )
        saved = read_yaml(run.config)
        name = saved.pop("name")
        if name != preset_name:
            raise RunError(f"{run.root} holds a run of {name!r}, not {preset_name!r}; check --out.")
        return build_preset(name, deep_merge(saved, overrides))
    if (epoch is not None or run.model.exists()) and not overwrite:
        raise RunError(
            f"{run.root} already holds a run (last checkpoint after epoch {epoch}). Pass --resume "
            "to continue it, --overwrite to delete it and start over, or --out for another folder."
        )
    preset = resolve_preset(preset_name, overrides)
    run.clear()  # also drops what a run stopped before its first checkpoint left behind
    return preset


def write_config(run: RunFolder, preset: Preset) -> None:
    try:
        run.root.mkdir(parents=True, exist_ok=True)
        write_text_atomic(run.config, yaml.safe_dump(preset.to_dict(), sort_keys=False))
    except OSError as error:
        raise RunError(f"Cannot write to the run folder {run.root}: {error.strerror or error}.") from None


def train_run(preset: Preset, run: RunFolder, verbose="auto", sample_every=1, extra_callbacks=()):
    """Train `preset` into `run`, resuming from its backup when one exists; returns the History."""
    keras.utils.set_random_seed(preset.train.seed)
    model = build_model(preset)
    dataset = preset_dataset(preset)
    write_config(run, preset)
    callbacks = [
        SampleGrid(run.samples, seed=preset.train.seed, every=sample_every, log_dir=run.logs),
        keras.callbacks.TensorBoard(str(run.logs)),
        keras.callbacks.ModelCheckpoint(str(run.model)),
        *extra_callbacks,
        BackupAndRestore(str(run.backup)),  # last: a committed backup implies the files above exist
    ]
    return model.fit(dataset, epochs=preset.train.epochs, callbacks=callbacks, verbose=verbose)


def load_run_model(path):
    """The model saved in a run folder (or a .keras file), loaded with Keras' safe mode on."""
    path = Path(path)
    file = path / "model.keras" if path.is_dir() else path
    if not file.is_file():
        raise RunError(
            f"No saved model at {file}. Train one first (ganzoo train PRESET --out {path}) "
            "or give the path of a .keras file."
        )
    try:
        return keras.models.load_model(str(file), safe_mode=True)
    except Exception as error:  # Keras raises assorted types for unreadable archives
        raise RunError(f"Cannot load {file}: {error}") from None

