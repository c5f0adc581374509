"""Whether a conditional model draws the class it is asked for, three ways:

- class accuracy: a shipped classifier reads each generated sample, compared with its label;
- intra-FID: FID within each class (Miyato & Koyama 2018), so a model that draws good images of
  the wrong class, or one class for all, is caught where the overall FID misses it;
- CAS, the Classification Accuracy Score (Ravuri & Vinyals 2019): a fixed classifier trained on
  generated samples only, tested on real data; the same classifier trained on real data is the ceiling.

and, for a model that finds classes without labels (InfoGAN's categorical code), how well its code
names them under the best one-to-one mapping of codes to classes.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers
from scipy.optimize import linear_sum_assignment

from ganzoo.data.shapes import SHAPE_COMBINATIONS, shape_combination
from ganzoo.metrics.checks import MetricInputError, check_features
from ganzoo.metrics.classifiers import cosine_adamw
from ganzoo.metrics.extractors import get_extractor
from ganzoo.metrics.fid import frechet_distance

CAS_EPOCHS = 10


def _labels(labels, count: int, what: str) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != count or not np.issubdtype(labels.dtype, np.integer):
        raise MetricInputError(
            f"The {what} labels must be one integer class per sample: {count} samples, labels {labels.dtype} "
            f"of shape {labels.shape}."
        )
    if count and labels.min() < 0:
        raise MetricInputError(f"The {what} labels must be class indices of 0 or more; got {labels.min()}.")
    return labels


def read_classes(images, extractor="digits", verbose=True) -> tuple[np.ndarray, int]:
    """(the class a shipped classifier reads in each image, how many classes it reads): the digit
    for `digits`; for `shapes`, the combination id of shape, colour and background (the `shapes`
    source's label); for another extractor with a classifier head, its most probable class."""
    extractor = get_extractor(extractor, verbose=verbose)
    if hasattr(extractor, "factors"):
        factors = extractor.factors(images)
        ids = shape_combination(factors["shape"], factors["colour"], factors["background"])
        return ids, SHAPE_COMBINATIONS
    probabilities = extractor.probabilities(images)
    return probabilities.argmax(axis=1), probabilities.shape[1]


def class_accuracy(images, labels, extractor="digits", verbose=True) -> float:
    """Share of `images` (generated for `labels`) in which the extractor's classifier reads the
    label they were asked for."""
    labels = _labels(labels, len(images), "asked")
    extractor = get_extractor(extractor, verbose=verbose)
    predicted, classes = read_classes(images, extractor)
    if labels.max() >= classes:
        raise MetricInputError(
            f"The {extractor.name} classifier reads {classes} classes but the labels go up to {labels.max()}; "
            "use the extractor that matches the data (digits for digit data, shapes for the shapes data)."
        )
    return float(np.mean(predicted == labels))


def code_class_accuracy(codes, classes) -> tuple[float, dict]:
    """(accuracy, {code: class}) of the one-to-one mapping from codes to classes that matches the
    most samples: `codes` are the categories samples were drawn with, `classes` what a classifier
    reads in them. The mapping is the maximum-weight assignment on their confusion matrix (scipy's
    `linear_sum_assignment`), since an unsupervised code may name the classes in any order. Every
    code is mapped, to a class never read if need be (its samples then count as misses)."""
    codes = np.asarray(codes)
    if codes.ndim != 1 or len(codes) == 0:
        raise MetricInputError(f"Give one code per sample, as a flat list of integers; got shape {codes.shape}.")
    codes = _labels(codes, len(codes), "code")
    classes = _labels(classes, len(codes), "read")
    confusion = np.zeros((codes.max() + 1, max(codes.max(), classes.max()) + 1), dtype="int64")
    np.add.at(confusion, (codes, classes), 1)
    mapped_codes, mapped_classes = linear_sum_assignment(confusion, maximize=True)
    accuracy = confusion[mapped_codes, mapped_classes].sum() / len(codes)
    return float(accuracy), {int(code): int(label) for code, label in zip(mapped_codes, mapped_classes)}


def intra_fid(real_features, real_labels, fake_features, fake_labels) -> tuple[float, dict]:
    """(mean over classes, {class: FID}) of the FID between the real and the generated features of
    each class present in either set; every such class needs at least 2 samples on both sides."""
    real, fake = check_features(real_features, fake_features, min_samples=2)
    real_labels = _labels(real_labels, len(real), "real")
    fake_labels = _labels(fake_labels, len(fake), "generated")
    per_class = {}
    for label in np.union1d(real_labels, fake_labels):
        counts = int(np.sum(real_labels == label)), int(np.sum(fake_labels == label))
        if min(counts) < 2:
            raise MetricInputError(
                f"Class {label} has {counts[0]} real and {counts[1]} generated samples; intra-FID needs at least 2 "
                "of each class on both sides. Use more samples (or draw the generated labels from the real ones)."
            )
        per_class[int(label)] = frechet_distance(real[real_labels == label], fake[fake_labels == label])
    return float(np.mean(list(per_class.values()))), per_class


def build_cas_classifier(input_shape, num_classes: int, filters=(32, 64)) -> keras.Model:
    """The fixed classifier of CAS: two convolution + max-pooling blocks, a 128-unit layer, softmax.
    No batch normalization, unlike the shipped classifiers' trunk: its moving statistics lag behind
    the weights over the few hundred steps CAS trains, which left test predictions near chance."""
    image = keras.Input(tuple(input_shape), name="image")
    h = image
    for width in filters:
        h = layers.Conv2D(width, 3, padding="same", activation="relu")(h)
        h = layers.MaxPooling2D()(h)
    h = layers.Dense(128, activation="relu")(layers.Flatten()(h))
    return keras.Model(image, layers.Dense(num_classes, activation="softmax")(h), name="cas_classifier")


def classification_accuracy_score(train_images, train_labels, test_images, test_labels, num_classes=None,
                                  epochs: int = CAS_EPOCHS, batch_size: int = 64, seed: int = 0, verbose=0) -> float:
    """Accuracy on (`test_images`, `test_labels`) of `build_cas_classifier` trained from scratch
    for `epochs` on (`train_images`, `train_labels`) alone.

    CAS trains on generated samples and tests on real ones; trained on real data, the same call
    gives the ceiling to read CAS against. `seed` seeds Python, NumPy and Keras globally (as
    training does), so the same inputs and seed give the same classifier.
    """
    train_images, test_images = (np.asarray(images, dtype="float32") for images in (train_images, test_images))
    train_labels = _labels(train_labels, len(train_images), "training")
    test_labels = _labels(test_labels, len(test_images), "test")
    if len(train_images) < 2 or len(test_images) < 1:
        raise MetricInputError(
            f"CAS needs at least 2 training and 1 test samples; got {len(train_images)} and {len(test_images)}."
        )
    if train_images.ndim != 4:
        raise MetricInputError(f"CAS classifies images shaped (n, height, width, channels); got shape {train_images.shape}.")
    if train_images.shape[1:] != test_images.shape[1:]:
        raise MetricInputError(
            f"The training samples have shape {train_images.shape[1:]} but the test samples {test_images.shape[1:]}."
        )
    num_classes = num_classes or int(max(train_labels.max(), test_labels.max())) + 1
    keras.utils.set_random_seed(seed)
    classifier = build_cas_classifier(train_images.shape[1:], num_classes)
    steps = epochs * int(np.ceil(len(train_images) / batch_size))
    classifier.compile(optimizer=cosine_adamw(steps), loss="sparse_categorical_crossentropy")
    classifier.fit(train_images, train_labels, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=verbose)
    predicted = classifier.predict(test_images, batch_size=500, verbose=0).argmax(axis=1)
    return float(np.mean(predicted == test_labels))
