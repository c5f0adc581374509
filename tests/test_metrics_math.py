"""Metric maths against independent float64 references, closed forms and known cases."""
import numpy as np
import pytest
import scipy.linalg
from scipy.spatial.distance import cdist

from ganzoo.data import mixture_modes, sample_mixture
from ganzoo.metrics.checks import MetricInputError, check_features
from ganzoo.metrics.fid import frechet_distance, frechet_distance_from_statistics, gaussian_statistics
from ganzoo.metrics.inception_score import inception_score
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.modes import mode_coverage, mode_histogram_kl
from ganzoo.metrics.prdc import density_coverage, knn_radii, prdc, precision_recall, squared_distances_chunked


@pytest.fixture(scope="module")
def features():
    """500 x 64 'real' and 400 x 64 'generated' features: correlated, shifted and rescaled apart."""
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(64, 64)) / 8
    real = rng.normal(size=(500, 64)) @ mixing + 1.0
    fake = 0.9 * rng.normal(size=(400, 64)) @ mixing + 1.2
    return real, fake


# ---------------------------------------------------------------- input checks


def test_check_features_returns_float64_matrices(features):
    real, fake = check_features(features[0].astype("float32"), features[1])
    assert real.dtype == fake.dtype == np.float64 and real.shape == (500, 64)


def test_different_widths_name_both():
    with pytest.raises(MetricInputError, match="64 dims.*32"):
        check_features(np.zeros((10, 64)), np.zeros((10, 32)))


def test_nan_says_which_set():
    fake = np.zeros((10, 4))
    fake[3, 1] = np.nan
    with pytest.raises(MetricInputError, match="generated features contain 1 NaN.*row 3"):
        frechet_distance(np.zeros((10, 4)), fake)


def test_one_dimensional_arrays_are_rejected():
    with pytest.raises(MetricInputError, match=r"shape \(10,\).*\(samples, dims\)"):
        frechet_distance(np.zeros(10), np.zeros(10))


def test_too_few_samples_say_how_many():
    with pytest.raises(MetricInputError, match="1 samples but at least 2"):
        check_features(np.zeros((1, 3)), min_samples=2)


# ---------------------------------------------------------------- FID


def reference_fid(real, fake):
    mu1, mu2 = real.mean(0), fake.mean(0)
    s1, s2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    root = scipy.linalg.sqrtm(s1 @ s2).real
    return np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * root)


def test_fid_matches_sqrtm_reference(features):
    real, fake = features
    np.testing.assert_allclose(frechet_distance(real, fake), reference_fid(real, fake), rtol=1e-5)


def test_gaussian_statistics_use_n_minus_1(features):
    mu, sigma = gaussian_statistics(features[0])
    np.testing.assert_allclose(mu, features[0].mean(0), rtol=1e-12)
    np.testing.assert_allclose(sigma, np.cov(features[0], rowvar=False), rtol=1e-10, atol=1e-14)


def test_fid_of_a_set_against_itself_is_zero(features):
    real = features[0]
    assert abs(frechet_distance(real, real)) < 1e-6 * np.trace(np.cov(real, rowvar=False))


def test_fid_approaches_closed_form_for_gaussians():
    rng = np.random.default_rng(1)
    mu1, mu2 = np.array([0.0, 1.0, -1.0, 0.5]), np.array([0.5, 0.0, -1.0, 1.5])
    var1, var2 = np.array([1.0, 4.0, 0.25, 1.0]), np.array([2.0, 1.0, 0.25, 9.0])
    a = mu1 + np.sqrt(var1) * rng.normal(size=(40_000, 4))
    b = mu2 + np.sqrt(var2) * rng.normal(size=(40_000, 4))
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.03)


def test_fid_of_a_singular_covariance_matches_closed_form():
    """A feature that never varies makes S1 singular: the eigendecomposition path must stay exact."""
    var1, var2 = np.array([0.0, 4.0, 1.0]), np.array([1.0, 1.0, 2.0])
    expected = 1.0 + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    got = frechet_distance_from_statistics(np.zeros(3), np.diag(var1), np.array([1.0, 0, 0]), np.diag(var2))
    assert got == pytest.approx(expected, rel=1e-12)


