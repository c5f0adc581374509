"""The core serves every kind of model: a conditional latent GAN and a translator, written as the
README says, pass the same contract as the zoo's presets, and their settings are checked by their
own constructors."""
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import registry, testing
from ganzoo.config import ConfigError
from ganzoo.data import DataError
from variants import CONDITIONAL_PRESET, TRANSLATOR_PRESET, L1Translator, LabelConcatGAN


@pytest.fixture
def presets(tmp_path, monkeypatch):
    (tmp_path / "cgan-test.yaml").write_text(CONDITIONAL_PRESET)
    (tmp_path / "translator-test.yaml").write_text(TRANSLATOR_PRESET)
    monkeypatch.setattr(registry, "presets_dir", lambda: tmp_path)
    return tmp_path


def test_a_conditional_variant_passes_the_model_contract(presets, tmp_path):
    model = ganzoo.load("cgan-test")
    assert isinstance(model, LabelConcatGAN) and model.num_classes == 10
    testing.run_model_checks(model, tmp_path)
    preset = ganzoo.resolve_preset("cgan-test")
    element = next(iter(ganzoo.data.preset_dataset(preset)))
    testing.run_model_checks(model, tmp_path, batch=tuple(np.asarray(part) for part in element))


def test_a_conditional_preview_draws_one_row_per_class(presets):
    model = ganzoo.load("cgan-test")
    picture = model.preview(20, seed=0)  # 10 classes, 2 per class: 10 rows of 2 images of 8x8, 2 px borders
    assert picture.shape == (10 * 10 + 2, 2 * 10 + 2, 1)
    labels = [3, 3, 7]
    np.testing.assert_array_equal(model.generate(3, labels=labels, seed=1), model.generate(3, labels=labels, seed=1))
    with pytest.raises(ValueError, match=r"integers in \[0, 9\]"):
        model.generate(2, labels=[3, 10])
    with pytest.raises(ValueError, match="one label per sample"):
        model.generate(3, labels=[3, 3])


def test_the_evaluator_draws_labels_with_the_real_class_frequencies(presets):
    model = ganzoo.load("cgan-test")
    real = np.zeros((50, 8, 8, 1), "float32"), np.full(50, 4, "int32")  # every real example is a 4
    asked = []
    model.generate = lambda n, labels=None, seed=None: asked.append(labels) or np.zeros((n, 8, 8, 1), "float32")
    ganzoo.metrics.Evaluator(real, metrics=["fid"], n=20).samples_from(model)
    assert list(asked[0]) == [4] * 20


def test_the_model_class_checks_its_own_settings(presets):
    with pytest.raises(ConfigError, match=r"Unknown key 'num_clases'.*num_classes"):
        ganzoo.load("cgan-test", model={"num_clases": 3})
    with pytest.raises(ConfigError, match=r"model.num_classes must be int"):
        ganzoo.load("cgan-test", model={"num_classes": "ten"})
    with pytest.raises(DataError, match="'digits' has 10 classes but the model has num_classes 3"):
        ganzoo.load("cgan-test", model={"num_classes": 3})
    with pytest.raises(DataError, match="data.pairing: labels"):
        ganzoo.load("cgan-test", data={"pairing": "none"})
    with pytest.raises(ConfigError, match="Set num_classes once under model:"):
        ganzoo.load("cgan-test", model={"generator": {"num_classes": 10}})


def test_a_translator_passes_the_model_contract(presets, tmp_path):
    networks = ganzoo.networks.build_networks(ganzoo.resolve_preset("translator-test").model)
    model = L1Translator(networks["generator"], networks["discriminator"], lambda_l1=10.0, seed=0)
    model.compile(loss="least_squares")
    testing.run_model_checks(model, tmp_path)
    logs = testing.assert_train_step_finite(model, testing.example_batch(model))
    assert {"d_loss", "g_loss", "g_l1", "d_real", "d_fake"} == set(logs)


def test_a_translator_weighs_its_terms_and_logs_the_total(presets):
    preset = ganzoo.resolve_preset("translator-test")
    networks = ganzoo.networks.build_networks(preset.model)
    model = L1Translator(networks["generator"], networks["discriminator"], lambda_l1=10.0, seed=0)
    model.compile(g_optimizer="sgd", d_optimizer="sgd", loss="least_squares")
    source, target = testing.example_batch(model, batch_size=6)
    fake = model.translate(source)
    l1 = np.abs(fake - target).mean()
    adversarial = np.mean(0.5 * (np.array(model.critic(fake, source, training=False)) - 1) ** 2)
    logs = testing.assert_train_step_finite(model, (source, target))
    # The generator step runs after the discriminator step, so its adversarial term uses updated weights:
    # check the weighing of the L1 term exactly, the total loosely.
    assert logs["g_l1"] == pytest.approx(10.0 * l1, rel=1e-5)
    assert logs["g_loss"] == pytest.approx(10.0 * l1 + adversarial, rel=0.2)


def test_a_translator_preview_shows_source_output_target(presets):
    preset = ganzoo.resolve_preset("translator-test")
    networks = ganzoo.networks.build_networks(preset.model)
    model = L1Translator(networks["generator"], networks["discriminator"], seed=0)
    source, target = testing.example_batch(model, batch_size=3)
    picture = model.preview(3, examples=(source, target))
    assert picture.shape == (3 * 10 + 2, 3 * 10 + 2, 1)
    with pytest.raises(ValueError, match="give preview the"):
        model.preview(3)
    # A convolutional generator translates other sizes too; the channels must match.
    assert model.translate(np.zeros((2, 4, 6, 1), "float32")).shape == (2, 4, 6, 1)
    with pytest.raises(ValueError, match=r"translates images shaped \(n, height, width, 1\)"):
        model.translate(np.zeros((2, 8, 8, 3), "float32"))


def test_built_in_single_sample_data_cannot_feed_a_translator(presets):
    with pytest.raises(DataError, match="gives single images, not paired ones"):
        ganzoo.load("translator-test")


def test_unlabelled_data_is_refused_for_a_conditional_model(presets, tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    from PIL import Image

    for index in range(4):
        Image.fromarray(np.zeros((8, 8), "uint8")).save(flat / f"{index}.png")
    with pytest.raises(DataError, match="no class sub-folders"):
        ganzoo.load("cgan-test", data={"source": str(flat)})
    with pytest.raises(DataError, match="not in one sub-folder per class"):
        ganzoo.data.load(str(flat), labels=True, batch_size=2)


def test_a_conditional_fit_checks_label_types(presets):
    model = ganzoo.load("cgan-test")
    images = np.zeros((8, 8, 8, 1), "float32")
    with pytest.raises(DataError, match="one integer class per example"):
        model.fit(tf.data.Dataset.from_tensor_slices((images, np.zeros(8, "float32"))).batch(4), epochs=1, verbose=0)
