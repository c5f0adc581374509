"""Progressive growing: the level schedule, the fade-in blends, and a run stopped mid-fade that resumes
bit for bit. (The pggan presets' generic checks are in test_presets.py.)"""
import functools
from pathlib import Path

import keras
import numpy as np
import pytest

import ganzoo
from ganzoo.cli import main
from ganzoo.config import ConfigError
from ganzoo.layers.progressive import images_at_level, upsample
from ganzoo.models.progressive import growth_level
from ganzoo.networks.pggan import pggan_discriminator, pggan_generator
from tiny_runs import AtStep

TINY = {"generator": {"base_filters": 4, "max_filters": 8}, "discriminator": {"base_filters": 4, "max_filters": 8}}


def tiny_model(size=32, **settings):
    """pggan-mnist with 4-8 filters, 100 images stable and 50 fading; below 32x32, on the 8x8 digits."""
    data = {} if size == 32 else {"source": "digits", "image_size": size}
    settings = {**TINY, "stable_images": 100, "fade_images": 50, "data_shape": [size, size, 1], **settings}
    return ganzoo.load("pggan-mnist", model=settings, data=data)


@pytest.mark.parametrize(
    "shown, level",
    [(0, 0.0), (99, 0.0), (100, 0.0), (125, 0.5), (140, 0.8), (150, 1.0), (249, 1.0), (275, 1.5),
     (400, 2.0), (410, 2.2), (450, 3.0), (10_000, 3.0)],
)  # fmt: skip
def test_level_follows_the_images_shown(shown, level):
    # 100 images stable at each resolution, 50 to fade the next one in; 32x32 is 3 stages above 4x4
    assert float(growth_level(shown, 100, 50, 0, 3)) == pytest.approx(level, abs=1e-6)


def test_resolution_and_alpha_are_reported_from_the_variable():
    model = tiny_model()
    for shown, resolution, alpha in ((0, 4, 1.0), (100, 4, 1.0), (125, 8, 0.5), (150, 8, 1.0), (410, 32, 0.2), (999, 32, 1.0)):
        model.images_shown.assign(shown)
        assert (model.resolution, model.alpha) == (resolution, pytest.approx(alpha, abs=1e-6))
    assert tiny_model(start_resolution=8).level == 1.0


def test_impossible_settings_are_refused():
    with pytest.raises(ConfigError, match="data.image_size"):
        ganzoo.load("pggan-mnist", model={"data_shape": [28, 28, 1]}, data={"image_size": 28})
    with pytest.raises(ConfigError, match="start_resolution"):
        ganzoo.load("pggan-mnist", model={"start_resolution": 12})
    with pytest.raises(ConfigError, match="fade_images"):
        ganzoo.load("pggan-mnist", model={"fade_images": 0})


def _stage_images(generator, z, level):
    """The tanh image of every stage, 4x4 first, from the generator's own layers."""
    names = [f"to_rgb_{4 * 2**s}x{4 * 2**s}" for s in range(4)]
    probe = keras.Model(generator.inputs, [keras.ops.tanh(generator.get_layer(n).output) for n in names])
    return [np.asarray(image) for image in probe([z, level])]


def test_generator_fades_each_resolution_in_over_the_upsampled_one_below():
    generator = pggan_generator(8, (32, 32, 3), base_filters=4, max_filters=8)
    z = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")

    def output(level):
        return np.asarray(generator([z, np.full((3, 1), level, "float32")]))

    images = _stage_images(generator, z, np.zeros((3, 1), "float32"))
    # Level 1: 16x16 at alpha 0 shows the 8x8 image, upsampled; level 2: 16x16 at alpha 1.
    np.testing.assert_array_equal(output(1.0), upsample(images[1], 4))
    np.testing.assert_array_equal(output(2.0), upsample(images[2], 2))
    np.testing.assert_array_equal(output(3.0), images[3])
    np.testing.assert_allclose(output(1.25), upsample(0.75 * upsample(images[1]) + 0.25 * images[2]), atol=1e-6)


