"""SRResNet and SRGAN: sub-pixel upsampling, the pretraining phase, the content loss kept out of
the saved model, VGG19 from the Keras cache only, upscaling any size, tiling, the photo and shapes
tasks and the translate/upscale commands. The presets are covered by tests/test_presets.py."""
import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from ganzoo import cli, content
from ganzoo.config import ConfigError
from ganzoo.data import load_arrays
from ganzoo.data.pairs import TEST_PHOTOS, TRAIN_PHOTOS, bicubic_upscale
from ganzoo.layers import PixelShuffle
from ganzoo.models import SRGAN
from ganzoo.networks.srgan import srgan_discriminator, srresnet_generator
from ganzoo.tiling import tile_starts, translate_tiled

SHAPE = (16, 16, 1)


def tiny_srgan(shape=SHAPE, **settings):
    keras.utils.set_random_seed(0)
    generator = srresnet_generator(shape, scale=4, filters=4, residual_blocks=1)
    discriminator = srgan_discriminator(shape, base_filters=4, blocks=2, dense_units=8)
    model = SRGAN(generator, discriminator, seed=0, **settings)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    return model


def pairs(count, shape=SHAPE, seed=0):
    targets = np.random.default_rng(seed).uniform(-1, 1, (count, *shape)).astype("float32")
    sources = targets.reshape(count, shape[0] // 4, 4, shape[1] // 4, 4, shape[2]).mean(axis=(2, 4))
    return sources, targets


def weights_of(network):
    return [w.copy() for w in network.get_weights()]


def unchanged(before, network):
    return all(np.array_equal(a, b) for a, b in zip(before, network.get_weights()))


def test_pixel_shuffle_moves_each_channel_group_into_its_subpixel():
    x = np.arange(2 * 3 * 5 * 8, dtype="float32").reshape(2, 3, 5, 8)
    y = PixelShuffle(2)(x).numpy()
    assert y.shape == (2, 6, 10, 2)
    for i in range(2):
        for j in range(2):  # channel c of subpixel (i, j) comes from input channel (i * 2 + j) * 2 + c
            np.testing.assert_array_equal(y[:, i::2, j::2, :], x[..., (i * 2 + j) * 2 : (i * 2 + j) * 2 + 2])
    with pytest.raises(ValueError, match="divide by 4"):
        PixelShuffle(2)(np.zeros((1, 2, 2, 6), "float32"))
    with pytest.raises(ValueError, match="whole number of 2 or more"):
        PixelShuffle(1)


def test_srresnet_upscales_by_powers_of_two_only():
    assert srresnet_generator((16, 16, 3), scale=2, filters=4, residual_blocks=1).output_shape == (None, 16, 16, 3)
    assert srresnet_generator((16, 16, 3), scale=8, filters=4, residual_blocks=1).input_shape == (None, 2, 2, 3)
    with pytest.raises(ValueError, match="power of 2"):
        srresnet_generator((12, 12, 1), scale=3)
    with pytest.raises(ConfigError, match="divide by model.scale 4"):
        SRGAN.check_settings({"scale": 4}, (30, 30, 1))
    with pytest.raises(ConfigError, match="all 0"):
        SRGAN.check_settings({"pixel_weight": 0, "content_weight": 0, "adversarial_weight": 0})
    with pytest.raises(ConfigError, match="content_extractor must be one of"):
        SRGAN.check_settings({"content_extractor": "resnet"}, (28, 28, 1))
    with pytest.raises(ConfigError, match="Use content_extractor: shapes"):
        SRGAN.check_settings({"content_extractor": "digits"}, (32, 32, 3))


def test_a_bicubic_skip_starts_as_bicubic_and_batch_norm_can_go():
    generator = srresnet_generator((16, 16, 3), filters=4, residual_blocks=1, bicubic_skip=True, batch_norm=False)
    sources = np.random.default_rng(0).uniform(-1, 1, (2, 4, 4, 3)).astype("float32")
    np.testing.assert_allclose(generator(sources).numpy(), bicubic_upscale(sources, 4), atol=1e-5)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in generator.layers)
    assert any(isinstance(layer, keras.layers.BatchNormalization) for layer in srresnet_generator(SHAPE, filters=4).layers)


