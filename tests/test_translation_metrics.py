"""The image-to-image and super-resolution metrics: PSNR and SSIM on the Y channel with the border
cropped, L1 to the target, label preservation, their input checks, and their place in the Evaluator
and `ganzoo eval`."""
import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

import ganzoo
from ganzoo.cli import main
from ganzoo.data import load_arrays
from ganzoo.metrics import Evaluator, MetricInputError, l1_distance, label_preservation, psnr, ssim
from ganzoo.models import Translator

SCALE = 4


@pytest.fixture(scope="module")
def digits():
    """(7x7 sources, 28x28 targets, labels): 200 MNIST digits and their 4x area-downscaled copies."""
    targets, labels = ganzoo.data.load_arrays("mnist-5k", labels=True, limit=200, seed=0)
    sources = tf.image.resize(targets, (7, 7), method="area").numpy()
    return sources, targets, labels


@pytest.fixture(scope="module")
def upscaler():
    """A Translator whose generator upsamples 7x7 sources 4x (bilinear); nothing to train."""
    source = keras.Input((7, 7, 1))
    generator = keras.Model(source, layers.UpSampling2D(SCALE, interpolation="bilinear")(source), name="generator")
    image = keras.Input((28, 28, 1))
    discriminator = keras.Model(image, layers.Dense(1)(layers.Flatten()(image)), name="discriminator")
    return Translator(generator, discriminator)


def random_images(shape, seed=0, low=-0.8, high=0.8):
    return np.random.default_rng(seed).uniform(low, high, shape).astype("float32")


def grey_to_rgb(images):
    return np.repeat(images, 3, axis=-1)


# ---------------------------------------------------------------------- known values


def test_identical_images_have_infinite_psnr_with_a_warning_and_ssim_one():
    images = random_images((3, 16, 16, 3))
    with pytest.warns(UserWarning, match="3 of 3 outputs equal their targets exactly.*and so is the mean"):
        assert psnr(images, images) == math.inf
    assert ssim(images, images) == pytest.approx(1.0, abs=1e-6)
    assert l1_distance(images, images) == 0.0
    different = images.copy()
    different[0] += 0.1
    with pytest.warns(UserWarning, match="2 of 3 outputs"):
        values = psnr(different, images, per_image=True)
    assert np.isfinite(values[0]) and np.isinf(values[1:]).all()


def test_a_constant_offset_gives_the_psnr_formula_s_value():
    """Grey images in [-1, 1] with the data range 255 on 0..255 (2 in [-1, 1]):
    PSNR = 20 log10(2 / offset)."""
    targets = random_images((5, 12, 12, 1))
    for offset in (0.1, 0.02):
        expected = 20 * math.log10(2 / offset)
        assert psnr(targets + offset, targets) == pytest.approx(expected, abs=1e-3)
        np.testing.assert_allclose(psnr(targets - offset, targets, per_image=True), expected, atol=1e-3)
        assert l1_distance(targets + offset, targets) == pytest.approx(offset, abs=1e-6)


def test_psnr_reads_the_bt601_luma_of_rgb_images():
    red, black = -np.ones((2, 1, 8, 8, 3), "float32")
    red[..., 0] = 1.0
    # Y = 16 + 65.481 R + 128.553 G + 24.966 B on 0..255: pure red is 65.481 above black everywhere.
    assert psnr(red, black) == pytest.approx(20 * math.log10(255 / 65.481), abs=1e-4)
    green = black.copy()
    green[..., 1] = 1.0
    assert psnr(green, black) == pytest.approx(20 * math.log10(255 / 128.553), abs=1e-4)


