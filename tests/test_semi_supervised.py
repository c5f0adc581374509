"""Semi-supervised GAN and the data it trains on: the class-balanced labelled few, the held-out
split, the (images, labelled images, labels) batches, the logsumexp discriminator and the classifier."""
import keras
import numpy as np
import pytest

import ganzoo
from ganzoo.config import ConfigError, DataConfig
from ganzoo.data import DataError, check_preset_data, labelled_indices, load, load_arrays, load_epochs
from ganzoo.models import SemiSupervisedGAN, Step

TINY = {"discriminator": {"units": [32, 16]}, "generator": {"units": [32]}, "latent_dim": 8}


def tiny(**train):
    return ganzoo.load("sgan-mnist", model=TINY, train={"batch_size": 16, **train})


def test_the_labelled_few_are_class_balanced_and_seeded():
    labels = np.repeat(np.arange(10), 50)
    chosen = labelled_indices(labels, 25, seed=3)
    assert len(chosen) == 25 and len(set(chosen)) == 25
    assert sorted(np.bincount(labels[chosen])) == [2] * 5 + [3] * 5
    np.testing.assert_array_equal(chosen, labelled_indices(labels, 25, seed=3))
    assert not np.array_equal(chosen, labelled_indices(labels, 25, seed=4))
    with pytest.raises(DataError, match="at least one label.*Use at least 10"):
        labelled_indices(labels, 5)
    with pytest.raises(DataError, match="asks for 60 examples of class 0, which has 50"):
        labelled_indices(labels, 600)


def test_held_out_digits_are_never_trained_on():
    test_images, test_labels = load_arrays("mnist-5k", labels=True, split="test")
    train_images = load_arrays("mnist-5k", hold_out=True)
    assert np.bincount(test_labels).tolist() == [100] * 10 and len(train_images) == 4000
    seen = {image.tobytes() for image in train_images}
    assert not any(image.tobytes() in seen for image in test_images)
    nines_gone = load_arrays("mnist-5k", labels=True, hold_out=True, classes=[0, 1])[1]
    assert set(nines_gone) == {0, 1} and len(nines_gone) == 800


def test_a_folder_needs_class_folders_to_hold_out_a_test_split(tmp_path):
    from PIL import Image

    for index in range(3):
        Image.fromarray(np.zeros((8, 8), "uint8")).save(tmp_path / f"{index}.png")
    with pytest.raises(DataError, match="not in one sub-folder per class, so it has no labels to hold out a test split by"):
        load(str(tmp_path), batch_size=2, split="test")


def test_semi_supervised_batches_hold_all_images_and_the_labelled_few():
    images, labels = load_arrays("mnist-5k", labels=True, hold_out=True)
    chosen = labelled_indices(labels, 20, seed=0)
    few = {images[i].tobytes(): labels[i] for i in chosen}
    data = load("mnist-5k", batch_size=32, pairing="semi", labelled=20, hold_out=True)
    assert int(data.cardinality()) == 4000 // 32
    for real, labelled, batch_labels in data.take(3):
        assert real.shape == labelled.shape == (32, 28, 28, 1)
        for image, label in zip(labelled.numpy(), batch_labels.numpy()):
            assert few[image.tobytes()] == label  # only the chosen 20, with their own labels
    held_out = {image.tobytes() for image in load_arrays("mnist-5k", split="test")}
    preset_data, _ = ganzoo.data.preset_epochs(ganzoo.resolve_preset("sgan-mnist"), 0)
    for real, labelled, _ in preset_data.take(40):  # a whole epoch of the preset's batches
        assert not any(image.tobytes() in held_out for part in (real, labelled) for image in part.numpy())
    resumed, steps = load_epochs("mnist-5k", 1, 2, batch_size=32, pairing="semi", labelled=20, hold_out=True)
    assert steps == 125 and len(list(resumed)) == 125


def test_semi_supervised_settings_are_checked_before_anything_loads():
    with pytest.raises(ConfigError, match="pairing semi .* give data.labelled"):
        DataConfig("mnist-5k", pairing="semi")
    with pytest.raises(ConfigError, match="data.labelled is for pairing labels .* or semi, not 'none'"):
        DataConfig("mnist-5k", labelled=100)
    with pytest.raises(ConfigError, match="data.classes is a list of the labels to keep"):
        DataConfig("mnist-5k", classes=[-1])
    with pytest.raises(DataError, match="cannot label each of the 10 classes"):
        check_preset_data(DataConfig("mnist-5k", pairing="semi", labelled=5), (28, 28, 1), "semi")
    with pytest.raises(DataError, match="data.classes \\[12\\] names labels that 'mnist-5k' lacks"):
        check_preset_data(DataConfig("mnist-5k", classes=[12]), (28, 28, 1), "none")
    check_preset_data(DataConfig("mnist-5k", pairing="semi", labelled=4, classes=[0, 1]), (28, 28, 1), "semi")
    with pytest.raises(DataError, match="cannot label each of the 2 classes"):
        check_preset_data(DataConfig("mnist-5k", pairing="semi", labelled=1, classes=[0, 1]), (28, 28, 1), "semi")
    with pytest.raises(ConfigError, match="does not fit a semi-supervised GAN.*non_saturating or minimax"):
        ganzoo.load("sgan-mnist", model={**TINY, "loss": "hinge"})
    with pytest.raises(DataError, match="trains on data.pairing 'semi'"):
        ganzoo.load("sgan-mnist", data={"pairing": "labels"})


