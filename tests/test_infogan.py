"""InfoGAN: codes drawn and fed to the generator, the information term on both sides, the Q head
in the discriminator player, sampling with fixed codes, the code grid, and the code accuracy metric."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import testing
from ganzoo.config import ConfigError
from ganzoo.data import load_arrays
from ganzoo.images import image_grid
from ganzoo.metrics import MetricInputError, code_class_accuracy
from ganzoo.models import InfoGAN, Step

TINY = {"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4, "q_units": 8}}
TINY_DCGAN = {"generator": {"base_filters": 4}, "discriminator": {"base_filters": 4}}


def tiny(**model):
    """infogan-mnist with 4-filter networks: the same code paths, a fraction of the arithmetic."""
    return ganzoo.load("infogan-mnist", model={**TINY, **model}, train={"batch_size": 8})


@pytest.fixture(scope="module")
def digits():
    return load_arrays("mnist-5k", labels=True, limit=200, seed=2)


@pytest.fixture(scope="module")
def two_codes():
    """Two categorical codes (3 and 4 categories) and 2 continuous ones: the code layout is tested."""
    return tiny(categorical_codes=[3, 4])


def fake_step(model, images):
    step = Step({"real": tf.convert_to_tensor(images)})
    step.draws = model.draw(step)
    step.fakes = model.generate_fakes(step)
    return step


def one_hot(indices, count):
    return np.eye(count, dtype="float32")[np.asarray(indices)]


# ---------------------------------------------------------------------- codes in training


def test_codes_are_drawn_in_range_and_fed_to_the_generator_as_one_hots_and_values(two_codes, digits):
    step = Step({"real": tf.convert_to_tensor(digits[0][:8])})
    draws = [two_codes.draw(step) for _ in range(30)]
    categorical = np.concatenate([np.asarray(draw["categorical"]) for draw in draws])
    continuous = np.concatenate([np.asarray(draw["continuous"]) for draw in draws])
    assert categorical.dtype == np.int32 and categorical.shape == (240, 2)
    assert set(categorical[:, 0]) == {0, 1, 2} and set(categorical[:, 1]) == {0, 1, 2, 3}
    assert continuous.shape == (240, 2) and -1 <= continuous.min() < -0.8 and 0.8 < continuous.max() <= 1
    latents, codes = (np.asarray(part) for part in two_codes.generator_inputs(draws[0]))
    assert latents.shape == (8, two_codes.latent_dim) and codes.shape == (8, 3 + 4 + 2)
    first, second = np.asarray(draws[0]["categorical"]).T
    np.testing.assert_array_equal(codes[:, :3], one_hot(first, 3))
    np.testing.assert_array_equal(codes[:, 3:7], one_hot(second, 4))
    np.testing.assert_array_equal(codes[:, 7:], np.asarray(draws[0]["continuous"]))


def test_fixed_codes_steer_the_generator_and_the_rest_comes_from_the_seed(two_codes):
    drawn = two_codes.sampling_draws(3, seed=1)
    np.testing.assert_array_equal(
        two_codes.generate(3, seed=1), two_codes.generate(3, seed=1, categorical=drawn["categorical"], continuous=drawn["continuous"])
    )
    zeros = two_codes.generate(3, seed=1, categorical=[[0, 0]] * 3)
    assert np.abs(zeros - two_codes.generate(3, seed=1, categorical=[[2, 0]] * 3)).max() > 1e-4
    assert np.abs(zeros - two_codes.generate(3, seed=1, categorical=[[0, 0]] * 3, continuous=[[1, -1]] * 3)).max() > 1e-4
    with pytest.raises(ValueError, match=r"one row of 2 categories per sample: 3 samples asked for"):
        two_codes.generate(3, categorical=[0, 1, 2])
    with pytest.raises(ValueError, match=r"which take 0..2, 0..3; got 4"):
        two_codes.generate(2, categorical=[[0, 0], [1, 4]])
    with pytest.raises(ValueError, match="one row of 2 values per sample"):
        two_codes.generate(2, continuous=[[0.0, np.nan], [0.0, 0.0]])
    with pytest.raises(ValueError, match="unconditional"):
        two_codes.generate(2, labels=[1, 2])


# ---------------------------------------------------------------------- the information term


def cross_entropy(targets, logits):
    logits = np.asarray(logits, "float64")
    log_p = logits - logits.max(1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(1, keepdims=True))
    return -log_p[np.arange(len(targets)), np.asarray(targets)]


@pytest.mark.parametrize("continuous_weight", [1.0, 0.25])
def test_the_info_term_is_the_q_heads_negative_log_likelihood_on_both_sides(continuous_weight, digits):
    model = tiny(categorical_codes=[3, 4], continuous_weight=continuous_weight)
    step = fake_step(model, digits[0][:8])
    d_info = np.asarray(model.discriminator_terms(step)["info"])
    g_info = np.asarray(model.generator_terms(step)["info"])
    _, q_params = (np.asarray(output) for output in model.discriminator(step.fakes["fake"], training=True))
    categorical, continuous = np.asarray(step.draws["categorical"]), np.asarray(step.draws["continuous"])
    expected = (
        cross_entropy(categorical[:, 0], q_params[:, :3])
        + cross_entropy(categorical[:, 1], q_params[:, 3:7])
        + continuous_weight * 0.5 * np.sum((continuous - q_params[:, 7:]) ** 2, axis=1)
    )
    np.testing.assert_allclose(d_info, expected, rtol=1e-4)
    np.testing.assert_allclose(g_info, expected, rtol=1e-4)


def test_the_info_term_is_logged_and_weighted_by_info_weight(digits):
    preset = ganzoo.resolve_preset("infogan-mnist", {"model": TINY})
    networks = ganzoo.networks.build_networks(preset.model)
    weights = [network.get_weights() for network in networks.values()]
    batch = tf.convert_to_tensor(digits[0][:8])
    logs = {}
    for info_weight in (1.0, 3.0):
        for network, saved in zip(networks.values(), weights):
            network.set_weights(saved)
        model = InfoGAN(**networks, info_weight=info_weight, latent_dim=preset.model.settings["latent_dim"], seed=0)
        model.compile(g_optimizer="sgd", d_optimizer="sgd")
        logs[info_weight] = {name: float(value) for name, value in model.train_step(batch).items()}
    assert set(logs[1.0]) == {"d_loss", "g_loss", "d_real", "d_fake", "d_info", "g_info"}
    assert logs[1.0]["d_info"] > 0 and logs[1.0]["g_info"] > 0
    # The same networks, batch and draws: the discriminator's term is the same, weighted 3 times.
    assert logs[3.0]["d_info"] == pytest.approx(3 * logs[1.0]["d_info"], rel=1e-5)


def test_the_q_head_belongs_to_the_discriminator_player_and_both_players_learn_from_it(digits):
    model = tiny()
    discriminator = {id(variable) for variable in model.player_variables("discriminator")}
    generator = {id(variable) for variable in model.player_variables("generator")}
    q_head = [variable for name in ("q_hidden", "q_params") for variable in model.discriminator.get_layer(name).trainable_variables]
    assert q_head and all(id(variable) in discriminator and id(variable) not in generator for variable in q_head)
    step = Step({"real": tf.convert_to_tensor(digits[0][:8])})
    step.draws = model.draw(step)
    body = model.discriminator.trainable_variables[0]  # the first convolution, shared by both heads
    with tf.GradientTape(persistent=True) as tape:
        step.fakes = model.generate_fakes(step)
        d_info = tf.reduce_mean(model.discriminator_terms(step)["info"])
        g_info = tf.reduce_mean(model.generator_terms(step)["info"])
    assert float(tf.norm(tape.gradient(d_info, body))) > 0
    assert float(tf.norm(tape.gradient(d_info, q_head[0]))) > 0
    generator_gradients = tape.gradient(g_info, model.player_variables("generator"))
    assert sum(float(tf.norm(gradient)) for gradient in generator_gradients if gradient is not None) > 0


# ---------------------------------------------------------------------- saving, sampling and the grid


def test_a_penalised_infogan_passes_the_model_checks_and_reloads(digits, tmp_path):
    model = tiny(penalties={"gp": 10.0})
    critic, real, fake = model.penalty_critic(fake_step(model, digits[0][:8]))
    assert tuple(critic(real).shape) == (8, 1)  # the real/fake head alone
    testing.run_model_checks(model, tmp_path, batch=digits[0][:8])
    restored = keras.models.load_model(tmp_path / "round_trip.keras")
    assert type(restored) is InfoGAN and restored.categorical_codes == (10,) and restored.continuous_codes == 2
    codes = dict(categorical=[0, 4, 9], continuous=[[-1, 0], [0, 0.5], [1, 1]])
    np.testing.assert_allclose(restored.generate(3, seed=2, **codes), model.generate(3, seed=2, **codes), atol=1e-6)
    np.testing.assert_array_equal(restored.code_grid(columns=3, seed=1), model.code_grid(columns=3, seed=1))
    for saved, loaded in zip(model.discriminator(digits[0][:4]), restored.discriminator(digits[0][:4])):
        np.testing.assert_allclose(np.asarray(loaded), np.asarray(saved), atol=1e-5)


def tile(picture, row, column, size=28, padding=2):
    top, left = padding + row * (size + padding), padding + column * (size + padding)
    return picture[top : top + size, left : left + size].astype(int)


def test_the_code_grid_has_a_row_per_category_and_sweeps_a_continuous_code_along_it():
    model = tiny()
    grid = model.code_grid(columns=5, seed=3, sweep=1, extent=2.0)
    assert grid.dtype == np.uint8 and grid.shape == (10 * 30 + 2, 5 * 30 + 2, 1)
    fixed = model.sampling_draws(1, seed=3)["continuous"][0, 0]  # the code not swept keeps the seed's value
    for row, column in [(0, 0), (3, 4), (9, 2)]:
        value = np.linspace(-2.0, 2.0, 5)[column]
        sample = model.generate(1, seed=3, categorical=[row], continuous=[[fixed, value]])
        np.testing.assert_allclose(tile(grid, row, column), tile(image_grid(sample), 0, 0), atol=1)
    assert np.abs(tile(grid, 0, 0) - tile(grid, 1, 0)).max() > 0 and np.abs(tile(grid, 0, 0) - tile(grid, 0, 4)).max() > 0
    np.testing.assert_array_equal(model.preview(20, seed=3), model.code_grid(columns=2, seed=3))
    with pytest.raises(ValueError, match="sweep names a continuous code, 0 to 1; got 2"):
        model.code_grid(sweep=2)
    with pytest.raises(ValueError, match="positive number of columns"):
        model.code_grid(columns=0)


def test_without_continuous_codes_the_grid_varies_the_latents_along_each_row(digits):
    model = tiny(continuous_codes=0)
    assert model.generator.input_shape[1] == (None, 10)
    testing.assert_train_step_finite(model, digits[0][:8])
    grid = model.code_grid(columns=3, seed=0)
    assert grid.shape == (10 * 30 + 2, 3 * 30 + 2, 1)
    assert np.abs(tile(grid, 0, 0) - tile(grid, 0, 1)).max() > 0


# ---------------------------------------------------------------------- settings


@pytest.mark.parametrize("model, message", [
    ({"categorical_codes": []}, "categorical_codes lists the number of categories"),
    ({"categorical_codes": [10, 1]}, "each at least 2, such as"),
    ({"categorical_codes": "ten"}, "categorical_codes must be a list"),
    ({"continuous_codes": -1}, "continuous_codes must be an integer of 0 or more"),
    ({"info_weight": 0}, "info_weight must be a positive number"),
    ({"continuous_weight": -0.1}, "continuous_weight must be a positive number"),
    ({"pack": 2}, "model.pack"),
    ({"discriminator": {"base_filters": 4, "q_units": -1}}, "q_units must be an integer of 0 or more"),
    ({"generator": {"base_filters": 4, "dense_units": -1}}, "generator.dense_units must be an integer of 0 or"),
    ({"discriminator": {"base_filters": 4, "dense_units": -8}}, "discriminator.dense_units must be an integer"),
])  # fmt: skip
def test_bad_settings_are_refused_by_name(model, message):
    with pytest.raises(ConfigError, match=message):
        tiny(**model)


def test_networks_without_codes_or_a_q_head_are_refused():
    networks = ganzoo.networks.build_networks(ganzoo.resolve_preset("dcgan-mnist", {"model": TINY_DCGAN}).model)
    with pytest.raises(ValueError, match=r"needs a generator taking \[latents, 12 code values\].*info-dcgan"):
        InfoGAN(**networks, latent_dim=64)


# ---------------------------------------------------------------------- the code accuracy metric


def test_code_class_accuracy_finds_the_best_one_to_one_mapping():
    rng = np.random.default_rng(0)
    classes = rng.integers(0, 10, 5000)
    permutation = rng.permutation(10)
    accuracy, mapping = code_class_accuracy(permutation[classes], classes)
    assert accuracy == 1.0 and mapping == {int(permutation[label]): label for label in range(10)}
    chance, _ = code_class_accuracy(rng.integers(0, 10, 5000), classes)
    assert 0.09 < chance < 0.15
    assert code_class_accuracy([0, 0, 1, 1, 1], [2, 2, 2, 0, 0]) == (0.8, {0: 2, 1: 0})
    accuracy, mapping = code_class_accuracy([0, 1, 2], [0, 0, 1])
    assert accuracy == pytest.approx(2 / 3) and sorted(mapping) == [0, 1, 2]  # code 0 or 1 goes to a class never read
    with pytest.raises(MetricInputError, match="one code per sample"):
        code_class_accuracy([[0, 1]], [0, 1])
    with pytest.raises(MetricInputError, match="read labels must be one integer class per sample"):
        code_class_accuracy([0, 1, 1], [0, 1])


def test_the_evaluator_scores_the_code_read_back_by_the_digits_classifier(digits):
    model = tiny()
    samples, codes = model.coded_samples(30, seed=0)
    assert samples.shape == (30, 28, 28, 1) and list(codes[:12]) == [*range(10), 0, 1]
    score = ganzoo.metrics.evaluate(model, "mnist-5k", metrics=["code_accuracy"], n=30, verbose=0)["code_accuracy"]
    assert 0.1 <= score <= 1  # the best mapping matches at least a share 1 / categories
    images, labels = digits
    model.coded_samples = lambda n, seed=0: (images[:n], (labels[:n] + 3) % 10)  # a code naming every digit
    assert ganzoo.metrics.evaluate(model, "mnist-5k", metrics=["code_accuracy"], n=100, verbose=0)["code_accuracy"] > 0.95
    dcgan = ganzoo.load("dcgan-mnist", model=TINY_DCGAN)
    with pytest.raises(MetricInputError, match="reads an InfoGAN's categorical code"):
        ganzoo.metrics.evaluate(dcgan, "mnist-5k", metrics=["code_accuracy"], n=10, verbose=0)
