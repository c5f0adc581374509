"""Train a preset for an exact number of generator steps: the budget the mode-collapse benchmarks share."""
from __future__ import annotations

import time

import keras

import ganzoo
from ganzoo.registry import resolve_preset


def train_for_steps(name: str, steps: int, seed: int, xla: bool, overrides: dict | None = None, limit=None):
    """(model, seconds of `fit`, final logs) after `steps` generator steps of preset `name` from `seed`.

    Data are drawn from the same seed; `overrides` are per-section mappings as in `ganzoo.load`.
    """
    keras.backend.clear_session()
    overrides = {**(overrides or {})}
    overrides["train"] = {**overrides.get("train", {}), "seed": seed, "jit_compile": xla}
    preset = resolve_preset(name, overrides)
    model = ganzoo.load(name, **overrides)
    data = ganzoo.data.load(preset.data.source, batch_size=preset.train.batch_size, seed=seed, limit=limit)
    start = time.perf_counter()
    history = model.fit(data.repeat(), epochs=1, steps_per_epoch=steps, verbose=0).history
    seconds = time.perf_counter() - start
    return model, seconds, {key: values[-1] for key, values in history.items()}