def quiet():
    """Without Gaussian noise and random shifts, so training-mode outputs are deterministic."""
    return ganzoo.load("sgan-mnist", model={**TINY, "augment": None,
                                            "discriminator": {"units": [32, 16], "input_noise": 0.0, "hidden_noise": 0.0}})


def test_the_real_fake_logit_is_the_logsumexp_of_the_class_logits():
    model = quiet()
    images = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    logits = keras.ops.convert_to_numpy(model.discriminator(images, training=False)[0])
    got = keras.ops.convert_to_numpy(model.adversarial_critic(keras.ops.convert_to_tensor(images)))
    np.testing.assert_allclose(got, np.log(np.exp(logits).sum(axis=1)), rtol=1e-5, atol=1e-5)


def test_only_the_labelled_part_carries_the_class_loss():
    model = quiet()
    rng = np.random.default_rng(1)
    real, labelled = (rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32") for _ in range(2))
    labels = rng.integers(0, 10, 8).astype("int32")
    step = Step({"real": real, "labelled": labelled, "labels": labels})
    step.draws = model.draw(step)
    step.fakes = model.generate_fakes(step)
    first = model.discriminator_terms(step)["classification"]
    step.batch["real"] = -real  # other unlabelled images: the same class loss
    np.testing.assert_allclose(model.discriminator_terms(step)["classification"], first, rtol=1e-5)
    step.batch["labels"] = (labels + 1) % 10
    assert not np.allclose(model.discriminator_terms(step)["classification"], first)


def test_feature_matching_is_zero_for_identical_feature_means():
    model = quiet()
    images = np.random.default_rng(2).uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    step = Step({"real": images, "labelled": images, "labels": np.zeros(6, "int32")})
    step.fakes = {"fake": images[::-1]}  # the same images in another order: the same feature means
    np.testing.assert_allclose(model.generator_terms(step)["feature_matching"], np.zeros(6), atol=1e-8)
    step.fakes = {"fake": -images}
    assert float(np.mean(model.generator_terms(step)["feature_matching"])) > 0


def test_the_classifier_is_a_plain_keras_model_with_its_own_weights(tmp_path):
    model = tiny()
    data = load("mnist-5k", batch_size=16, pairing="semi", labelled=20, hold_out=True, limit=64)
    model.fit(data, epochs=1, verbose=0)
    images, labels = load_arrays("mnist-5k", labels=True, split="test", limit=40)
    classifier = model.classifier()
    probabilities = classifier.predict(images, verbose=0)
    logits = keras.ops.convert_to_numpy(model.discriminator(images, training=False)[0])
    np.testing.assert_allclose(probabilities, keras.ops.convert_to_numpy(keras.ops.softmax(logits)), rtol=1e-4, atol=1e-6)
    loss, accuracy = classifier.evaluate(images, labels, verbose=0)
    assert np.isclose(accuracy, np.mean(probabilities.argmax(1) == labels))
    classifier.save(tmp_path / "classifier.keras")
    model.fit(data, epochs=1, verbose=0)  # training on does not move the copy
    np.testing.assert_allclose(classifier.predict(images, verbose=0), probabilities, rtol=1e-5)
    restored = keras.models.load_model(tmp_path / "classifier.keras")
    np.testing.assert_allclose(restored.predict(images, verbose=0), probabilities, rtol=1e-5)


@pytest.mark.slow
def test_it_learns_the_classes_from_the_labelled_few():
    keras.utils.set_random_seed(0)
    model = ganzoo.load("sgan-mnist", model={**TINY, "augment": None}, train={"batch_size": 32, "seed": 0})
    data = load("mnist-5k", batch_size=32, pairing="semi", labelled=100, hold_out=True, limit=800)
    images, labels = load_arrays("mnist-5k", labels=True, split="test")
    before = model.classifier().evaluate(images, labels, verbose=0)[1]
    model.fit(data, epochs=8, verbose=0)
    after = model.classifier().evaluate(images, labels, verbose=0)[1]
    assert before < 0.2 and after > 0.5, (before, after)


def test_a_semi_supervised_gan_refuses_what_it_cannot_do():
    with pytest.raises(ConfigError, match="num_classes must be an integer of at least 2"):
        ganzoo.load("sgan-mnist", model={**TINY, "num_classes": 1})
    with pytest.raises(ConfigError, match="model.pack"):
        ganzoo.load("sgan-mnist", model={**TINY, "pack": 2})
    model = tiny()
    assert isinstance(model, SemiSupervisedGAN) and not model.conditional
    with pytest.raises(ValueError, match="unconditional: it draws no classes"):
        model.generate(3, labels=[0, 1, 2])
