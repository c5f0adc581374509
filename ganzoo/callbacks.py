"""Callbacks shared by every variant: sample grids, evaluation, and crash-safe backups for resuming."""
from __future__ import annotations

import errno
import json
import os
import shutil
import warnings
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ganzoo.files import atomic_path, write_text_atomic
from ganzoo.images import save_png
from ganzoo.interrupts import CtrlCGuard  # noqa: F401  (public here too, beside the other callbacks)
from ganzoo.metrics.evaluate import Evaluator


class SampleGrid(keras.callbacks.Callback):
    """Write the model's `preview` from one fixed seed (and fixed `examples`, for translators)
    after every `every` epochs.

    Writes `<out_dir>/epoch_0001.png`, ... and, with `log_dir`, the same picture to
    TensorBoard under `samples`, so progress is comparable from epoch to epoch: a grid of
    samples, one row per class for conditional models, source | output | target rows for
    translators. Each PNG carries text chunks with the epoch, the seed and `provenance` (such
    as the resolved config), so a picture can be traced back to what made it.
    """

    def __init__(self, out_dir, n=64, seed=0, every=1, log_dir=None, provenance=None, examples=None):
        super().__init__()
        if n < 1 or every < 1:
            raise ValueError(f"SampleGrid needs n >= 1 and every >= 1, got n={n}, every={every}.")
        self.out_dir = Path(out_dir)
        self.n, self.seed, self.every = n, seed, every
        self.log_dir = log_dir
        self.provenance = dict(provenance or {})
        self.examples = examples
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        picture = self.model.preview(self.n, seed=self.seed, examples=self.examples)
        text = {**self.provenance, "ganzoo:epoch": str(epoch + 1), "ganzoo:latent_seed": str(self.seed)}
        save_png(picture, self.out_dir / f"epoch_{epoch + 1:04d}.png", text=text)
        if self.log_dir is not None:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(str(Path(self.log_dir) / "samples"))
            with self._writer.as_default():
                tf.summary.image("samples", picture[None], step=epoch + 1)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class Evaluation(keras.callbacks.Callback):
    """Compute metrics every `every` epochs and put them into the Keras `logs`.

    Place it before TensorBoard, ModelCheckpoint(monitor="fid") or a keras-tuner objective
    in the callback list so they see the values. The real data's features are computed
    once and reused. Arguments after `every` are those of `ganzoo.metrics.Evaluator`.
    """

    def __init__(self, real_data, metrics=("fid",), every=1, n=2000, features=None, **options):
        super().__init__()
        if every < 1:
            raise ValueError(f"Evaluation needs every >= 1, got {every}.")
        self.every = every
        self.evaluator = Evaluator(real_data, metrics=metrics, n=n, features=features, verbose=0, **options)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None and (epoch + 1) % self.every == 0:
            logs.update(self.evaluator(self.model))


class CheckpointError(RuntimeError):
    """No readable checkpoint could be restored; the message names the files tried."""


