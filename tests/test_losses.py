"""Loss functions against their closed forms, computed independently in NumPy."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from ganzoo import losses

LOGITS_REAL = np.array([-3.0, -0.5, 0.0, 2.0, 8.0], dtype="float32")
LOGITS_FAKE = np.array([4.0, 1.0, 0.0, -2.0, -9.0], dtype="float32")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x.astype("float64")))


def test_minimax_discriminator_loss_is_binary_cross_entropy():
    expected = -np.log(sigmoid(LOGITS_REAL)) - np.log(1 - sigmoid(LOGITS_FAKE))
    got = np.asarray(losses.minimax_discriminator_loss(LOGITS_REAL, LOGITS_FAKE))
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_generator_losses():
    np.testing.assert_allclose(
        np.asarray(losses.minimax_generator_loss(LOGITS_FAKE)), np.log(1 - sigmoid(LOGITS_FAKE)), rtol=1e-5
    )
    np.testing.assert_allclose(
        np.asarray(losses.non_saturating_generator_loss(LOGITS_FAKE)), -np.log(sigmoid(LOGITS_FAKE)), rtol=1e-5
    )


def test_at_equilibrium_discriminator_loss_is_2_log_2():
    zeros = np.zeros(3, "float32")
    np.testing.assert_allclose(np.asarray(losses.minimax_discriminator_loss(zeros, zeros)), 2 * np.log(2), rtol=1e-6)


def test_losses_are_per_example_even_for_patch_outputs():
    patches = np.random.default_rng(0).normal(size=(4, 3, 3, 1)).astype("float32")
    per_example = np.asarray(losses.non_saturating_generator_loss(patches))
    assert per_example.shape == (4,)
    np.testing.assert_allclose(per_example, (-np.log(sigmoid(patches))).reshape(4, -1).mean(1), rtol=1e-5)


def test_loss_table_and_lookup():
    assert set(losses.LOSSES) >= {"minimax", "non_saturating"}
    assert losses.get_loss_family("minimax").generator is losses.minimax_generator_loss
    with pytest.raises(ValueError, match="Unknown GAN loss 'wgan'.*minimax"):
        losses.get_loss_family("wgan")


# ---------------------------------------------------------------------- WGAN, hinge and LSGAN families
# Logits of shape (N, 1), as Dense(1) critics give; every loss must come back with shape (N,).
REAL = np.array([[1.0], [-2.0], [0.5]], dtype="float32")
FAKE = np.array([[3.0], [0.0], [-1.0]], dtype="float32")


def per_example(values):
    values = np.asarray(values)
    assert values.shape == (3,)
    return values


def test_wasserstein_losses():
    # critic: fake - real = [3 - 1, 0 - (-2), -1 - 0.5]; generator: -fake
    np.testing.assert_allclose(per_example(losses.wasserstein_critic_loss(REAL, FAKE)), [2.0, 2.0, -1.5])
    np.testing.assert_allclose(per_example(losses.wasserstein_generator_loss(FAKE)), [-3.0, 0.0, 1.0])


def test_hinge_discriminator_loss():
    # relu(1 - real) = [relu(0), relu(3), relu(0.5)] = [0, 3, 0.5]
    # relu(1 + fake) = [relu(4), relu(1), relu(0)]   = [4, 1, 0]
    np.testing.assert_allclose(per_example(losses.hinge_discriminator_loss(REAL, FAKE)), [4.0, 4.0, 0.5])
    # Past the margin (real >= 1, fake <= -1) there is nothing left to push.
    np.testing.assert_allclose(per_example(losses.hinge_discriminator_loss(REAL + 5, FAKE - 5)), [0.0, 0.0, 0.0])


def test_least_squares_losses():
    # D: 0.5 * ((real - 1)^2 + fake^2) = 0.5 * [0 + 9, 9 + 0, 0.25 + 1] = [4.5, 4.5, 0.625]
    np.testing.assert_allclose(per_example(losses.least_squares_discriminator_loss(REAL, FAKE)), [4.5, 4.5, 0.625])
    # G: 0.5 * (fake - 1)^2 = 0.5 * [4, 1, 4]
    np.testing.assert_allclose(per_example(losses.least_squares_generator_loss(FAKE)), [2.0, 0.5, 2.0])


def test_new_families_in_the_table_monitor_raw_scores():
    table = losses.LOSSES
    assert table["wasserstein"].discriminator is losses.wasserstein_critic_loss
    assert table["wasserstein"].generator is losses.wasserstein_generator_loss
    assert table["hinge"].discriminator is losses.hinge_discriminator_loss
    assert table["hinge"].generator is losses.wasserstein_generator_loss
    assert table["least_squares"].discriminator is losses.least_squares_discriminator_loss
    assert table["least_squares"].generator is losses.least_squares_generator_loss
    for name in ("wasserstein", "hinge", "least_squares"):
        np.testing.assert_array_equal(np.asarray(table[name].d_output(REAL)), REAL)
    np.testing.assert_allclose(np.asarray(table["minimax"].d_output(REAL)), sigmoid(REAL), rtol=1e-6)


def test_unknown_loss_error_lists_every_name():
    with pytest.raises(ValueError) as error:
        losses.get_loss_family("wgan-gp")
    for name in losses.LOSSES:
        assert name in str(error.value)


# ---------------------------------------------------------------------- penalties and clipping
SAMPLES_SHAPE = (4, 2, 3)  # per-example inputs are 2x3 maps: norms must cover every non-batch axis


def linear_critic(weights):
    """x -> sum(w * x) per example, with shape (N, 1): its input gradient is w everywhere."""
    return lambda x: ops.sum(ops.reshape(x * weights, (ops.shape(x)[0], -1)), axis=-1, keepdims=True)


def weights_of_norm(norm):
    w = np.random.default_rng(1).normal(size=SAMPLES_SHAPE[1:])
    return keras.Variable((norm * w / np.linalg.norm(w)).astype("float32"))


def real_fake_epsilon():
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(2, *SAMPLES_SHAPE)).astype("float32")
    return real, fake, rng.uniform(size=(SAMPLES_SHAPE[0], 1, 1)).astype("float32")


@pytest.mark.parametrize("norm, expected", [(1.0, 0.0), (2.0, (2 - 1) ** 2), (0.5, (0.5 - 1) ** 2)])
def test_gradient_penalty_of_linear_critic(norm, expected):
    penalty = np.asarray(losses.gradient_penalty(linear_critic(weights_of_norm(norm)), *real_fake_epsilon()))
    assert penalty.shape == (SAMPLES_SHAPE[0],)
    np.testing.assert_allclose(penalty, expected, atol=1e-5)


def test_gradient_penalty_of_patch_critic_is_of_each_example_mean_score():
    # The losses average patch maps per example, so the constrained function is that mean:
    # three patches each scoring sum(w * x) with ||w|| = 1 average to a 1-Lipschitz function.
    linear = linear_critic(weights_of_norm(1.0))
    patch_critic = lambda x: ops.stack([linear(x)] * 3, axis=1)  # shape (N, 3, 1)
    penalty = np.asarray(losses.gradient_penalty(patch_critic, *real_fake_epsilon()))
    np.testing.assert_allclose(penalty, 0.0, atol=1e-5)


def test_gradient_penalty_interpolates_real_and_fake():
    # f(x) = 0.5 ||x||^2 has gradient x, so the penalty is (||x_hat|| - 1)^2 with
    # x_hat = eps * real + (1 - eps) * fake = [0.5 * (6, 0) + 0.5 * (0, 8), 0.75 * (0, 4) + 0.25 * (0, 0)]
    #       = [(3, 4), (0, 3)]  ->  norms [5, 3]  ->  penalties [16, 4]
    real = np.array([[6.0, 0.0], [0.0, 4.0]], dtype="float32")
    fake = np.array([[0.0, 8.0], [0.0, 0.0]], dtype="float32")
    epsilon = np.array([[0.5], [0.75]], dtype="float32")
    critic = lambda x: 0.5 * ops.sum(ops.square(x), axis=-1)  # shape (N,)
    np.testing.assert_allclose(np.asarray(losses.gradient_penalty(critic, real, fake, epsilon)), [16.0, 4.0], rtol=1e-5)


def penalty_gradient(weights):
    real, fake, epsilon = real_fake_epsilon()
    with tf.GradientTape() as tape:
        penalty = ops.mean(losses.gradient_penalty(linear_critic(weights), real, fake, epsilon))
    return tape.gradient(penalty, weights.value)


def test_gradient_penalty_is_differentiable_in_the_critic_weights():
    # Every example's penalty is (||w|| - 1)^2, whose gradient is 2 (||w|| - 1) w / ||w|| = w at ||w|| = 2.
    weights = weights_of_norm(2.0)
    grad = penalty_gradient(weights)
    assert grad is not None, "the inner tape did not record: no second-order gradient"
    assert np.all(np.isfinite(grad)) and np.any(np.asarray(grad) != 0)
    np.testing.assert_allclose(np.asarray(grad), np.asarray(weights), rtol=1e-5)
    # Same inside a compiled function, as in a train step.
    compiled = tf.function(lambda: penalty_gradient(weights))
    np.testing.assert_allclose(np.asarray(compiled()), np.asarray(weights), rtol=1e-5)


def test_gradient_penalty_gradient_is_finite_where_the_input_gradient_vanishes():
    # A zero critic has zero input gradient; d sqrt(s)/ds is infinite at s = 0 without the 1e-12.
    grad = np.asarray(penalty_gradient(keras.Variable(np.zeros(SAMPLES_SHAPE[1:], "float32"))))
    assert np.all(np.isfinite(grad))


def test_r1_penalty():
    weights = weights_of_norm(3.0)
    real = real_fake_epsilon()[0]
    penalty = np.asarray(losses.r1_penalty(linear_critic(weights), real))
    assert penalty.shape == (SAMPLES_SHAPE[0],)
    np.testing.assert_allclose(penalty, 9.0, rtol=1e-5)  # ||w||^2 = 3^2
    # f(x) = 0.5 ||x||^2 has gradient x: R1 = ||x||^2 = [3^2 + 4^2, 0 + 1^2]
    critic = lambda x: 0.5 * ops.sum(ops.square(x), axis=-1)
    np.testing.assert_allclose(
        np.asarray(losses.r1_penalty(critic, np.array([[3.0, 4.0], [0.0, 1.0]], "float32"))), [25.0, 1.0], rtol=1e-6
    )


def test_penalty_names():
    assert tuple(losses.PENALTIES) == ("gp", "r1", "drift") and losses.PENALTIES["r1"].scale == 0.5


def test_clip_weights():
    kernel = keras.Variable(np.array([[-0.5, 0.005], [0.02, -0.01]], "float32"))
    bias = keras.Variable(np.array([0.003, 7.0], "float32"))
    assert losses.clip_weights([kernel, bias], 0.01) is None
    np.testing.assert_array_equal(np.asarray(kernel), np.array([[-0.01, 0.005], [0.01, -0.01]], "float32"))
    np.testing.assert_array_equal(np.asarray(bias), np.array([0.003, 0.01], "float32"))


@pytest.mark.parametrize("limit", [0.0, -0.01])
def test_clip_weights_refuses_a_non_positive_limit(limit):
    with pytest.raises(ValueError, match="must be positive"):
        losses.clip_weights([keras.Variable(np.ones(2, "float32"))], limit)
