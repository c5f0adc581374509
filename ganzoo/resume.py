"""What a resumed run may change.

A resume continues saved weights and optimizer state, so a setting that shapes them (anything
under `model:`, an optimizer's class, a learning rate turned into a schedule or back) or that
changes which data the run sees (`data.source`, `pairing`, `image_size`, `limit`, the batch
size, the seed, the precision) would break the run or silently change its meaning: those are
refused by name. Settings that only steer training from here on (the number of epochs, learning
rates and the optimizers' other options, XLA, where the data is cached) are applied, and each
resume that changes one is recorded in the run folder's `changes.log`.
"""
from __future__ import annotations

import datetime
from pathlib import Path

APPLIED = ("description", "train.epochs", "train.jit_compile", "train.g_optimizer", "train.d_optimizer",
           "data.data_dir", "data.cache")  # fmt: skip
OPTIMIZERS = ("train.g_optimizer", "train.d_optimizer")


class ResumeError(ValueError):
    """A resume was asked to change what it cannot; the message names each setting."""


def _leaves(mapping: dict, prefix: str = "") -> dict:
    """Dotted key -> value for every non-mapping value; an empty mapping is a value of its own."""
    leaves = {}
    for key, value in mapping.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            leaves.update(_leaves(value, f"{dotted}."))
        else:
            leaves[dotted] = value
    return leaves


def changes(saved: dict, requested: dict) -> dict:
    """Every setting whose value differs between two resolved presets: dotted key -> (saved, asked)."""
    before, after = _leaves(saved), _leaves(requested)
    return {key: (before.get(key), after.get(key)) for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)}  # fmt: skip


def _refusal(key: str, saved: dict, requested: dict) -> str | None:
    """Why `key` cannot change on a resume, or None when it can."""
    optimizer = next((name for name in OPTIMIZERS if key.startswith(f"{name}.")), None)
    if optimizer is not None:
        option = key[len(optimizer) + 1 :]
        section, name = optimizer.split(".")
        if option == "name":
            return "the optimizer's class decides which state the checkpoint holds"
        if option.startswith("learning_rate"):
            was = isinstance(saved[section][name].get("learning_rate"), dict)
            now = isinstance(requested[section][name].get("learning_rate"), dict)
            if was != now:
                return "a constant rate and a schedule keep different optimizer state"
        return None
    if any(key == allowed or key.startswith(f"{allowed}.") for allowed in APPLIED):
        return None
    if key.startswith("model."):
        return "it shapes the saved weights"
    return "it changes the data or the arithmetic the saved run was trained on"


def check(saved: dict, requested: dict) -> dict:
    """The changes a resume applies; raises ResumeError naming every change it cannot make."""
    found = changes(saved, requested)
    refused = []
    for key, (old, new) in found.items():
        reason = _refusal(key, saved, requested)
        if reason is not None:
            refused.append(f"{key} ({old!r} in the saved run, {new!r} asked: {reason})")
    if refused:
        raise ResumeError(
            f"--resume cannot change {'; '.join(refused)}. Resume without changing it, or start a new "
            "run with --out OTHER_FOLDER (or --overwrite, which keeps the old run until the new one's "
            "first checkpoint)."
        )
    return found


def record(folder: Path, epoch: int, applied: dict) -> None:
    """Append what a resume changed, and when, to `<folder>/changes.log`."""
    if not applied:
        return
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [f"{stamp} resumed after epoch {epoch}: {key} {old!r} -> {new!r}\n" for key, (old, new) in applied.items()]
    with open(Path(folder) / "changes.log", "a", encoding="utf-8") as log:
        log.writelines(lines)
