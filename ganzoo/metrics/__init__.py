"""Metrics that tell whether a GAN trained, as pure functions on features, plus `evaluate`.

    scores = ganzoo.metrics.evaluate(model, "mnist-5k", metrics=["fid", "kid", "pr"], n=5000)

Translators are also scored against their targets on images (`psnr`, `ssim`, `l1_distance`) and
by the class their translations keep (`label_preservation`).

Features come from an extractor: `digits` or `shapes` (small classifiers shipped with ganzoo, for
digit data and for the shapes data), `inception` (Keras' InceptionV3; its weights must already be on
disk), or any Keras model.
"""
from ganzoo.metrics.checks import MetricInputError
from ganzoo.metrics.conditional import (
    class_accuracy, classification_accuracy_score, code_class_accuracy, intra_fid, read_classes,
)
from ganzoo.metrics.evaluate import METRICS, Evaluator, evaluate
from ganzoo.metrics.extractors import FeatureExtractor, get_extractor
from ganzoo.metrics.factors import factor_coverage
from ganzoo.metrics.fid import frechet_distance, frechet_distance_from_statistics, gaussian_statistics
from ganzoo.metrics.inception_score import inception_score
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.modes import mode_coverage, mode_histogram_kl
from ganzoo.metrics.neighbours import nearest_neighbours, neighbour_grid
from ganzoo.metrics.path_length import perceptual_path_length
from ganzoo.metrics.prdc import density_coverage, knn_radii, prdc, precision_recall
from ganzoo.metrics.stacked import stacked_mnist_modes
from ganzoo.metrics.translation import l1_distance, label_preservation, psnr, ssim

__all__ = [
    "METRICS",
    "Evaluator",
    "FeatureExtractor",
    "MetricInputError",
    "class_accuracy",
    "classification_accuracy_score",
    "code_class_accuracy",
    "density_coverage",
    "factor_coverage",
    "evaluate",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "gaussian_statistics",
    "get_extractor",
    "inception_score",
    "intra_fid",
    "kernel_inception_distance",
    "knn_radii",
    "l1_distance",
    "label_preservation",
    "mode_coverage",
    "mode_histogram_kl",
    "nearest_neighbours",
    "neighbour_grid",
    "perceptual_path_length",
    "prdc",
    "precision_recall",
    "psnr",
    "read_classes",
    "ssim",
    "stacked_mnist_modes",
]
