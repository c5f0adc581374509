"""The Keras-private names ganzoo relies on where Keras offers no public way. If a Keras release
renames or drops one, these tests fail first and say which, instead of resumes silently starting over."""
import keras
import numpy as np

import ganzoo
from ganzoo.callbacks import BackupAndRestore


def test_backup_and_restore_still_has_the_private_hooks_ganzoo_overrides(tmp_path):
    keras_callback = keras.callbacks.BackupAndRestore(str(tmp_path), save_freq=3)
    for name in BackupAndRestore.KERAS_PRIVATE:
        assert hasattr(keras_callback, name), f"keras.callbacks.BackupAndRestore no longer has {name}"


def test_fit_still_starts_at_the_model_s_private_initial_epoch():
    """Keras' own BackupAndRestore resumes by setting `model._initial_epoch`; ganzoo's does too."""
    model = ganzoo.load("gan-ring", model={"generator": {"units": [4]}, "discriminator": {"units": [4]}})
    model._initial_epoch = 2
    history = model.fit(ganzoo.data.load("ring", batch_size=16, limit=32), epochs=3, verbose=0)
    assert history.epoch == [2], "fit ignored model._initial_epoch: ganzoo's resume would restart at epoch 0"
    assert np.isfinite(history.history["d_loss"][0])