class BackupAndRestore(keras.callbacks.BackupAndRestore):
    """Keras' `BackupAndRestore` with writes that survive a kill at any moment.

    Each backup writes the weights (with both optimizers' state and the latent sampler's
    state) to a new file, then atomically replaces `training_metadata.json`, which names
    that file and the epoch. The metadata is the commit point: weights and epoch counter
    always belong together. The `keep` newest committed backups stay on disk (older ones
    are pruned), and restoring falls back to an older one when the newest is unreadable.
    Unlike Keras' default, the backup is kept when training ends, so a finished run can be
    extended, and with an integer `save_freq` every epoch end is backed up too.
    """

    METADATA = "training_metadata.json"

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=False, keep=2):
        super().__init__(backup_dir, save_freq=save_freq, delete_checkpoint=delete_checkpoint)
        if keep < 1:
            raise ValueError(f"keep must be at least 1 checkpoint, got {keep}.")
        self.keep = keep

    @classmethod
    def read_metadata(cls, backup_dir):
        """The committed state in `backup_dir` ({'epoch', 'batch', 'weights', 'older'}), or None."""
        path = Path(backup_dir) / cls.METADATA
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError) as error:
            raise CheckpointError(
                f"{path} is unreadable ({error}). Delete the folder {backup_dir} to start over."
            ) from None

    @staticmethod
    def _entries(state):
        """Committed backups in `state`, newest first."""
        if state is None:
            return []
        newest = {key: state[key] for key in ("epoch", "batch", "weights")}
        return [newest] + state.get("older", [])

    # Keras-private names this class relies on, where Keras offers no public way; a test
    # (tests/test_keras_contract.py) fails loudly if a Keras release changes them.
    KERAS_PRIVATE = ("_should_save_on_batch", "_batches_seen_since_last_saving", "_save_model", "_load_model")

    def on_epoch_begin(self, epoch, logs=None):
        self.completed_epochs, self.last_batch = epoch, 0

    def on_train_batch_end(self, batch, logs=None):
        self.last_batch = batch
        super().on_train_batch_end(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.completed_epochs, self.last_batch = epoch + 1, 0
        super().on_epoch_end(epoch, logs)
        if self.save_freq != "epoch":  # step-level backups come on top of, not instead of, epoch ends
            self._batches_seen_since_last_saving = 0
            self._save_model()

    def _check_free_space(self, path: Path) -> None:
        """Refuse a write the disk cannot hold, before HDF5 starts it: HDF5 left half-written by a full
        disk can crash the process later. The newest checkpoint's size (plus 10%) is what one needs."""
        newest = self._entries(self.read_metadata(path.parent))
        needed = 1.1 * (path.parent / newest[0]["weights"]).stat().st_size if newest else 0
        if needed and shutil.disk_usage(path.parent).free < needed:
            raise OSError(errno.ENOSPC, f"No space left on device for a {needed / 2**20:.0f} MiB checkpoint", str(path))

    def _save_model(self):
        backup_dir = Path(self.backup_dir)
        name = f"epoch{self.completed_epochs:05d}-batch{self.last_batch:06d}.weights.h5"
        backup_dir.mkdir(parents=True, exist_ok=True)
        self._check_free_space(backup_dir / name)
        with atomic_path(backup_dir / name) as temporary:
            self.model.save_weights(str(temporary), overwrite=True)
        older = [e for e in self._entries(self.read_metadata(backup_dir)) if e["weights"] != name]
        state = {"epoch": self.completed_epochs, "batch": self.last_batch, "weights": name,
                 "older": older[: self.keep - 1]}  # fmt: skip
        write_text_atomic(backup_dir / self.METADATA, json.dumps(state))
        kept = {entry["weights"] for entry in self._entries(state)}
        for stale in backup_dir.glob("*.weights.h5"):
            if stale.name not in kept:
                os.remove(stale)

    def _load_model(self):
        tried = []
        for entry in self._entries(self.read_metadata(self.backup_dir)):
            path = Path(self.backup_dir) / entry["weights"]
            try:
                self.model.load_weights(str(path))
            except Exception as error:  # h5py and Keras raise assorted types for damaged files
                tried.append(f"{path.name} ({type(error).__name__}: {error})")
                continue
            if tried:
                warnings.warn(f"Checkpoint {tried[0]} is unreadable; resumed from {path.name} instead.")
            # How Keras' own BackupAndRestore makes `fit` start at the restored epoch (no public way).
            self.model._initial_epoch = entry["epoch"]
            return
        if tried:
            raise CheckpointError(f"No readable checkpoint in {self.backup_dir}: tried {'; '.join(tried)}.")


class TrainingDiverged(RuntimeError):
    """A loss or weight became NaN or infinite; the message names where and the last good checkpoint."""


class DivergenceGuard(keras.callbacks.Callback):
    """Stop at the first non-finite loss (checked every step) or weight (checked every epoch).

    It raises instead of setting `stop_training` like Keras' `TerminateOnNaN`, so no later
    callback in the epoch gets to save the diverged model: put it first in the list, and the
    last good checkpoint in `backup_dir` stays as it was.
    """

    def __init__(self, backup_dir=None):
        super().__init__()
        self.backup_dir = backup_dir
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _stop(self, what: str):
        step = int(self.model.g_optimizer.iterations) if hasattr(self.model, "g_optimizer") else None
        where = f"epoch {self._epoch + 1}" + (f", generator step {step}" if step is not None else "")
        state = BackupAndRestore.read_metadata(self.backup_dir) if self.backup_dir else None
        if state is None:
            advice = "No checkpoint had been written yet."
        else:
            advice = (
                f"The last good checkpoint (after epoch {state['epoch']}) in {self.backup_dir} is untouched: "
                "resume from it with a lower learning rate (ganzoo train ... --resume "
                "--set train.g_optimizer.learning_rate=... --set train.d_optimizer.learning_rate=...)."
            )
        raise TrainingDiverged(f"Training diverged at {where}: {what}. {advice}")

    def _check_logs(self, logs):
        """Only the model's own training figures: evaluation metrics may be NaN legitimately."""
        tracked = {metric.name for metric in self.model.metrics}
        for name, value in (logs or {}).items():
            if name in tracked and not np.isfinite(value):
                self._stop(f"{name} = {value}")

    def on_train_batch_end(self, batch, logs=None):
        self._check_logs(logs)

    def on_epoch_end(self, epoch, logs=None):
        self._check_logs(logs)
        for variable in self.model.weights:
            if not np.all(np.isfinite(keras.ops.convert_to_numpy(variable))):
                self._stop(f"weight {variable.path} is not finite")
