"""Minibatch layers: shapes, values against NumPy references, grouping, gradients, saving."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.layers import MinibatchDiscrimination, MinibatchStdDev


def reference_stddev(x, group_size):
    """ProGAN's statistic in NumPy: groups are strided, example i is in group i mod (N / G)."""
    n = len(x)
    group = min(group_size, n)
    group = group if n % group == 0 else n
    grouped = x.astype("float64").reshape(group, n // group, -1)
    per_group = np.sqrt(grouped.var(axis=0) + 1e-8).mean(axis=1)
    return np.tile(per_group, group)


def reference_closeness(x, kernel, num_kernels, kernel_dim):
    m = (x.astype("float64") @ kernel).reshape(len(x), num_kernels, kernel_dim)
    return np.array([
        sum(np.exp(-np.abs(m[i] - m[j]).sum(axis=-1)) for j in range(len(x)) if j != i) for i in range(len(x))
    ])


def random(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.mark.parametrize("shape, expected", [((8, 4, 4, 3), (8, 4, 4, 4)), ((8, 5), (8, 6))])
def test_stddev_adds_one_channel(shape, expected):
    layer = MinibatchStdDev()
    assert tuple(layer(random(*shape)).shape) == expected
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *expected[1:])
    assert keras.Input(shape[1:]).shape[1:] == shape[1:]
    assert MinibatchStdDev()(keras.Input(shape[1:])).shape == (None, *expected[1:])


@pytest.mark.parametrize(
    "batch, group_size",
    [(8, 4), (8, 2), (8, 8), (6, 4), (3, 4), (5, 1)],  # two groups, four, one, indivisible, small batch, size 1
)
@pytest.mark.parametrize("shape", [(3, 3, 2), (5,)])
def test_stddev_matches_numpy(batch, group_size, shape):
    x = random(batch, *shape)
    out = keras.ops.convert_to_numpy(MinibatchStdDev(group_size)(x))
    np.testing.assert_array_equal(out[..., :-1], x)
    expected = reference_stddev(x, group_size).reshape(batch, *[1] * len(shape))
    np.testing.assert_allclose(out[..., -1:], np.broadcast_to(expected, (batch, *shape[:-1], 1)), rtol=1e-5)


def test_stddev_groups_are_strided_and_separate():
    x = random(8, 2, 2, 1)
    x[0::2] = x[0]  # examples 0, 2, 4, 6 form one group of 4 (8 = 4 x 2) and are identical
    out = keras.ops.convert_to_numpy(MinibatchStdDev(4)(x))[..., -1]
    np.testing.assert_allclose(out[0::2], 1e-4, rtol=1e-3)  # sqrt(0 + 1e-8)
    assert np.all(out[1::2] > 0.1)


def test_stddev_whole_batch_when_indivisible():
    x = random(6, 4)
    out = keras.ops.convert_to_numpy(MinibatchStdDev(4)(x))[:, -1]
    np.testing.assert_allclose(out, np.sqrt(x.astype("float64").var(axis=0) + 1e-8).mean(), rtol=1e-5)


def test_stddev_in_functional_model_with_dynamic_batch():
    inputs = keras.Input((4, 4, 2))
    stats = MinibatchStdDev(4)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(stats)))
    compiled = tf.function(model, input_signature=[tf.TensorSpec((None, 4, 4, 2))])
    assert compiled.get_concrete_function().structured_outputs.shape.as_list() == [None, 1]
    for batch in (8, 6, 1):  # two groups, one indivisible group, one example
        x = random(batch, 4, 4, 2, seed=batch)
        np.testing.assert_allclose(compiled(x).numpy(), keras.ops.convert_to_numpy(model(x)), rtol=1e-5, atol=1e-6)


def test_stddev_is_differentiable():
    x = tf.constant(random(8, 3, 3, 2))
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(MinibatchStdDev()(x)[..., -1])
    grad = tape.gradient(total, x).numpy()
    assert np.all(np.isfinite(grad)) and np.abs(grad).sum() > 0


def test_stddev_refuses_bad_group_size():
    with pytest.raises(ValueError, match="group_size"):
        MinibatchStdDev(0)


def discrimination_layer(features, num_kernels, kernel_dim, seed=1):
    layer = MinibatchDiscrimination(num_kernels, kernel_dim)
    layer.build((None, features))
    kernel = random(features, num_kernels * kernel_dim, seed=seed) * 0.5
    layer.set_weights([kernel])
    return layer, kernel


def test_discrimination_shapes():
    layer = MinibatchDiscrimination(7, 3)
    assert tuple(layer(random(5, 6)).shape) == (5, 13)
    assert layer.compute_output_shape((None, 6)) == (None, 13)
    assert MinibatchDiscrimination()(keras.Input((6,))).shape == (None, 106)
    assert layer.kernel.shape == (6, 21)


def test_discrimination_matches_numpy():
    x = random(5, 4)
    layer, kernel = discrimination_layer(4, 3, 2)
    out = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_array_equal(out[:, :4], x)
    np.testing.assert_allclose(out[:, 4:], reference_closeness(x, kernel, 3, 2), rtol=1e-4, atol=1e-6)


def test_discrimination_sees_duplicates():
    layer, _ = discrimination_layer(4, 3, 2)
    identical = np.repeat(random(1, 4), 5, axis=0)
    same = keras.ops.convert_to_numpy(layer(identical))[:, 4:]
    distinct = keras.ops.convert_to_numpy(layer(random(5, 4, seed=2)))[:, 4:]
    np.testing.assert_allclose(same, 4.0, rtol=1e-6)  # exp(0) for each of the 4 others
    assert np.all(same > distinct)


def test_discrimination_gradients_reach_kernel_and_inputs():
    layer, _ = discrimination_layer(4, 3, 2)
    x = tf.constant(random(6, 4))
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(layer(x)[:, 4:])  # only the closeness features, not x's copy
    grad_kernel, grad_x = tape.gradient(total, [*layer.trainable_weights, x])
    for grad in (grad_kernel.numpy(), grad_x.numpy()):
        assert np.all(np.isfinite(grad)) and np.abs(grad).sum() > 0


def test_discrimination_needs_flat_inputs():
    with pytest.raises(ValueError, match="Flatten"):
        MinibatchDiscrimination()(keras.Input((4, 4, 1)))


def test_layers_round_trip_through_saving(tmp_path):
    inputs = keras.Input((4, 4, 2))
    h = keras.layers.Flatten()(MinibatchStdDev(group_size=2)(inputs))
    h = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)(h)
    model = keras.Model(inputs, keras.layers.Dense(1)(h))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)  # no custom_objects: the layers are registered
    x = random(6, 4, 4, 2)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)))
    assert loaded.layers[1].get_config() == model.layers[1].get_config()
    assert loaded.layers[3].get_config() == model.layers[3].get_config()
    assert (loaded.layers[1].group_size, loaded.layers[3].num_kernels, loaded.layers[3].kernel_dim) == (2, 3, 2)


@pytest.mark.parametrize("layer", [MinibatchStdDev(3), MinibatchDiscrimination(4, 2, kernel_initializer="zeros")])
def test_config_is_complete(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