def test_psnr_on_the_y_channel_matches_a_hand_computation():
    outputs, targets = random_images((4, 10, 10, 3), seed=1), random_images((4, 10, 10, 3), seed=2)

    def y(images):
        r, g, b = np.moveaxis((images.astype("float64") + 1) / 2, -1, 0)
        return 16 + 65.481 * r + 128.553 * g + 24.966 * b

    mse = ((y(outputs) - y(targets)) ** 2).reshape(4, -1).mean(axis=1)
    expected = 10 * np.log10(255**2 / mse)
    np.testing.assert_allclose(psnr(outputs, targets, per_image=True), expected, atol=1e-3)
    assert psnr(outputs, targets) == pytest.approx(expected.mean(), abs=1e-3)
    # Grey images copied into R, G and B span Y = 16..235 (219 levels) instead of 0..255:
    grey_outputs, grey_targets = outputs[..., :1], targets[..., :1]
    difference = psnr(grey_to_rgb(grey_outputs), grey_to_rgb(grey_targets)) - psnr(grey_outputs, grey_targets)
    assert difference == pytest.approx(20 * math.log10(255 / 219), abs=1e-3)


def test_colour_changes_that_keep_the_luma_do_not_count():
    """Raising red and lowering blue so that 65.481 dR + 24.966 dB = 0 leaves Y as it was."""
    targets = np.zeros((2, 16, 16, 3), "float32")
    outputs = targets.copy()
    outputs[..., 0] += 2 * 0.002 * 24.966  # [-1, 1] units are twice the [0, 1] ones
    outputs[..., 2] -= 2 * 0.002 * 65.481
    with pytest.warns(UserWarning):
        assert psnr(outputs, targets, per_image=True).min() > 100
    assert ssim(outputs, targets) == pytest.approx(1.0, abs=1e-6)
    assert l1_distance(outputs, targets) > 0.1  # L1 compares every channel


def test_ssim_of_flat_images_uses_the_data_range_255():
    """Flat images have no variance, so SSIM is its luminance term (2 x y + C1) / (x^2 + y^2 + C1)
    with C1 = (0.01 * 255)^2 on the 0..255 scale."""
    x, y = 127.5, 191.25  # 0 and 0.5 in [-1, 1]
    c1 = (0.01 * 255) ** 2
    expected = (2 * x * y + c1) / (x * x + y * y + c1)
    outputs, targets = np.zeros((2, 16, 16, 1), "float32"), np.full((2, 16, 16, 1), 0.5, "float32")
    # TensorFlow computes in float32: on flat bright images its variances lose ~4e-4 of SSIM.
    assert ssim(outputs, targets) == pytest.approx(expected, abs=1e-3)
    assert ssim(outputs, targets) < 0.95


def test_ssim_falls_as_noise_grows():
    targets = random_images((3, 24, 24, 1))
    noise = np.random.default_rng(5).normal(size=targets.shape).astype("float32")
    values = [ssim(np.clip(targets + amount * noise, -1, 1), targets) for amount in (0.01, 0.1, 0.5)]
    assert 1 > values[0] > values[1] > values[2]
    per_image = ssim(np.clip(targets + 0.1 * noise, -1, 1), targets, per_image=True)
    assert per_image.shape == (3,) and per_image.mean() == pytest.approx(values[1])


def test_cropping_ignores_exactly_scale_pixels_at_each_border():
    targets = random_images((2, 28, 28, 3))
    outputs = targets.copy()
    outputs[:, :4] = outputs[:, -4:] = outputs[:, :, :4] = outputs[:, :, -4:] = -1.0  # a 4-pixel frame
    with pytest.warns(UserWarning, match="2 of 2"):
        assert psnr(outputs, targets, scale=4) == math.inf
    assert ssim(outputs, targets, scale=4) == pytest.approx(1.0, abs=1e-6)
    assert math.isfinite(psnr(outputs, targets)) and ssim(outputs, targets) < 0.9
    assert math.isfinite(psnr(outputs, targets, scale=3)) and ssim(outputs, targets, scale=3) < 1
    assert psnr(outputs, targets, scale=0) == psnr(outputs, targets, scale=None)


# ---------------------------------------------------------------------- input checks


@pytest.mark.parametrize("metric", [psnr, ssim, l1_distance])
def test_mismatched_shapes_are_refused(metric):
    targets = random_images((4, 16, 16, 1))
    with pytest.raises(MetricInputError, match=r"outputs have shape \(3, 16, 16, 1\) but the targets \(4, 16, 16, 1\)"):
        metric(targets[:3], targets)
    with pytest.raises(MetricInputError, match="at the targets' size"):
        metric(targets[:, :8, :8], targets)


