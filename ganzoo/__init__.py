"""ganzoo: a Generative Adversarial Network model zoo for Keras 3 on TensorFlow.

    model = ganzoo.load("dcgan-mnist")
    model.fit(ganzoo.data.load("mnist-5k"), epochs=5)
    images = model.generate(64, seed=0)
"""
from __future__ import annotations

import os


def _require_tensorflow_backend(backend: str) -> None:
    if backend != "tensorflow":
        raise ImportError(
            f"ganzoo trains with Keras' TensorFlow backend, but Keras is set to {backend!r}. "
            "Set KERAS_BACKEND=tensorflow before importing ganzoo (or keras)."
        )


# Checked before importing Keras too: other backends may fail to import at all without their framework.
_require_tensorflow_backend(os.environ.setdefault("KERAS_BACKEND", "tensorflow"))

import keras  # noqa: E402

_require_tensorflow_backend(keras.backend.backend())

from ganzoo import anomaly, augment, callbacks, data, losses, metrics, runs  # noqa: E402
from ganzoo.config import ConfigError  # noqa: E402
from ganzoo.models import AdversarialCore, GAN, LatentGAN, Translator, build_model  # noqa: E402
from ganzoo.registry import list_models, register_model, register_network, resolve_preset  # noqa: E402

__version__ = "0.1.0"

_SECTIONS = ("description", "model", "train", "data")


def load(name: str, *, compile: bool = True, **overrides) -> AdversarialCore:
    """Build the preset `name` from zoo_configs/ (or from the preset file at path `name`, such as
    a sweep's best trial), compiled with its optimizers and loss.

    Overrides are nested mappings per section and win over the preset, e.g.
    `load("dcgan-mnist", model={"latent_dim": 64}, train={"batch_size": 32})`.
    """
    for section in overrides:
        if section not in _SECTIONS:
            raise ConfigError(f"Unknown override section {section!r}; use {', '.join(_SECTIONS)}.")
    return build_model(resolve_preset(name, overrides), compile=compile)


__all__ = [
    "AdversarialCore",
    "ConfigError",
    "GAN",
    "LatentGAN",
    "Translator",
    "__version__",
    "anomaly",
    "augment",
    "callbacks",
    "data",
    "list_models",
    "load",
    "losses",
    "metrics",
    "runs",
    "register_model",
    "register_network",
    "resolve_preset",
]
