"""Synthetic examples from a conditional GAN: class balance, seeding, and the mixed tf.data source."""
import numpy as np
import pytest

import ganzoo
from ganzoo.augment import balanced_labels, mixed_dataset, synthetic


@pytest.fixture(scope="module")
def cgan():
    return ganzoo.load("cgan-mnist", model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}})


def test_synthetic_examples_are_class_balanced_and_seeded(cgan):
    images, labels = synthetic(cgan, 25, seed=1)
    assert images.shape == (25, 28, 28, 1) and images.dtype == np.float32
    assert sorted(np.bincount(labels, minlength=10)) == [2] * 5 + [3] * 5
    again, same_labels = synthetic(cgan, 25, seed=1)
    np.testing.assert_array_equal(again, images)
    np.testing.assert_array_equal(same_labels, labels)
    np.testing.assert_array_equal(images, cgan.generate(25, labels=labels, seed=1))  # each drawn for its label
    asked, given = synthetic(cgan, 3, labels=[7, 7, 2])
    assert given.tolist() == [7, 7, 2] and asked.shape[0] == 3
    assert np.bincount(balanced_labels(100, 10, seed=5)).tolist() == [10] * 10


def test_synthetic_refuses_unconditional_models_and_bad_counts(cgan):
    dcgan = ganzoo.load("dcgan-mnist", model={"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}})
    with pytest.raises(ValueError, match="need a conditional model.*draws no classes"):
        synthetic(dcgan, 10)
    with pytest.raises(ValueError, match="positive number of samples"):
        synthetic(cgan, 0)
    with pytest.raises(ValueError, match="Labels must be integers in \\[0, 9\\]"):
        synthetic(cgan, 2, labels=[3, 10])


def test_each_batch_mixes_real_and_generated_at_the_ratio(cgan):
    real = np.full((40, 28, 28, 1), 0.5, "float32")  # recognisable: the generator never makes a flat 0.5
    real_labels = np.arange(40) % 10
    data = mixed_dataset(cgan, real, real_labels, ratio=0.25, batch_size=16, pool=30, seed=0)
    batches = list(data)
    assert len(batches) == max(-(-30 // 4), -(-40 // 12))  # the stream needing more batches is covered once
    fake_counts, real_labels_seen = [], []
    for images, labels in batches:
        assert images.shape == (16, 28, 28, 1) and labels.shape == (16,)
        is_real = np.all(images.numpy() == 0.5, axis=(1, 2, 3))
        fake_counts.append(int((~is_real).sum()))
        real_labels_seen += labels.numpy()[is_real].tolist()
    assert fake_counts == [4] * len(batches)
    # The real stream covers all 40 real examples at least once (cycled when it runs out first).
    assert np.bincount(real_labels_seen, minlength=10).min() >= 4
    fake_images, fake_labels = synthetic(cgan, 30, seed=0)
    first_images, first_labels = batches[0]
    for image, label in zip(first_images.numpy()[:4], first_labels.numpy()[:4]):
        match = [i for i in range(30) if np.array_equal(fake_images[i], image)]
        assert match and fake_labels[match[0]] == label  # a pool sample with the label it was drawn for


def test_the_ends_of_the_ratio_are_real_only_and_samples_only(cgan):
    real = np.full((20, 28, 28, 1), 0.5, "float32")
    only_real = next(iter(mixed_dataset(cgan, real, np.zeros(20, int), ratio=0.0, batch_size=8)))[0].numpy()
    assert np.all(only_real == 0.5)
    only_fake = next(iter(mixed_dataset(cgan, real, np.zeros(20, int), ratio=1.0, batch_size=8, pool=16)))[0].numpy()
    assert not np.any(np.all(only_fake == 0.5, axis=(1, 2, 3)))
    with pytest.raises(ValueError, match="share of each batch that is generated, between 0 and 1"):
        mixed_dataset(cgan, real, np.zeros(20, int), ratio=1.5)
    with pytest.raises(ValueError, match="one label per real image"):
        mixed_dataset(cgan, real, np.zeros(3, int), ratio=0.5)
