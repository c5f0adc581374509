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
from ganzoo.metrics.conditional import (
    class_accuracy, classification_accuracy_score, code_class_accuracy, intra_fid, read_classes,
)
from ganzoo.metrics.extractors import ShapesExtractor, default_extractor, get_extractor
from ganzoo.metrics.factors import factor_coverage
from ganzoo.metrics.fid import frechet_distance
from ganzoo.metrics.inception_score import inception_score
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.modes import mode_coverage
from ganzoo.metrics.path_length import SAMPLINGS, perceptual_path_length
from ganzoo.metrics.prdc import density_coverage, precision_recall
from ganzoo.metrics.stacked import stacked_mnist_modes
from ganzoo.metrics.translation import l1_distance, label_preservation, psnr, ssim

FEATURE_METRICS = ("fid", "kid", "pr", "dc")
CONDITIONAL_METRICS = ("class_accuracy", "intra_fid", "cas")
TARGET_METRICS = ("psnr", "ssim", "l1")  # a translator's outputs against the targets of its sources
TRANSLATION_METRICS = TARGET_METRICS + ("label_preservation",)
METRICS = (FEATURE_METRICS + ("is", "modes", "stacked", "factors", "ppl") + CONDITIONAL_METRICS + ("code_accuracy",)
           + TRANSLATION_METRICS)
CAS_TEST_SHARE = 0.2  # of the labelled real data, held out from both CAS classifiers to test them
MIXTURES = ("ring", "grid")


def _rows(count: int, n: int, seed: int):
    """The rows of `count` to score when only `n` are wanted: all of them, in order, when there are
    no more than n; otherwise a seeded random choice kept in order, so that arrays sorted by class
    (held-out splits often are) are not cut down to their first classes."""
    if count <= n:
        return slice(None)
    return np.sort(np.random.default_rng(seed).choice(count, n, replace=False))


def _take(data, n: int, seed: int) -> np.ndarray:
    """`n` samples of an array (a seeded choice, see `_rows`) or the first `n` of a (batched,
    usually shuffled) tf.data.Dataset, as float32 NumPy."""
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
        return np.concatenate(chunks).astype("float32")[:n]
    data = np.asarray(data, dtype="float32")
    return data[_rows(len(data), n, seed)]


