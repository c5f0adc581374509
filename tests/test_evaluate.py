"""evaluate(), the Evaluation callback, nearest neighbours and `ganzoo eval`, end to end."""
import json

import numpy as np
import pytest

import ganzoo
from ganzoo.callbacks import Evaluation
from ganzoo.cli import main
from ganzoo.metrics.evaluate import Evaluator, evaluate
from ganzoo.metrics.extractors import get_extractor
from ganzoo.metrics.neighbours import neighbour_grid, nearest_neighbours

ALL_FEATURE_METRICS = ("fid", "kid", "pr", "dc", "is")


@pytest.fixture(scope="module")
def mnist():
    """The 5,000 digits in a seeded random order (the source array is sorted by class)."""
    images = ganzoo.data.load_arrays("mnist-5k")
    return images[np.random.default_rng(0).permutation(len(images))]


@pytest.fixture(scope="module")
def trained_and_untrained():
    untrained = ganzoo.load("dcgan-mnist")
    trained = ganzoo.load("dcgan-mnist")
    trained.fit(ganzoo.data.load("mnist-5k", batch_size=64), epochs=4, verbose=0)
    return trained, untrained


def test_trained_dcgan_beats_untrained_on_every_metric(trained_and_untrained, mnist):
    trained, untrained = trained_and_untrained
    evaluator = Evaluator(mnist, metrics=ALL_FEATURE_METRICS, n=1000, verbose=0)
    good, bad = evaluator(trained), evaluator(untrained)
    for lower_is_better in ("fid", "kid"):
        assert good[lower_is_better] < bad[lower_is_better], (lower_is_better, good, bad)
    for higher_is_better in ("precision", "recall", "density", "coverage", "is"):
        assert good[higher_is_better] > bad[higher_is_better], (higher_is_better, good, bad)


def test_real_data_scores_like_real_data(mnist):
    scores = evaluate(mnist[2500:3500], mnist[:1000], metrics=ALL_FEATURE_METRICS, n=1000, verbose=0)
    assert set(scores) == {"fid", "kid", "kid_std", "precision", "recall", "density", "coverage", "is", "is_std"}
    assert scores["fid"] < 5 and abs(scores["kid"]) < 0.01
    assert scores["precision"] > 0.8 and scores["recall"] > 0.8
    assert scores["is"] > 5  # ten well-separated classes, near-certain predictions


def test_real_features_are_computed_once(mnist):
    extractor = get_extractor("digits", verbose=0)
    seen = []
    original = extractor.features
    extractor.features = lambda images: seen.append(len(images)) or original(images)
    evaluator = Evaluator(mnist, metrics=("fid",), n=200, features=extractor, verbose=0)
    evaluator(mnist[:200])
    evaluator(mnist[200:400])
    assert seen == [200, 200, 200]  # real once, then each sample set once


def test_real_arrays_longer_than_n_give_a_seeded_choice_of_rows_not_their_first_classes():
    images, labels = ganzoo.data.load_arrays("mnist-5k", labels=True)  # sorted by class
    assert np.all(np.diff(labels) >= 0)
    evaluator = Evaluator((images, labels), metrics=("fid",), n=300, verbose=0)
    samples, chosen = evaluator.real_samples(), evaluator.real_labels()
    assert len(samples) == len(chosen) == 300
    assert np.bincount(chosen, minlength=10).min() > 10  # every class, where the first 300 are all 0s
    # Samples and labels are the same rows of the arrays, kept in order.
    flat = images.reshape(len(images), -1)
    rows = np.array([np.flatnonzero((flat == sample.ravel()).all(axis=1))[0] for sample in samples])
    assert np.all(np.diff(rows) > 0) and np.array_equal(labels[rows], chosen)
    other = Evaluator((images, labels), metrics=("fid",), n=300, seed=1, verbose=0).real_labels()
    assert not np.array_equal(other, chosen)
    # No more rows than n: all of them, in order.
    everything = Evaluator((images[:300], labels[:300]), metrics=("fid",), n=300, verbose=0)
    assert np.array_equal(everything.real_samples(), images[:300])


