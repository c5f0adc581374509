"""Loss functions against their closed forms, computed independently in NumPy."""
import numpy as np
import pytest

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