def test_fid_warns_when_fewer_samples_than_dims():
    rng = np.random.default_rng(2)
    with pytest.warns(UserWarning, match="singular.*at least 33 samples"):
        value = frechet_distance(rng.normal(size=(20, 32)), rng.normal(size=(100, 32)))
    assert np.isfinite(value)


def test_fid_statistics_shapes_are_checked():
    with pytest.raises(MetricInputError, match="different widths"):
        frechet_distance_from_statistics(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))
    with pytest.raises(MetricInputError, match=r"\(d,\) and \(d, d\)"):
        frechet_distance_from_statistics(np.zeros(3), np.eye(4), np.zeros(3), np.eye(3))


# ---------------------------------------------------------------- KID


def reference_mmd2(x, y):
    d = x.shape[1]
    m = len(x)
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    within = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1))
    return within - 2 * kxy.mean()


def test_kid_matches_float64_reference_on_the_same_subsets(features):
    real, fake = features
    rng = np.random.default_rng(7)
    estimates = []
    for _ in range(5):
        x = real[rng.choice(len(real), 300, replace=False)]
        y = fake[rng.choice(len(fake), 300, replace=False)]
        estimates.append(reference_mmd2(x, y))
    mean, std = kernel_inception_distance(real, fake, subsets=5, subset_size=300, seed=7)
    np.testing.assert_allclose([mean, std], [np.mean(estimates), np.std(estimates)], rtol=1e-5)


def test_kid_subset_size_is_capped_by_the_smaller_set(features):
    real, fake = features
    mean, std = kernel_inception_distance(real[:400], fake, subsets=3, subset_size=1000)
    assert mean == pytest.approx(reference_mmd2(real[:400], fake), rel=1e-5)
    assert std == pytest.approx(0.0, abs=1e-6 * mean)


def test_kid_is_near_zero_for_one_distribution():
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(1000, 16)), rng.normal(size=(1000, 16))
    mean, std = kernel_inception_distance(real, fake, subsets=20, subset_size=500)
    assert abs(mean) < 3 * std / np.sqrt(20) + 1e-3


def test_kid_rejects_bad_subsets(features):
    with pytest.raises(MetricInputError, match="subset_size >= 2"):
        kernel_inception_distance(*features, subset_size=1)


# ---------------------------------------------------------------- Inception Score


def reference_inception_score(preds, splits):
    scores = []
    n = len(preds)
    for i in range(splits):
        part = preds[i * n // splits : (i + 1) * n // splits]
        marginal = part.mean(0, keepdims=True)
        kl = np.where(part > 0, part * (np.log(np.where(part > 0, part, 1)) - np.log(marginal)), 0.0)
        scores.append(np.exp(kl.sum(1).mean()))
    return np.mean(scores), np.std(scores)


def test_inception_score_matches_original_formula():
    logits = 3 * np.random.default_rng(4).normal(size=(503, 10))
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(
        inception_score(probabilities, splits=10), reference_inception_score(probabilities, 10), rtol=1e-5
    )


def test_inception_score_known_values():
    assert inception_score(np.full((100, 10), 0.1))[0] == pytest.approx(1.0)
    one_hot = np.eye(10)[np.arange(100) % 10]
    mean, std = inception_score(one_hot)
    assert mean == pytest.approx(10.0) and std == pytest.approx(0.0, abs=1e-12)


def test_inception_score_rejects_logits():
    logits = np.random.default_rng(5).normal(size=(50, 10))
    with pytest.raises(MetricInputError, match="softmax outputs, not logits"):
        inception_score(logits)


# ---------------------------------------------------------------- precision, recall, density, coverage


def reference_prdc(real, fake, k_pr=3, k_dc=5):
    real_real, fake_fake, real_fake = cdist(real, real), cdist(fake, fake), cdist(real, fake)
    real_pr, real_dc = np.sort(real_real, axis=1)[:, k_pr], np.sort(real_real, axis=1)[:, k_dc]
    fake_pr = np.sort(fake_fake, axis=1)[:, k_pr]
    return dict(
        precision=np.mean([np.any(real_fake[:, j] <= real_pr) for j in range(len(fake))]),
        recall=np.mean([np.any(real_fake[i] <= fake_pr) for i in range(len(real))]),
        density=(real_fake < real_dc[:, None]).sum() / (k_dc * len(fake)),
        coverage=np.mean(real_fake.min(axis=1) < real_dc),
    )


def test_prdc_matches_brute_force_reference(features):
    real, fake = features
    expected = reference_prdc(real, fake)
    assert 0.05 < expected["precision"] < 0.95 and 0.05 < expected["recall"] < 0.95
    got = prdc(real, fake)
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name] == pytest.approx(expected[name], abs=1e-12), name


