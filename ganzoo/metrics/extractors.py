"""Feature extractors: images -> feature vectors (and class probabilities) for FID, KID, IS, PR.

    extractor = get_extractor("digits")        # or "shapes", "inception", or any keras.Model
    features = extractor.features(images)      # (n, d) float32
    probabilities = extractor.probabilities(images)

Images are float32 NHWC in [-1, 1], as ganzoo models generate them. Extractors work in batches
(`batch_size`) so that large sample sets fit in memory, with a progress bar unless `verbose=False`.
"""
from __future__ import annotations

import abc
import os
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ganzoo.data import SHAPE_FACTORS, to_float_images
from ganzoo.metrics.checks import MetricInputError
from ganzoo.metrics.classifiers import FEATURES_LAYER
from ganzoo.metrics.digits_classifier import load_digits_classifier
from ganzoo.metrics.shapes_classifier import IMAGE_SIZE as SHAPES_INPUT_SIZE
from ganzoo.metrics.shapes_classifier import load_shapes_classifier

INCEPTION_RELEASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
INCEPTION_NO_TOP = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INCEPTION_TOP = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"


class FeatureExtractor(abc.ABC):
    """Maps images to features (n, d) and, when it has a classifier head, class probabilities.

    Subclasses implement `prepare` (check and convert the whole input once) and the per-batch
    `_features`, plus `_classifier` when they can give probabilities.
    """

    name = "extractor"

    def __init__(self, batch_size: int = 256, verbose=True):
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
        self.batch_size, self.verbose = int(batch_size), int(verbose)

    def features(self, images) -> np.ndarray:
        return self._batched(self._features, self.prepare(images))

    def probabilities(self, images) -> np.ndarray:
        classify = self._classifier()
        return self._batched(classify, self.prepare(images))

    def prepare(self, images) -> np.ndarray:
        return np.asarray(images, dtype="float32")

    @abc.abstractmethod
    def _features(self, batch):
        """Features (batch, d) of one prepared batch."""

    def _classifier(self):
        """The per-batch probabilities function; extractors without a classifier head raise."""
        raise MetricInputError(
            f"The {self.name} extractor has no classifier head: it gives features but no class probabilities. "
            "Use get_extractor('digits'), 'shapes' or 'inception' for metrics that need probabilities."
        )

    def _batched(self, compute, images: np.ndarray) -> np.ndarray:
        if len(images) == 0:
            raise MetricInputError(f"The {self.name} extractor was given no images.")
        progress = keras.utils.Progbar(len(images), verbose=self.verbose, unit_name="image")
        outputs = []
        for start in range(0, len(images), self.batch_size):
            batch = images[start : start + self.batch_size]
            outputs.append(np.asarray(compute(batch), dtype="float32").reshape(len(batch), -1))
            progress.add(len(batch))
        return np.concatenate(outputs)


def _image_batch(images, extractor: str, channels: tuple[int, ...]) -> np.ndarray:
    """NHWC images with one of `channels` as float32 clipped to [-1, 1] (uint8 is scaled)."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in channels:
        hint = " Add the channel axis with images[..., None]." if images.ndim == 3 else ""
        raise MetricInputError(
            f"The {extractor} extractor takes images shaped (n, height, width, channels) with "
            f"{' or '.join(map(str, channels))} channel(s); got shape {images.shape}.{hint}"
        )
    return np.clip(to_float_images(images), -1.0, 1.0)


def resized(images, size: int):
    """Anti-aliased bilinear resizing, so shrinking large samples does not alias."""
    if images.shape[1:3] == (size, size):
        return images
    return tf.clip_by_value(tf.image.resize(images, (size, size), antialias=True), -1.0, 1.0)


class ShippedClassifierExtractor(FeatureExtractor):
    """A classifier that ships with ganzoo: its 128-d "features" layer, at its own input size."""

    input_size = 0

    def __init__(self, weights=None, batch_size: int = 256, verbose=True):
        super().__init__(batch_size, verbose)
        self._classifier_model = self._load(weights)
        self._feature_model = keras.Model(
            self._classifier_model.input, self._classifier_model.get_layer(FEATURES_LAYER).output
        )

    @staticmethod
    def _load(weights) -> keras.Model:
        raise NotImplementedError("Each shipped extractor builds its own classifier and loads its weights (_load).")

    def _outputs(self, batch):
        """The classifier's outputs for one prepared batch, resized to its input size."""
        return self._classifier_model.predict_on_batch(resized(batch, self.input_size))

    def _features(self, batch):
        return self._feature_model.predict_on_batch(resized(batch, self.input_size))


