"""A training run on disk: its folder layout, starting or resuming it, and loading its model.

    runs/<name>/config.yaml      the resolved preset (with its seed) that made everything below
    runs/<name>/model.keras      the latest full model, for `ganzoo sample` and keras.models.load_model
    runs/<name>/backup/          BackupAndRestore state: weights, both optimizers, epoch counter
    runs/<name>/samples/         one grid per epoch from a fixed latent batch
    runs/<name>/logs/            TensorBoard: losses, D outputs and the sample grid
    runs/<name>/changes.log      what each resume changed (a learning rate, the epochs), and when
    runs/<name>/.replaced/       a run --overwrite set aside, until the new one's first checkpoint
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import zipfile
from pathlib import Path

import keras
import tensorflow as tf
import yaml

from ganzoo.callbacks import BackupAndRestore, DivergenceGuard, SampleGrid
from ganzoo.data import preset_dataset, preset_epochs
from ganzoo.config import Preset, deep_merge, read_yaml
from ganzoo.distribute import make_strategy, worker_name
from ganzoo.files import write_text_atomic
from ganzoo import resume as resume_rules
from ganzoo.models import build_model, validate_preset
from ganzoo import registry
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

    @property
    def replaced(self) -> Path:
        """Where `--overwrite` keeps the old run until the new one has committed a checkpoint."""
        return self.root / ".replaced"

    def artifacts(self) -> list[Path]:
        return [self.backup, self.samples, self.logs, self.model, self.config, self.root / "changes.log"]

    def remove_artifacts(self) -> None:
        """Delete the run's files (not a set-aside run, not the lock)."""
        for path in self.artifacts():
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    def set_aside(self) -> None:
        """Move the run's files into `replaced`, to be dropped or restored later."""
        self.replaced.mkdir()
        for path in self.artifacts():
            if path.exists():
                path.rename(self.replaced / path.name)

    def settle_replaced(self) -> None:
        """Drop a set-aside run once this folder holds a committed checkpoint of its own; otherwise
        (the new run stopped before its first one, even by a kill) put the old run back."""
        if not self.replaced.exists():
            return
        if self.committed_epoch() is None:
            self.remove_artifacts()
            for path in self.replaced.iterdir():
                path.rename(self.root / path.name)
        shutil.rmtree(self.replaced)


def check_train_options(sample_every=1, checkpoint_every=None, keep_checkpoints=2, **_) -> None:
    """Refuse impossible command options before anything is read or written (other options pass)."""
    if sample_every < 1:
        raise RunError(f"--sample-every must be at least 1, got {sample_every}.")
    if checkpoint_every is not None and checkpoint_every < 1:
        raise RunError(f"--checkpoint-every must be a positive number of steps, got {checkpoint_every}.")
    if keep_checkpoints < 1:
        raise RunError(f"--keep-checkpoints must be at least 1, got {keep_checkpoints}.")


def _check_not_finished(run: RunFolder, preset: Preset) -> None:
    epoch = run.committed_epoch() or 0
    if epoch >= preset.train.epochs:
        raise RunError(f"{run.root} is already trained for {epoch} epochs; pass a larger --epochs to train further.")


def plan_run(run: RunFolder, preset_name: str, overrides: dict, resume=False, overwrite=False):
    """The validated preset for a new or resumed run and the settings a resume changes, checked
    completely before anything is written: a mistaken command never costs a run."""
    epoch = run.committed_epoch()
    if resume:
        if epoch is None or not run.config.exists():
            raise RunError(
                f"Nothing to resume in {run.root}: it holds no checkpoint. "
                "Run the same command without --resume to start a fresh run."
            )
        name, saved = saved_config(run)
        if name != registry.preset_name(preset_name):
            raise RunError(f"{run.root} holds a run of {name!r}, not {preset_name!r}; check --out.")
        preset = preset_from_mapping(name, deep_merge(saved, overrides))
        applied = resume_rules.check(preset_from_mapping(name, saved).to_dict(), preset.to_dict())
        _check_not_finished(run, preset)
    else:
        if (epoch is not None or run.model.exists()) and not overwrite:
            raise RunError(
                f"{run.root} already holds a run (last checkpoint after epoch {epoch}). Pass --resume "
                "to continue it, --overwrite to replace it (kept until the new run's first checkpoint), "
                "or --out for another folder."
            )
        preset, applied = resolve_preset(preset_name, overrides), {}
    validate_preset(preset)
    return preset, applied


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
    """The fixed examples the preview of a model that works on given images shows (a translator, a
    reconstructing anomaly model): the first `n` of its data in the seeded order; None for latent
    models, whose previews need none."""
    if not model.takes_examples:
        return None
    element = next(iter(preset_dataset(preset, batch_size=n, drop_remainder=False)))
    return tuple(part.numpy() for part in element) if isinstance(element, tuple) else element.numpy()


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