class Evaluator:
    """Scores samples against real data with the chosen metrics; real features are cached.

    Args:
        real_data: a data source name (`mnist-5k`, `ring`...), an array, or a tf.data.Dataset.
        metrics: names from `METRICS`: fid, kid, pr (precision/recall), dc (density/coverage),
            is (Inception Score), modes (2-D mixture mode coverage), stacked (stacked-MNIST modes),
            factors (shapes factor coverage), ppl (perceptual path length of a model, "end" and
            "full": in W for a StyleGAN, in Z otherwise), and for conditional models class_accuracy
            (the extractor's classifier reads the class asked for), intra_fid (FID within each
            class: `intra_fid` is the mean, `intra_fid_<class>` each class) and cas (Classification
            Accuracy Score: a classifier trained on the n generated samples, tested on a held-out
            fifth of the labelled real data; `cas_real` is the same classifier trained on up to n
            of the other real samples, the ceiling); for an InfoGAN, code_accuracy (the extractor's
            classifier reads the class of n samples whose first categorical code cycles through its
            categories; the share matched by the best one-to-one mapping of codes to classes); for
            translators, psnr and ssim (on the Y channel of RGB images, as the super-resolution
            papers do, with a border as wide as the upscaling factor cropped when the targets are a
            whole multiple of the sources' size), l1 (mean absolute error to the target, in [-1, 1]
            units) and label_preservation (the extractor's classifier reads the source's label in
            its translation).
        n: samples drawn from a model and taken from the real data.
        features: extractor name (`digits`, `shapes`, `inception`) or a Keras model; None (the
            default) is `shapes` when `real_data` names the shapes data, else `digits`. 2-D points
            are used as they are.
        mixture: `ring` or `grid` for the `modes` metric (taken from `real_data` when it names one).
        image_size: resize a named source's images to this size, as the model's preset does.
        split: the split of a named source to compare with: `train`, or a translator task's
            held-out `test` (see `ganzoo.data.load`).

    A model is asked for its `evaluation_samples`: a conditional one draws labels with the real
    data's class frequencies, a translator translates the real data's sources (give `real_data` as
    a (sources, targets) pair) and is compared with their targets. The class-conditional metrics
    need labels on both sides: real data named by source or given as a (samples, labels) pair, and
    a conditional model or generated samples given as a (samples, labels) pair. label_preservation
    needs the sources' labels: give `real_data` as (sources, targets, source_labels). Real arrays
    longer than `n` are cut to a seeded choice of `n` rows, the same rows of samples and labels or
    of sources, targets and source labels; translations given as an array (bicubic upscaling, say)
    are those of the sources `translation_data()` returns.
    """

    def __init__(self, real_data, metrics=("fid", "kid", "pr"), n=5000, features=None, mixture=None,
                 seed=0, verbose=1, image_size=None, split="train"):
        unknown = [m for m in metrics if m not in METRICS]
        if unknown:
            raise ValueError(f"Unknown metric(s) {unknown}; choose from {', '.join(METRICS)}.")
        if n < 2:
            raise ValueError(f"n must be at least 2, got {n}.")
        self.metrics, self.n, self.seed, self.verbose = tuple(metrics), int(n), seed, verbose
        self.mixture = mixture or (real_data if isinstance(real_data, str) and real_data in MIXTURES else None)
        if "modes" in self.metrics and self.mixture is None:
            raise ValueError("The `modes` metric needs mixture='ring' or 'grid' (or real_data='ring'/'grid').")
        self.image_size, self.split = image_size, split
        self._features_spec = default_extractor(real_data) if features is None else features
        self._extractor = None
        self._real_data = real_data
        self._real_samples = None
        self._real_features = None
        self._loaded: dict = {}  # a named source's arrays, without and with labels
        self._cas_data = None  # ((real test images, labels), the ceiling's accuracy on them)
        self._translation_data = None  # (sources, targets, source labels or None), n of each

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
        """The real data as given, or a named source loaded once (with labels when asked for)."""
        if not isinstance(self._real_data, str):
            return self._real_data
        if labels not in self._loaded:
            self._loaded[labels] = load_arrays(
                self._real_data, labels=labels, image_size=self.image_size, limit=self.n, seed=self.seed,
                split=self.split,
            )
        return self._loaded[labels]

    def real_samples(self) -> np.ndarray:
        """The `n` real samples compared with generated ones; fewer real than `n` is refused, so
        both sides always hold `n`."""
        if self._real_samples is None:
            real = self.real_data()
            if isinstance(real, (tuple, list)):  # (samples, labels) or (sources, targets)
                real = real[0] if np.ndim(real[1]) == 1 else real[1]
            real = _take(real, self.n, self.seed)
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

    def real_labels(self) -> np.ndarray:
        """The classes of the `n` real samples, for the class-conditional metrics."""
        real = self.real_data(labels=True)
        if not (isinstance(real, (tuple, list)) and np.ndim(real[1]) == 1):
            raise MetricInputError(
                f"The metrics {', '.join(CONDITIONAL_METRICS)} need the real data's labels: give real_data as a "
                "source name or a (samples, labels) pair."
            )
        labels = np.asarray(real[1])
        return labels[_rows(len(labels), self.n, self.seed)]

    def samples_from(self, model_or_samples) -> np.ndarray:
        if hasattr(model_or_samples, "evaluation_samples"):
            model = model_or_samples
            return model.evaluation_samples(self.n, seed=self.seed, data=self._model_data(model))
        if isinstance(model_or_samples, (tuple, list)):  # (samples, the labels they were asked for)
            return np.asarray(model_or_samples[0], dtype="float32")
        return np.asarray(model_or_samples, dtype="float32")

    def _model_data(self, model):
        """The real data a conditional model (labelled), a translator (its pairs) or a reconstructing
        model (its images) needs to draw its samples."""
        translator = model.pairing in ("paired", "unpaired")
        if translator:
            return self.translation_data()[:2]  # the n sources scored, without labels
        if model.takes_examples:
            return self.real_samples()
        return self.real_data(labels=True) if model.conditional else None

    def labels_from(self, model_or_samples) -> np.ndarray:
        """The classes the generated samples were asked for: a conditional model's evaluation
        labels, or the labels given beside samples."""
        if hasattr(model_or_samples, "evaluation_samples"):
            model = model_or_samples
            if not model.conditional:
                raise MetricInputError(
                    f"The metrics {', '.join(CONDITIONAL_METRICS)} score a conditional model; {model.name} is "
                    "unconditional."
                )
            return model.evaluation_labels(self.n, seed=self.seed, data=self._model_data(model))
        if isinstance(model_or_samples, (tuple, list)) and len(model_or_samples) == 2:
            return np.asarray(model_or_samples[1])
        raise MetricInputError(
            f"The metrics {', '.join(CONDITIONAL_METRICS)} need the labels the samples were generated for: "
            "give a conditional model, or the samples and their labels as a (samples, labels) pair."
        )

    def __call__(self, model_or_samples) -> dict:
        if "ppl" in self.metrics and not hasattr(model_or_samples, "evaluation_samples"):
            raise MetricInputError("The ppl metric walks a model's latent space: give the model, not samples.")
        if "code_accuracy" in self.metrics and not hasattr(model_or_samples, "coded_samples"):
            raise MetricInputError(
                "The code_accuracy metric reads an InfoGAN's categorical code: give an InfoGAN model (for samples "
                "and their codes, use ganzoo.metrics.code_class_accuracy)."
            )
        # Real data first: too few real examples is refused before any sample is drawn.
        real_shape = self.real_samples().shape[1:] if self._needs(FEATURE_METRICS + ("intra_fid",)) else None
        labels = self.labels_from(model_or_samples) if self._needs(CONDITIONAL_METRICS) else None
        if self._needs(TRANSLATION_METRICS):
            self.translation_data()
        samples = self.samples_from(model_or_samples)
        results: dict = {}
        fake = None
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
        if labels is not None:
            results.update(self.conditional_scores(samples, labels, fake))
        if "code_accuracy" in self.metrics:
            results["code_accuracy"] = self.code_accuracy(model_or_samples)
        if self._needs(TRANSLATION_METRICS):
            results.update(self.translation_scores(samples))
        return {key: float(value) for key, value in results.items()}

    def conditional_scores(self, samples: np.ndarray, labels: np.ndarray, fake_features=None) -> dict:
        """class_accuracy, intra_fid (mean and per class) and cas (with its real-data ceiling) of
        `samples` generated for `labels` (`fake_features`: their features, when already extracted)."""
        results: dict = {}
        if "class_accuracy" in self.metrics:
            results["class_accuracy"] = class_accuracy(samples, labels, self.extractor(), verbose=self.verbose)
        if "intra_fid" in self.metrics:
            fake_features = self.features(samples) if fake_features is None else fake_features
            mean, per_class = intra_fid(self.real_features(), self.real_labels(), fake_features, labels)
            results["intra_fid"] = mean
            results.update({f"intra_fid_{label}": value for label, value in per_class.items()})
        if "cas" in self.metrics:
            test, ceiling = self.cas_test_and_ceiling()
            results["cas"] = classification_accuracy_score(samples, labels, *test, seed=self.seed)
            results["cas_real"] = ceiling
        return results

    def code_accuracy(self, model) -> float:
        """Accuracy of the best one-to-one mapping from an InfoGAN's first categorical code to the
        classes the extractor's classifier reads in `n` samples drawn for each code in turn."""
        samples, codes = model.coded_samples(self.n, seed=self.seed)
        classes, _ = read_classes(samples, self.extractor(), verbose=self.verbose)
        return code_class_accuracy(codes, classes)[0]

    def cas_test_and_ceiling(self):
        """(held-out real test data, the ceiling) for CAS, made once: a seeded fifth of all the
        labelled real data is the test set, and up to `n` of the rest train the same classifier for
        the ceiling."""
        if self._cas_data is None:
            if isinstance(self._real_data, str):
                real = load_arrays(self._real_data, labels=True, image_size=self.image_size, seed=self.seed)
            else:
                self.real_labels()  # refuses real data without labels
                real = self.real_data(labels=True)
            images, labels = (np.asarray(part) for part in real[:2])
            order = np.random.default_rng(self.seed).permutation(len(images))
            tested = max(1, int(round(CAS_TEST_SHARE * len(images))))
            test, train = order[:tested], order[tested:][: self.n]
            held_out = images[test], labels[test]
            ceiling = classification_accuracy_score(images[train], labels[train], *held_out, seed=self.seed)
            self._cas_data = held_out, ceiling
        return self._cas_data

    def translation_data(self):
        """(sources, targets, source labels or None), `n` of each (the same seeded rows, see `_rows`),
        from real data given as (sources, targets) or (sources, targets, source_labels), or unpaired
        as (a, b, a_labels, b_labels); fewer than `n` is refused."""
        if self._translation_data is None:
            real = self.real_data(labels=True)
            unpaired = isinstance(real, (tuple, list)) and len(real) == 4
            if unpaired:  # no target belongs to a source
                if self._needs(TARGET_METRICS):
                    raise MetricInputError(
                        f"The metrics {', '.join(TARGET_METRICS)} compare each translation with its own target; "
                        "unpaired data (a, b, a_labels, b_labels) has none. Score an unpaired translator with fid "
                        "and label_preservation."
                    )
                real = tuple(real[:3])
            paired = isinstance(real, (tuple, list)) and len(real) in (2, 3)
            if not (paired and np.ndim(real[0]) == np.ndim(real[1]) == 4):
                raise MetricInputError(
                    f"The metrics {', '.join(TRANSLATION_METRICS)} score a translator against its data: give real_data "
                    "as a (sources, targets) pair of image arrays, or (sources, targets, source_labels) for "
                    "label_preservation."
                )
            sources, targets = np.asarray(real[0]), np.asarray(real[1])
            labels = np.asarray(real[2]) if len(real) == 3 else None
            if self._needs(("label_preservation",)) and labels is None:
                raise MetricInputError(
                    "label_preservation needs the sources' labels: give real_data as (sources, targets, source_labels)."
                )
            counts = {"sources": len(sources)}
            if not unpaired:
                counts["targets"] = len(targets)
            if labels is not None:
                counts["source labels"] = len(labels)
            held = ", ".join(f"{count} {name}" for name, count in counts.items())
            if len(set(counts.values())) > 1:
                raise MetricInputError(f"The real data holds {held}; give one target and one label per source.")
            if len(sources) < self.n:
                raise MetricInputError(
                    f"n={self.n} is more than the {held} in the real data; use n={len(sources)} or fewer."
                )
            rows = _rows(len(sources), self.n, self.seed)
            targets = targets[_rows(len(targets), self.n, self.seed) if unpaired else rows]
            self._translation_data = sources[rows], targets, None if labels is None else labels[rows]
        return self._translation_data

    def translation_scores(self, samples: np.ndarray) -> dict:
        """psnr, ssim, l1 and label_preservation of `samples`, the translations of the `n` sources
        of `translation_data`; PSNR and SSIM crop a border as wide as the upscaling factor from
        sources to targets."""
        sources, targets, labels = self.translation_data()
        height, width = (target / source for source, target in zip(sources.shape[1:3], targets.shape[1:3]))
        scale = int(height) if height == width and height > 1 and height.is_integer() else None
        results: dict = {}
        if "psnr" in self.metrics:
            results["psnr"] = psnr(samples, targets, scale=scale)
        if "ssim" in self.metrics:
            results["ssim"] = ssim(samples, targets, scale=scale)
        if "l1" in self.metrics:
            results["l1"] = l1_distance(samples, targets)
        if "label_preservation" in self.metrics:
            results["label_preservation"] = label_preservation(samples, labels, self.extractor(), verbose=self.verbose)
        return results

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
