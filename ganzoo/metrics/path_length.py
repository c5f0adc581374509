"""Perceptual path length (Karras et al. 2019, "A Style-Based Generator Architecture", sec. 4.2):
how much the image changes, perceptually, for a tiny step in latent space. A smooth, disentangled
latent space gives short paths.

The paper measures the change with LPIPS (VGG16 features of 256x256 crops); ganzoo has no VGG
offline, so the distance here is the squared L2 distance between unit-length features of one of
its extractors (the digits or the shapes classifier). The protocol is the paper's otherwise: a
step of epsilon = 1e-4, linear interpolation in W (spherical in Z), t drawn uniformly ("full") or
t = 0 ("end", as the official code does), each distance divided by epsilon^2, and the mean taken
after dropping the values below the 1st and above the 99th percentile. So our figures compare
ganzoo runs with each other, not with the paper's.
"""
from __future__ import annotations

import numpy as np

from ganzoo.metrics.checks import MetricInputError

EPSILON = 1e-4
SAMPLINGS = ("end", "full")
SPACES = ("w", "z")


def slerp(a, b, t):
    """Spherical interpolation between the directions of latents a and b (rows), at fractions t."""
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    angle = np.arccos(np.clip(np.sum(a * b, axis=-1, keepdims=True), -1.0, 1.0))
    direction = b - a * np.cos(angle)
    direction = direction / np.maximum(np.linalg.norm(direction, axis=-1, keepdims=True), 1e-12)
    return a * np.cos(angle * t) + direction * np.sin(angle * t)


def _unit(features: np.ndarray) -> np.ndarray:
    return features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)


def path_length_endpoints(model, n: int, space: str, sampling: str, epsilon: float, seed: int):
    """(images at t, images at t + epsilon) for `n` random latent pairs of a latent GAN."""
    generator = model.sampling_generator
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((2, n, model.latent_dim)).astype("float32")
    t = rng.uniform(0.0, 1.0, (n, 1)) if sampling == "full" else np.zeros((n, 1))
    if space == "z":
        latents = [slerp(z[0], z[1], t + step).astype("float32") for step in (0.0, epsilon)]
        draws = model.sampling_draws(n, seed=seed)  # what else the generator takes (a PGGAN's level)
        return [model.sample_forward(model.generator_inputs({**draws, "latents": latent})) for latent in latents]
    w = [np.asarray(generator.map(z[i]), dtype="float64") for i in (0, 1)]
    styles = [(w[0] + (w[1] - w[0]) * (t + step)).astype("float32") for step in (0.0, epsilon)]
    return [np.asarray(generator.synthesize(generator.broadcast(style))) for style in styles]


def perceptual_path_length(model, extractor, n: int = 2000, space: str = "w", sampling: str = "end",
                           epsilon: float = EPSILON, seed: int = 0, batch_size: int = 250) -> float:
    """Perceptual path length of an unconditional latent GAN, in W (StyleGAN) or Z (any).

    `extractor` is a ganzoo `FeatureExtractor` for the model's images (see the module docstring
    for how its features stand in for LPIPS).
    """
    if space not in SPACES or sampling not in SAMPLINGS:
        raise MetricInputError(f"space must be one of {SPACES} and sampling one of {SAMPLINGS}; got {space!r}, {sampling!r}.")
    if not hasattr(model, "latent_dim") or getattr(model, "conditional", False):
        raise MetricInputError("Perceptual path length needs an unconditional latent GAN (it walks between latents).")
    if space == "w" and not hasattr(model.sampling_generator, "synthesize"):
        raise MetricInputError(f"{model.name} has no W space (it is not a StyleGAN); measure its path length with space='z'.")
    if n < 100:
        raise MetricInputError(f"Path length drops the 1% tails, so give at least 100 pairs; got n={n}.")
    distances = []
    for start in range(0, n, batch_size):
        count = min(batch_size, n - start)
        first, second = path_length_endpoints(model, count, space, sampling, epsilon, seed + start)
        gap = _unit(extractor.features(first)) - _unit(extractor.features(second))
        distances.append(np.sum(gap.astype("float64") ** 2, axis=1) / epsilon**2)
    distances = np.concatenate(distances)
    low = np.percentile(distances, 1, method="lower")
    high = np.percentile(distances, 99, method="higher")
    return float(distances[(distances >= low) & (distances <= high)].mean())
