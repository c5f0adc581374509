"""Checks every ganzoo model must pass, public so third-party variants can reuse them in their tests.

    from ganzoo import testing
    testing.run_model_checks(my_model, tmp_path)
"""
from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from ganzoo.networks.blocks import all_layers


def random_batch(model, batch_size: int = 4, seed: int = 0) -> np.ndarray:
    """A batch shaped like the model's samples, uniform in [-1, 1]."""
    shape = (batch_size,) + tuple(model.generator.output_shape[1:])
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


def _snapshot(network) -> list[np.ndarray]:
    return [np.array(v) for v in network.trainable_variables]


def _renormalized_kernels(network) -> set:
    """Paths of the kernels Keras' SpectralNormalization rescales in place on every training call."""
    return {layer.kernel.path for layer in all_layers(network) if isinstance(layer, keras.layers.SpectralNormalization)}


def _rescaled(before: np.ndarray, after: np.ndarray) -> bool:
    """True when `after` is `before` times a positive number: renormalized, not trained."""
    scale = float(np.vdot(before, after) / np.vdot(before, before))
    return scale > 0 and np.allclose(after, scale * before, rtol=1e-5, atol=1e-7)


def _changed(before, network, allow_rescaled=False) -> bool:
    rescalable = _renormalized_kernels(network) if allow_rescaled else set()
    for old, variable in zip(before, network.trainable_variables):
        new = np.array(variable)
        if not np.array_equal(old, new) and not (variable.path in rescalable and _rescaled(old, new)):
            return True
    return False


def assert_updates_isolated(model, batch) -> None:
    """A discriminator update leaves the generator as it was, and a generator update the discriminator."""
    generator, discriminator = _snapshot(model.generator), _snapshot(model.discriminator)
    real, labels = model.unpack_batch(batch)
    model.discriminator_step(real, labels)
    assert not _changed(generator, model.generator), "discriminator_step changed the generator"
    assert _changed(discriminator, model.discriminator), "discriminator_step did not train the discriminator"
    discriminator = _snapshot(model.discriminator)
    model.generator_step(len(real), labels)
    # Spectral normalization rescales its kernels in every training call, the generator's included.
    assert not _changed(discriminator, model.discriminator, allow_rescaled=True), "generator_step changed the discriminator"
    assert _changed(generator, model.generator), "generator_step did not train the generator"


def assert_train_step_finite(model, batch) -> dict:
    """One `fit` step on `batch` reports finite values for every tracked figure."""
    history = model.fit(batch, batch_size=len(batch), epochs=1, verbose=0)
    logs = {name: values[-1] for name, values in history.history.items()}
    assert {"d_loss", "g_loss"} <= set(logs), f"missing loss figures in {sorted(logs)}"
    bad = {name: value for name, value in logs.items() if not np.isfinite(value)}
    assert not bad, f"non-finite training figures: {bad}"
    return logs


def assert_keras_round_trip(model, batch, folder) -> None:
    """Saving to .keras and loading gives the same samples for a seed and the same optimizer state,
    and the loaded model can continue `fit`."""
    path = Path(folder) / "round_trip.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is type(model)
    np.testing.assert_allclose(restored.generate(8, seed=3), model.generate(8, seed=3), rtol=1e-5, atol=1e-6)
    for name in ("g_optimizer", "d_optimizer"):
        saved, loaded = getattr(model, name).variables, getattr(restored, name).variables
        assert len(saved) == len(loaded), f"{name} lost variables on reload"
        for a, b in zip(saved, loaded):
            np.testing.assert_array_equal(np.array(a), np.array(b), err_msg=f"{name} state differs after reload")
    iterations = int(restored.g_optimizer.iterations.numpy())
    restored.fit(batch, batch_size=len(batch), epochs=1, verbose=0)
    assert int(restored.g_optimizer.iterations.numpy()) == iterations + 1


def run_model_checks(model, folder, batch=None) -> None:
    """All of the above on one compiled model (a fresh random batch unless one is given)."""
    batch = random_batch(model) if batch is None else batch
    assert_train_step_finite(model, batch)
    assert_updates_isolated(model, batch)
    assert_keras_round_trip(model, batch, folder)
    samples = model.generate(4, seed=0)
    assert samples.dtype == np.float32 and samples.shape == (4,) + tuple(model.generator.output_shape[1:])
    np.testing.assert_array_equal(samples, model.generate(4, seed=0))
