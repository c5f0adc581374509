"""Preset resolution: inheritance, strict keys and types, overrides, and the errors users see."""
import keras
import pytest

import ganzoo
from ganzoo import registry
from ganzoo.config import ConfigError, deep_merge, parse_assignment, parse_assignments, parse_yaml
from ganzoo.models import make_optimizer
from ganzoo.registry import resolve_preset


@pytest.fixture
def preset_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "presets_dir", lambda: tmp_path)
    return tmp_path


def test_unknown_preset_lists_closest_names():
    with pytest.raises(ConfigError, match="Unknown preset 'dcgan-mnst'.*dcgan-mnist"):
        ganzoo.load("dcgan-mnst")


def test_base_inheritance_merges_sections():
    grid, ring = ganzoo.resolve_preset("gan-grid"), ganzoo.resolve_preset("gan-ring")
    assert grid.data.source == "grid" and ring.data.source == "ring"
    assert grid.model.settings["latent_dim"] == ring.model.settings["latent_dim"] == 16
    assert grid.model.generator["units"] == [256, 256, 256]
    assert grid.model.generator["output_activation"] is None  # inherited from gan-ring


def test_base_cycle_is_reported(preset_folder):
    (preset_folder / "a.yaml").write_text("base: b\n")
    (preset_folder / "b.yaml").write_text("base: a\n")
    with pytest.raises(ConfigError, match="cycle: a -> b -> a"):
        ganzoo.resolve_preset("a")


def test_unknown_key_names_the_key_and_valid_ones():
    with pytest.raises(ConfigError, match=r"Unknown key 'latent_dims' in preset 'dcgan-mnist'.model.*'latent_dim'"):
        ganzoo.load("dcgan-mnist", model={"latent_dims": 8})


def test_mistyped_network_option_is_refused():
    with pytest.raises(ConfigError, match=r"'base_filter' in model.generator.*base_filters"):
        ganzoo.load("dcgan-mnist", model={"generator": {"base_filter": 8}})


@pytest.mark.parametrize(
    "override, message",
    [
        ({"model": {"latent_dim": "big"}}, r"latent_dim must be int, got str"),
        ({"model": {"latent_dim": True}}, r"latent_dim must be an int, got the boolean"),
        ({"train": {"batch_size": 0}}, r"train.batch_size must be positive"),
        ({"train": {"epochs": -1}}, r"train.epochs must be positive"),
        ({"model": {"d_steps": 0}}, r"model.d_steps must be a positive integer"),
        ({"model": {"latent_dim": 0}}, r"model.latent_dim must be a positive integer"),
        ({"data": {"limit": -5}}, r"data.limit must be positive"),
        ({"model": {"generator": {"units": "wide"}}}, r"model.generator.units must be a list"),
        ({"model": {"loss": "hinged"}}, r"Unknown model.loss 'hinged'.*non_saturating"),
        ({"model": {"arch": "nope"}}, r"Unknown model.arch 'nope'.*gan"),
        ({"model": {"network": "resnet9"}}, r"Unknown model.network 'resnet9'.*dcgan"),
        ({"model": {"network": {"generator": "mlp"}}}, r"model.network maps.*roles discriminator, generator, got generator"),
        ({"model": {"network": {"generator": "mlp", "discriminator": "mlp", "critic": "mlp"}}}, r"got generator, discriminator, critic"),
        ({"model": {"network": {"generator": "mlp", "discriminator": 3}}}, r"model.network.discriminator names a network family, got 3"),
        ({"model": {"network": {"generator": "mlp", "discriminator": "resnet9"}}}, r"Unknown model.network 'resnet9'"),
        ({"train": {"g_optimizer": {"name": "adamm"}}}, r"Unknown optimizer 'adamm'"),
        ({"train": {"d_optimizer": {"name": "adam", "learning_rate": -1.0}}}, r"learning_rate must be positive"),
        ({"train": {"d_optimizer": {"name": "adam", "beta1": 0.5}}}, r"'beta1'.*beta_1"),
    ],
)
def test_bad_values_are_refused_before_building(override, message):
    with pytest.raises(ConfigError, match=message):
        ganzoo.load("gan-ring", **override)


def test_network_roles_can_name_their_families_one_by_one():
    model = ganzoo.load("gan-ring", model={"network": {"generator": "mlp", "discriminator": "mlp"}})
    assert model.generator.output_shape == (None, 2) and model.discriminator.output_shape == (None, 1)