@pytest.mark.parametrize("metric", [psnr, ssim, l1_distance])
def test_values_outside_minus_one_to_one_are_refused(metric):
    targets = random_images((2, 16, 16, 3))
    pixels = np.round((targets + 1) * 127.5)
    with pytest.raises(MetricInputError, match="dtype uint8.*x / 127.5 - 1"):
        metric(pixels.astype("uint8"), targets)
    with pytest.raises(MetricInputError, match=r"outputs have values in \[\d.*outside \[-1, 1\].*look like 0..255"):
        metric(pixels.astype("float32"), targets)
    overshoot = targets.copy()
    overshoot[0, 0, 0] = 1.08  # as bicubic upscaling leaves it
    with pytest.raises(MetricInputError, match=r"targets have values in .*1.08\].*np.clip\(x, -1, 1\)"):
        metric(targets, overshoot)
    with pytest.raises(MetricInputError, match="NaN"):
        metric(np.full_like(targets, np.nan), targets)
    nearly = targets + 0.01
    nearly[0, 0, 0] = 1.0005  # round-off beyond the range is tolerated (and clipped)
    assert np.isfinite(metric(nearly, targets))


def test_shapes_and_channels_psnr_and_ssim_take():
    with pytest.raises(MetricInputError, match=r"shape \(2, 16, 16\).*Add the channel axis with x\[..., None\]"):
        psnr(np.zeros((2, 16, 16), "float32"), np.zeros((2, 16, 16), "float32"))
    rgba = np.zeros((2, 16, 16, 4), "float32")
    with pytest.raises(MetricInputError, match="4 channels; SSIM takes grey .* or RGB"):
        ssim(rgba, rgba)
    assert l1_distance(rgba, rgba) == 0.0  # L1 compares any channels
    with pytest.raises(MetricInputError, match="hold no images"):
        psnr(rgba[:0], rgba[:0])


def test_too_small_images_for_the_ssim_window_say_what_size_is_needed():
    images = random_images((2, 16, 16, 1))
    with pytest.raises(MetricInputError, match="11x11 Gaussian window needs images of at least 11x11 pixels after "
                       "cropping; these are 16x16 with 4 pixels cropped from each border .*leaving 8x8. Give images "
                       "of at least 19x19, or a smaller scale"):
        ssim(images, images, scale=4)
    with pytest.raises(MetricInputError, match="these are 10x16. Give images of at least 11x11"):
        ssim(images[:, :10], images[:, :10])
    assert ssim(images, images, scale=2) == pytest.approx(1.0, abs=1e-6)  # 12x12 left
    with pytest.raises(MetricInputError, match="PSNR needs at least one pixel after cropping.*at least 17x17"):
        psnr(images, images, scale=8)
    for scale in (-1, 1.5, True):
        with pytest.raises(MetricInputError, match="scale is the border cropped in pixels"):
            psnr(images, images, scale=scale)


# ---------------------------------------------------------------------- label preservation


def test_label_preservation_reads_the_source_s_digit(digits):
    _, targets, labels = digits
    assert label_preservation(targets, labels, verbose=0) > 0.95
    assert label_preservation(targets, (labels + 1) % 10, verbose=0) < 0.1
    with pytest.raises(MetricInputError, match="source labels must be one integer class per sample: 200 samples"):
        label_preservation(targets, labels[:10], verbose=0)
    with pytest.raises(MetricInputError, match="translated images have dtype uint8"):
        label_preservation(np.zeros((2, 28, 28, 1), "uint8"), labels[:2], verbose=0)


# ---------------------------------------------------------------------- Evaluator and ganzoo eval


