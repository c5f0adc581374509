"""DiffAugment: shapes, seeding, what each transform does to pixels, gradients, errors, tf.function."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.augment import AUGMENTATIONS, color, cutout, diff_augment, translation

FULL = "color,translation,cutout"


def images(shape=(4, 16, 16, 3), seed=0):
    """Values in [-1, -0.1] U [0.1, 1], so no pixel is 0 before cutout."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.1, 1, shape) * rng.choice([-1, 1], shape)).astype("float32")


def numpy(x):
    return keras.ops.convert_to_numpy(x)


def seeded(seed):
    return keras.random.SeedGenerator(seed)


AUGMENTERS = {
    "color": color,
    "translation": translation,
    "cutout": cutout,
    "full": lambda x, seed: diff_augment(x, FULL, seed),
}


@pytest.mark.parametrize("name", sorted(AUGMENTERS))
def test_shape_dtype_and_seeding(name):
    augment, x = AUGMENTERS[name], images()
    out = numpy(augment(x, seeded(1)))
    assert out.shape == x.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out, numpy(augment(x, seeded(1))))
    assert not np.array_equal(out, numpy(augment(x, seeded(2))))
    generator = seeded(1)
    augment(x, generator)
    assert not np.array_equal(out, numpy(augment(x, generator)))  # the generator's state moved on


def test_exports_the_papers_names():
    assert AUGMENTATIONS == ("color", "translation", "cutout")


def test_translation_by_zero_is_identity():
    x = images()
    np.testing.assert_array_equal(numpy(translation(x, seeded(0), ratio=0.0)), x)


def shifted(image, dy, dx):
    """`image` moved down dy and right dx pixels, uncovered pixels set to 0."""
    out = np.zeros_like(image)
    height, width = image.shape[:2]
    out[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = image[
        max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)
    ]
    return out


def test_translation_shifts_whole_pixels_and_fills_with_zero():
    x = images((6, 16, 16, 3))
    out = numpy(translation(x, seeded(3)))  # ratio 0.125: at most 2 pixels each way
    shifts = []
    for image, moved in zip(x, out):
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3) if np.array_equal(shifted(image, dy, dx), moved)]
        assert len(matches) == 1
        shifts.append(matches[0])
    assert len(set(shifts)) > 1  # each image draws its own shift


@pytest.mark.parametrize(
    "shape, ratio, hole",
    [((4, 16, 16, 3), 0.5, (8, 8)), ((4, 15, 15, 1), 0.5, (8, 8)), ((4, 12, 20, 2), 0.25, (3, 5)), ((3, 8, 8, 1), 1.0, (8, 8))],
)
def test_cutout_zeroes_one_rectangle_of_rounded_size(shape, ratio, hole):
    x = images(shape)
    out = numpy(cutout(x, seeded(4), ratio=ratio))
    for image, cut in zip(x, out):
        zero = np.all(cut == 0, axis=-1)
        assert zero.sum() == hole[0] * hole[1]  # round half up: 0.5 * 15 -> 8
        rows, columns = np.nonzero(zero)
        assert rows.max() - rows.min() + 1 == hole[0] and columns.max() - columns.min() + 1 == hole[1]
        np.testing.assert_array_equal(cut[~zero], image[~zero])


def test_cutout_places_holes_per_image():
    out = numpy(cutout(images((8, 16, 16, 1)), seeded(5)))
    corners = {tuple(np.argwhere(image[..., 0] == 0).min(axis=0)) for image in out}
    assert len(corners) > 1


def test_color_shifts_brightness_by_at_most_half():
    x = np.repeat(images((8, 1, 1, 1)), 4, axis=1).repeat(4, axis=2).repeat(3, axis=3)  # flat grey images
    change = numpy(color(x, seeded(6))) - x
    # Flat images have nothing to saturate or contrast: only the brightness offset is left.
    np.testing.assert_allclose(change, change[:, :1, :1, :1] * np.ones_like(change), atol=1e-6)
    assert np.all(np.abs(change) <= 0.5) and np.ptp(change[:, 0, 0, 0]) > 0.1