def test_python_overrides_win():
    model = ganzoo.load("gan-ring", model={"latent_dim": 5, "d_steps": 2})
    assert model.latent_dim == 5 and model.d_steps == 2
    assert model.generator.input_shape == (None, 5)


def test_unknown_override_section():
    with pytest.raises(ConfigError, match="Unknown override section 'optim'"):
        ganzoo.load("gan-ring", optim={})


def test_load_without_compile():
    assert not ganzoo.load("gan-ring", compile=False).compiled


def test_cli_assignments_are_typed_yaml():
    assert parse_assignment("model.latent_dim=64") == {"model": {"latent_dim": 64}}
    assert parse_assignment("train.g_optimizer.learning_rate=1e-3") == {
        "train": {"g_optimizer": {"learning_rate": 0.001}}
    }
    assert parse_assignment("model.generator.units=[8, 8]") == {"model": {"generator": {"units": [8, 8]}}}
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_assignment("model.latent_dim")


def test_scientific_notation_reads_as_float():
    assert parse_yaml("lr: 2e-4") == {"lr": 2e-4}
    assert parse_yaml("n: 12") == {"n": 12}


def test_preset_files_are_read_safely(preset_folder):
    (preset_folder / "evil.yaml").write_text("model: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        ganzoo.resolve_preset("evil")


def test_make_optimizer_builds_the_named_class():
    optimizer = make_optimizer({"name": "rmsprop", "learning_rate": 5e-5}, "train.d_optimizer")
    assert type(optimizer).__name__ == "RMSprop"
    assert float(optimizer.learning_rate) == pytest.approx(5e-5)
    with pytest.raises(ConfigError, match="needs a `name`"):
        make_optimizer({"learning_rate": 1e-3}, "train.d_optimizer")


def test_a_renamed_optimizer_replaces_the_old_options():
    merged = deep_merge({"g": {"name": "adam", "beta_1": 0.5, "learning_rate": 1e-3}}, {"g": {"name": "rmsprop"}})
    assert merged == {"g": {"name": "rmsprop"}}
    kept = deep_merge({"g": {"name": "adam", "beta_1": 0.5}}, {"g": {"learning_rate": 1e-4}})
    assert kept == {"g": {"name": "adam", "beta_1": 0.5, "learning_rate": 1e-4}}


def test_null_removes_a_preset_setting_and_an_empty_mapping_changes_nothing():
    """`{}` merges (so `load(name, data={})` keeps the preset's data); `null` is how to remove."""
    assert deep_merge({"model": {"penalties": {"r1": 0.05}}}, {"model": {"penalties": {}}}) == {"model": {"penalties": {"r1": 0.05}}}
    removed = resolve_preset("stylegan-lite", parse_assignments(["model.penalties=null"]))
    assert removed.model.settings["penalties"] is None
    assert ganzoo.load("stylegan-lite", compile=False, model={"penalties": None}).penalties == {}


def test_learning_rate_schedules_come_from_keras():
    spec = {"name": "adam", "learning_rate": {"schedule": "cosine_decay", "initial_learning_rate": 1e-3, "decay_steps": 100}}
    optimizer = make_optimizer(spec, "train.g_optimizer")
    assert optimizer.get_config()["learning_rate"]["class_name"] == "CosineDecay"
    with pytest.raises(ConfigError, match="schedule:.*cosine_decay"):
        make_optimizer({"name": "adam", "learning_rate": {"schedule": "cosine"}}, "train.g_optimizer")
    with pytest.raises(ConfigError, match="decay_step"):
        make_optimizer({"name": "adam", "learning_rate": {"schedule": "cosine_decay", "decay_step": 1}}, "x")


def test_a_scheduled_optimizer_survives_saving(tmp_path):
    schedule = {"schedule": "cosine_decay", "initial_learning_rate": 1e-3, "decay_steps": 10}
    model = ganzoo.load("gan-ring", model={"generator": {"units": [8]}, "discriminator": {"units": [8]}},
                        train={"g_optimizer": {"name": "adam", "learning_rate": schedule}})
    model.fit(ganzoo.data.load("ring", batch_size=16, limit=64), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert float(loaded.g_optimizer.learning_rate) == pytest.approx(float(model.g_optimizer.learning_rate))
    assert float(model.g_optimizer.learning_rate) < 1e-3