class PresetLearningRates(keras.callbacks.Callback):
    """Put the preset's constant learning rates back over those a checkpoint restored (optimizers
    save their rate with their state), so that a resume with a new rate trains at that rate.
    Place it after BackupAndRestore."""

    def __init__(self, preset: Preset):
        super().__init__()
        self.rates = {name: getattr(preset.train, name).get("learning_rate") for name in ("g_optimizer", "d_optimizer")}

    def on_train_begin(self, logs=None):
        for name, rate in self.rates.items():
            if isinstance(rate, (int, float)):
                getattr(self.model, name).learning_rate = rate


class SettleReplacedRun(keras.callbacks.Callback):
    """Drop the run that `--overwrite` set aside as soon as the new one has committed a checkpoint.
    Place it after BackupAndRestore."""

    def __init__(self, run: RunFolder):
        super().__init__()
        self.run = run

    def on_epoch_end(self, epoch, logs=None):
        self.run.settle_replaced()


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
    check_train_options(sample_every, checkpoint_every, keep_checkpoints)
    _check_not_finished(run, preset)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(preset.train.seed)
    first_epoch = run.committed_epoch() or 0
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
        # A committed backup implies the files above exist; the callbacks after it see it restored.
        BackupAndRestore(str(run.backup), save_freq=checkpoint_every or "epoch", keep=keep_checkpoints),
        PresetLearningRates(preset),
        SettleReplacedRun(run),
    ]
    return model.fit(dataset, epochs=preset.train.epochs, steps_per_epoch=steps_per_epoch,
                     callbacks=callbacks, verbose=verbose)


def train(preset_name: str, out, overrides=None, resume=False, overwrite=False, strategy="none", **options):
    """Start, continue or restart a run of `preset_name` in folder `out`, holding its lock throughout.

    Everything the command asks is checked before anything is written. `overwrite` keeps the old
    run aside until the new one commits its first checkpoint, and puts it back if the new one
    stops before that. A resume applies what it may change (recorded in `changes.log`) and
    refuses the rest by name (see `ganzoo.resume`).

    `strategy` is none, mirrored or multiworker. In a multi-worker run the chief writes `out`; every
    other worker keeps its own copy (for its own resume) in `out/workers/<task>-<index>`.
    """
    check_train_options(**options)
    distribution = make_strategy(strategy)  # first: multi-worker set-up must precede other TensorFlow work
    worker = worker_name(distribution)
    run = RunFolder(out if worker is None else Path(out) / "workers" / worker)
    overrides = overrides or {}
    if not run.root.exists():  # a rejected command must not leave a folder behind
        plan_run(run, preset_name, overrides, resume=resume, overwrite=overwrite)
    with run_lock(run):
        run.settle_replaced()  # an earlier --overwrite killed before its new run's first checkpoint
        preset, applied = plan_run(run, preset_name, overrides, resume=resume, overwrite=overwrite)
        if overwrite:
            run.set_aside()
        elif not resume:
            run.remove_artifacts()  # what a run stopped before its first checkpoint left behind
        resume_rules.record(run.root, run.committed_epoch() or 0, applied)
        try:
            return run, train_run(preset, run, strategy=distribution, **options)
        finally:
            run.settle_replaced()


def load_run_model(path):
    """The model saved in a run folder (or a .keras file), loaded with Keras' safe mode on."""
    path = Path(path)
    file = path / "model.keras" if path.is_dir() else path
    if not file.is_file():
        raise RunError(
            f"No saved model at {file}. Train one first (ganzoo train PRESET --out {path}) "
            "or give the path of a .keras file."
        )
    if not zipfile.is_zipfile(file):
        raise RunError(f"{file} is damaged: it is not a readable .keras archive. {_rewrite_hint(file.parent)}")
    try:
        return keras.models.load_model(str(file), safe_mode=True)
    except Exception as error:  # Keras raises assorted types for unreadable archives
        raise RunError(f"Cannot load {file}: {error}. {_rewrite_hint(file.parent)}") from None


def _rewrite_hint(folder: Path) -> str:
    """How to get a run's model.keras back from its checkpoints, when it has any."""
    run = RunFolder(folder)
    try:
        epoch = run.committed_epoch()
        name = saved_config(run)[0] if run.config.is_file() else None
    except Exception:  # a damaged folder: no hint is better than a second error
        epoch = name = None
    if epoch is None or name is None:
        return "No checkpoint of its run is there to rebuild it from."
    return (f"Its run's last good checkpoint (after epoch {epoch}) is in {run.backup}: `ganzoo train {name} "
            f"--out {folder} --resume --epochs {epoch + 1}` trains one more epoch and writes model.keras again.")


def resume_hint(preset_name: str, out) -> str:
    """Where a stopped `ganzoo train` stands and the command that continues it."""
    run = RunFolder(out)
    epoch = run.committed_epoch()
    if epoch is None:
        return f"No checkpoint was committed; start again with: ganzoo train {preset_name} --out {out}"
    return (f"The last good checkpoint (after epoch {epoch}) is in {run.backup}; continue with: "
            f"ganzoo train {preset_name} --out {out} --resume")
