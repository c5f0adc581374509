"""A tiny `ganzoo train` for tests: dcgan-digits with 4-filter networks on a few examples, batch 16."""
from pathlib import Path

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
