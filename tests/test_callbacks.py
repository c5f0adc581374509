"""SampleGrid output and crash-safe BackupAndRestore resume."""
import json
import signal

import keras
import numpy as np
import pytest
from PIL import Image

import ganzoo
from ganzoo.callbacks import BackupAndRestore, CtrlCGuard, SampleGrid
from tiny_runs import AtStep

SMALL = {"model": {"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}}}


def small_model():
    return ganzoo.load("dcgan-digits", **SMALL)


def small_data():
    return ganzoo.data.load("digits", batch_size=16, limit=64, image_size=16)


class Interrupt(keras.callbacks.Callback):
    """Simulates a crash at the start of a given epoch."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


class Snapshot(keras.callbacks.Callback):
    """Records the weights and optimizer step as training begins (after restores)."""

    def on_train_begin(self, logs=None):
        self.weights = [np.array(v) for v in self.model.weights]
        self.g_step = int(self.model.g_optimizer.iterations)
        self.d_moments = [np.array(v) for v in self.model.d_optimizer.variables]


def test_sample_grid_writes_a_png_per_epoch_and_tensorboard_images(tmp_path):
    model = small_model()
    grid = SampleGrid(tmp_path / "samples", n=9, seed=0, log_dir=tmp_path / "logs")
    model.fit(small_data(), epochs=2, callbacks=[grid], verbose=0)
    files = sorted(p.name for p in (tmp_path / "samples").iterdir())
    assert files == ["epoch_0001.png", "epoch_0002.png"]
    with Image.open(tmp_path / "samples" / "epoch_0002.png") as image:
        assert image.size == (3 * 18 + 2, 3 * 18 + 2)
    assert list((tmp_path / "logs" / "samples").glob("events.out.tfevents.*"))


def test_resume_restores_weights_both_optimizers_and_epoch(tmp_path):
    backup = tmp_path / "backup"
    model = small_model()
    with pytest.raises(KeyboardInterrupt):
        model.fit(small_data(), epochs=3, callbacks=[BackupAndRestore(backup), Interrupt(2)], verbose=0)
    state = json.loads((backup / "training_metadata.json").read_text())
    assert state["epoch"] == 2
    saved_weights = [np.array(v) for v in model.weights]
    saved_moments = [np.array(v) for v in model.d_optimizer.variables]

    fresh, snapshot = small_model(), Snapshot()
    history = fresh.fit(small_data(), epochs=3, callbacks=[BackupAndRestore(backup), snapshot], verbose=0)
    assert len(history.history["g_loss"]) == 1  # only the third epoch ran
    assert snapshot.g_step == 2 * 4
    for saved, restored in zip(saved_weights, snapshot.weights):
        np.testing.assert_array_equal(saved, restored)
    for saved, restored in zip(saved_moments, snapshot.d_moments):
        np.testing.assert_array_equal(saved, restored)
    assert int(fresh.g_optimizer.iterations) == 3 * 4


def test_backup_keeps_only_the_committed_and_previous_weights(tmp_path):
    backup = tmp_path / "backup"
    small_model().fit(small_data(), epochs=3, callbacks=[BackupAndRestore(backup)], verbose=0)
    names = sorted(p.name for p in backup.iterdir())
    assert names == ["epoch00002-batch000000.weights.h5", "epoch00003-batch000000.weights.h5", "training_metadata.json"]
    assert BackupAndRestore.read_metadata(backup)["weights"] == "epoch00003-batch000000.weights.h5"


def test_an_uncommitted_weights_file_is_ignored(tmp_path):
    """A kill after writing new weights but before the metadata commit resumes from the old pair."""
    backup = tmp_path / "backup"
    model = small_model()
    model.fit(small_data(), epochs=1, callbacks=[BackupAndRestore(backup)], verbose=0)
    committed = [np.array(v) for v in model.weights]
    (backup / "epoch00002-batch000000.weights.h5").write_bytes(b"half-written")
    snapshot = Snapshot()
    small_model().fit(small_data(), epochs=2, callbacks=[BackupAndRestore(backup), snapshot], verbose=0)
    for saved, restored in zip(committed, snapshot.weights):
        np.testing.assert_array_equal(saved, restored)


def test_model_save_is_atomic(tmp_path, monkeypatch):
    model = small_model()
    target = tmp_path / "model.keras"
    model.save(target)
    good = target.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(keras.Model, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(target)
    assert target.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]


def crash(model):
    """Simulates a crash."""
    raise KeyboardInterrupt


def test_step_level_backups_keep_the_work_of_a_long_epoch(tmp_path):
    backup = tmp_path / "backup"
    model = small_model()
    with pytest.raises(KeyboardInterrupt):
        model.fit(small_data(), epochs=2, callbacks=[BackupAndRestore(backup, save_freq=3), AtStep(7, crash)],
                  verbose=0)  # fmt: skip
    state = BackupAndRestore.read_metadata(backup)
    # 4 steps per epoch; saves after step 3, at the end of epoch 1 (step 4), and after step 7.
    assert (state["epoch"], state["batch"]) == (1, 2)
    fresh, snapshot = small_model(), Snapshot()
    fresh.fit(small_data(), epochs=2, callbacks=[BackupAndRestore(backup, save_freq=3), snapshot], verbose=0)
    assert snapshot.g_step == 7  # the step counter continues from step 7, not from the epoch start
    assert int(fresh.g_optimizer.iterations) == 7 + 4


def test_the_number_of_kept_backups_is_configurable(tmp_path):
    backup = tmp_path / "backup"
    small_model().fit(small_data(), epochs=4, callbacks=[BackupAndRestore(backup, keep=3)], verbose=0)
    names = sorted(p.name for p in backup.glob("*.weights.h5"))
    assert names == [f"epoch0000{e}-batch000000.weights.h5" for e in (2, 3, 4)]
    assert [e["epoch"] for e in BackupAndRestore.read_metadata(backup)["older"]] == [3, 2]
    with pytest.raises(ValueError, match="keep must be at least 1"):
        BackupAndRestore(backup, keep=0)


class CtrlCInFinalizer:
    """Ctrl-C arriving while a finalizer runs: Python prints the KeyboardInterrupt and drops it."""

    def __del__(self):
        signal.raise_signal(signal.SIGINT)


@pytest.fixture
def python_ctrl_c():
    """Python's own SIGINT handler, which a background job (CI, nohup) starts without."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the dropped interrupt
def test_a_ctrl_c_lost_in_a_finalizer_still_stops_training(python_ctrl_c):
    # Plain keras.Model.fit runs on to its end after such a Ctrl-C (8 steps here); every ganzoo
    # model's fit guards itself, with or without the caller's own callbacks.
    for callbacks in ([], [CtrlCGuard()]):
        model = small_model()
        press_in_finalizer = AtStep(2, lambda model: CtrlCInFinalizer())  # AtStep.seen counts the steps
        with pytest.raises(KeyboardInterrupt):
            model.fit(small_data(), epochs=2, callbacks=[press_in_finalizer, *callbacks], verbose=0)
        assert press_in_finalizer.seen == 2
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
