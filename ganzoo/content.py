"""Feature maps for content (perceptual) losses: SRGAN compares an output with its target in the
feature space of a fixed classifier rather than pixel by pixel (Ledig et al. 2017, sec. 2.2.2).

    network = content_network("digits", "block3", channels=1)   # any image size
    features = network(images)                                  # (n, h, w, c) feature maps

Two kinds of classifier serve:
- the shipped ones (`digits` for grey digits, `shapes` for colour images), always offline. Their
  taps `block1`, `block2`, `block3` are the ReLU outputs at the end of each convolutional block,
  before its pooling (block3: the last convolution, at a quarter of the size);
- `vgg19`, Keras' ImageNet VGG19 (the paper's), read from the Keras cache and never downloaded;
  its taps are its layer names, such as `block5_conv4` (the paper's VGG54) or `block2_conv2`
  (VGG22). Its features are divided by 12.75, as the paper rescales them.

Each network is rebuilt without a fixed input size (all the taps are convolutional) and frozen;
models hold it outside their tracked layers, so it is not saved with them.
"""
from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
from keras import layers, ops

from ganzoo.config import ConfigError
from ganzoo.networks.blocks import any_size_copy

VGG19_NO_TOP = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG19_RELEASE = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
VGG_FEATURE_SCALE = 1 / 12.75
VGG_MEAN_BGR = (103.939, 116.779, 123.68)  # Keras' "caffe" preprocessing of VGG
SHIPPED_TAPS = ("block1", "block2", "block3")
DEFAULT_TAPS = {"digits": "block3", "shapes": "block3", "vgg19": "block5_conv4"}
CHANNELS = {"digits": (1,), "shapes": (3,), "vgg19": (1, 3)}


def default_extractor(channels: int) -> str:
    """The shipped extractor for images with `channels`: digits for grey, shapes for colour."""
    return "digits" if channels == 1 else "shapes"


def check_content(extractor: str, layer, channels: int) -> None:
    """Refuse an unknown extractor or tap, or one that cannot read images with `channels`."""
    if extractor not in DEFAULT_TAPS:
        raise ConfigError(f"model.content_extractor must be one of {', '.join(DEFAULT_TAPS)}; got {extractor!r}.")
    if channels not in CHANNELS[extractor]:
        raise ConfigError(
            f"The {extractor} content extractor reads images with {' or '.join(map(str, CHANNELS[extractor]))} "
            f"channel(s); these have {channels}. Use content_extractor: {default_extractor(channels)}."
        )
    if extractor != "vgg19" and layer is not None and layer not in SHIPPED_TAPS:
        raise ConfigError(f"model.content_layer of the {extractor} extractor is one of {', '.join(SHIPPED_TAPS)}; got {layer!r}.")


def vgg19_weights() -> Path:
    """The no-top VGG19 weights in the Keras cache, or a FileNotFoundError that says how to put them there."""
    from ganzoo.metrics.extractors import keras_models_folder

    path = keras_models_folder() / VGG19_NO_TOP
    if not path.is_file():
        raise FileNotFoundError(
            f"The VGG19 ImageNet weights file {VGG19_NO_TOP} is missing from {path.parent}, and ganzoo never "
            f"downloads it. On a machine with internet, download {VGG19_RELEASE}{VGG19_NO_TOP} (or run "
            "keras.applications.VGG19(include_top=False) there once), then copy the file into "
            f"{path.parent} (or $KERAS_HOME/models). Or use a shipped extractor: content_extractor: digits or shapes."
        )
    return path


def _shipped_taps(classifier: keras.Model) -> dict:
    """block name -> the ReLU layer that ends that block of a shipped classifier."""
    relus = [layer for layer in classifier.layers if isinstance(layer, layers.ReLU)]
    ends = [i for i, layer in enumerate(relus[:-1]) if isinstance(_next_layer(classifier, layer), layers.MaxPooling2D)]
    return dict(zip(SHIPPED_TAPS, [relus[i] for i in ends] + [relus[-1]]))


def _next_layer(model: keras.Model, layer):
    index = model.layers.index(layer)
    return model.layers[index + 1] if index + 1 < len(model.layers) else None


def _vgg19(layer: str, channels: int) -> keras.Model:
    vgg = keras.applications.VGG19(include_top=False, weights=str(vgg19_weights()), input_shape=(None, None, 3))
    names = [candidate.name for candidate in vgg.layers[1:]]
    if layer not in names:
        raise ConfigError(f"VGG19 has no layer {layer!r}; its layers are {', '.join(names)}.")
    tap = keras.Model(vgg.input, vgg.get_layer(layer).output)
    image = keras.Input((None, None, channels))
    rgb = image if channels == 3 else ops.repeat(image, 3, axis=-1)
    bgr = ops.flip(rgb, axis=-1) * 127.5 + 127.5 - np.asarray(VGG_MEAN_BGR, "float32")
    return keras.Model(image, tap(bgr) * VGG_FEATURE_SCALE, name="vgg19_content")


def content_network(extractor: str, layer=None, channels: int = 1) -> keras.Model:
    """Images in [-1, 1] of any size -> the feature maps at `layer` (None: the extractor's default
    tap) of `extractor`; frozen."""
    check_content(extractor, layer, channels)
    layer = layer or DEFAULT_TAPS[extractor]
    if extractor == "vgg19":
        network = _vgg19(layer, channels)
    else:
        from ganzoo.metrics.digits_classifier import load_digits_classifier
        from ganzoo.metrics.shapes_classifier import load_shapes_classifier

        classifier = any_size_copy((load_digits_classifier if extractor == "digits" else load_shapes_classifier)(), channels)
        network = keras.Model(classifier.input, _shipped_taps(classifier)[layer].output, name=f"{extractor}_content")
    network.trainable = False
    return network