def test_evaluator_scores_a_translator_against_the_targets_of_its_sources(digits, upscaler):
    sources, targets, labels = digits
    metrics = ("psnr", "ssim", "l1", "label_preservation")
    evaluator = Evaluator((sources, targets, labels), metrics=metrics, n=150, verbose=0)
    scores = evaluator(upscaler)
    assert set(scores) == {"psnr", "ssim", "l1", "label_preservation"}
    # 150 of the 200 rows, the same ones of sources, targets and labels.
    chosen_sources, chosen_targets, chosen_labels = evaluator.translation_data()
    rows = [int(np.flatnonzero((targets == target).all(axis=(1, 2, 3)))[0]) for target in chosen_targets]
    assert len(set(rows)) == 150 and rows != list(range(150))
    assert np.array_equal(chosen_sources, sources[rows]) and np.array_equal(chosen_labels, labels[rows])
    upscaled = upscaler.translate(chosen_sources)
    # The targets are 4x the sources, so PSNR and SSIM crop 4 pixels from each border.
    assert scores["psnr"] == pytest.approx(psnr(upscaled, chosen_targets, scale=SCALE))
    assert scores["psnr"] != pytest.approx(psnr(upscaled, chosen_targets))
    assert scores["ssim"] == pytest.approx(ssim(upscaled, chosen_targets, scale=SCALE))
    assert scores["l1"] == pytest.approx(l1_distance(upscaled, chosen_targets))
    assert scores["label_preservation"] == pytest.approx(label_preservation(upscaled, chosen_labels, verbose=0))
    # Translations given as an array (a baseline, or the targets themselves) are scored the same way.
    with pytest.warns(UserWarning, match="150 of 150 outputs equal their targets"):
        perfect = evaluator(chosen_targets)
    assert perfect["psnr"] == math.inf and perfect["ssim"] == pytest.approx(1.0, abs=1e-6) and perfect["l1"] == 0
    assert perfect["label_preservation"] > 0.95 and perfect["label_preservation"] > scores["label_preservation"]
    # FID of the translations against the targets, beside the others, from a (sources, targets) pair.
    pair = Evaluator((sources, targets), metrics=("fid", "psnr"), n=150, verbose=0)(upscaler)
    assert pair["psnr"] == pytest.approx(scores["psnr"]) and pair["fid"] > 0


def test_evaluator_says_what_real_data_the_translation_metrics_need(digits, upscaler):
    sources, targets, labels = digits
    with pytest.raises(MetricInputError, match=r"give real_data as a \(sources, targets\) pair of image arrays"):
        Evaluator("mnist-5k", metrics=("psnr",), n=10, verbose=0)(targets[:10])
    with pytest.raises(MetricInputError, match=r"label_preservation needs the sources' labels.*\(sources, targets, "
                       r"source_labels\)"):
        Evaluator((sources, targets), metrics=("label_preservation",), n=10, verbose=0)(upscaler)
    with pytest.raises(MetricInputError, match="n=300 is more than the 200 sources, 200 targets in the real data"):
        Evaluator((sources, targets), metrics=("psnr",), n=300, verbose=0)(upscaler)
    with pytest.raises(MetricInputError, match="holds 200 sources, 100 targets"):
        Evaluator((sources, targets[:100]), metrics=("ssim",), n=50, verbose=0)(upscaler)
    with pytest.raises(MetricInputError, match="outputs have shape .* but the targets"):
        Evaluator((sources, targets), metrics=("l1",), n=50, verbose=0)(targets[:40])


def test_cli_eval_accepts_the_translation_metrics(tmp_path, capsys, monkeypatch, upscaler):
    monkeypatch.setattr("ganzoo.cli.load_run_model", lambda run: upscaler)
    assert main(["eval", str(tmp_path), "--data", "mnist-5k", "--metrics", "psnr,ssim,l1,label_preservation",
                 "-n", "10", "--split", "train"]) == 2
    assert "give real_data as a (sources, targets) pair" in capsys.readouterr().err
    # A translator is scored on its task's held-out test split unless told otherwise.
    for split in ("test", "train"):
        chosen = [] if split == "test" else ["--split", "train"]
        assert main(["eval", str(tmp_path), "--data", "sr4-mnist", "--metrics", "psnr", "-n", "10", *chosen]) == 0
        record = json.loads((tmp_path / "eval.json").read_text())
        sources, targets = load_arrays("sr4-mnist", split=split, limit=10)
        assert record["split"] == split
        assert record["metrics"]["psnr"] == pytest.approx(psnr(upscaler.translate(sources), targets, scale=SCALE))
    with pytest.raises(SystemExit):
        main(["eval", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "psnr, ssim, l1, label_preservation" in help_text and "Y channel of RGB images" in help_text