def test_srresnet_trains_the_generator_alone():
    model = tiny_srgan(pixel_weight=1.0, content_weight=0.0, adversarial_weight=0.0)
    before_d, before_g = weights_of(model.discriminator), weights_of(model.generator)
    history = model.fit(tf.data.Dataset.from_tensor_slices(pairs(16)).batch(4), epochs=2, verbose=0)
    assert unchanged(before_d, model.discriminator) and not unchanged(before_g, model.generator)
    assert int(model.d_optimizer.iterations) == 0 and int(model.g_optimizer.iterations) == 8
    assert history.history["g_loss"] == history.history["g_pixel"]


def test_srgan_pretrains_on_pixels_then_trains_both_players():
    model = tiny_srgan(pretrain_images=8)
    data = tf.data.Dataset.from_tensor_slices(pairs(16)).batch(4)
    before_d = weights_of(model.discriminator)
    model.fit(data.take(2), epochs=1, verbose=0)  # 8 images: the pretraining
    assert unchanged(before_d, model.discriminator) and int(model.d_optimizer.iterations) == 0
    assert int(model.images_shown.numpy()) == 8
    history = model.fit(data, epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations) == 4 and not unchanged(before_d, model.discriminator)
    assert history.history["g_content"][0] > 0 and history.history["d_real"][0] != 0


def test_the_content_network_is_neither_trained_nor_saved(tmp_path):
    model = tiny_srgan(pixel_weight=1.0)
    pixel_only = tiny_srgan(content_weight=0.0, pixel_weight=1.0)
    assert len(model.weights) == len(pixel_only.weights)
    network = model._content.network
    before = weights_of(network)
    model.fit(tf.data.Dataset.from_tensor_slices(pairs(8)).batch(4), epochs=1, verbose=0)
    assert unchanged(before, network)
    model.save(tmp_path / "sr.keras")
    restored = keras.models.load_model(tmp_path / "sr.keras")
    assert restored._content.network is not None and restored.content_extractor is None
    sources, _ = pairs(3, seed=1)
    np.testing.assert_allclose(restored.upscale(sources), model.upscale(sources), atol=1e-6)


def test_content_taps_of_the_shipped_classifiers_take_any_size():
    digits = content.content_network("digits", "block2", channels=1)
    assert tuple(digits(np.zeros((2, 40, 24, 1), "float32")).shape) == (2, 20, 12, 64)
    shapes = content.content_network("shapes", channels=3)  # block3: the last convolution
    assert tuple(shapes(np.zeros((1, 48, 48, 3), "float32")).shape) == (1, 12, 12, 64)
    with pytest.raises(ConfigError, match="block1, block2, block3"):
        content.content_network("digits", "conv_7", channels=1)


def test_vgg19_is_read_from_the_keras_cache_and_never_downloaded(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(keras.utils, "get_file", lambda *a, **k: pytest.fail("tried to download"))
    with pytest.raises(FileNotFoundError, match="missing from .*ganzoo never downloads it"):
        tiny_srgan(content_extractor="vgg19")
    # A local weights file in the cache (random weights here, in the legacy format Keras ships them in).
    from keras.src.legacy.saving import legacy_h5_format

    (tmp_path / "models").mkdir()
    vgg = keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))
    with h5py.File(tmp_path / "models" / content.VGG19_NO_TOP, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, vgg)
    network = content.content_network("vgg19", "block2_conv2", channels=1)
    assert tuple(network(np.zeros((1, 16, 16, 1), "float32")).shape) == (1, 8, 8, 128)
    with pytest.raises(ConfigError, match="VGG19 has no layer 'block9'"):
        content.content_network("vgg19", "block9", channels=3)


def test_upscale_takes_any_size_and_explains_what_it_cannot():
    model = tiny_srgan()
    sources, _ = pairs(2)
    assert model.upscale(np.zeros((2, 5, 9, 1), "float32")).shape == (2, 20, 36, 1)
    # The training size goes through the compiled sampler; the size-free copy computes the same.
    any_size = model._any_size_forward("generator", sources.shape[1:])
    np.testing.assert_allclose(any_size(sources), model.upscale(sources), atol=1e-5)
    with pytest.raises(ValueError, match=r"shaped \(n, height, width, 1\)"):
        model.upscale(np.zeros((2, 4, 4, 3), "float32"))