class DigitsExtractor(ShippedClassifierExtractor):
    """The shipped MNIST classifier: 128-d "features" layer and 10 digit probabilities.

    Takes grey 28x28x1 images in [-1, 1]; other sizes are resized to 28x28 (anti-aliased
    bilinear), which only makes sense for digit-like data. Stacked MNIST (28x28x3) is three digits
    per image: score it with `ganzoo.metrics.stacked.stacked_mnist_modes`.
    """

    name = "digits"
    input_size = 28
    _load = staticmethod(load_digits_classifier)

    def prepare(self, images) -> np.ndarray:
        shape = np.shape(images)
        if len(shape) == 4 and shape[-1] == 3:
            raise MetricInputError(
                f"The digits extractor reads grey digits (n, 28, 28, 1); got 3 channels {tuple(shape)}. "
                "For stacked MNIST use ganzoo.metrics.stacked.stacked_mnist_modes, which classifies each channel; "
                "for the shapes data use get_extractor('shapes')."
            )
        return _image_batch(images, self.name, channels=(1,))

    def _classifier(self):
        return self._outputs


class ShapesExtractor(ShippedClassifierExtractor):
    """The shipped classifier of the `shapes` data's discrete factors: 128-d "features" layer.

    `probabilities` are those of the shape kind (5 columns, in `ganzoo.data.shapes.SHAPE_KINDS`
    order), so the Inception Score on shapes rewards clear and varied shape kinds;
    `factor_probabilities` gives every factor's and `factors` the predicted factors. Takes RGB
    images in [-1, 1]; other sizes (`shapes-64`) are resized to 32x32 (anti-aliased bilinear).
    """

    name = "shapes"
    input_size = SHAPES_INPUT_SIZE
    _load = staticmethod(load_shapes_classifier)

    def prepare(self, images) -> np.ndarray:
        shape = np.shape(images)
        if len(shape) == 4 and shape[-1] != 3:
            raise MetricInputError(
                f"The shapes extractor reads colour images of the shapes data (n, 32, 32, 3); got {shape[-1]} "
                f"channel(s) {tuple(shape)}. For grey digits use get_extractor('digits')."
            )
        return _image_batch(images, self.name, channels=(3,))

    def _classifier(self):
        return lambda batch: self._outputs(batch)["shape"]

    def factor_probabilities(self, images) -> dict:
        """{"shape", "colour", "background"}: (n, number of values) probabilities of each factor."""
        joined = self._batched(
            lambda batch: np.concatenate([self._outputs(batch)[name] for name in SHAPE_FACTORS], axis=1),
            self.prepare(images),
        )
        ends = np.cumsum([len(names) for names in SHAPE_FACTORS.values()])
        return dict(zip(SHAPE_FACTORS, np.split(joined, ends[:-1], axis=1)))

    def factors(self, images) -> dict:
        """{"shape", "colour", "background"}: int32 (n,) predicted indices into the factors' names."""
        return {name: p.argmax(axis=1).astype("int32") for name, p in self.factor_probabilities(images).items()}


def keras_models_folder() -> Path:
    """Where keras.applications caches weights: $KERAS_HOME/models, else ~/.keras/models.

    Read at call time (Keras reads KERAS_HOME once, at import).
    """
    home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(home).expanduser() / "models"


def _inception_weights(file_name: str, given, argument: str) -> Path:
    """The weights file the user gave, else the one in the Keras cache; never downloads."""
    if given is not None:
        path = Path(given).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"The InceptionV3 weights file {argument}={str(given)!r} does not exist.")
        return path
    folder = keras_models_folder()
    path = folder / file_name
    if not path.is_file():
        raise FileNotFoundError(
            f"The InceptionV3 ImageNet weights file {file_name} is missing from {folder}, and ganzoo never "
            f"downloads it. On a machine with internet, download {INCEPTION_RELEASE}{file_name} (or run "
            f"keras.applications.InceptionV3 there once, which caches it in ~/.keras/models), then copy the file "
            f"into {folder} (or into $KERAS_HOME/models), or pass {argument}=<path to the file>."
        )
    return path


def _inception(include_top: bool, weights: Path) -> keras.Model:
    options = dict(include_top=False, pooling="avg") if not include_top else dict(include_top=True)
    try:
        return keras.applications.InceptionV3(weights=str(weights), input_shape=(299, 299, 3), **options)
    except ValueError as error:
        kind = "with-top (classifier)" if include_top else "no-top (feature)"
        raise ValueError(f"{weights} does not hold InceptionV3 {kind} weights: {error}") from None


