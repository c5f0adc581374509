"""Shapes: the `shapes` data source with known factors, its shipped classifier and factor coverage."""
import json
import math

import numpy as np
import pytest

import ganzoo.data
from ganzoo.config import DataConfig
from ganzoo.data import DataError, check_preset_data, decode_shape_combination, draw_shapes, shape_combination
from ganzoo.data.shapes import (
    BACKGROUNDS,
    COLOURS,
    SHAPE_COMBINATIONS,
    SHAPE_FACTORS,
    SHAPE_KINDS,
    SHAPES_SIZE,
    _RGB,
)
from ganzoo.metrics import Evaluator, MetricInputError, factor_coverage, get_extractor
from ganzoo.metrics.extractors import ShapesExtractor, default_extractor
from ganzoo.metrics.shapes_classifier import WEIGHTS_PATH
from ganzoo.metrics.train_shapes_classifier import HELD_OUT_SEED, LARGE_SEED, TRAIN_SEED, degraded, held_out_set

# Held-out accuracy per factor of the shipped weights, as the README states it (2,000 images at
# 32x32, at 64x64, and at 32x32 degraded); the tests check a few hundred, allowing a small margin.
STATED_ACCURACY = {
    "32x32": {"shape": 1.0, "colour": 1.0, "background": 1.0},
    "64x64": {"shape": 1.0, "colour": 1.0, "background": 1.0},
    "degraded": {"shape": 0.9995, "colour": 1.0, "background": 1.0},
}
MARGIN = 0.01


@pytest.fixture(scope="module")
def shapes():
    return get_extractor("shapes", verbose=False)


# ---------------------------------------------------------------- data


def test_vocabularies_and_combinations():
    assert SHAPE_FACTORS == {"shape": SHAPE_KINDS, "colour": COLOURS, "background": BACKGROUNDS}
    assert len(SHAPE_KINDS) >= 4 and SHAPE_COMBINATIONS == len(SHAPE_KINDS) * len(COLOURS) * len(BACKGROUNDS) == 120
    ids = np.arange(SHAPE_COMBINATIONS)
    decoded = decode_shape_combination(ids)
    np.testing.assert_array_equal(shape_combination(decoded["shape"], decoded["colour"], decoded["background"]), ids)
    with pytest.raises(ValueError, match=r"\[0, 120\)"):
        decode_shape_combination([120])


def test_draws_are_seeded_prefix_stable_and_read_only():
    images, factors = draw_shapes(50, seed=3)
    assert images.shape == (50, 32, 32, 3) and images.dtype == np.uint8
    assert set(factors) == {"shape", "colour", "background", "x", "y", "size", "rotation"}
    ganzoo.data.shapes._cached.cache_clear()
    again, again_factors = draw_shapes(50, seed=3)
    np.testing.assert_array_equal(images, again)
    longer, _ = draw_shapes(80, seed=3)
    np.testing.assert_array_equal(images, longer[:50])
    other, _ = draw_shapes(50, seed=4)
    assert not np.array_equal(images, other)
    with pytest.raises(ValueError):
        again[0, 0, 0, 0] = 1
    again_factors["shape"] = None  # the caller's dict is its own
    assert draw_shapes(50, seed=3)[1]["shape"] is not None


def test_default_set_holds_every_combination_evenly():
    images, labels = ganzoo.data.BUILTIN_SOURCES["shapes"].load()
    assert images.shape == (SHAPES_SIZE, 32, 32, 3) and labels.dtype == np.int32
    counts = np.bincount(labels, minlength=SHAPE_COMBINATIONS)
    assert counts.min() == SHAPES_SIZE // SHAPE_COMBINATIONS and counts.max() == counts.min() + 1