def test_tiles_cover_the_image_and_match_the_whole():
    assert tile_starts(10, 10, 2) == [0] and tile_starts(20, 8, 2) == [0, 4, 8, 12]
    rng = np.random.default_rng(0)
    image = rng.uniform(-1, 1, (37, 23, 1)).astype("float32")

    def blur_and_grow(batch):  # a 3x3 box blur (1 px of context), then 2x nearest upsampling
        padded = np.pad(batch, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
        blurred = sum(padded[:, i : i + batch.shape[1], j : j + batch.shape[2]] for i in range(3) for j in range(3)) / 9
        return blurred.repeat(2, axis=1).repeat(2, axis=2)

    whole = blur_and_grow(image[None])[0]
    np.testing.assert_allclose(translate_tiled(blur_and_grow, image, tile=8, overlap=1, scale=2), whole, atol=1e-6)
    assert not np.allclose(translate_tiled(blur_and_grow, image, tile=8, overlap=0, scale=2), whole, atol=1e-6)
    with pytest.raises(ValueError, match="larger than 8"):
        translate_tiled(blur_and_grow, image, tile=8, overlap=4)


def test_photo_patches_are_held_out_by_photograph():
    assert not set(TRAIN_PHOTOS) & set(TEST_PHOTOS)
    sources, targets, labels = load_arrays("sr4-photos", labels=True, split="test")
    assert sources.shape == (500, 12, 12, 3) and targets.shape == (500, 48, 48, 3)
    assert set(np.unique(labels)) == {0, 1} and targets.std(axis=(1, 2, 3)).min() / 2 >= 0.02
    again = load_arrays("sr4-photos", split="test")[1]
    np.testing.assert_array_equal(again, targets)
    shapes_sources, shapes_targets = load_arrays("sr4-shapes", split="test")
    assert shapes_sources.shape[1:] == (8, 8, 3) and shapes_targets.shape[1:] == (32, 32, 3)


def write_png(path, size, channels=1, seed=0):
    pixels = np.random.default_rng(seed).integers(0, 256, (size[0], size[1], channels)).astype("uint8")
    Image.fromarray(pixels[..., 0] if channels == 1 else pixels).save(path)


def test_translate_and_upscale_commands(tmp_path, capsys):
    model = tiny_srgan()
    model.save(tmp_path / "sr.keras")
    inputs = tmp_path / "in"
    (inputs / "nested").mkdir(parents=True)
    write_png(inputs / "a.png", (6, 10))
    write_png(inputs / "nested" / "b.png", (40, 12), channels=3)  # read as grey, larger than the tile
    out = tmp_path / "out"
    args = ["translate", str(tmp_path / "sr.keras"), str(inputs), "-o", str(out), "--tile", "16", "--overlap", "2"]
    assert cli.main(args) == 0
    assert np.asarray(Image.open(out / "a.png")).shape == (24, 40)
    assert np.asarray(Image.open(out / "nested" / "b.png")).shape == (160, 48)
    assert cli.main(args) == 2 and "exist already" in capsys.readouterr().err  # nothing is overwritten
    assert cli.main([*args, "--overwrite"]) == 0

    assert cli.main(["upscale", str(tmp_path / "sr.keras"), str(inputs / "a.png")]) == 0
    assert np.asarray(Image.open(inputs / "a_x4.png")).shape == (24, 40)
    assert cli.main(["translate", str(tmp_path / "sr.keras"), str(inputs), "-o", str(tmp_path / "back"),
                     "--direction", "b2a"]) == 2
    assert "b2a needs a CycleGAN" in capsys.readouterr().err

    (inputs / "broken.png").write_bytes(b"not an image")
    assert cli.main(["translate", str(tmp_path / "sr.keras"), str(inputs), "-o", str(tmp_path / "fresh")]) == 2
    assert "broken.png is not a readable image" in capsys.readouterr().err
    assert not (tmp_path / "fresh").exists()  # every input is read before anything is written


def test_a_size_the_layers_refuse_gets_one_clear_error():
    from ganzoo.models import Pix2Pix
    from ganzoo.networks.pix2pix import patchgan_discriminator, unet_generator

    model = Pix2Pix(unet_generator((8, 8, 1), base_filters=2), patchgan_discriminator((8, 8, 1), base_filters=2))
    assert model.translate(np.zeros((1, 16, 12, 1), "float32")).shape == (1, 16, 12, 1)  # sides that halve twice
    with pytest.raises(ValueError, match="cannot take images of 6x6 .* sides that divide by 2\\^k"):
        model.translate(np.zeros((1, 6, 6, 1), "float32"))
