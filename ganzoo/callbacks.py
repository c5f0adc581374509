"""Callbacks shared by every variant: sample grids and crash-safe backups for resuming."""
from __future__ import annotations

import json
import os
from pathlib import Path

import keras
import tensorflow as tf

from ganzoo.files import atomic_path, write_text_atomic
from ganzoo.images import samples_to_picture, save_png


class SampleGrid(keras.callbacks.Callback):
    """Draw samples from one fixed latent batch after every `every` epochs.

    Writes `<out_dir>/epoch_0001.png`, ... and, with `log_dir`, the same picture to
    TensorBoard under `samples`, so progress is comparable from epoch to epoch.
    """

    def __init__(self, out_dir, n=64, seed=0, every=1, log_dir=None):
        super().__init__()
        if n < 1 or every < 1:
            raise ValueError(f"SampleGrid needs n >= 1 and every >= 1, got n={n}, every={every}.")
        self.out_dir = Path(out_dir)
        self.n, self.seed, self.every = n, seed, every
        self.log_dir = log_dir
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        picture = samples_to_picture(self.model.generate(self.n, seed=self.seed))
        save_png(picture, self.out_dir / f"epoch_{epoch + 1:04d}.png")
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


class BackupAndRestore(keras.callbacks.BackupAndRestore):
    """Keras' `BackupAndRestore` with writes that survive a kill at any moment.

    Each backup writes the weights (with both optimizers' state) to a new file, then
    atomically replaces `training_metadata.json`, which names that file and the epoch.
    The metadata is the commit point: weights and epoch counter always belong together,
    and the previous weights file is kept until a newer one is committed. Unlike Keras'
    default, the backup is kept when training ends, so a finished run can be extended.
    """

    METADATA = "training_metadata.json"

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=False):
        super().__init__(backup_dir, save_freq=save_freq, delete_checkpoint=delete_checkpoint)

    @classmethod
    def read_metadata(cls, backup_dir):
        """The committed state in `backup_dir` ({'epoch', 'batch', 'weights'}), or None."""
        path = Path(backup_dir) / cls.METADATA
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def _save_model(self):
        backup_dir = Path(self.backup_dir)
        name = f"epoch{self._current_epoch:05d}-batch{self._last_batch_seen:06d}.weights.h5"
        with atomic_path(backup_dir / name) as temporary:
            self.model.save_weights(str(temporary), overwrite=True)
        state = {"epoch": self._current_epoch, "batch": self._last_batch_seen, "weights": name}
        previous = self.read_metadata(backup_dir)
        write_text_atomic(backup_dir / self.METADATA, json.dumps(state))
        keep = {name, previous and previous.get("weights")}
        for stale in backup_dir.glob("*.weights.h5"):
            if stale.name not in keep:
                os.remove(stale)

    def _load_model(self):
        state = self.read_metadata(self.backup_dir)
        if state is None:
            return
        self.model.load_weights(str(Path(self.backup_dir) / state["weights"]))
        self.model._initial_epoch = state["epoch"]
