"""Conditional GANs: CGAN, ACGAN and the projection discriminator with conditional batch norm;
their labels in training and sampling, the class-conditional metrics, and `ganzoo sample --labels`."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import ganzoo
from ganzoo.cli import main
from ganzoo.config import ConfigError
from ganzoo.data import load_arrays
from ganzoo.layers import ConditionalBatchNormalization
from ganzoo.metrics import MetricInputError, class_accuracy, classification_accuracy_score, intra_fid
from ganzoo.models import ACGAN, ConditionalGAN, Step
from ganzoo.networks.projection import projection_discriminator

TINY = {"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}}


def tiny(name, **model):
    """A preset with 4-filter networks: the same code paths, a fraction of the arithmetic."""
    return ganzoo.load(name, model={**TINY, **model}, train={"batch_size": 8})


@pytest.fixture(scope="module")
def digits():
    return load_arrays("mnist-5k", labels=True, limit=600, seed=1)


def batch_of(digits, size=8):
    images, labels = digits
    return tf.convert_to_tensor(images[:size]), tf.convert_to_tensor(labels[:size].astype("int32"))


# ---------------------------------------------------------------------- labels in training


def test_training_draws_uniform_labels_for_the_generator(digits):
    model = tiny("cgan-mnist")
    real, labels = batch_of(digits)
    drawn = np.concatenate([np.asarray(model.draw(Step({"real": real, "labels": labels}))["labels"]) for _ in range(40)])
    assert drawn.dtype == np.int32 and drawn.shape == (320,)
    assert set(drawn) == set(range(10))  # every class, none outside


def test_the_discriminator_scores_reals_with_their_labels_and_fakes_with_the_drawn_ones(digits):
    model = tiny("cgan-mnist")
    real, labels = batch_of(digits)
    step = Step({"real": real, "labels": labels})
    step.draws = model.draw(step)
    step.fakes = model.generate_fakes(step)
    seen = []
    model.discriminator_inputs = lambda samples, conditioning: seen.append(np.asarray(conditioning)) or [samples, conditioning]
    model.discriminator_terms(step)
    model.generator_terms(step)
    np.testing.assert_array_equal(seen[0], np.asarray(labels))
    for fake_labels in seen[1:]:
        np.testing.assert_array_equal(fake_labels, np.asarray(step.draws["labels"]))
    assert not np.array_equal(seen[1], seen[0])


def test_the_label_steers_the_generator():
    model = tiny("cgan-mnist", generator={"base_filters": 4, "label_encoding": "one_hot"})
    threes, sevens = model.generate(4, labels=[3] * 4, seed=0), model.generate(4, labels=[7] * 4, seed=0)
    assert np.abs(threes - sevens).max() > 1e-4
    np.testing.assert_array_equal(threes, model.generate(4, labels=[3] * 4, seed=0))


def test_generate_refuses_bad_labels():
    model = tiny("projection-mnist")
    assert isinstance(model, ConditionalGAN)  # a projection discriminator is a CGAN's network
    with pytest.raises(ValueError, match=r"integers in \[0, 9\]"):
        model.generate(2, labels=[3, 10])
    with pytest.raises(ValueError, match="one label per sample"):
        model.generate(3, labels=[3, 3])
    with pytest.raises(ValueError, match="unconditional"):
        tiny("dcgan-mnist").generate(2, labels=[1, 2])


def test_conditional_settings_are_checked_before_building():
    with pytest.raises(ConfigError, match="num_classes must be an integer of at least 2"):
        tiny("cgan-mnist", num_classes=1)
    with pytest.raises(ConfigError, match="model.pack"):
        tiny("cgan-mnist", pack=2)
    with pytest.raises(ConfigError, match="classification_weight must be a positive number"):
        tiny("acgan-mnist", classification_weight=0)
    with pytest.raises(ConfigError, match="label_encoding must be one of embedding, one_hot"):
        tiny("cgan-mnist", generator={"label_encoding": "onehot"})
    with pytest.raises(ConfigError, match=r"Unknown key 'label_encoding' in model.discriminator"):
        tiny("acgan-mnist", discriminator={"label_encoding": "one_hot"})
    with pytest.raises(ConfigError, match="model.mismatch needs a discriminator that takes the label"):
        tiny("acgan-mnist", mismatch=True)
    with pytest.raises(ConfigError, match="mismatch"):
        tiny("cgan-mnist", mismatch="yes")


def test_a_matching_aware_discriminator_scores_real_samples_with_other_classes_as_fake(digits):
    # Without spectral norm, whose power iteration moves the weights at each call in training.
    model = tiny("projection-mnist", mismatch=True, discriminator={"base_filters": 4, "spectral_norm": False})
    real, labels = batch_of(digits)
    step = Step({"real": real, "labels": labels})
    step.draws = model.draw(step)
    step.fakes = model.generate_fakes(step)
    seen = []
    model.discriminator_inputs = lambda samples, conditioning: seen.append((samples, np.asarray(conditioning))) or [
        samples, conditioning]
    terms = model.discriminator_terms(step)
    assert set(terms) == {"adversarial", "mismatch"} and model.loss_weights == {"d_adversarial": 0.5, "d_mismatch": 0.5}
    (_, own), (_, drawn), (mismatched_seen, wrong) = seen
    np.testing.assert_array_equal(own, np.asarray(labels))
    np.testing.assert_array_equal(drawn, np.asarray(step.draws["labels"]))
    np.testing.assert_array_equal(np.asarray(mismatched_seen), np.asarray(real))
    assert np.all(wrong != own) and np.all((wrong >= 0) & (wrong < 10))
    # The mismatch term is the loss family's with the mismatched scores in the fakes' place.
    mismatched_scores = model.discriminator([real, tf.constant(wrong)])
    expected = model.loss_family.discriminator(model.discriminator([real, labels]), mismatched_scores)
    np.testing.assert_allclose(np.asarray(terms["mismatch"]), np.asarray(expected), rtol=1e-5)
    assert "d_mismatch" in model.trackers and "d_mismatch" not in tiny("projection-mnist", mismatch=False).trackers


def test_a_matching_aware_discriminator_draws_every_other_class():
    model = tiny("cgan-mnist", mismatch=True)
    labels = tf.constant(np.arange(4000) % 10, "int32")
    wrong, differs = model.mismatched_conditioning(labels)
    wrong = np.asarray(wrong)
    assert np.all(np.asarray(differs) == 1.0) and np.all(wrong != np.arange(4000) % 10)
    for label in range(10):
        assert set(wrong[np.arange(4000) % 10 == label]) == set(range(10)) - {label}


# ---------------------------------------------------------------------- training and saving


@pytest.mark.parametrize("name, model", [
    ("cgan-mnist", {"generator": {"base_filters": 4, "label_encoding": "one_hot"},
                    "discriminator": {"base_filters": 4, "label_encoding": "one_hot"}}),
    ("acgan-mnist", {"penalties": {"r1": 1.0}}),
    ("projection-mnist", {}),
])  # fmt: skip
def test_each_model_trains_and_reloads_with_the_same_outputs(name, model, digits, tmp_path):
    gan = tiny(name, **model)
    data = tf.data.Dataset.from_tensor_slices((digits[0][:24], digits[1][:24].astype("int32"))).batch(8)
    history = gan.fit(data, epochs=1, verbose=0)
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    gan.save(tmp_path / "m.keras")
    restored = keras.models.load_model(tmp_path / "m.keras")
    assert type(restored) is type(gan) and restored.num_classes == 10
    labels = [0, 3, 3, 9]
    np.testing.assert_allclose(restored.generate(4, labels=labels, seed=1), gan.generate(4, labels=labels, seed=1), atol=1e-6)
    images = digits[0][:4]
    conditioning = np.asarray(labels, "int32")
    np.testing.assert_allclose(
        np.asarray(restored.critic(images, conditioning, training=False)[0]),
        np.asarray(gan.critic(images, conditioning, training=False)[0]),
        atol=1e-5,
    )


def test_acgan_logs_and_weighs_its_classification_terms(digits):
    model = tiny("acgan-mnist", augment=None)  # no random shifts: both models see the same images
    networks = [network.get_weights() for network in (model.generator, model.discriminator)]
    batch = batch_of(digits)
    logs = {name: float(value) for name, value in model.train_step(batch).items()}
    assert {"d_classification", "g_classification", "d_loss", "g_loss", "d_real", "d_fake"} == set(logs)
    for network, weights in zip((model.generator, model.discriminator), networks):
        network.set_weights(weights)
    heavier = ACGAN(model.generator, model.discriminator, classification_weight=3.0, classify_fakes=model.classify_fakes,
                    num_classes=10, latent_dim=64, seed=0)
    heavier.compile(g_optimizer="sgd", d_optimizer="sgd")
    # The same networks, batch and draws: the discriminator's term is the same, weighted 3 times.
    heavier_logs = {name: float(value) for name, value in heavier.train_step(batch).items()}
    assert heavier_logs["d_classification"] == pytest.approx(3 * logs["d_classification"], rel=1e-5)
    assert logs["d_classification"] > 0 and logs["g_classification"] > 0


@pytest.mark.parametrize("classify_fakes", [True, False])
def test_acgan_classification_term_is_the_cross_entropy_of_the_batches_it_classifies(digits, classify_fakes):
    model = tiny("acgan-mnist", classify_fakes=classify_fakes, augment=None)  # the discriminator sees these very images
    real, labels = batch_of(digits)
    step = Step({"real": real, "labels": labels})
    step.draws = model.draw(step)
    step.fakes = model.generate_fakes(step)
    terms = model.discriminator_terms(step)
    _, real_classes = model.discriminator(real, training=True)
    _, fake_classes = model.discriminator(step.fakes["fake"], training=True)

    def cross_entropy(targets, logits):
        logits = np.asarray(logits, "float64")
        log_p = logits - logits.max(1, keepdims=True)
        log_p -= np.log(np.exp(log_p).sum(1, keepdims=True))
        return -log_p[np.arange(len(targets)), np.asarray(targets)]

    expected = cross_entropy(labels, real_classes)
    if classify_fakes:  # the paper's way: the fakes with their drawn labels too
        expected += cross_entropy(step.draws["labels"], fake_classes)
    np.testing.assert_allclose(np.asarray(terms["classification"]), expected, rtol=1e-4)


# ---------------------------------------------------------------------- projection and conditional BN


def unwrapped(network, name):
    """The layer called `name`, inside its SpectralNormalization wrapper if it has one."""
    return {getattr(layer, "layer", layer).name: getattr(layer, "layer", layer) for layer in network.layers}[name]


def test_the_projection_discriminator_computes_linear_plus_inner_product():
    network = projection_discriminator((8, 8, 1), num_classes=3, base_filters=2)
    phi = keras.Model(network.inputs, network.get_layer("projection").input[1])
    linear = unwrapped(network, "linear")
    embedding = unwrapped(network, "class_embedding").kernel
    rng = np.random.default_rng(0)
    images, labels = rng.uniform(-1, 1, (5, 8, 8, 1)).astype("float32"), np.array([0, 1, 2, 2, 0], "int32")
    features = np.asarray(phi([images, labels]))
    expected = features @ np.asarray(linear.kernel) + np.asarray(linear.bias)
    expected = expected[:, 0] + np.sum(np.asarray(embedding)[labels] * features, axis=1)
    np.testing.assert_allclose(np.asarray(network([images, labels], training=False))[:, 0], expected, rtol=1e-5, atol=1e-6)


def test_the_projection_discriminator_normalises_its_class_embedding():
    network = projection_discriminator((8, 8, 1), num_classes=3, base_filters=2)
    embedding = unwrapped(network, "class_embedding").kernel
    embedding.assign(5.0 * np.asarray(embedding))
    images, labels = np.zeros((2, 8, 8, 1), "float32"), np.array([0, 1], "int32")
    for _ in range(30):  # each training call takes one power-iteration step
        network([images, labels], training=True)
    assert np.linalg.svd(np.asarray(embedding), compute_uv=False)[0] == pytest.approx(1.0, abs=0.05)


def test_conditional_batch_norm_takes_each_class_gamma_and_beta(tmp_path):
    features, labels = keras.Input((2, 2, 3)), keras.Input((), dtype="int32")
    model = keras.Model([features, labels], ConditionalBatchNormalization(4, epsilon=1e-3)([features, labels]))
    layer = model.layers[-1]
    gamma = np.arange(12, dtype="float32").reshape(4, 3)
    beta = -np.arange(12, dtype="float32").reshape(4, 3) / 10
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    x = np.random.default_rng(0).normal(size=(3, 2, 2, 3)).astype("float32")
    y = np.array([2, 0, 3], "int32")
    scale, shift = gamma[y][:, None, None], beta[y][:, None, None]
    # Inference normalises with the moving statistics, still mean 0 and variance 1.
    expected = x / np.sqrt(1 + 1e-3) * scale + shift
    np.testing.assert_allclose(np.asarray(model([x, y], training=False)), expected, rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "cbn.keras")
    restored = keras.models.load_model(tmp_path / "cbn.keras")
    np.testing.assert_allclose(np.asarray(restored([x, y], training=False)), expected, rtol=1e-5, atol=1e-6)
    # Training normalises with the batch's statistics per channel.
    normalized = (x - x.mean((0, 1, 2))) / np.sqrt(x.var((0, 1, 2)) + 1e-3)
    np.testing.assert_allclose(np.asarray(model([x, y], training=True)), normalized * scale + shift, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------- metrics


def test_class_accuracy_of_real_digits(digits):
    images, labels = digits[0][:300], digits[1][:300]
    assert class_accuracy(images, labels, verbose=0) > 0.95
    assert class_accuracy(images, np.random.default_rng(0).permutation(labels), verbose=0) < 0.3
    with pytest.raises(MetricInputError, match="reads 10 classes but the labels go up to 12"):
        class_accuracy(images[:2], [1, 12], verbose=0)


def test_class_accuracy_reads_the_shapes_combination():
    images, labels = load_arrays("shapes", labels=True, limit=120)
    assert class_accuracy(images, labels, extractor="shapes", verbose=0) > 0.95
    assert class_accuracy(images, (labels + 1) % 120, extractor="shapes", verbose=0) < 0.05


def test_intra_fid_is_zero_for_the_same_classes_and_grows_when_they_are_mixed():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 200)
    features = rng.normal(size=(600, 4)) + 3.0 * labels[:, None]
    mean, per_class = intra_fid(features, labels, features, labels)
    assert mean == pytest.approx(0.0, abs=1e-6) and sorted(per_class) == [0, 1, 2]
    other = rng.normal(size=(600, 4)) + 3.0 * labels[:, None]
    assert intra_fid(features, labels, other, labels)[0] < 0.2
    assert intra_fid(features, labels, other, rng.permutation(labels))[0] > 5
    with pytest.raises(MetricInputError, match="Class 3 has 0 real and 1 generated"):
        intra_fid(features, labels, other, np.r_[labels[:-1], 3])


def test_cas_learns_from_true_labels_and_not_from_shuffled_ones(digits):
    images, labels = digits
    train, test = slice(0, 400), slice(400, 600)
    score = classification_accuracy_score(images[train], labels[train], images[test], labels[test], num_classes=10, epochs=3)
    shuffled = np.random.default_rng(0).permutation(labels[train])
    chance = classification_accuracy_score(images[train], shuffled, images[test], labels[test], num_classes=10, epochs=3)
    assert score > 0.7 and chance < 0.3


def test_the_evaluator_scores_a_conditional_model():
    model = tiny("cgan-mnist")
    scores = ganzoo.metrics.evaluate(model, "mnist-5k", metrics=["class_accuracy", "cas"], n=100, verbose=0)
    assert {"class_accuracy", "cas", "cas_real"} == set(scores) and 0 <= scores["class_accuracy"] <= 1
    assert scores["cas_real"] > scores["cas"] + 0.3  # an untrained generator teaches nothing about digits
    with pytest.raises(MetricInputError, match="score a conditional model"):
        ganzoo.metrics.evaluate(tiny("dcgan-mnist"), "mnist-5k", metrics=["class_accuracy"], n=20, verbose=0)


def pooled_features():
    """16-d features (4x4 average pooling): enough samples per class for a regular covariance."""
    image = keras.Input((28, 28, 1))
    return keras.Model(image, keras.layers.Flatten()(keras.layers.AveragePooling2D(7)(image)))


def test_the_evaluator_takes_samples_with_their_labels_and_scores_intra_fid(digits):
    real = digits[0][:300], digits[1][:300]
    options = dict(metrics=["intra_fid"], n=300, features=pooled_features(), verbose=0)
    same = ganzoo.metrics.evaluate(real, real, **options)
    assert {"intra_fid"} | {f"intra_fid_{c}" for c in range(10)} == set(same)
    assert same["intra_fid"] == pytest.approx(0, abs=1e-6)
    shuffled = ganzoo.metrics.evaluate((real[0], np.random.default_rng(0).permutation(real[1])), real, **options)
    assert shuffled["intra_fid"] > 0.3  # pixel-scale features: each class mixed with the others
    model = tiny("cgan-mnist")
    assert set(ganzoo.metrics.evaluate(model, "mnist-5k", **options)) == set(same)
    with pytest.raises(MetricInputError, match=r"as a \(samples, labels\) pair"):
        ganzoo.metrics.evaluate(real[0], real, **options)


# ---------------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def saved_models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    tiny("cgan-mnist").save(folder / "cgan.keras")
    tiny("dcgan-mnist").save(folder / "dcgan.keras")
    return folder


def picture_shape(path):
    with Image.open(path) as image:
        return np.asarray(image).shape


def test_cli_samples_given_labels_and_one_row_per_class(saved_models, tmp_path, capsys):
    model = str(saved_models / "cgan.keras")
    assert main(["sample", model, "--labels", "3,3,7", "-o", str(tmp_path / "labels.png")]) == 0
    assert picture_shape(tmp_path / "labels.png") == (2 * 30 + 2, 2 * 30 + 2)  # 3 digits on a 2 x 2 grid
    assert main(["sample", model, "--per-class", "-n", "4", "-o", str(tmp_path / "rows.png")]) == 0
    assert picture_shape(tmp_path / "rows.png") == (10 * 30 + 2, 4 * 30 + 2)
    assert main(["sample", model, "--per-class", "--seed", "2"]) == 0
    assert (saved_models / "per_class_seed2.png").is_file()


@pytest.mark.parametrize("arguments, message", [
    (["--labels", "3,10"], r"integers in [0, 9]"),
    (["--labels", "3,3,7", "-n", "4"], "--labels lists 3 classes but -n asks for 4 samples"),
])  # fmt: skip
def test_cli_refuses_bad_labels(saved_models, capsys, arguments, message):
    assert main(["sample", str(saved_models / "cgan.keras"), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_cli_refuses_labels_for_an_unconditional_model(saved_models, capsys):
    for option in (["--labels", "1,2"], ["--per-class"]):
        assert main(["sample", str(saved_models / "dcgan.keras"), *option]) == 2
        assert "holds an unconditional GAN" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sample", str(saved_models / "cgan.keras"), "--labels", "three"])
    assert "comma-separated class numbers" in capsys.readouterr().err


def test_cli_eval_takes_the_conditional_metrics(saved_models, tmp_path, capsys):
    output = tmp_path / "eval.json"
    arguments = ["eval", str(saved_models / "cgan.keras"), "--data", "mnist-5k", "-n", "60", "-o", str(output)]
    assert main([*arguments, "--metrics", "class_accuracy"]) == 0
    assert "class_accuracy" in capsys.readouterr().out and output.is_file()