def test_factors_agree_with_labels_and_pixels():
    images, factors = draw_shapes(240, seed=5)
    _, labels = ganzoo.data.load_arrays("shapes", labels=True, limit=240, seed=5)
    np.testing.assert_array_equal(labels, shape_combination(factors["shape"], factors["colour"], factors["background"]))
    np.testing.assert_array_equal(decode_shape_combination(labels)["colour"], factors["colour"])
    for key in ("x", "y"):
        assert np.all((factors[key] - factors["size"] > 0) & (factors[key] + factors["size"] < 1))
    assert np.all((factors["rotation"] >= 0) & (factors["rotation"] < 360))
    # Every shape covers its centre pixel in its colour; the corners show the grey background.
    rows, columns = (np.floor(factors[key] * 32).astype(int) for key in ("y", "x"))
    centre = images[np.arange(240), rows, columns]
    np.testing.assert_array_equal(centre, np.array([_RGB[COLOURS[c]] for c in factors["colour"]]))
    corners = images[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert np.all(corners == corners[..., :1])


def test_64_draws_the_same_scenes_finer():
    small, factors = draw_shapes(40, seed=6)
    large, large_factors = draw_shapes(40, seed=6, image_size=64)
    assert large.shape == (40, 64, 64, 3)
    np.testing.assert_array_equal(factors["x"], large_factors["x"])
    halved = large.reshape(40, 32, 2, 32, 2, 3).mean(axis=(2, 4))
    assert np.abs(halved - small).mean() < 6  # of 255: only the anti-aliased edges differ


def test_registered_sources_load_as_float_images():
    assert {"shapes", "shapes-64"} <= set(ganzoo.data.list_sources())
    images, labels = ganzoo.data.load_arrays("shapes-64", labels=True, limit=16)
    assert images.shape == (16, 64, 64, 3) and images.dtype == np.float32
    assert -1 <= images.min() < images.max() <= 1 and labels.max() < SHAPE_COMBINATIONS
    batch, batch_labels = next(iter(ganzoo.data.load("shapes", batch_size=8, labels=True, limit=32)))
    assert tuple(batch.shape) == (8, 32, 32, 3) and tuple(batch_labels.shape) == (8,)
    check_preset_data(DataConfig("shapes", pairing="labels"), (32, 32, 3), "labels", num_classes=120)
    check_preset_data(DataConfig("shapes-64", image_size=32), (32, 32, 3), "none")
    with pytest.raises(DataError, match="120 classes"):
        check_preset_data(DataConfig("shapes", pairing="labels"), (32, 32, 3), "labels", num_classes=10)


# ---------------------------------------------------------------- shipped classifier


def test_seeds_of_the_held_out_images_are_never_trained_on():
    assert HELD_OUT_SEED not in (TRAIN_SEED, LARGE_SEED)


@pytest.mark.parametrize("kind", sorted(STATED_ACCURACY))
def test_shipped_weights_are_small_and_reach_the_stated_held_out_accuracy(shapes, kind):
    assert WEIGHTS_PATH.stat().st_size < 1_000_000
    images, factors = held_out_set(400, 64 if kind == "64x64" else 32)
    predicted = shapes.factors(degraded(images) if kind == "degraded" else images)
    for name, stated in STATED_ACCURACY[kind].items():
        assert np.mean(predicted[name] == factors[name]) >= stated - MARGIN, name


def test_shapes_extractor_outputs(shapes):
    images, _ = draw_shapes(10, seed=7)  # uint8 is scaled like float images
    features, probabilities = shapes.features(images), shapes.probabilities(images)
    assert features.shape == (10, 128) and features.dtype == np.float32
    assert probabilities.shape == (10, len(SHAPE_KINDS))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    factors = shapes.factors(images)
    assert {name: (a.shape, a.dtype) for name, a in factors.items()} == {
        name: ((10,), np.int32) for name in SHAPE_FACTORS
    }
    np.testing.assert_array_equal(factors["shape"], probabilities.argmax(axis=1))
    with pytest.raises(MetricInputError, match="colour images"):
        shapes.features(np.zeros((2, 32, 32, 1), "float32"))


# ---------------------------------------------------------------- factor coverage


def test_real_images_cover_every_combination_evenly(shapes):
    images = ganzoo.data.load_arrays("shapes", limit=600, seed=0)  # each combination 5 times
    result = factor_coverage(images, extractor=shapes)
    assert result["combinations_total"] == 120 and result["combinations_captured"] == 120
    assert result["factor_kl"] < 0.02


def test_one_repeated_image_is_one_combination_with_the_largest_kl(shapes):
    image = ganzoo.data.load_arrays("shapes", limit=1)
    result = factor_coverage(np.repeat(image, 20, axis=0), extractor=shapes)
    assert result["combinations_captured"] == 1 and result["factor_kl"] == pytest.approx(math.log(120))


def test_factor_coverage_refuses_grey_images_and_extractors_without_factors():
    with pytest.raises(MetricInputError, match=r"\(n, height, width, 3\)"):
        factor_coverage(np.zeros((2, 32, 32, 1), "float32"))
    with pytest.raises(MetricInputError, match="does not predict"):
        factor_coverage(np.zeros((2, 32, 32, 3), "float32"), extractor=get_extractor("digits", verbose=False))


def test_evaluator_scores_factors_with_the_shapes_extractor_by_default():
    assert default_extractor("shapes-64") == "shapes" and default_extractor("mnist-5k") == "digits"
    evaluator = Evaluator("shapes", metrics=("factors", "fid"), n=240, verbose=0)
    scores = evaluator(ganzoo.data.load_arrays("shapes", limit=240, seed=9))
    assert isinstance(evaluator.extractor(), ShapesExtractor)
    assert scores["combinations_captured"] >= 110 and scores["fid"] < 5


def test_cli_eval_defaults_to_the_shapes_extractor_for_shapes_data(tmp_path, monkeypatch):
    from tiny_runs import train

    from ganzoo.cli import main

    run = tmp_path / "run"
    assert train(run, "--epochs", "1") == 0
    seen = []
    monkeypatch.setattr("ganzoo.cli.evaluate", lambda model, source, **options: seen.append(options) or {"x": 0.0})
    assert main(["eval", str(run), "--data", "shapes", "--metrics", "factors", "-n", "8"]) == 0
    assert main(["eval", str(run), "--metrics", "fid", "-n", "8"]) == 0  # the run's own digits
    assert main(["eval", str(run), "--data", "shapes", "--features", "inception", "-n", "8"]) == 0
    assert [options["features"] for options in seen] == ["shapes", "digits", "inception"]
    assert seen[0]["metrics"] == ["factors"]
    assert json.loads((run / "eval.json").read_text())["features"] == "inception"