def test_evaluation_callback_writes_metrics_into_logs(mnist):
    model = ganzoo.load("dcgan-mnist", model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}})
    data = ganzoo.data.load("mnist-5k", batch_size=32, limit=64)
    history = model.fit(data, epochs=2, verbose=0, callbacks=[Evaluation(mnist, metrics=("fid", "pr"), n=200)])
    assert len(history.history["fid"]) == 2 and all(np.isfinite(history.history["fid"]))
    assert set(history.history) >= {"precision", "recall", "g_loss"}


def test_mode_metric_on_mixtures():
    points, _ = ganzoo.data.sample_mixture("ring", 2500, seed=3)
    scores = evaluate(points, "ring", metrics=("modes", "fid"), n=2500)
    assert scores["modes_captured"] == 8 and scores["fid"] < 0.01
    collapsed = np.tile(points[:1], (2500, 1))
    assert evaluate(collapsed, "ring", metrics=("modes",), n=2500)["modes_captured"] == 1


def test_bad_metric_requests():
    with pytest.raises(ValueError, match="Unknown metric.*'fdi'"):
        Evaluator("mnist-5k", metrics=("fdi",))
    with pytest.raises(ValueError, match="needs mixture="):
        Evaluator("mnist-5k", metrics=("modes",))


def test_nearest_neighbours_find_memorised_copies(mnist):
    copies = mnist[[5, 17, 4000]] + 0.001
    indices, distances = nearest_neighbours(copies, mnist, k=2)
    assert indices[:, 0].tolist() == [5, 17, 4000]
    assert np.all(distances[:, 0] < 0.1) and np.all(distances[:, 1] > distances[:, 0])
    picture = neighbour_grid(copies, mnist, k=2)
    assert picture.shape == (3 * 30 + 2, 3 * 30 + 2, 1)


def test_cli_eval_prints_a_table_and_writes_json(tmp_path, capsys, monkeypatch):
    run = tmp_path / "run"
    tiny = ["--set", "data.limit=64", "--batch-size", "32", "--set", "model.generator.base_filters=4",
            "--set", "model.discriminator.base_filters=4"]  # fmt: skip
    assert main(["train", "dcgan-mnist", "--out", str(run), "--epochs", "1", *tiny]) == 0
    capsys.readouterr()
    assert main(["eval", str(run), "--metrics", "fid,pr", "-n", "300"]) == 0
    out = capsys.readouterr().out
    assert "fid" in out and "precision" in out
    record = json.loads((run / "eval.json").read_text())
    assert record["data"] == "mnist-5k" and record["n"] == 300
    assert set(record["metrics"]) == {"fid", "precision", "recall"}
    assert main(["eval", str(run), "--metrics", "nope"]) == 2
    assert "Unknown metric" in capsys.readouterr().err
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty-keras-home"))
    assert main(["eval", str(run), "--features", "inception", "-n", "10"]) == 2
    assert "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5 is missing" in capsys.readouterr().err


def test_cli_eval_compares_at_the_run_s_image_size(tmp_path, monkeypatch):
    """dcgan-digits upsamples the 8x8 digits to 16x16: eval must load its real data at 16x16 too."""
    from tiny_runs import train

    run = tmp_path / "run"
    assert train(run, "--epochs", "1") == 0
    seen = {}

    def record(model, source, **options):
        seen.update(options, source=source, real_shape=Evaluator(source, n=8, **{
            key: options[key] for key in ("image_size", "seed")}).real_data().shape)
        return {"fid": 0.0}

    monkeypatch.setattr("ganzoo.cli.evaluate", record)
    assert main(["eval", str(run), "--metrics", "fid", "-n", "8"]) == 0
    assert seen["source"] == "digits" and seen["image_size"] == 16
    assert seen["real_shape"] == (8, 16, 16, 1)
