"""Test helpers: a tiny `ganzoo train` (dcgan-digits, 4-filter networks, batch 16) and step hooks."""
from pathlib import Path

import keras

from ganzoo.cli import main

ROOT = Path(__file__).resolve().parents[1]


def tiny_args(limit: int = 64) -> list[str]:
    return [
        "--batch-size", "16",
        "--set", f"data.limit={limit}",
        "--set", "model.generator.base_filters=4",
        "--set", "model.discriminator.base_filters=4",
    ]  # fmt: skip


def train(run, *extra, limit: int = 64) -> int:
    """Run `ganzoo train dcgan-digits` into `run`; returns the exit status."""
    return main(["train", "dcgan-digits", "--out", str(run), *tiny_args(limit), *extra])


class AtStep(keras.callbacks.Callback):
    """Calls `action(model)` once, after training step number `step` (counted across epochs)."""

    def __init__(self, step: int, action):
        super().__init__()
        self.step, self.action, self.seen = step, action, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.step:
            self.action(self.model)
