"""Training a preset at a wall-clock budget, as the zoo benchmarks (shapes_zoo, conditional_zoo) do.

`train_preset` trains exactly as `ganzoo train <preset>` does (`ganzoo.runs.train`, with its sample
grids and checkpoints), stopped by `Budget` once the seconds are spent, and copies the last sample
grid where it is asked to.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import keras

import ganzoo
from ganzoo.config import deep_merge
from ganzoo.runs import train


class Budget(keras.callbacks.Callback):
    """Stops training once `seconds` of wall time have passed since training began."""

    def __init__(self, seconds: float, batch_size: int):
        super().__init__()
        self.seconds, self.batch_size = seconds, batch_size

    def on_train_begin(self, logs=None):
        self.start, self.images = time.perf_counter(), 0

    def on_train_batch_end(self, batch, logs=None):
        self.images += self.batch_size
        if time.perf_counter() - self.start >= self.seconds:
            self.model.stop_training = True


def train_preset(name: str, folder: Path, seed: int, budget=None, epochs=None, grid: Path | None = None,
                 overrides: dict | None = None, callbacks=()):
    """(model, wall seconds, images shown) of `ganzoo train <name>` into `folder`, with `overrides`
    and extra `callbacks`, stopped at `budget` s; the last sample grid is copied to `grid` when given."""
    overrides = deep_merge(overrides or {}, {"train": {"seed": seed, **({"epochs": epochs} if epochs else {})}})
    batch_size = ganzoo.resolve_preset(name, overrides).train.batch_size
    callbacks = [*callbacks, *([] if budget is None else [Budget(budget, batch_size)])]
    start = time.perf_counter()
    _, history = train(name, folder / name, overrides, verbose=0, extra_callbacks=callbacks)
    seconds = time.perf_counter() - start
    images = callbacks[-1].images if budget is not None else len(history.history["g_loss"]) * history.params["steps"] * batch_size
    grids = sorted((folder / name / "samples").glob("*.png"))
    if grids and grid is not None:
        shutil.copy(grids[-1], grid)
    return history.model, seconds, images
