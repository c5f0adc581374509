"""Checks every ganzoo model must pass, public so third-party variants can reuse them in their tests.

    from ganzoo import testing
    testing.run_model_checks(my_model, tmp_path)
"""
from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ganzoo.networks.blocks import all_layers


def example_batch(model, batch_size: int = 4, seed: int = 0):
    """A batch of the structure the model declares (`batch_spec`): images and points uniform in
    [-1, 1], labels uniform over its classes; a single array when the batch has one part."""
    rng = np.random.default_rng(seed)
    parts = []
    for name, shape in model.batch_spec().items():
        if shape is None:
            parts.append(rng.integers(0, model.num_classes or 1, batch_size).astype("int32"))
        else:
            parts.append(rng.uniform(-1, 1, (batch_size, *shape)).astype("float32"))
    return parts[0] if len(parts) == 1 else tuple(parts)


def _snapshot(networks) -> list[np.ndarray]:
    return [np.array(v) for network in networks for v in network.trainable_variables]


def _renormalized_kernels(network) -> set:
    """Paths of the kernels Keras' SpectralNormalization rescales in place on every training call."""
    return {layer.kernel.path for layer in all_layers(network) if isinstance(layer, keras.layers.SpectralNormalization)}


def _rescaled(before: np.ndarray, after: np.ndarray) -> bool:
    """True when `after` is `before` times a positive number: renormalized, not trained."""
    scale = float(np.vdot(before, after) / np.vdot(before, before))
    return scale > 0 and np.allclose(after, scale * before, rtol=1e-5, atol=1e-7)


def _changed(before, networks, allow_rescaled=False) -> bool:
    rescalable = set().union(*(_renormalized_kernels(network) for network in networks)) if allow_rescaled else set()
    variables = [variable for network in networks for variable in network.trainable_variables]
    for old, variable in zip(before, variables):
        new = np.array(variable)
        if not np.array_equal(old, new) and not (variable.path in rescalable and _rescaled(old, new)):
            return True
    return False


def assert_updates_isolated(model, batch) -> None:
    """A discriminator-side update leaves every generator-side network as it was, and a
    generator-side update every discriminator-side network (the players' declared lists)."""
    generators, discriminators = model.generator_networks(), model.discriminator_networks()
    shared = {id(v) for n in generators for v in n.trainable_variables} & {id(v) for n in discriminators for v in n.trainable_variables}
    assert not shared, "a variable belongs to both players"
    generator, discriminator = _snapshot(generators), _snapshot(discriminators)
    parts = model.unpack_batch(tf.nest.map_structure(tf.convert_to_tensor, batch))  # as fit passes it
    model.discriminator_step(parts)
    assert not _changed(generator, generators), "discriminator_step changed the generator side"
    assert _changed(discriminator, discriminators), "discriminator_step did not train the discriminator side"
    discriminator = _snapshot(discriminators)
    model.generator_step(parts)
    # Spectral normalization rescales its kernels in every training call, the generator's included.
    assert not _changed(discriminator, discriminators, allow_rescaled=True), "generator_step changed the discriminator side"
    assert _changed(generator, generators), "generator_step did not train the generator side"


def _size(batch) -> int:
    return len(batch[0] if isinstance(batch, tuple) else batch)


def _fit_once(model, batch):
    """One `fit` step on `batch`, passed through as one data set element whatever its structure."""
    return model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)


def _samples(model, batch, seed=3) -> np.ndarray:
    """What the model makes for evaluation: samples from a seed, or what it makes of the batch."""
    return model.evaluation_samples(_size(batch), seed=seed, data=batch if isinstance(batch, tuple) or model.takes_examples else None)


def assert_train_step_finite(model, batch) -> dict:
    """One `fit` step on `batch` reports finite values for every tracked figure."""
    history = _fit_once(model, batch)
    logs = {name: values[-1] for name, values in history.history.items()}
    assert {"d_loss", "g_loss"} <= set(logs), f"missing loss figures in {sorted(logs)}"
    bad = {name: value for name, value in logs.items() if not np.isfinite(value)}
    assert not bad, f"non-finite training figures: {bad}"
    return logs


def assert_keras_round_trip(model, batch, folder) -> None:
    """Saving to .keras and loading gives the same samples and the same optimizer state, and the
    loaded model can continue `fit`."""
    path = Path(folder) / "round_trip.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is type(model)
    np.testing.assert_allclose(_samples(restored, batch), _samples(model, batch), rtol=1e-5, atol=1e-6)
    for name in ("g_optimizer", "d_optimizer"):
        saved, loaded = getattr(model, name).variables, getattr(restored, name).variables
        assert len(saved) == len(loaded), f"{name} lost variables on reload"
        for a, b in zip(saved, loaded):
            np.testing.assert_array_equal(np.array(a), np.array(b), err_msg=f"{name} state differs after reload")
    iterations = int(restored.g_optimizer.iterations.numpy())
    _fit_once(restored, batch)
    assert int(restored.g_optimizer.iterations.numpy()) == iterations + 1


def assert_preview_deterministic(model, batch) -> None:
    """`preview` gives one uint8 picture, the same twice; samples are float32 of the declared shape."""
    # What the model makes its preview from: a translator's or a reconstructing model's examples,
    # a text-to-image model's captions; class-conditional models draw their own labels.
    examples = batch if model.takes_examples or (isinstance(batch, tuple) and "labels" not in model.batch_structure) else None
    picture = model.preview(4, seed=0, examples=examples)
    assert picture.dtype == np.uint8 and picture.ndim == 3, f"preview gave {picture.dtype} {picture.shape}"
    np.testing.assert_array_equal(picture, model.preview(4, seed=0, examples=examples))
    samples = _samples(model, batch, seed=0)
    made = model.batch_spec().get("real") or model.generator.output_shape[1:]  # CycleGAN's batches are (a, b)
    assert samples.dtype == np.float32 and samples.shape[1:] == tuple(made)


def run_model_checks(model, folder, batch=None) -> None:
    """All of the above on one compiled model (a batch made from its batch_spec unless one is given)."""
    batch = example_batch(model) if batch is None else batch
    assert_train_step_finite(model, batch)
    assert_updates_isolated(model, batch)
    assert_keras_round_trip(model, batch, folder)
    assert_preview_deterministic(model, batch)