def test_color_keeps_mean_up_to_brightness():
    x = images((8, 8, 8, 3))
    out = numpy(color(x, seeded(7)))
    # Saturation keeps each pixel's channel mean and contrast the image mean, so only brightness moves it.
    assert np.all(np.abs(out.mean(axis=(1, 2, 3)) - x.mean(axis=(1, 2, 3))) <= 0.5 + 1e-5)
    assert not np.allclose(out - out.mean(axis=(1, 2, 3), keepdims=True), x - x.mean(axis=(1, 2, 3), keepdims=True))


def scale_between(before, after):
    """The per-image factor f with after = f * before (least squares), checked to fit."""
    axes = tuple(range(1, before.ndim))
    factor = (before * after).sum(axis=axes) / (before**2).sum(axis=axes)
    np.testing.assert_allclose(after, factor.reshape(-1, *[1] * len(axes)) * before, atol=1e-5)
    return factor


def test_color_draws_saturation_and_contrast_from_the_papers_ranges():
    x = images((64, 4, 4, 3))
    out = numpy(color(x, seeded(12)))
    grey = lambda a: a.mean(axis=3) - a.mean(axis=(1, 2, 3))[:, None, None]  # pixels' grey levels about the mean
    chroma = lambda a: a - a.mean(axis=3, keepdims=True)  # channels about the pixel's grey level
    contrast = scale_between(grey(x), grey(out))  # brightness and saturation leave this spread alone
    saturation = scale_between(chroma(x), chroma(out)) / contrast  # brightness leaves chroma alone
    assert 0.5 <= contrast.min() < 0.7 and 1.3 < contrast.max() <= 1.5  # U(0.5, 1.5)
    assert 0 <= saturation.min() < 0.3 and 1.7 < saturation.max() <= 2  # U(0, 2)


def test_full_policy_is_differentiable():
    x = tf.constant(images())
    weights = tf.constant(images(seed=1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(diff_augment(x, FULL, seeded(8)) * weights)
    grad = tape.gradient(total, x)
    assert grad is not None and grad.shape == x.shape
    assert np.all(np.isfinite(grad.numpy())) and np.abs(grad.numpy()).sum() > 0


def test_cut_pixels_get_no_gradient():
    x = tf.constant(images())
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = cutout(x, seeded(9))
        total = tf.reduce_sum(out)
    np.testing.assert_array_equal(tape.gradient(total, x).numpy(), (out.numpy() != 0).astype("float32"))


def test_policy_order_and_forms():
    x = images()
    expected = numpy(diff_augment(x, FULL, seeded(10)))
    np.testing.assert_array_equal(numpy(diff_augment(x, "cutout, translation,color", seeded(10))), expected)
    np.testing.assert_array_equal(numpy(diff_augment(x, ["cutout", "color", "translation"], seeded(10))), expected)
    np.testing.assert_array_equal(numpy(diff_augment(x, "", seeded(10))), x)


def test_unknown_policy_lists_the_valid_names():
    with pytest.raises(ValueError, match="zoom.*color, translation, cutout"):
        diff_augment(images(), "color,zoom", seeded(0))


@pytest.mark.parametrize("augment", [lambda x, s: diff_augment(x, FULL, s), color, translation, cutout])
def test_refuses_non_images(augment):
    with pytest.raises(ValueError, match="DiffAugment is for images"):
        augment(np.zeros((8, 2), "float32"), seeded(0))


@pytest.mark.parametrize("ratio", [-0.1, 1.5])
def test_refuses_bad_ratio(ratio):
    with pytest.raises(ValueError, match="ratio"):
        cutout(images(), seeded(0), ratio=ratio)


def test_works_in_tf_function_with_dynamic_batch():
    seed = seeded(11)
    compiled = tf.function(lambda x: diff_augment(x, FULL, seed), input_signature=[tf.TensorSpec((None, 16, 16, 3))])
    assert compiled.get_concrete_function().structured_outputs.shape.as_list() == [None, 16, 16, 3]
    x = images()
    np.testing.assert_array_equal(compiled(x).numpy(), numpy(diff_augment(x, FULL, seeded(11))))  # same draws as eager
    assert compiled(x[:3]).shape == (3, 16, 16, 3)
    assert not np.array_equal(compiled(x).numpy(), compiled(x).numpy())  # new draws each call