def test_discriminator_at_a_level_reads_only_that_resolution():
    discriminator = pggan_discriminator((16, 16, 1), base_filters=4, max_filters=8)
    rng = np.random.default_rng(1)
    images = rng.uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    level = np.ones((4, 1), "float32")  # the 8x8 stage, fully grown in
    detail = images - np.asarray(upsample(keras.ops.average_pool(images, 2, 2)))  # what an 8x8 view cannot see
    np.testing.assert_allclose(discriminator([images, level]), discriminator([images - detail, level]), atol=1e-5)
    assert not np.allclose(discriminator([images, 2 * level]), discriminator([images - detail, 2 * level]), atol=1e-5)


def test_real_images_are_low_passed_to_the_level():
    images = np.random.default_rng(2).uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
    at_8 = upsample(keras.ops.average_pool(images, 2, 2))
    at_4 = upsample(keras.ops.average_pool(images, 4, 4), 4)
    np.testing.assert_array_equal(images_at_level(images, 2.0), images)
    np.testing.assert_allclose(images_at_level(images, 1.0), at_8, atol=1e-6)
    np.testing.assert_allclose(images_at_level(images, 0.0), at_4, atol=1e-6)
    np.testing.assert_allclose(images_at_level(images, 1.75), 0.25 * at_8 + 0.75 * images, atol=1e-6)


def test_fit_counts_the_images_logs_the_growth_and_saves_the_count(tmp_path):
    model = tiny_model(8, stable_images=16, fade_images=32)
    data = ganzoo.data.load("digits", batch_size=8, limit=32, image_size=8)  # 4 steps per epoch
    history = model.fit(data, epochs=1, verbose=0)
    assert int(model.images_shown.numpy()) == 32
    # The epoch logs the level of its last step: 24 images shown, so 8x8 is a quarter faded in.
    assert history.history["resolution"] == [8.0] and history.history["alpha"] == pytest.approx([0.25])
    model.save(tmp_path / "m.keras")
    restored = keras.models.load_model(tmp_path / "m.keras")
    assert int(restored.images_shown.numpy()) == 32 and restored.level == model.level == 0.5
    np.testing.assert_array_equal(restored.generate(4, seed=0), model.generate(4, seed=0))


# The `ganzoo train` path on 8x8 digits, 64 images per epoch: stable at 4x4 for 32 images, then 8x8
# fades in over 96, so the checkpoint after epoch 1 is a third of the way into the fade.
TINY_RUN = [
    "--batch-size", "16", "--deterministic",
    "--set", "data.source=digits", "--set", "data.image_size=8", "--set", "data.limit=64",
    "--set", "model.data_shape=[8, 8, 1]", "--set", "model.stable_images=32", "--set", "model.fade_images=96",
    "--set", "model.generator={base_filters: 4, max_filters: 8}",
    "--set", "model.discriminator={base_filters: 4, max_filters: 8}",
]  # fmt: skip


def tiny_train(run, *extra):
    return main(["train", "pggan-mnist", "--out", str(run), "--sample-every", "9", *TINY_RUN, *extra])


def saved_state(run):
    model = keras.models.load_model(Path(run) / "model.keras")
    return model, [np.asarray(v) for v in model.weights + model.g_optimizer.variables + model.d_optimizer.variables]


def test_a_run_stopped_mid_fade_resumes_bit_for_bit(tmp_path, monkeypatch):
    assert tiny_train(tmp_path / "whole", "--epochs", "2") == 0

    def interrupt(model):
        raise KeyboardInterrupt  # as Ctrl-C does, in the middle of epoch 2

    stopped = functools.partial(ganzoo.runs.train, extra_callbacks=[AtStep(6, interrupt)])
    with monkeypatch.context() as patch:
        patch.setattr(ganzoo.cli, "train", stopped)
        assert tiny_train(tmp_path / "split", "--epochs", "2") == 130
    model, _ = saved_state(tmp_path / "split")
    assert int(model.images_shown.numpy()) == 64 and (model.resolution, model.alpha) == (8, pytest.approx(1 / 3))

    assert tiny_train(tmp_path / "split", "--epochs", "2", "--resume") == 0
    (_, expected), (split, resumed) = saved_state(tmp_path / "whole"), saved_state(tmp_path / "split")
    assert int(split.images_shown.numpy()) == 128 and len(expected) == len(resumed)
    for a, b in zip(expected, resumed):
        np.testing.assert_array_equal(a, b)
