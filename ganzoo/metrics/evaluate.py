"""One entry point for evaluation: samples in, a dict of metric values out.

`Evaluator` holds the real data's features once and scores any number of models or
sample sets against them, which is what the evaluation callback needs; `evaluate` is
the one-shot form.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from ganzoo.data import load_arrays, mixture_modes
from ganzoo.metrics.checks import MetricInputError
from ganzoo.metrics.extractors import ShapesExtractor, default_extractor, get_extractor
from ganzoo.metrics.factors import factor_coverage
from ganzoo.metrics.fid import frechet_distance
from ganzoo.metrics.inception_score import inception_score
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.modes import mode_coverage
from ganzoo.metrics.path_length import SAMPLINGS, perceptual_path_length
from ganzoo.metrics.prdc import density_coverage, precision_recall
from ganzoo.metrics.stacked import stacked_mnist_modes

FEATURE_METRICS = ("fid", "kid", "pr", "dc")
METRICS = FEATURE_METRICS + ("is", "modes", "stacked", "factors", "ppl")
MIXTURES = ("ring", "grid")


def _take(data, n: int) -> np.ndarray:
    """The first `n` samples of an array or a (batched) tf.data.Dataset, as float32 NumPy."""
    if isinstance(data, tf.data.Dataset):
        chunks, count = [], 0
        for batch in data:
            batch = batch[0] if isinstance(batch, (tuple, list)) else batch
            chunks.append(np.asarray(batch))
            count += len(chunks[-1])
            if count >= n:
                break
        if not chunks:
            raise MetricInputError("The real data set is empty.")
        data = np.concatenate(chunks)
    return np.asarray(data, dtype="float32")[:n]


class Evaluator:
    """Scores samples against real data with the chosen metrics; real features are cached.

    Args:
        real_data: a data source name (`mnist-5k`, `ring`...), an array, or a tf.data.Dataset.
        metrics: names from `METRICS`: fid, kid, pr (precision/recall), dc (density/coverage),
            is (Inception Score), modes (2-D mixture mode coverage), stacked (stacked-MNIST modes),
            factors (shapes factor coverage), ppl (perceptual path length of a model, "end" and
            "full": in W for a StyleGAN, in Z otherwise).
        n: samples drawn from a model and taken from the real data.
        features: extractor name (`digits`, `shapes`, `inception`) or a Keras model; None (the
            default) is `shapes` when `real_data` names the shapes data, else `digits`. 2-D points
            are used as they are.
        mixture: `ring` or `grid` for the `modes` metric (taken from `real_data` when it names one).
        image_size: resize a named source's images to this size, as the model's preset does.

    A model is asked for its `evaluation_samples`: a conditional one draws labels with the real
    data's class frequencies, a translator translates the real data's sources (give `real_data` as
    a (sources, targets) pair) and is compared with their targets.
    """

    def __init__(self, real_data, metrics=("fid", "kid", "pr"), n=5000, features=None, mixture=None,
                 seed=0, verbose=1, image_size=None):
        unknown = [m for m in metrics if m not in METRICS]
        if unknown:
            raise ValueError(f"Unknown metric(s) {unknown}; choose from {', '.join(METRICS)}.")
        if n < 2:
            raise ValueError(f"n must be at least 2, got {n}.")
        self.metrics, self.n, self.seed, self.verbose = tuple(metrics), int(n), seed, verbose
        self.mixture = mixture or (real_data if isinstance(real_data, str) and real_data in MIXTURES else None)
        if "modes" in self.metrics and self.mixture is None:
            raise ValueError("The `modes` metric needs mixture='ring' or 'grid' (or real_data='ring'/'grid').")
        self.image_size = image_size
        self._features_spec = default_extractor(real_data) if features is None else features
        self._extractor = None
        self._real_data = real_data
        self._real_samples = None
        self._real_features = None

    # -------------------------------------------------------------- features

    def _needs(self, names) -> bool:
        return any(m in self.metrics for m in names)

    def extractor(self):
        if self._extractor is None:
            self._extractor = get_extractor(self._features_spec, verbose=self.verbose)
        return self._extractor

    def features(self, samples: np.ndarray) -> np.ndarray:
        """Points are their own features; images go through the extractor."""
        if samples.ndim == 2:
            return samples.astype("float64")
        return self.extractor().features(samples)

    def real_data(self, labels=False):
        """The real data as given, or a named source loaded (with labels when asked for)."""
        if isinstance(self._real_data, str):
            return load_arrays(self._real_data, labels=labels, image_size=self.image_size, limit=self.n, seed=self.seed)
        return self._real_data

    def real_samples(self) -> np.ndarray:
        """The `n` real samples compared with generated ones; fewer real than `n` is refused, so
        both sides always hold `n`."""
        if self._real_samples is None:
            real = self.real_data()
            if isinstance(real, (tuple, list)):  # (samples, labels) or (sources, targets)
                real = real[0] if np.ndim(real[1]) == 1 else real[1]
            real = _take(real, self.n)
            if len(real) < self.n:
                name = f"{self._real_data!r}" if isinstance(self._real_data, str) else "the real data"
                raise MetricInputError(
                    f"n={self.n} is more than the {len(real)} examples in {name}; use n={len(real)} or fewer "
                    "so both sides hold the same number of samples."
                )
            self._real_samples = real
        return self._real_samples

    def real_features(self) -> np.ndarray:
        if self._real_features is None:
            self._real_features = self.features(self.real_samples())
        return self._real_features

    # -------------------------------------------------------------- scoring

    def samples_from(self, model_or_samples) -> np.ndarray:
        if hasattr(model_or_samples, "evaluation_samples"):
            model = model_or_samples
            paired = "source" in model.batch_structure
            data = self.real_data(labels=True) if paired or model.num_classes is not None else None
            return model.evaluation_samples(self.n, seed=self.seed, data=data)
        return np.asarray(model_or_samples, dtype="float32")

    def __call__(self, model_or_samples) -> dict:
        if "ppl" in self.metrics and not hasattr(model_or_samples, "evaluation_samples"):
            raise MetricInputError("The ppl metric walks a model's latent space: give the model, not samples.")
        # Real data first: too few real examples is refused before any sample is drawn.
        real_shape = self.real_samples().shape[1:] if self._needs(FEATURE_METRICS) else None
        samples = self.samples_from(model_or_samples)
        results: dict = {}
        if real_shape is not None:
            if samples.shape[1:] != real_shape:
                name = f"{self._real_data!r}" if isinstance(self._real_data, str) else "The real data"
                raise MetricInputError(
                    f"{name} holds samples of shape {real_shape} but the model makes {samples.shape[1:]}; "
                    "compare it with real data of its own kind (--data)."
                )
            real, fake = self.real_features(), self.features(samples)
            if "fid" in self.metrics:
                results["fid"] = frechet_distance(real, fake)
            if "kid" in self.metrics:
                results["kid"], results["kid_std"] = kernel_inception_distance(real, fake, seed=self.seed)
            if "pr" in self.metrics:
                results.update(precision_recall(real, fake))
            if "dc" in self.metrics:
                results.update(density_coverage(real, fake))
        if "is" in self.metrics:
            results["is"], results["is_std"] = inception_score(self.extractor().probabilities(samples))
        if "modes" in self.metrics:
            means, std = mixture_modes(self.mixture)
            results.update(mode_coverage(samples, means, std))
        if "stacked" in self.metrics:
            results.update(stacked_mnist_modes(samples, verbose=self.verbose))
        if "ppl" in self.metrics:
            results.update(self.path_lengths(model_or_samples))
        if "factors" in self.metrics:
            shapes = self._features_spec == "shapes" or isinstance(self._features_spec, ShapesExtractor)
            results.update(factor_coverage(samples, self.extractor() if shapes else None, verbose=self.verbose))
        return {key: float(value) for key, value in results.items()}

    def path_lengths(self, model) -> dict:
        """Perceptual path length with `n` pairs, "end" and "full", in W when the model has one."""
        space = "w" if hasattr(model.sampling_generator, "synthesize") else "z"
        return {
            f"ppl_{space}_{sampling}": perceptual_path_length(
                model, self.extractor(), n=self.n, space=space, sampling=sampling, seed=self.seed
            )
            for sampling in SAMPLINGS
        }


def evaluate(model_or_samples, real_data, metrics=("fid", "kid", "pr"), n=5000, features=None, **options):
    """Score a model (it draws `n` samples with a fixed seed) or an array of samples; returns a dict."""
    return Evaluator(real_data, metrics=metrics, n=n, features=features, **options)(model_or_samples)