class InceptionExtractor(FeatureExtractor):
    """Keras' ImageNet InceptionV3: 2,048-d pool features, and 1,000 class probabilities.

    Images are resized to 299x299 (anti-aliased bilinear) and grey images tiled to 3 channels;
    [-1, 1] is already InceptionV3's input scaling. Weights come from `weights=` / `top_weights=`
    or the Keras cache (see `keras_models_folder`); offline with neither, a FileNotFoundError
    says which file to put where. The with-top file is loaded only when probabilities are asked for.

    Keras' ImageNet weights are not the TF-2015 Inception graph that published FID and IS values
    use, so these scores compare ganzoo runs with each other, not with numbers in papers.
    """

    name = "inception"

    def __init__(self, weights=None, top_weights=None, batch_size: int = 256, verbose=True):
        super().__init__(batch_size, verbose)
        self._feature_model = _inception(False, _inception_weights(INCEPTION_NO_TOP, weights, "weights"))
        self._top_weights = top_weights
        self._classifier_model = None

    def prepare(self, images) -> np.ndarray:
        return _image_batch(images, self.name, channels=(1, 3))

    @staticmethod
    def _inputs(batch):
        if batch.shape[-1] == 1:
            batch = np.repeat(batch, 3, axis=-1)
        return resized(batch, 299)

    def _features(self, batch):
        return self._feature_model.predict_on_batch(self._inputs(batch))

    def _classifier(self):
        if self._classifier_model is None:
            path = _inception_weights(INCEPTION_TOP, self._top_weights, "top_weights")
            self._classifier_model = _inception(True, path)
        return lambda batch: self._classifier_model.predict_on_batch(self._inputs(batch))


class KerasModelExtractor(FeatureExtractor):
    """Any single-output Keras model: its output, flattened, is the feature vector.

    Its outputs serve as probabilities only when every row is non-negative and sums to 1.
    """

    def __init__(self, model: keras.Model, batch_size: int = 256, verbose=True):
        super().__init__(batch_size, verbose)
        outputs = getattr(model, "outputs", None) or []  # subclassed models may not list theirs
        if len(outputs) > 1:
            raise MetricInputError(
                f"Model {model.name!r} has {len(outputs)} outputs; a feature extractor needs one. "
                "Pick one with keras.Model(model.input, model.get_layer(<name>).output)."
            )
        self.model, self.name = model, model.name

    def prepare(self, images) -> np.ndarray:
        images = np.asarray(images, dtype="float32")
        expected = getattr(self.model, "input_shape", None)
        if isinstance(expected, tuple) and (
            len(expected) != images.ndim
            or any(e is not None and e != got for e, got in zip(expected[1:], images.shape[1:]))
        ):
            raise MetricInputError(
                f"Model {self.name!r} takes inputs shaped {expected} but got {images.shape}; "
                "resize the samples or use a model built for them."
            )
        return images

    def _features(self, batch):
        return self.model.predict_on_batch(batch)

    def probabilities(self, images) -> np.ndarray:
        outputs = self.features(images)
        sums = outputs.sum(axis=1)
        if outputs.min() < 0 or not np.allclose(sums, 1.0, atol=1e-3):
            raise MetricInputError(
                f"Model {self.name!r} does not output probabilities: its rows sum to [{sums.min():.3g}, "
                f"{sums.max():.3g}] (min value {outputs.min():.3g}), not 1. End it with a softmax layer."
            )
        return outputs


EXTRACTORS = {"digits": DigitsExtractor, "shapes": ShapesExtractor, "inception": InceptionExtractor}
SHAPES_SOURCES = ("shapes", "shapes-64")


def default_extractor(source) -> str:
    """The extractor that suits a data source: `shapes` for the shapes data, else `digits`."""
    return "shapes" if isinstance(source, str) and source in SHAPES_SOURCES else "digits"


def get_extractor(spec="digits", **options) -> FeatureExtractor:
    """An extractor by name (`digits`, `shapes`, `inception`), wrapping a keras.Model, or `spec` itself
    if it is one.

    `options` go to the extractor: batch_size, verbose, weights (and top_weights for inception).
    """
    if isinstance(spec, FeatureExtractor):
        return spec
    if isinstance(spec, keras.Model):
        return KerasModelExtractor(spec, **options)
    if isinstance(spec, str) and spec in EXTRACTORS:
        return EXTRACTORS[spec](**options)
    raise ValueError(
        f"Unknown feature extractor {spec!r}; use one of {', '.join(sorted(EXTRACTORS))}, or pass a keras.Model."
    )
