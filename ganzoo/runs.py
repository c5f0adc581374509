"""A training run on disk: its folder layout, starting or resuming it, and loading its model.

    runs/<name>/config.yaml      the resolved preset (with its seed) that made everything below
    runs/<name>/model.keras      the latest full model, for `ganzoo sample` and keras.models.load_model
    runs/<name>/backup/          BackupAndRestore state: weights, both optimizers, epoch counter
    runs/<name>/samples/         one grid per epoch from a fixed latent batch
    runs/<name>/logs/            TensorBoard: losses, D outputs and the sample grid
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path

import keras
import tensorflow as tf
import yaml

from ganzoo.callbacks import BackupAndRestore, DivergenceGuard, SampleGrid
from ganzoo.data import preset_dataset, preset_epochs
from ganzoo.config import Preset, deep_merge, read_yaml
from ganzoo.distribute import make_strategy, worker_name
from ganzoo.files import write_text_atomic
from ganzoo.models import build_model
from ganzoo.registry import preset_from_mapping, resolve_preset


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
        name, saved = saved_config(run)
        if name != preset_name:
            raise RunError(f"{run.root} holds a run of {name!r}, not {preset_name!r}; check --out.")
        return preset_from_mapping(name, deep_merge(saved, overrides))
    if (epoch is not None or run.model.exists()) and not overwrite:
        raise RunError(
            f"{run.root} already holds a run (last checkpoint after epoch {epoch}). Pass --resume "
            "to continue it, --overwrite to delete it and start over, or --out for another folder."
        )
    preset = resolve_preset(preset_name, overrides)
    run.clear()  # also drops what a run stopped before its first checkpoint left behind
    return preset


def saved_config(run: RunFolder) -> tuple[str, dict]:
    """The preset name and resolved mapping in a run's config.yaml. Runs written before
    `data.pairing` existed record `data.labels: false`, which is pairing none."""
    saved = read_yaml(run.config)
    if saved.get("data", {}).get("labels") is False:
        del saved["data"]["labels"]
    return saved.pop("name"), saved


def run_preset(folder) -> Preset:
    """The resolved preset a run folder was trained with (its config.yaml)."""
    run = RunFolder(folder)
    if not run.config.is_file():
        raise RunError(f"No config.yaml in {run.root}: it is not a ganzoo run folder, or its run never started.")
    return preset_from_mapping(*saved_config(run))


def preview_examples(model, preset: Preset, n: int):
    """The fixed examples a translator's preview shows (the first `n` of its data in the seeded
    order); None for latent models, whose previews need none."""
    if "source" not in model.batch_structure:
        return None
    element = next(iter(preset_dataset(preset, batch_size=n, drop_remainder=False)))
    return tuple(part.numpy() for part in element)


def write_config(run: RunFolder, preset: Preset) -> str:
    """Write the resolved preset beside the checkpoints; returns the YAML text."""
    text = yaml.safe_dump(preset.to_dict(), sort_keys=False)
    try:
        run.root.mkdir(parents=True, exist_ok=True)
        write_text_atomic(run.config, text)
    except OSError as error:
        raise RunError(f"Cannot write to the run folder {run.root}: {error.strerror or error}.") from None
    return text


@contextlib.contextmanager
def run_lock(run: RunFolder):
    """Hold an exclusive lock on the run folder, so two processes never write the same run.

    The operating system drops the lock when its process ends, however it ends.
    """
    try:
        run.root.mkdir(parents=True, exist_ok=True)
        handle = open(run.root / ".lock", "a+")
    except OSError as error:
        raise RunError(f"Cannot write to the run folder {run.root}: {error.strerror or error}.") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            raise RunError(
                f"Another ganzoo process (pid {owner}) is training in {run.root}. Wait for it to finish, "
                "stop it, or train into another folder with --out."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield


def train_run(preset: Preset, run: RunFolder, verbose="auto", sample_every=1, extra_callbacks=(),
              deterministic=False, checkpoint_every=None, keep_checkpoints=2, strategy=None):
    """Train `preset` into `run`, continuing from its backup when one exists; returns the History.

    Data order depends only on the seed and the epoch, so a run resumed at epoch k sees the
    batches an uninterrupted run would. With `deterministic`, TensorFlow ops are made
    deterministic too, and two runs with the same seed give identical weights.
    `checkpoint_every` adds a backup every N steps for long epochs; a run resumed from such a
    mid-epoch backup keeps its weights and step counter but replays that epoch's data from
    its start (Keras' BackupAndRestore semantics), so it is not bit-identical.
    `keep_checkpoints` newest backups stay on disk to fall back on. The model is built in
    `strategy`'s scope (a `tf.distribute.Strategy`; default: none).
    """
    if checkpoint_every is not None and checkpoint_every < 1:
        raise RunError(f"checkpoint_every must be a positive number of steps, got {checkpoint_every}.")
    if keep_checkpoints < 1:
        raise RunError(f"keep_checkpoints must be at least 1, got {keep_checkpoints}.")
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(preset.train.seed)
    first_epoch = run.committed_epoch() or 0
    if first_epoch >= preset.train.epochs:
        raise RunError(
            f"{run.root} is already trained for {first_epoch} epochs; pass a larger --epochs to train further."
        )
    with (strategy or tf.distribute.get_strategy()).scope():
        model = build_model(preset)
    dataset, steps_per_epoch = preset_epochs(preset, first_epoch)
    config_text = write_config(run, preset)
    callbacks = [
        DivergenceGuard(run.backup),  # first: it must stop a diverged epoch before anything saves it
        SampleGrid(run.samples, seed=preset.train.seed, every=sample_every, log_dir=run.logs,
                   provenance={"ganzoo:config": config_text}, examples=preview_examples(model, preset, 8)),
        keras.callbacks.TensorBoard(str(run.logs)),
        keras.callbacks.ModelCheckpoint(str(run.model)),
        *extra_callbacks,
        # Last: a committed backup implies the files above exist.
        BackupAndRestore(str(run.backup), save_freq=checkpoint_every or "epoch", keep=keep_checkpoints),
    ]
    return model.fit(dataset, epochs=preset.train.epochs, steps_per_epoch=steps_per_epoch,
                     callbacks=callbacks, verbose=verbose)


def train(preset_name: str, out, overrides=None, resume=False, overwrite=False, strategy="none", **options):
    """Start, continue or restart a run of `preset_name` in folder `out`, holding its lock throughout.

    `strategy` is none, mirrored or multiworker. In a multi-worker run the chief writes `out`; every
    other worker keeps its own copy (for its own resume) in `out/workers/<task>-<index>`.
    """
    distribution = make_strategy(strategy)  # first: multi-worker set-up must precede other TensorFlow work
    worker = worker_name(distribution)
    run = RunFolder(out if worker is None else Path(out) / "workers" / worker)
    with run_lock(run):
        preset = prepare_run(run, preset_name, overrides or {}, resume=resume, overwrite=overwrite)
        return run, train_run(preset, run, strategy=distribution, **options)


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