def test_separate_functions_agree_with_prdc_and_chunking(features):
    real, fake = features
    together = prdc(real, fake, chunk_size=37)
    assert precision_recall(real, fake) == {key: together[key] for key in ("precision", "recall")}
    assert density_coverage(real, fake) == {key: together[key] for key in ("density", "coverage")}


def test_knn_radii_and_chunked_distances(features):
    real, fake = features
    np.testing.assert_allclose(knn_radii(real, k=4, chunk_size=64), np.sort(cdist(real, real), 1)[:, 4], rtol=1e-4)
    blocks = dict(squared_distances_chunked(real, fake, chunk_size=128))
    assert sorted(blocks) == [0, 128, 256, 384]
    np.testing.assert_allclose(np.concatenate(list(blocks.values())), cdist(real, fake) ** 2, rtol=1e-4)


def test_identical_sets_score_perfectly(features):
    real = features[0]
    assert prdc(real, real.copy()) == dict(precision=1.0, recall=1.0, density=1.0, coverage=1.0)


def test_disjoint_sets_score_zero(features):
    real = features[0]
    assert prdc(real, real[:100] + 1000.0) == dict(precision=0.0, recall=0.0, density=0.0, coverage=0.0)


def test_prdc_needs_k_plus_one_samples(features):
    with pytest.raises(MetricInputError, match=r"k \+ 1 = 6 are needed"):
        density_coverage(features[0], features[1][:5])
    with pytest.raises(MetricInputError, match="positive integer"):
        precision_recall(*features, k=0)


# ---------------------------------------------------------------- mode coverage


def test_one_mode_generator_captures_one_ring_mode():
    means, std = mixture_modes("ring")
    points, modes = sample_mixture("ring", 25_000, seed=1)
    result = mode_coverage(points[modes == 2][:2500], means, std)
    assert result["modes_captured"] == 1 and result["modes_total"] == 8
    assert result["reverse_kl"] == pytest.approx(np.log(8))


def test_true_ring_samples_capture_every_mode():
    means, std = mixture_modes("ring")
    points, _ = sample_mixture("ring", 2500, seed=2)
    result = mode_coverage(points, means, std)
    assert result["modes_captured"] == 8
    assert result["high_quality_fraction"] > 0.98
    assert result["reverse_kl"] < 0.01


def test_mode_coverage_uses_the_first_n_samples_and_warns_when_short():
    means, std = mixture_modes("grid")
    points, _ = sample_mixture("grid", 3000, seed=3)
    far = np.full((2500, 2), 100.0)
    assert mode_coverage(np.concatenate([points[:2500], far]), means, std)["modes_captured"] == 25
    with pytest.warns(UserWarning, match="2500 samples.*only 100"):
        result = mode_coverage(far[:100], means, std)
    assert result["modes_captured"] == 0 and result["high_quality_fraction"] == 0 and np.isnan(result["reverse_kl"])


def test_mode_histogram_kl():
    assert mode_histogram_kl(np.array([0, 0, 1, 1]), 4) == (2, pytest.approx(np.log(2)))
    assert mode_histogram_kl(np.arange(1000) % 1000, 1000) == (1000, pytest.approx(0.0, abs=1e-12))
    with pytest.raises(MetricInputError, match=r"\[0, 4\)"):
        mode_histogram_kl(np.array([0, 4]), 4)
