"""Mixed precision: the policies ganzoo trains with, where each runs fast, and building under one.

Networks compute in the policy's dtype while their variables, last layers, losses and optimizer
updates stay float32 (the last layer of every network family is built with `dtype="float32"`).
`mixed_float16` needs loss scaling, which `AdversarialCore.compile` adds; `mixed_bfloat16` does not.
"""
from __future__ import annotations

import contextlib
import functools
import warnings
from pathlib import Path

import keras
import tensorflow as tf

from ganzoo.config import ConfigError
from ganzoo.networks.blocks import all_layers

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")


@functools.lru_cache(maxsize=None)
def cpu_flags() -> frozenset:
    """The CPU feature flags Linux reports (empty where /proc/cpuinfo does not exist)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def cpu_has_bfloat16() -> bool:
    """True when the CPU has bfloat16 dot-product instructions (AVX-512 BF16 or AMX)."""
    return bool({"avx512_bf16", "amx_bf16"} & cpu_flags())


def check_precision(precision: str) -> None:
    """Refuse unknown policies and float16 without a GPU; warn when bfloat16 will be emulated."""
    if precision not in PRECISIONS:
        raise ConfigError(f"Unknown train.precision {precision!r}. Available: {', '.join(PRECISIONS)}.")
    accelerators = tf.config.list_physical_devices("GPU") + tf.config.list_physical_devices("TPU")
    if precision == "mixed_float16" and not accelerators:
        raise ConfigError(
            "train.precision mixed_float16 needs a GPU: CPUs have no fast float16 kernels. "
            "On a CPU use mixed_bfloat16 (fast on CPUs with AVX-512 BF16 or AMX) or float32."
        )
    if precision == "mixed_bfloat16" and not accelerators and cpu_flags() and not cpu_has_bfloat16():
        warnings.warn(
            "This CPU has no bfloat16 instructions (AVX-512 BF16 or AMX), so mixed_bfloat16 is emulated "
            "and likely slower than float32.",
            stacklevel=2,
        )


@contextlib.contextmanager
def precision_scope(precision: str):
    """Layers created inside take `precision` as their dtype policy; the global default is restored."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def uses_float16(*models: keras.Model) -> bool:
    """True when any layer of `models` computes in float16, so their losses need scaling."""
    return any(layer.dtype_policy.compute_dtype == "float16" for model in models for layer in all_layers(model))
